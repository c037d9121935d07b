#ifndef AIKOM_CHECK_PROGRESS_HPP
#define AIKOM_CHECK_PROGRESS_HPP

/// @file
/// The progress report (`GET /v1/reports/progress`): per institution and per day, how many
/// records existed, how many of their children were active and how many of those were ready on
/// the four indicators, and whether the institution is on track for the deadline.
///
/// The days are data the server keeps (daily snapshots); this header holds the report's type,
/// the one rule that judges "on track" (`measure_pace`, `on_track`) and the renderers. Counts
/// only: no report holds personal data or record ids. All functions are pure and thread-safe.

#include <aikom/check/readiness.hpp>
#include <aikom/model/date.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace aikom::check {

/// One day of one institution (or of all).
struct progress_day {
    model::date date{};
    std::size_t records = 0; ///< records that existed at the end of the day
    std::size_t active = 0;  ///< of them, children not withdrawn on that day
    std::size_t ready = 0;   ///< of them, ready on the four indicators, judged with that day as
                             ///< "today" (as `readiness_builder` judges `ready`)

    friend bool operator==(const progress_day&, const progress_day&) = default;
};

struct institution_progress {
    std::string edrpou{}; ///< the institution's code (`institution` in JSON)
    /// Strictly ascending by date, within `from`..`to`.
    std::vector<progress_day> days{};
    std::optional<bool> on_track{}; ///< `on_track(days, deadline)`

    friend bool operator==(const institution_progress&, const institution_progress&) = default;
};

struct progress_report {
    model::date from{};
    model::date to{};
    std::optional<model::date> deadline{};
    std::vector<institution_progress> institutions{}; ///< sorted by code
    std::vector<progress_day> total{}; ///< per day, the sum over the institutions (`total_days`)

    friend bool operator==(const progress_report&, const progress_report&) = default;
};

/// How many days back `measure_pace` looks for the recent gain in `ready`.
inline constexpr int pace_window_days = 7;

/// The recent pace of a series of days, measured at its last day.
struct progress_pace {
    model::date last{};        ///< the last day
    std::size_t not_ready = 0; ///< `active - ready` on the last day (0 if ready ≥ active)
    /// `ready` gained from the window's first day to the last day; 0 when it fell. The window's
    /// first day is the earliest day of the series within `pace_window_days` before the last.
    std::size_t gain = 0;
    int window_days = 0; ///< days from the window's first day to the last; 0: no window
    /// `deadline - last` in days (0 on the deadline, negative after it); none without a deadline.
    std::optional<int> days_left;
};

/// The pace of `days` (strictly ascending by date) against `deadline`; all zero when `days` is
/// empty.
[[nodiscard]] progress_pace measure_pace(const std::vector<progress_day>& days,
                                         std::optional<model::date> deadline) noexcept;

/// Whether the children still not ready will be ready by the deadline at the recent pace:
/// - null without a deadline or without days;
/// - true when every active child is ready on the last day (`not_ready == 0`), even after the
///   deadline;
/// - false when the last day is the deadline or later and some children are not ready;
/// - otherwise true exactly when `not_ready ≤ gain / window_days × days_left`, compared in
///   integers as `not_ready × window_days ≤ gain × days_left`; without a window (no earlier
///   day within `pace_window_days`) the gain is unknown and the answer is false.
[[nodiscard]] std::optional<bool> on_track(const std::vector<progress_day>& days,
                                           std::optional<model::date> deadline) noexcept;

/// Per date, the sum of the institutions' days (dates in ascending order; a date that only some
/// institutions have sums those).
[[nodiscard]] std::vector<progress_day>
total_days(const std::vector<institution_progress>& institutions);

// ---- rendering --------------------------------------------------------------------------------

/// JSON, format `aikom.progress` version 1 (docs/authority-reports.md).
[[nodiscard]] std::string render_json(const progress_report& report);

/// One self-contained HTML page in the readiness report's style: a table of the institutions'
/// last day and pace, and per institution an inline SVG chart of `active` and `ready` per day
/// against the deadline, with the pace still needed.
[[nodiscard]] std::string render_html(const progress_report& report,
                                      report_language language = report_language::uk);

} // namespace aikom::check

#endif
