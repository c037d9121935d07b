// The page skeleton and the text helpers the report renderers share (report_page.hpp).
#include "check/report_page.hpp"

#include <aikom/codec/content_hash.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>

namespace aikom::check::detail {

plural_form ukrainian_plural(std::size_t n) noexcept
{
    const std::size_t d10 = n % 10;
    const std::size_t d100 = n % 100;
    if (d10 == 1 && d100 != 11) {
        return plural_form::one;
    }
    if (d10 >= 2 && d10 <= 4 && (d100 < 12 || d100 > 14)) {
        return plural_form::few;
    }
    return plural_form::many;
}

// ---- untrusted strings ------------------------------------------------------------------------

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

// `s` as valid UTF-8 without control characters: invalid sequences, C0/C1 controls and DEL
// become U+FFFD. What remains is safe to escape for any of the three outputs.
std::string clean(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (b0 < 0x80) {
            if (b0 < 0x20 || b0 == 0x7F) {
                out.append(replacement_character);
            } else {
                out.push_back(static_cast<char>(b0));
            }
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            len = 2;
            cp = b0 & 0x1Fu;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            len = 3;
            cp = b0 & 0x0Fu;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            len = 4;
            cp = b0 & 0x07u;
        }
        bool ok = len != 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            ok = (b & 0xC0u) == 0x80u;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if (ok) {
            // Overlong forms, surrogates and code points above U+10FFFF; then C1 controls.
            ok = !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
                 !(cp >= 0xD800 && cp <= 0xDFFF) && !(cp >= 0x80 && cp <= 0x9F);
        }
        if (ok) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out.append(replacement_character);
            ++i;
        }
    }
    return out;
}

// Number of code points of valid UTF-8 (for aligning text columns).
std::size_t display_width(std::string_view s) noexcept
{
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u;
    }));
}

void append_html_escaped(std::string& out, std::string_view s)
{
    for (const char c : clean(s)) {
        switch (c) {
        case '&':
            out.append("&amp;");
            break;
        case '<':
            out.append("&lt;");
            break;
        case '>':
            out.append("&gt;");
            break;
        case '"':
            out.append("&quot;");
            break;
        case '\'':
            out.append("&#39;");
            break;
        default:
            out.push_back(c);
        }
    }
}

// ---- numbers and dates ------------------------------------------------------------------------

std::string count_text(std::size_t n, report_language language)
{
    std::string digits = std::to_string(n);
    if (digits.size() <= 4) {
        return digits;
    }
    // Thousands separated by a no-break space (Ukrainian) or a comma (English).
    const std::string_view sep = language == report_language::uk ? "\xC2\xA0" : ",";
    std::string out;
    const std::size_t lead = digits.size() % 3;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && i >= lead && (i - lead) % 3 == 0) {
            out.append(sep);
        }
        out.push_back(digits[i]);
    }
    return out;
}

std::string noun_text(std::size_t n, const noun& w, report_language language)
{
    std::string out = count_text(n, language);
    out.push_back(' ');
    if (language == report_language::en) {
        out.append(n == 1 ? w.en_one : w.en_many);
        return out;
    }
    switch (ukrainian_plural(n)) {
    case plural_form::one:
        out.append(w.uk_one);
        break;
    case plural_form::few:
        out.append(w.uk_few);
        break;
    case plural_form::many:
        out.append(w.uk_many);
        break;
    }
    return out;
}

double share(std::size_t part, std::size_t whole) noexcept
{
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

// `value` with `decimals` digits after the point, locale-independent (CSS needs the point).
std::string fixed(double value, int decimals)
{
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, decimals);
    return std::string(buf, r.ptr);
}

// A percentage for people: one decimal, decimal comma in Ukrainian.
std::string percent_text(double value, report_language language)
{
    std::string s = fixed(value, 1);
    if (language == report_language::uk) {
        std::replace(s.begin(), s.end(), '.', ',');
    }
    s.append(language == report_language::uk ? "\xC2\xA0%" : "%");
    return s;
}

bool printable(model::date d) noexcept
{
    return d.ok() && static_cast<int>(d.year()) >= 1000 && static_cast<int>(d.year()) <= 9999;
}

// `dd.mm.yyyy` in Ukrainian, ISO in English; a dash when the date is unknown.
std::string date_text(model::date d, report_language language)
{
    if (!printable(d)) {
        return "\xE2\x80\x94";
    }
    const std::string iso = model::to_iso_string(d);
    if (language == report_language::en) {
        return iso;
    }
    return iso.substr(8, 2) + "." + iso.substr(5, 2) + "." + iso.substr(0, 4);
}

// "07.06.2025 (5 days left)" / "(today)" / "(3 days overdue)".
std::string deadline_text(model::date as_of, model::date deadline, report_language language)
{
    std::string out = date_text(deadline, language);
    if (!printable(as_of) || !printable(deadline)) {
        return out;
    }
    const auto left = (std::chrono::sys_days{deadline} - std::chrono::sys_days{as_of}).count();
    const bool uk = language == report_language::uk;
    out.append(" (");
    if (left > 0) {
        const auto n = static_cast<std::size_t>(left);
        if (uk) {
            out.append(ukrainian_plural(n) == plural_form::one ? "залишився " : "залишилося ");
        }
        out.append(noun_text(n, noun_days, language));
        if (!uk) {
            out.append(" left");
        }
    } else if (left == 0) {
        out.append(uk ? "сьогодні" : "today");
    } else {
        const auto n = static_cast<std::size_t>(-left);
        out.append(uk ? "термін минув " : "");
        out.append(noun_text(n, noun_days, language));
        out.append(uk ? " тому" : " overdue");
    }
    out.push_back(')');
    return out;
}

boost::json::value json_date(model::date d)
{
    if (!printable(d)) {
        return nullptr;
    }
    return boost::json::string(model::to_iso_string(d));
}

// ---- the HTML page ----------------------------------------------------------------------------

namespace {

constexpr std::string_view page_style = R"css(
:root{--ok:#2e7d32;--inv:#e65100;--mis:#9e9e9e;--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;
--bg:#ffffff;--panel:#f6f8fa}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;padding:24px 32px;font:15px/1.45 system-ui,"Segoe UI",Roboto,"Noto Sans",
"DejaVu Sans",Arial,sans-serif;color:var(--ink);background:var(--bg)}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:19px;margin:32px 0 6px;padding-top:14px;border-top:2px solid var(--line)}
h3{font-size:16px;margin:18px 0 8px}
.meta{color:var(--muted);margin:0 0 16px}
.meta b{color:var(--ink)}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0 8px}
.kpi{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 16px;
min-width:150px}
.kpi .v{font-size:26px;font-weight:700;display:block;font-variant-numeric:tabular-nums}
.kpi .k{color:var(--muted);font-size:13px}
.kpi.main .v{color:var(--ok);font-size:34px}
.progress{height:12px;background:#eaeef2;border-radius:6px;overflow:hidden;margin:4px 0 10px;
max-width:900px}
.progress>span{display:block;height:100%;background:var(--ok)}
.legend{display:flex;gap:18px;flex-wrap:wrap;color:var(--muted);font-size:13px;margin:6px 0 10px}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;
margin-right:5px}
.sw.ok,.seg.ok{background:var(--ok)}.sw.inv,.seg.inv{background:var(--inv)}
.sw.mis,.seg.mis{background:var(--mis)}
.chart{display:grid;grid-template-columns:minmax(200px,300px) minmax(240px,1fr) 330px;
gap:8px 14px;align-items:center;max-width:1200px}
.chart .lbl{font-weight:600}
.bar{display:flex;height:24px;border-radius:4px;overflow:hidden;background:#eaeef2}
.seg{display:flex;align-items:center;justify-content:center;color:#fff;font-size:12px;
font-weight:700;white-space:nowrap;overflow:hidden;font-variant-numeric:tabular-nums}
.seg.mis{color:#1b1f24}
.nums{font-size:13px;white-space:nowrap;font-variant-numeric:tabular-nums}
.nums span{margin-right:10px}
.c-ok{color:var(--ok);font-weight:600}.c-inv{color:var(--inv);font-weight:600}
.c-mis{color:#6e7781;font-weight:600}
table{border-collapse:collapse;margin:6px 0 10px;font-size:14px}
th,td{border:1px solid var(--line);padding:5px 9px;text-align:left;vertical-align:top}
thead th{background:var(--panel);position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
table.sortable thead th{cursor:pointer;user-select:none;white-space:nowrap}
table.sortable thead th:hover{background:#eaeef2}
table.sortable thead th::after{content:" \2195";color:#8c959f;font-size:11px}
table.sortable thead th[aria-sort=ascending]::after{content:" \25B2";color:var(--ink)}
table.sortable thead th[aria-sort=descending]::after{content:" \25BC";color:var(--ink)}
tbody tr:nth-child(even){background:#fafbfc}
.tri{white-space:nowrap;font-variant-numeric:tabular-nums}
.mini{display:flex;width:90px;height:6px;margin-top:3px;border-radius:3px;overflow:hidden;
background:#eaeef2}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
white-space:nowrap}
.badge.filled{background:#e6f4ea;color:var(--ok)}
.badge.invalid{background:#fff0e0;color:var(--inv)}
.badge.missing{background:#eceff1;color:#57606a}
code{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
td.id code{overflow-wrap:anywhere}
td.id{max-width:15rem}
td.codes code{white-space:nowrap;color:#57606a}
.c-zero{color:#afb8c1;font-weight:400}
.hint,.note{color:var(--muted);font-size:13px}
.privacy{margin-top:28px;padding:10px 14px;border-radius:6px;background:var(--panel);
border:1px solid var(--line);font-size:13px}
.privacy.warn{background:#fff8e1;border-color:#f0c36d}
.dist{display:grid;grid-template-columns:minmax(160px,280px) minmax(200px,1fr) 170px;
gap:4px 14px;align-items:center;max-width:1100px;margin:4px 0 12px}
.dist .bar{height:16px}
.scroll{overflow-x:auto;max-width:100%}
.badge.on-track{background:#e6f4ea;color:var(--ok)}
.badge.behind{background:#ffebe9;color:#cf222e}
.badge.no-deadline{background:#eceff1;color:#57606a}
svg.trend{display:block;width:100%;max-width:900px;height:auto;margin:6px 0 4px}
svg.trend .grid{stroke:#eaeef2;stroke-width:1}
svg.trend text{fill:#57606a;font-size:11px}
svg.trend .active{fill:none;stroke:var(--mis);stroke-width:2}
svg.trend .ready{fill:none;stroke:var(--ok);stroke-width:2.5}
svg.trend .deadline{stroke:#cf222e;stroke-width:1.5;stroke-dasharray:4 3}
svg.trend .needed{fill:none;stroke:var(--inv);stroke-width:1.5;stroke-dasharray:6 4}
svg.trend .pace{fill:none;stroke:var(--ok);stroke-width:1.5;stroke-dasharray:2 3}
.sw.active{background:var(--mis)}.sw.ready{background:var(--ok)}
.sw.needed{background:var(--inv)}.sw.deadline{background:#cf222e}
@media print{body{padding:0}thead th{position:static}}
)css";

// Sorts any `table.sortable` by the clicked column (again: the other way round). A cell's
// `data-key` is its sort key when present, else its text; keys compare as numbers where they
// are numbers. The script reads only the page's own DOM and puts no data into it.
constexpr std::string_view page_script = R"js(
(function () {
  "use strict";
  var collator = new Intl.Collator(document.documentElement.lang || undefined,
                                   {numeric: true, sensitivity: "base"});
  function key(row, i) {
    var cell = row.cells[i];
    if (!cell) { return ""; }
    return cell.hasAttribute("data-key") ? cell.getAttribute("data-key") : cell.textContent;
  }
  function sortBy(table, index, header) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var headers = table.tHead.rows[0].cells;
    for (var h = 0; h < headers.length; h++) { headers[h].setAttribute("aria-sort", "none"); }
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var r = collator.compare(key(a, index), key(b, index));
      return ascending ? r : -r;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
  }
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      header.tabIndex = 0;
      header.setAttribute("aria-sort", "none");
      header.addEventListener("click", function () { sortBy(table, index, header); });
      header.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, index, header); }
      });
    });
  });
  document.body.dataset.ready = "1";
})();
)js";

std::string base64(const std::array<std::uint8_t, 32>& bytes)
{
    constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) |
                                (std::uint32_t{bytes[i + 1]} << 8) | std::uint32_t{bytes[i + 2]};
        out.push_back(alphabet[(v >> 18) & 63u]);
        out.push_back(alphabet[(v >> 12) & 63u]);
        out.push_back(alphabet[(v >> 6) & 63u]);
        out.push_back(alphabet[v & 63u]);
    }
    // 32 = 30 + 2: two bytes left.
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
    out.push_back(alphabet[(v >> 18) & 63u]);
    out.push_back(alphabet[(v >> 12) & 63u]);
    out.push_back(alphabet[(v >> 6) & 63u]);
    out.push_back('=');
    return out;
}

} // namespace

void begin_page(std::string& out, report_language language, std::string_view title,
                model::date as_of)
{
    out.append("<!DOCTYPE html>\n<html lang=\"");
    out.append(language == report_language::en ? "en" : "uk").append("\">\n<head>\n");
    out.append("<meta charset=\"utf-8\">\n");
    // No network and no resource from anywhere; only the page's own script runs.
    out.append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               "style-src 'unsafe-inline'; script-src 'sha256-");
    out.append(base64(codec::sha256(page_script).bytes));
    out.append("'; img-src data:; base-uri 'none'; form-action 'none'\">\n");
    out.append("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.append("<title>").append(title).append(" \xE2\x80\x94 ");
    out.append(date_text(as_of, language)).append("</title>\n");
    out.append("<style>").append(page_style).append("</style>\n</head>\n<body>\n");
}

void end_page(std::string& out)
{
    out.append("<script>").append(page_script).append("</script>\n</body>\n</html>\n");
}

void html_kpi(std::string& out, std::string_view value, std::string_view label,
              std::string_view extra_class)
{
    out.append("<div class=\"kpi");
    if (!extra_class.empty()) {
        out.append(" ").append(extra_class);
    }
    out.append("\"><span class=\"v\">").append(value).append("</span><span class=\"k\">");
    out.append(label).append("</span></div>");
}

} // namespace aikom::check::detail
