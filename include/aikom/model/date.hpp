#ifndef AIKOM_MODEL_DATE_HPP
#define AIKOM_MODEL_DATE_HPP

/// @file
/// Calendar dates as the records use them: `std::chrono::year_month_day`, written `YYYY-MM-DD`.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace aikom::model {

using date = std::chrono::year_month_day;

/// Parses `YYYY-MM-DD` (exactly ten characters, a date that exists in the proleptic Gregorian
/// calendar, years 1000..9999). Returns `std::nullopt` for anything else.
[[nodiscard]] std::optional<date> parse_iso_date(std::string_view text) noexcept;

/// Parses `dd.mm.yyyy` (day and month may have one digit), the form Ukrainian spreadsheets use.
[[nodiscard]] std::optional<date> parse_dotted_date(std::string_view text) noexcept;

/// Writes `d` as `YYYY-MM-DD` into `out`, which must have room for 10 characters.
/// `d` must be `ok()` with a four-digit year.
void format_iso_date(date d, char* out) noexcept;

/// `d` as `YYYY-MM-DD`.
[[nodiscard]] std::string to_iso_string(date d);

/// Whole years from `from` to `to`: how old someone born on `from` is on `to` (negative when `to`
/// is earlier). A birthday counts on its own day; someone born on 29 February turns a year older
/// on 1 March in a common year.
[[nodiscard]] int full_years(date from, date to) noexcept;

/// Today's date by the system clock, in UTC.
[[nodiscard]] date today_utc();

/// The date in Kyiv (Europe/Kyiv: UTC+2, and UTC+3 from 01:00 UTC on the last Sunday of March
/// to 01:00 UTC on the last Sunday of October) at the instant `at`.
[[nodiscard]] date kyiv_date(std::chrono::sys_seconds at);

/// Today's date in Kyiv: what "today" means for AIKOM's date rules and reports.
[[nodiscard]] date today_kyiv();

} // namespace aikom::model

#endif
