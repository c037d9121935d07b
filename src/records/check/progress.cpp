// The progress report's rule: the recent pace, "on track", and the total of the institutions.
#include <aikom/check/progress.hpp>

#include "check/sorted_find.hpp"

#include <chrono>

namespace aikom::check {
namespace {

int days_between(model::date from, model::date to) noexcept
{
    return static_cast<int>((std::chrono::sys_days{to} - std::chrono::sys_days{from}).count());
}

} // namespace

progress_pace measure_pace(const std::vector<progress_day>& days,
                           std::optional<model::date> deadline) noexcept
{
    progress_pace p;
    if (days.empty()) {
        return p;
    }
    const progress_day& last = days.back();
    p.last = last.date;
    p.not_ready = last.active > last.ready ? last.active - last.ready : 0;
    if (deadline) {
        p.days_left = days_between(last.date, *deadline);
    }
    // The earliest day within the window before the last day.
    for (const auto& d : days) {
        const int back = days_between(d.date, last.date);
        if (back > 0 && back <= pace_window_days) {
            p.window_days = back;
            p.gain = last.ready > d.ready ? last.ready - d.ready : 0;
            break;
        }
    }
    return p;
}

std::optional<bool> on_track(const std::vector<progress_day>& days,
                             std::optional<model::date> deadline) noexcept
{
    if (!deadline || days.empty()) {
        return std::nullopt;
    }
    const progress_pace p = measure_pace(days, deadline);
    if (p.not_ready == 0) {
        return true;
    }
    if (*p.days_left <= 0 || p.window_days == 0) {
        return false;
    }
    return p.not_ready * static_cast<std::size_t>(p.window_days) <=
           p.gain * static_cast<std::size_t>(*p.days_left);
}

std::vector<progress_day> total_days(const std::vector<institution_progress>& institutions)
{
    std::vector<progress_day> total;
    for (const auto& inst : institutions) {
        for (const auto& d : inst.days) {
            auto& sum =
                detail::find_or_insert(total, d.date, [](const progress_day& t) { return t.date; });
            sum.date = d.date;
            sum.records += d.records;
            sum.active += d.active;
            sum.ready += d.ready;
        }
    }
    return total;
}

} // namespace aikom::check
