// Private: what the renderers of the records layer's reports share — the readiness report
// (report_render.cpp), form 85-К and the progress report (authority_render.cpp): untrusted
// strings made safe, numbers, dates and Ukrainian plurals for people, and the skeleton of the
// self-contained HTML page (its style, its one sorting script and the Content-Security-Policy
// that allows only that script).
#ifndef AIKOM_SRC_RECORDS_CHECK_REPORT_PAGE_HPP
#define AIKOM_SRC_RECORDS_CHECK_REPORT_PAGE_HPP

#include <aikom/check/readiness.hpp>
#include <aikom/model/date.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace aikom::check::detail {

// ---- words ------------------------------------------------------------------------------------

enum class plural_form { one, few, many };

/// The Ukrainian plural form a count takes: 1 день, 2 дні, 5 днів (11–14 take `many`).
[[nodiscard]] plural_form ukrainian_plural(std::size_t n) noexcept;

struct noun {
    std::string_view uk_one, uk_few, uk_many, en_one, en_many;
};

inline constexpr noun noun_days{"день", "дні", "днів", "day", "days"};
inline constexpr noun noun_children{"дитина", "дитини", "дітей", "child", "children"};
inline constexpr noun noun_records{"запис", "записи", "записів", "record", "records"};
inline constexpr noun noun_groups{"група", "групи", "груп", "group", "groups"};

// ---- untrusted strings ------------------------------------------------------------------------

/// `s` as valid UTF-8 without control characters: invalid sequences, C0/C1 controls and DEL
/// become U+FFFD. What remains is safe to escape for text, JSON or HTML.
[[nodiscard]] std::string clean(std::string_view s);

/// Number of code points of valid UTF-8 (for aligning text columns).
[[nodiscard]] std::size_t display_width(std::string_view s) noexcept;

/// Appends `clean(s)` escaped for HTML text and attribute values.
void append_html_escaped(std::string& out, std::string_view s);

// ---- numbers and dates ------------------------------------------------------------------------

/// `n` with thousands separated (a no-break space in Ukrainian, a comma in English) from 10 000.
[[nodiscard]] std::string count_text(std::size_t n, report_language language);

/// `n` and the noun in the right form: "5 днів", "1 day".
[[nodiscard]] std::string noun_text(std::size_t n, const noun& w, report_language language);

/// `part` of `whole` in percent; 0 when `whole` is 0.
[[nodiscard]] double share(std::size_t part, std::size_t whole) noexcept;

/// `value` with `decimals` digits after the point, locale-independent (CSS and SVG need it).
[[nodiscard]] std::string fixed(double value, int decimals);

/// A percentage for people: one decimal, decimal comma in Ukrainian.
[[nodiscard]] std::string percent_text(double value, report_language language);

/// Whether `d` is a valid date with a four-digit year (one `to_iso_string` can write).
[[nodiscard]] bool printable(model::date d) noexcept;

/// `dd.mm.yyyy` in Ukrainian, ISO in English; a dash when the date is not printable.
[[nodiscard]] std::string date_text(model::date d, report_language language);

/// The deadline and how far it is from `as_of`: "07.06.2025 (залишилося 5 днів)",
/// "2025-06-07 (today)", "… (3 days overdue)".
[[nodiscard]] std::string deadline_text(model::date as_of, model::date deadline,
                                        report_language language);

/// `YYYY-MM-DD`, or null when `d` is not printable.
[[nodiscard]] boost::json::value json_date(model::date d);

// ---- the HTML page ----------------------------------------------------------------------------

/// From `<!DOCTYPE html>` to the opening `<body>`: the policy (no network, no resource from
/// anywhere, only the page's own script), the shared style, and `<title>title — date</title>`.
void begin_page(std::string& out, report_language language, std::string_view title,
                model::date as_of);

/// The page's one script (it sorts every `table.sortable` by a clicked column) and the end.
void end_page(std::string& out);

/// A key figure: a big value over a small label. `value` and `label` must already be HTML.
void html_kpi(std::string& out, std::string_view value, std::string_view label,
              std::string_view extra_class = {});

} // namespace aikom::check::detail

#endif
