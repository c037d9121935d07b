// The progress report as JSON and as one self-contained HTML page with an SVG chart per
// institution. Institution codes may come from a file (aikom-audit --from-json): they are
// untrusted and pass through `clean` and the HTML escaper like every other string.
#include <aikom/check/progress.hpp>

#include "check/report_page.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>

namespace aikom::check {

using namespace detail;

// ---- JSON -------------------------------------------------------------------------------------

namespace {

boost::json::array json_days(const std::vector<progress_day>& days)
{
    boost::json::array out;
    out.reserve(days.size());
    for (const auto& d : days) {
        out.push_back(boost::json::object{{"date", json_date(d.date)},
                                          {"records", d.records},
                                          {"active", d.active},
                                          {"ready", d.ready}});
    }
    return out;
}

} // namespace

std::string render_json(const progress_report& r)
{
    boost::json::object root;
    root["format"] = "aikom.progress";
    root["version"] = 1;
    root["from"] = json_date(r.from);
    root["to"] = json_date(r.to);
    root["deadline"] = r.deadline ? json_date(*r.deadline) : boost::json::value(nullptr);
    boost::json::array institutions;
    for (const auto& inst : r.institutions) {
        institutions.push_back(boost::json::object{
            {"institution", boost::json::string(clean(inst.edrpou))},
            {"days", json_days(inst.days)},
            {"on_track", inst.on_track ? boost::json::value(*inst.on_track) : nullptr}});
    }
    root["institutions"] = std::move(institutions);
    root["total"] = boost::json::object{{"days", json_days(r.total)}};
    return boost::json::serialize(root);
}

// ---- HTML -------------------------------------------------------------------------------------

namespace {

struct labels {
    std::string_view title;
    std::string_view period;
    std::string_view deadline;
    std::string_view no_deadline;
    std::string_view last_day;
    std::string_view active;
    std::string_view children; // `active` in a table's heading
    std::string_view ready;
    std::string_view records;
    std::string_view not_ready;
    std::string_view on_track;
    std::string_view behind;
    std::string_view unknown_track;
    std::string_view all_institutions;
    std::string_view institutions;
    std::string_view institution;
    std::string_view no_edrpou;
    std::string_view gain;
    std::string_view gain_hint;
    std::string_view days_left;
    std::string_view needed;
    std::string_view needed_pace;
    std::string_view recent_pace;
    std::string_view status;
    std::string_view no_days;
    std::string_view rule;
    std::string_view sort_hint;
    std::string_view privacy;
};

constexpr labels labels_uk{
    .title = "Хід заповнення даних вихованців",
    .period = "Період",
    .deadline = "Кінцевий термін",
    .no_deadline = "без кінцевого терміну",
    .last_day = "Останній день",
    .active = "Дітей (без тих, що вибули)",
    .children = "Дітей",
    .ready = "Готові",
    .records = "Записів",
    .not_ready = "Ще не готові",
    .on_track = "встигає",
    .behind = "не встигає",
    .unknown_track = "не оцінено",
    .all_institutions = "Усі заклади",
    .institutions = "Заклади",
    .institution = "ЗДО, ЄДРПОУ",
    .no_edrpou = "ЗДО без коду ЄДРПОУ",
    .gain = "Приріст",
    .gain_hint = "приріст готових за останні дні періоду (до 7)",
    .days_left = "Днів до терміну",
    .needed = "Треба на день",
    .needed_pace = "потрібний темп",
    .recent_pace = "теперішній темп",
    .status = "Оцінка",
    .no_days = "Немає даних за цей період.",
    .rule = "«Встигає»: усі діти готові, або до терміну ще є дні і за теперішнього темпу (приріст "
            "готових записів за останні до 7 днів) решта буде готова до кінцевого терміну.",
    .sort_hint = "Натисніть на заголовок стовпця, щоб упорядкувати таблицю.",
    .privacy = "Звіт не містить персональних даних дітей: лише кількості записів.",
};

constexpr labels labels_en{
    .title = "Progress of children's records",
    .period = "Period",
    .deadline = "Deadline",
    .no_deadline = "no deadline",
    .last_day = "Last day",
    .active = "Children (not withdrawn)",
    .children = "Children",
    .ready = "Ready",
    .records = "Records",
    .not_ready = "Not ready yet",
    .on_track = "on track",
    .behind = "behind",
    .unknown_track = "not judged",
    .all_institutions = "All institutions",
    .institutions = "Institutions",
    .institution = "Institution, EDRPOU",
    .no_edrpou = "Institution without an EDRPOU code",
    .gain = "Gain",
    .gain_hint = "records made ready over the period's last days (up to 7)",
    .days_left = "Days left",
    .needed = "Needed per day",
    .needed_pace = "pace needed",
    .recent_pace = "recent pace",
    .status = "Status",
    .no_days = "No data for this period.",
    .rule = "\"On track\": every child is ready, or days are left before the deadline and at the "
            "recent pace (records made ready over the last up to 7 days) the rest will be ready "
            "by the deadline.",
    .sort_hint = "Click a column header to sort the table.",
    .privacy = "This report holds no personal data: only numbers of records.",
};

const labels& labels_for(report_language language) noexcept
{
    return language == report_language::en ? labels_en : labels_uk;
}

void html_status(std::string& out, std::optional<bool> track, const labels& l)
{
    const std::string_view cls = !track ? "no-deadline" : *track ? "on-track" : "behind";
    const std::string_view text = !track ? l.unknown_track : *track ? l.on_track : l.behind;
    out.append("<span class=\"badge ").append(cls).append("\">").append(text).append("</span>");
}

std::string title_of(const institution_progress& inst, const labels& l)
{
    return inst.edrpou.empty() ? std::string(l.no_edrpou)
                               : std::string(l.institution) + " " + clean(inst.edrpou);
}

// ---- the chart ----------------------------------------------------------------------------------

// An SVG line chart of `active` and `ready` per day from `from` to the deadline (or `to`), with
// the deadline and, while children are not ready, the pace needed and the recent pace.
class trend_chart {
public:
    trend_chart(const progress_report& r, const std::vector<progress_day>& days)
        : days_(days)
        , deadline_(r.deadline)
        , first_(std::chrono::sys_days{r.from})
    {
        auto last = std::chrono::sys_days{r.to};
        if (!days.empty()) {
            first_ = std::min(first_, std::chrono::sys_days{days.front().date});
            last = std::max(last, std::chrono::sys_days{days.back().date});
        }
        // The deadline is shown when it falls within a year after the period.
        if (deadline_ && std::chrono::sys_days{*deadline_} > last &&
            std::chrono::sys_days{*deadline_} <= last + std::chrono::days{366}) {
            last = std::chrono::sys_days{*deadline_};
        }
        span_ = std::max<long>(1, static_cast<long>((last - first_).count()));
        for (const auto& d : days) {
            top_ = std::max({top_, d.active, d.ready});
        }
        top_ = std::max<std::size_t>(top_, 1);
    }

    void write(std::string& out, const labels& l, report_language language) const
    {
        out.append("<svg class=\"trend\" viewBox=\"0 0 ");
        out.append(std::to_string(width)).append(" ").append(std::to_string(height));
        out.append("\" role=\"img\" aria-label=\"").append(l.ready).append(" / ");
        out.append(l.active).append("\">\n");
        for (const std::size_t v : {std::size_t{0}, top_ / 2, top_}) {
            const std::string y = fixed(y_of(v), 1);
            out.append("<line class=\"grid\" x1=\"")
                .append(std::to_string(left))
                .append("\" x2=\"");
            out.append(std::to_string(width - right)).append("\" y1=\"").append(y);
            out.append("\" y2=\"")
                .append(y)
                .append("\"/><text x=\"")
                .append(std::to_string(left - 6));
            out.append("\" y=\"").append(y).append("\" dy=\"4\" text-anchor=\"end\">");
            out.append(count_text(v, language)).append("</text>\n");
        }
        axis_date(out, first_, "start", language);
        if (!days_.empty()) {
            axis_date(out, std::chrono::sys_days{days_.back().date}, "middle", language);
        }
        if (deadline_ && in_range(*deadline_)) {
            const std::string x = fixed(x_of(*deadline_), 1);
            out.append("<line class=\"deadline\" x1=\"").append(x).append("\" x2=\"").append(x);
            out.append("\" y1=\"").append(std::to_string(top)).append("\" y2=\"");
            out.append(std::to_string(height - bottom)).append("\"/>\n");
            axis_date(out, std::chrono::sys_days{*deadline_}, "end", language);
        }
        polyline(out, "active", [](const progress_day& d) { return d.active; });
        polyline(out, "ready", [](const progress_day& d) { return d.ready; });
        paces(out);
        out.append("</svg>\n");
    }

private:
    static constexpr int width = 720, height = 240;
    static constexpr int left = 56, right = 16, top = 12, bottom = 30;

    bool in_range(model::date d) const noexcept
    {
        const auto t = std::chrono::sys_days{d};
        return t >= first_ && t <= first_ + std::chrono::days{span_};
    }

    double x_of(model::date d) const noexcept
    {
        const auto offset = (std::chrono::sys_days{d} - first_).count();
        return left + static_cast<double>(width - left - right) * static_cast<double>(offset) /
                          static_cast<double>(span_);
    }

    double y_of(std::size_t v) const noexcept
    {
        const double share = static_cast<double>(std::min(v, top_)) / static_cast<double>(top_);
        return static_cast<double>(height - bottom) - share * (height - bottom - top);
    }

    void axis_date(std::string& out, std::chrono::sys_days day, std::string_view anchor,
                   report_language language) const
    {
        const model::date d{day};
        out.append("<text x=\"").append(fixed(x_of(d), 1)).append("\" y=\"");
        out.append(std::to_string(height - 10)).append("\" text-anchor=\"").append(anchor);
        out.append("\">").append(date_text(d, language)).append("</text>\n");
    }

    void polyline(std::string& out, std::string_view cls, auto value) const
    {
        out.append("<polyline class=\"").append(cls).append("\" points=\"");
        for (const auto& d : days_) {
            out.append(fixed(x_of(d.date), 1)).append(",").append(fixed(y_of(value(d)), 1));
            out.push_back(' ');
        }
        out.append("\"/>\n");
    }

    void line(std::string& out, std::string_view cls, model::date x1, std::size_t y1,
              model::date x2, std::size_t y2) const
    {
        out.append("<line class=\"").append(cls).append("\" x1=\"").append(fixed(x_of(x1), 1));
        out.append("\" y1=\"").append(fixed(y_of(y1), 1)).append("\" x2=\"");
        out.append(fixed(x_of(x2), 1)).append("\" y2=\"").append(fixed(y_of(y2), 1));
        out.append("\"/>\n");
    }

    // From the last day to the deadline: the pace needed (to every active child ready) and the
    // recent pace (capped at the active children).
    void paces(std::string& out) const
    {
        if (days_.empty() || !deadline_ || !in_range(*deadline_)) {
            return;
        }
        const auto p = measure_pace(days_, deadline_);
        if (p.not_ready == 0 || !p.days_left || *p.days_left <= 0) {
            return;
        }
        const progress_day& last = days_.back();
        line(out, "needed", last.date, last.ready, *deadline_, last.active);
        if (p.window_days > 0) {
            const double projected = static_cast<double>(p.gain) * *p.days_left / p.window_days;
            const auto reached = std::min(
                last.active, last.ready + static_cast<std::size_t>(std::llround(projected)));
            line(out, "pace", last.date, last.ready, *deadline_, reached);
        }
    }

    const std::vector<progress_day>& days_;
    std::optional<model::date> deadline_;
    std::chrono::sys_days first_;
    long span_ = 1;
    std::size_t top_ = 0;
};

void html_chart_legend(std::string& out, const labels& l, bool with_deadline)
{
    out.append("<div class=\"legend\"><span><span class=\"sw active\"></span>").append(l.active);
    out.append("</span><span><span class=\"sw ready\"></span>").append(l.ready).append("</span>");
    if (with_deadline) {
        out.append("<span><span class=\"sw deadline\"></span>").append(l.deadline);
        out.append("</span><span><span class=\"sw needed\"></span>").append(l.needed_pace);
        out.append("</span><span><span class=\"sw ready\"></span>\xE2\x8B\xAF ");
        out.append(l.recent_pace).append("</span>");
    }
    out.append("</div>\n");
}

// "3 (12 %)" of a last day: ready of active.
std::string ready_text(const progress_day& d, report_language language)
{
    return count_text(d.ready, language) + " (" +
           percent_text(d.active == 0 ? 100.0 : share(d.ready, d.active), language) + ")";
}

// Needed per day to reach the deadline, one decimal; a dash when it cannot be said.
std::string needed_text(const progress_pace& p, report_language language)
{
    if (p.not_ready == 0) {
        return "0";
    }
    if (!p.days_left || *p.days_left <= 0) {
        return "\xE2\x80\x94";
    }
    std::string s = fixed(static_cast<double>(p.not_ready) / *p.days_left, 1);
    if (language == report_language::uk) {
        std::replace(s.begin(), s.end(), '.', ',');
    }
    return s;
}

void html_summary(std::string& out, const progress_report& r, const labels& l,
                  report_language language)
{
    out.append("<h2>").append(l.institutions).append("</h2>\n<div class=\"scroll\">");
    out.append("<table class=\"sortable progress\">");
    out.append("<thead><tr><th>").append(l.institution).append("</th><th>").append(l.records);
    out.append("</th><th>").append(l.children).append("</th><th>").append(l.ready);
    out.append("</th><th>").append(l.not_ready).append("</th><th title=\"").append(l.gain_hint);
    out.append("\">").append(l.gain).append("</th><th>").append(l.days_left);
    out.append("</th><th>").append(l.needed).append("</th><th>").append(l.status);
    out.append("</th></tr></thead><tbody>\n");
    for (const auto& inst : r.institutions) {
        out.append("<tr><td>");
        append_html_escaped(out, inst.edrpou.empty() ? std::string_view(l.no_edrpou) : inst.edrpou);
        out.append("</td>");
        if (inst.days.empty()) {
            out.append("<td colspan=\"7\">").append(l.no_days).append("</td><td>");
        } else {
            const auto& d = inst.days.back();
            const auto p = measure_pace(inst.days, r.deadline);
            const auto num = [&](std::size_t v, std::string text) {
                out.append("<td class=\"n\" data-key=\"").append(std::to_string(v)).append("\">");
                out.append(text).append("</td>");
            };
            num(d.records, count_text(d.records, language));
            num(d.active, count_text(d.active, language));
            num(d.ready, ready_text(d, language));
            num(p.not_ready, count_text(p.not_ready, language));
            num(p.gain, p.window_days == 0 ? std::string("\xE2\x80\x94")
                                           : count_text(p.gain, language) + " / " +
                                                 noun_text(static_cast<std::size_t>(p.window_days),
                                                           noun_days, language));
            out.append("<td class=\"n\">");
            out.append(p.days_left ? std::to_string(*p.days_left) : std::string("\xE2\x80\x94"));
            out.append("</td><td class=\"n\">")
                .append(needed_text(p, language))
                .append("</td><td>");
        }
        html_status(out, inst.on_track, l);
        out.append("</td></tr>\n");
    }
    out.append("</tbody></table></div>\n<p class=\"hint\">").append(l.rule).append(" ");
    out.append(l.sort_hint).append("</p>\n");
}

void html_series(std::string& out, const progress_report& r, const std::vector<progress_day>& days,
                 const labels& l, report_language language)
{
    if (days.empty()) {
        out.append("<p class=\"note\">").append(l.no_days).append("</p>\n");
        return;
    }
    const auto& last = days.back();
    out.append("<p class=\"meta\">").append(l.last_day).append(" <b>");
    out.append(date_text(last.date, language)).append("</b> \xC2\xB7 ").append(l.ready);
    out.append(" <b>").append(ready_text(last, language)).append("</b> \xC2\xB7 ");
    out.append(l.not_ready).append(" <b>");
    out.append(count_text(measure_pace(days, r.deadline).not_ready, language)).append("</b></p>\n");
    html_chart_legend(out, l, r.deadline.has_value());
    trend_chart(r, days).write(out, l, language);
}

} // namespace

std::string render_html(const progress_report& r, report_language language)
{
    const labels& l = labels_for(language);
    std::string out;
    out.reserve(16'384 + r.institutions.size() * 8'192);
    begin_page(out, language, l.title, r.to);

    out.append("<header>\n<h1>").append(l.title).append("</h1>\n<p class=\"meta\">");
    out.append(l.period).append(" <b>").append(date_text(r.from, language));
    out.append(" \xE2\x80\x93 ").append(date_text(r.to, language)).append("</b> \xC2\xB7 ");
    if (r.deadline) {
        out.append(l.deadline).append(" <b>");
        out.append(deadline_text(r.to, *r.deadline, language)).append("</b>");
    } else {
        out.append(l.no_deadline);
    }
    out.append("</p>\n<div class=\"kpis\">");
    std::size_t on = 0, behind = 0;
    for (const auto& inst : r.institutions) {
        on += inst.on_track == true ? 1 : 0;
        behind += inst.on_track == false ? 1 : 0;
    }
    if (!r.total.empty()) {
        const auto& last = r.total.back();
        html_kpi(out, ready_text(last, language), l.ready, "main");
        html_kpi(out, count_text(last.active, language), l.active);
    }
    if (r.deadline) {
        html_kpi(out, count_text(on, language), l.on_track);
        html_kpi(out, count_text(behind, language), l.behind);
    }
    out.append("</div>\n</header>\n");

    out.append("<section class=\"totals\">\n<h2>").append(l.all_institutions).append("</h2>\n");
    html_series(out, r, r.total, l, language);
    out.append("</section>\n");

    html_summary(out, r, l, language);

    for (const auto& inst : r.institutions) {
        out.append("<section class=\"institution\" data-edrpou=\"");
        append_html_escaped(out, inst.edrpou);
        out.append("\">\n<h2>");
        append_html_escaped(out, title_of(inst, l));
        out.append(" ");
        html_status(out, inst.on_track, l);
        out.append("</h2>\n");
        html_series(out, r, inst.days, l, language);
        out.append("</section>\n");
    }

    out.append("<p class=\"privacy\">").append(l.privacy).append("</p>\n");
    end_page(out);
    return out;
}

} // namespace aikom::check
