// The readiness report as text, JSON and one self-contained HTML page.
//
// Every string that comes from the records (ids, positions, group ids and names, codes, names)
// is untrusted: it is first made valid UTF-8 without control characters (`clean`), then escaped
// for the output it goes into. The HTML page carries no record data inside its script: the
// tables are plain HTML that the script only reorders, and a Content-Security-Policy allows
// only that one script (by its SHA-256), no network and no external resources.
#include <aikom/check/readiness.hpp>

#include "check/report_page.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::check {

using namespace detail;

std::string_view to_string(indicator i) noexcept
{
    switch (i) {
    case indicator::document:
        return "document";
    case indicator::displacement:
        return "displacement";
    case indicator::contact:
        return "contact";
    case indicator::education:
        return "education";
    }
    return "document";
}

std::string_view to_string(indicator_state s) noexcept
{
    switch (s) {
    case indicator_state::filled:
        return "filled";
    case indicator_state::missing:
        return "missing";
    case indicator_state::invalid:
        return "invalid";
    }
    return "missing";
}

double readiness_counts::percent_ready() const noexcept
{
    if (children == 0) {
        return 100.0;
    }
    return 100.0 * static_cast<double>(ready) / static_cast<double>(children);
}

namespace {

constexpr std::array<indicator, indicator_count> all_indicators{
    indicator::document, indicator::displacement, indicator::contact, indicator::education};

// ---- labels -----------------------------------------------------------------------------------

struct labels {
    std::string_view title;
    std::string_view as_of;
    std::string_view deadline;
    std::string_view children;
    std::string_view ready;
    std::string_view not_ready;
    std::string_view percent_ready;
    std::string_view indicator;
    std::array<std::string_view, indicator_count> indicator_names;
    std::array<std::string_view, indicator_count> indicator_short;
    std::array<std::string_view, 3> states; // indexed by indicator_state
    std::string_view non_ukrainian;
    std::string_view withdrawn;
    std::string_view unreadable;
    std::string_view institution;
    std::string_view no_edrpou;
    std::string_view groups;
    std::string_view group;
    std::string_view group_name;
    std::string_view no_group;
    std::string_view to_fix;
    std::string_view nothing_to_fix;
    std::string_view id;
    std::string_view position;
    std::string_view name;
    std::string_view codes;
    std::string_view not_listed; // "and N more" lead
    std::string_view of;         // "50 of 60"
    std::string_view all_institutions;
    std::string_view sort_hint;
    std::string_view privacy_ids_only;
    std::string_view privacy_names;
    std::string_view triple_legend; // "filled / invalid / missing"
};

constexpr labels labels_uk{
    .title = "Готовність даних вихованців для ПАК «АІКОМ»",
    .as_of = "Станом на",
    .deadline = "Кінцевий термін",
    .children = "Дітей (без тих, що вибули)",
    .ready = "Готові записи",
    .not_ready = "Треба виправити",
    .percent_ready = "готові",
    .indicator = "Показник",
    .indicator_names = {"Свідоцтво про народження", "Вимушене переміщення", "Втрата контакту",
                        "Форма навчання (дистанційна/онлайн)"},
    .indicator_short = {"Свідоцтво", "Переміщення", "Контакт", "Навчання"},
    .states = {"заповнено", "не заповнено", "з помилкою"},
    .non_ukrainian = "Документ — не українське свідоцтво про народження",
    .withdrawn = "Вибули (не враховано)",
    .unreadable = "Не вдалося прочитати",
    .institution = "ЗДО, ЄДРПОУ",
    .no_edrpou = "ЗДО без коду ЄДРПОУ",
    .groups = "Групи",
    .group = "Група",
    .group_name = "Назва",
    .no_group = "(група не вказана)",
    .to_fix = "Записи, які треба виправити",
    .nothing_to_fix = "Усі записи готові.",
    .id = "Ідентифікатор",
    .position = "Місце у файлі",
    .name = "Прізвище та ім’я",
    .codes = "Коди помилок",
    .not_listed = "і ще",
    .of = "з",
    .all_institutions = "Усі заклади",
    .sort_hint = "Натисніть на заголовок стовпця, щоб упорядкувати таблицю.",
    .privacy_ids_only = "Звіт не містить персональних даних дітей: лише ідентифікатори записів "
                        "і місця у файлах.",
    .privacy_names = "Увага: звіт містить імена дітей. Не пересилайте його відкритими каналами "
                     "і не залишайте на спільних комп'ютерах.",
    .triple_legend = "заповнено / з помилкою / не заповнено",
};

constexpr labels labels_en{
    .title = "Readiness of children's records for AIKOM",
    .as_of = "As of",
    .deadline = "Deadline",
    .children = "Children (not withdrawn)",
    .ready = "Ready records",
    .not_ready = "To fix",
    .percent_ready = "ready",
    .indicator = "Indicator",
    .indicator_names = {"Birth certificate", "Forced displacement", "Loss of contact",
                        "Distance/online learning"},
    .indicator_short = {"Certificate", "Displacement", "Contact", "Learning"},
    .states = {"filled", "missing", "invalid"},
    .non_ukrainian = "Document is not a Ukrainian birth certificate",
    .withdrawn = "Withdrawn (not counted)",
    .unreadable = "Unreadable records",
    .institution = "Institution, EDRPOU",
    .no_edrpou = "Institution without an EDRPOU code",
    .groups = "Groups",
    .group = "Group",
    .group_name = "Name",
    .no_group = "(no group)",
    .to_fix = "Records to fix",
    .nothing_to_fix = "All records are ready.",
    .id = "Id",
    .position = "Position",
    .name = "Name",
    .codes = "Error codes",
    .not_listed = "and",
    .of = "of",
    .all_institutions = "All institutions",
    .sort_hint = "Click a column header to sort the table.",
    .privacy_ids_only =
        "This report holds no personal data: only record ids and positions in files.",
    .privacy_names = "Warning: this report contains children's names. Do not send it over open "
                     "channels or leave it on shared computers.",
    .triple_legend = "filled / invalid / missing",
};

const labels& labels_for(report_language language) noexcept
{
    return language == report_language::en ? labels_en : labels_uk;
}

std::string institution_title(const institution_readiness& inst, const labels& l)
{
    if (inst.edrpou.empty()) {
        return std::string(l.no_edrpou);
    }
    return std::string(l.institution) + " " + clean(inst.edrpou);
}

std::string group_title(const group_readiness& g, const labels& l)
{
    if (g.id.empty() && g.name.empty()) {
        return std::string(l.no_group);
    }
    std::string out = clean(g.id);
    if (!g.name.empty()) {
        if (!out.empty()) {
            out.push_back(' ');
        }
        out.append("\xC2\xAB" + clean(g.name) + "\xC2\xBB");
    }
    return out;
}

std::size_t not_ready(const readiness_counts& c) noexcept
{
    return c.children >= c.ready ? c.children - c.ready : 0;
}

// ---- text -------------------------------------------------------------------------------------

// Columns of text aligned by code points; the first column left-aligned, the others right
// (numbers) or left (values of a key/value list).
class text_table {
public:
    explicit text_table(bool right_aligned = true)
        : right_aligned_(right_aligned)
    {}

    void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

    void write(std::string& out, std::string_view indent) const
    {
        std::vector<std::size_t> widths;
        for (const auto& r : rows_) {
            widths.resize(std::max(widths.size(), r.size()), 0);
            for (std::size_t i = 0; i < r.size(); ++i) {
                widths[i] = std::max(widths[i], display_width(r[i]));
            }
        }
        for (const auto& r : rows_) {
            out.append(indent);
            for (std::size_t i = 0; i < r.size(); ++i) {
                const std::string pad(widths[i] - display_width(r[i]), ' ');
                if (i == 0) {
                    out.append(r[i]).append(i + 1 < r.size() ? pad : std::string{});
                } else if (right_aligned_) {
                    out.append("  ").append(pad).append(r[i]);
                } else {
                    out.append(" ").append(r[i]).append(i + 1 < r.size() ? pad : std::string{});
                }
            }
            out.push_back('\n');
        }
    }

private:
    bool right_aligned_;
    std::vector<std::vector<std::string>> rows_;
};

void write_indicators_text(std::string& out, const readiness_counts& c, const labels& l,
                           report_language language, std::string_view indent)
{
    text_table t;
    t.row({std::string(l.indicator), std::string(l.states[0]), std::string(l.states[1]),
           std::string(l.states[2])});
    for (const indicator i : all_indicators) {
        const auto& n = c.indicators[static_cast<std::size_t>(i)];
        t.row({std::string(l.indicator_names[static_cast<std::size_t>(i)]),
               count_text(n.filled, language), count_text(n.missing, language),
               count_text(n.invalid, language)});
    }
    t.write(out, indent);
}

std::string triple_text(const indicator_counts& n, report_language language)
{
    return count_text(n.filled, language) + "/" + count_text(n.missing, language) + "/" +
           count_text(n.invalid, language);
}

} // namespace

std::string render_text(const readiness_report& r, report_language language)
{
    const labels& l = labels_for(language);
    std::string out;
    out.append(l.title).append("\n");
    out.append(l.as_of).append(": ").append(date_text(r.as_of, language));
    if (r.deadline) {
        out.append(". ")
            .append(l.deadline)
            .append(": ")
            .append(deadline_text(r.as_of, *r.deadline, language));
    }
    out.append(".\n\n");

    out.append(language == report_language::uk ? "РАЗОМ" : "TOTAL").append("\n");
    text_table totals(false);
    totals.row({std::string(l.children) + ":", count_text(r.total.children, language)});
    totals.row({std::string(l.ready) + ":", count_text(r.total.ready, language) + " (" +
                                                percent_text(r.total.percent_ready(), language) +
                                                ")"});
    totals.row({std::string(l.not_ready) + ":", count_text(not_ready(r.total), language)});
    totals.row(
        {std::string(l.non_ukrainian) + ":", count_text(r.total.non_ukrainian_document, language)});
    totals.row({std::string(l.withdrawn) + ":", count_text(r.withdrawn, language)});
    totals.row({std::string(l.unreadable) + ":", count_text(r.unreadable, language)});
    totals.write(out, "  ");
    out.push_back('\n');
    write_indicators_text(out, r.total, l, language, "  ");

    for (const auto& inst : r.institutions) {
        out.append("\n").append(institution_title(inst, l)).append(": ");
        out.append(noun_text(inst.counts.children, noun_children, language));
        out.append(", ").append(l.percent_ready).append(" ");
        out.append(count_text(inst.counts.ready, language));
        out.append(" (").append(percent_text(inst.counts.percent_ready(), language)).append(")\n");
        out.append("  ").append(l.non_ukrainian).append(": ");
        out.append(count_text(inst.counts.non_ukrainian_document, language)).append("\n\n");
        write_indicators_text(out, inst.counts, l, language, "  ");
        if (!inst.groups.empty()) {
            out.append("\n  ").append(l.groups).append(" (");
            out.append(l.states[0]).append("/").append(l.states[1]).append("/");
            out.append(l.states[2]).append("):\n");
            text_table g;
            std::vector<std::string> head{
                std::string(l.group), language == report_language::uk ? "Дітей" : "Children",
                language == report_language::uk ? "Готові" : "Ready", "%"};
            for (const auto s : l.indicator_short) {
                head.emplace_back(s);
            }
            g.row(std::move(head));
            for (const auto& grp : inst.groups) {
                std::vector<std::string> row{group_title(grp, l),
                                             count_text(grp.counts.children, language),
                                             count_text(grp.counts.ready, language),
                                             percent_text(grp.counts.percent_ready(), language)};
                for (const auto& n : grp.counts.indicators) {
                    row.push_back(triple_text(n, language));
                }
                g.row(std::move(row));
            }
            g.write(out, "    ");
        }
    }

    out.append("\n");
    if (r.to_fix_total == 0) {
        out.append(l.nothing_to_fix).append("\n");
        return out;
    }
    out.append(language == report_language::uk ? "ЗАПИСИ, ЯКІ ТРЕБА ВИПРАВИТИ: "
                                               : "RECORDS TO FIX: ");
    out.append(count_text(r.to_fix_total, language)).append("\n");
    for (const auto& rec : r.to_fix) {
        out.append("  ").append(clean(rec.id));
        if (r.names_included && rec.name) {
            out.append(" \xE2\x80\x94 ").append(clean(*rec.name));
        }
        if (!rec.position.empty()) {
            out.append(" (").append(clean(rec.position)).append(")");
        }
        if (!rec.institution.empty()) {
            out.append(language == report_language::uk ? ", ЄДРПОУ " : ", EDRPOU ");
            out.append(clean(rec.institution));
        }
        out.append(", ").append(language == report_language::uk ? "група " : "group ");
        out.append(rec.group.empty() ? std::string(l.no_group) : clean(rec.group)).append("\n    ");
        for (std::size_t i = 0; i < indicator_count; ++i) {
            if (i != 0) {
                out.append("; ");
            }
            out.append(l.indicator_short[i]).append(": ");
            out.append(l.states[static_cast<std::size_t>(rec.indicators[i])]);
        }
        out.push_back('\n');
        if (!rec.codes.empty()) {
            out.append("    ").append(l.codes).append(": ");
            for (std::size_t i = 0; i < rec.codes.size(); ++i) {
                out.append(i == 0 ? "" : ", ").append(clean(rec.codes[i]));
            }
            out.push_back('\n');
        }
    }
    if (r.to_fix_total > r.to_fix.size()) {
        const std::size_t more = r.to_fix_total - r.to_fix.size();
        out.append("  \xE2\x80\xA6 ").append(l.not_listed).append(" ");
        out.append(noun_text(more, noun_records, language));
        out.append(language == report_language::uk ? " не показано.\n" : " not listed.\n");
    }
    return out;
}

// ---- JSON -------------------------------------------------------------------------------------

namespace {

boost::json::object json_counts(const readiness_counts& c)
{
    boost::json::object indicators;
    for (const indicator i : all_indicators) {
        const auto& n = c.indicators[static_cast<std::size_t>(i)];
        indicators[to_string(i)] = {
            {"filled", n.filled}, {"missing", n.missing}, {"invalid", n.invalid}};
    }
    boost::json::object o;
    o["children"] = c.children;
    o["ready"] = c.ready;
    o["not_ready"] = not_ready(c);
    o["percent_ready"] = c.percent_ready();
    o["non_ukrainian_document"] = c.non_ukrainian_document;
    o["indicators"] = std::move(indicators);
    return o;
}

boost::json::string json_string(std::string_view s)
{
    return boost::json::string(clean(s));
}

} // namespace

std::string render_json(const readiness_report& r)
{
    boost::json::object root;
    root["format"] = "aikom.readiness";
    root["version"] = 1;
    root["as_of"] = json_date(r.as_of);
    root["deadline"] = r.deadline ? json_date(*r.deadline) : boost::json::value(nullptr);
    root["totals"] = json_counts(r.total);

    boost::json::array institutions;
    for (const auto& inst : r.institutions) {
        boost::json::array groups;
        for (const auto& g : inst.groups) {
            groups.push_back(boost::json::object{{"id", json_string(g.id)},
                                                 {"name", json_string(g.name)},
                                                 {"counts", json_counts(g.counts)}});
        }
        institutions.push_back(boost::json::object{{"edrpou", json_string(inst.edrpou)},
                                                   {"counts", json_counts(inst.counts)},
                                                   {"groups", std::move(groups)}});
    }
    root["institutions"] = std::move(institutions);

    boost::json::array to_fix;
    for (const auto& rec : r.to_fix) {
        boost::json::object o;
        o["id"] = json_string(rec.id);
        o["institution"] = json_string(rec.institution);
        o["group"] = json_string(rec.group);
        o["position"] = json_string(rec.position);
        boost::json::object states;
        for (const indicator i : all_indicators) {
            states[to_string(i)] = to_string(rec.indicators[static_cast<std::size_t>(i)]);
        }
        o["indicators"] = std::move(states);
        boost::json::array codes;
        for (const auto& c : rec.codes) {
            codes.push_back(json_string(c));
        }
        o["codes"] = std::move(codes);
        if (r.names_included && rec.name) {
            o["name"] = json_string(*rec.name);
        }
        to_fix.push_back(std::move(o));
    }
    root["to_fix"] = std::move(to_fix);
    root["to_fix_total"] = r.to_fix_total;
    root["withdrawn"] = r.withdrawn;
    root["unreadable"] = r.unreadable;
    root["names_included"] = r.names_included;
    return boost::json::serialize(root);
}

// ---- HTML -------------------------------------------------------------------------------------

namespace {

// Key for sorting a percentage: tenths of a percent, as an integer.
std::string percent_key(double value)
{
    return std::to_string(static_cast<long long>(std::llround(value * 10.0)));
}

void html_legend(std::string& out, const labels& l)
{
    out.append("<div class=\"legend\"><span><span class=\"sw ok\"></span>");
    out.append(l.states[0]).append("</span><span><span class=\"sw inv\"></span>");
    out.append(l.states[2]).append("</span><span><span class=\"sw mis\"></span>");
    out.append(l.states[1]).append("</span></div>\n");
}

void html_segment(std::string& out, std::string_view cls, std::size_t n, std::size_t whole,
                  report_language language, bool with_label)
{
    if (n == 0) {
        return;
    }
    const double pct = share(n, whole);
    out.append("<span class=\"seg ").append(cls).append("\" style=\"width:");
    out.append(fixed(pct, 3)).append("%\">");
    // The count inside the segment only where it fits; the numbers beside the bar say it all.
    if (with_label && pct >= 7.0) {
        out.append(count_text(n, language));
    }
    out.append("</span>");
}

// One stacked bar per indicator: filled, invalid, missing.
void html_chart(std::string& out, const readiness_counts& c, const labels& l,
                report_language language)
{
    out.append("<div class=\"chart\">\n");
    for (const indicator i : all_indicators) {
        const auto idx = static_cast<std::size_t>(i);
        const auto& n = c.indicators[idx];
        const std::size_t whole = n.filled + n.missing + n.invalid;
        out.append("<div class=\"lbl\">").append(l.indicator_names[idx]).append("</div>");
        out.append("<div class=\"bar\" data-indicator=\"").append(to_string(i));
        out.append("\" role=\"img\" aria-label=\"").append(l.indicator_names[idx]).append(": ");
        out.append(l.states[0]).append(" ").append(count_text(n.filled, language)).append(", ");
        out.append(l.states[2]).append(" ").append(count_text(n.invalid, language)).append(", ");
        out.append(l.states[1]).append(" ").append(count_text(n.missing, language));
        out.append("\">");
        html_segment(out, "ok", n.filled, whole, language, true);
        html_segment(out, "inv", n.invalid, whole, language, true);
        html_segment(out, "mis", n.missing, whole, language, true);
        out.append("</div><div class=\"nums\">");
        const auto num = [&](std::string_view cls, std::size_t v) {
            out.append("<span class=\"").append(v == 0 ? "c-zero" : cls).append("\">");
            out.append(count_text(v, language)).append(" (");
            out.append(percent_text(share(v, whole), language)).append(")</span>");
        };
        num("c-ok", n.filled);
        num("c-inv", n.invalid);
        num("c-mis", n.missing);
        out.append("</div>\n");
    }
    out.append("</div>\n");
}

void html_progress(std::string& out, const readiness_counts& c)
{
    out.append("<div class=\"progress\"><span style=\"width:");
    out.append(fixed(c.percent_ready(), 3)).append("%\"></span></div>\n");
}

void html_groups(std::string& out, const institution_readiness& inst, const labels& l,
                 report_language language)
{
    const bool uk = language == report_language::uk;
    out.append("<h3>").append(l.groups).append("</h3>\n");
    out.append("<table class=\"sortable groups\"><thead><tr><th>").append(l.group);
    out.append("</th><th>").append(l.group_name).append("</th><th>");
    out.append(uk ? "Дітей" : "Children").append("</th><th>");
    out.append(uk ? "Готові" : "Ready").append("</th><th>%</th>");
    for (const auto s : l.indicator_short) {
        out.append("<th title=\"").append(l.triple_legend).append("\">").append(s);
        out.append("</th>");
    }
    out.append("</tr></thead><tbody>\n");
    for (const auto& g : inst.groups) {
        out.append("<tr><td>");
        if (g.id.empty()) {
            out.append(l.no_group);
        } else {
            append_html_escaped(out, g.id);
        }
        out.append("</td><td>");
        append_html_escaped(out, g.name);
        out.append("</td><td class=\"n\" data-key=\"").append(std::to_string(g.counts.children));
        out.append("\">").append(count_text(g.counts.children, language));
        out.append("</td><td class=\"n\" data-key=\"").append(std::to_string(g.counts.ready));
        out.append("\">").append(count_text(g.counts.ready, language));
        out.append("</td><td class=\"n\" data-key=\"");
        out.append(percent_key(g.counts.percent_ready())).append("\">");
        out.append(percent_text(g.counts.percent_ready(), language)).append("</td>");
        for (const auto& n : g.counts.indicators) {
            const std::size_t whole = n.filled + n.missing + n.invalid;
            // Sorted by how many need work (invalid + missing).
            out.append("<td class=\"tri\" data-key=\"");
            out.append(std::to_string(n.invalid + n.missing)).append("\">");
            out.append("<span class=\"c-ok\">").append(count_text(n.filled, language));
            out.append("</span> / <span class=\"c-inv\">").append(count_text(n.invalid, language));
            out.append("</span> / <span class=\"c-mis\">").append(count_text(n.missing, language));
            out.append("</span><div class=\"mini\">");
            html_segment(out, "ok", n.filled, whole, language, false);
            html_segment(out, "inv", n.invalid, whole, language, false);
            html_segment(out, "mis", n.missing, whole, language, false);
            out.append("</div></td>");
        }
        out.append("</tr>\n");
    }
    out.append("</tbody></table>\n<p class=\"hint\">").append(l.triple_legend);
    out.append(". ").append(l.sort_hint).append("</p>\n");
}

void html_to_fix(std::string& out, const readiness_report& r, const labels& l,
                 report_language language)
{
    out.append("<h2 id=\"to-fix\">").append(l.to_fix).append(": ");
    out.append(count_text(r.to_fix_total, language)).append("</h2>\n");
    if (r.to_fix_total == 0) {
        out.append("<p>").append(l.nothing_to_fix).append("</p>\n");
        return;
    }
    const bool names = r.names_included;
    out.append("<p class=\"hint\">").append(l.sort_hint).append("</p>\n");
    out.append("<table class=\"sortable to-fix\"><thead><tr><th>").append(l.id);
    out.append("</th><th>").append(l.position).append("</th><th>");
    out.append(language == report_language::uk ? "ЄДРПОУ" : "EDRPOU").append("</th><th>");
    out.append(l.group).append("</th>");
    if (names) {
        out.append("<th>").append(l.name).append("</th>");
    }
    for (const auto s : l.indicator_short) {
        out.append("<th>").append(s).append("</th>");
    }
    out.append("<th>").append(l.codes).append("</th></tr></thead><tbody>\n");
    for (const auto& rec : r.to_fix) {
        out.append("<tr><td class=\"id\"><code>");
        append_html_escaped(out, rec.id);
        out.append("</code></td><td>");
        append_html_escaped(out, rec.position);
        out.append("</td><td>");
        append_html_escaped(out, rec.institution);
        out.append("</td><td>");
        append_html_escaped(out, rec.group);
        out.append("</td>");
        if (names) {
            out.append("<td>");
            if (rec.name) {
                append_html_escaped(out, *rec.name);
            }
            out.append("</td>");
        }
        for (const auto s : rec.indicators) {
            // Sorted worst first: invalid, missing, filled.
            const std::string_view key = s == indicator_state::invalid   ? "0"
                                         : s == indicator_state::missing ? "1"
                                                                         : "2";
            out.append("<td data-key=\"").append(key).append("\"><span class=\"badge ");
            out.append(to_string(s)).append("\">");
            out.append(l.states[static_cast<std::size_t>(s)]).append("</span></td>");
        }
        out.append("<td class=\"codes\">");
        for (std::size_t i = 0; i < rec.codes.size(); ++i) {
            out.append(i == 0 ? "<code>" : "<br><code>");
            append_html_escaped(out, rec.codes[i]);
            out.append("</code>");
        }
        out.append("</td></tr>\n");
    }
    out.append("</tbody></table>\n");
    if (r.to_fix_total > r.to_fix.size()) {
        const std::size_t more = r.to_fix_total - r.to_fix.size();
        out.append("<p class=\"note\">\xE2\x80\xA6 ").append(l.not_listed).append(" ");
        out.append(noun_text(more, noun_records, language));
        out.append(language == report_language::uk ? " не показано.</p>\n" : " not listed.</p>\n");
    }
}

} // namespace

std::string render_html(const readiness_report& r, report_language language)
{
    const labels& l = labels_for(language);
    std::string out;
    out.reserve(16'384 + r.to_fix.size() * 600);

    begin_page(out, language, l.title, r.as_of);

    // Header.
    out.append("<header>\n<h1>").append(l.title).append("</h1>\n<p class=\"meta\">");
    out.append(l.as_of).append(" <b>").append(date_text(r.as_of, language)).append("</b>");
    if (r.deadline) {
        out.append(" \xC2\xB7 ").append(l.deadline).append(" <b>");
        out.append(deadline_text(r.as_of, *r.deadline, language)).append("</b>");
    }
    out.append("</p>\n<div class=\"kpis\">");
    html_kpi(out, percent_text(r.total.percent_ready(), language),
             std::string(l.ready) + ": " + count_text(r.total.ready, language) + " " +
                 std::string(l.of) + " " + count_text(r.total.children, language),
             "main");
    html_kpi(out, count_text(r.total.children, language), l.children);
    html_kpi(out, count_text(not_ready(r.total), language), l.not_ready);
    html_kpi(out, count_text(r.total.non_ukrainian_document, language), l.non_ukrainian);
    html_kpi(out, count_text(r.withdrawn, language), l.withdrawn);
    html_kpi(out, count_text(r.unreadable, language), l.unreadable);
    out.append("</div>\n");
    html_progress(out, r.total);
    out.append("</header>\n");

    // Totals over all institutions, when there is more than one.
    if (r.institutions.size() != 1) {
        out.append("<section class=\"totals\">\n<h2>").append(l.all_institutions).append("</h2>\n");
        html_legend(out, l);
        html_chart(out, r.total, l, language);
        out.append("</section>\n");
    }

    for (const auto& inst : r.institutions) {
        out.append("<section class=\"institution\" data-edrpou=\"");
        append_html_escaped(out, inst.edrpou);
        out.append("\">\n<h2>");
        append_html_escaped(out, institution_title(inst, l));
        out.append("</h2>\n<p class=\"meta\">");
        out.append(noun_text(inst.counts.children, noun_children, language)).append(" \xC2\xB7 ");
        out.append(l.percent_ready).append(" <b>").append(count_text(inst.counts.ready, language));
        out.append(" (").append(percent_text(inst.counts.percent_ready(), language));
        out.append(")</b> \xC2\xB7 ").append(l.non_ukrainian).append(": ");
        out.append(count_text(inst.counts.non_ukrainian_document, language)).append("</p>\n");
        html_progress(out, inst.counts);
        html_legend(out, l);
        html_chart(out, inst.counts, l, language);
        if (!inst.groups.empty()) {
            html_groups(out, inst, l, language);
        }
        out.append("</section>\n");
    }

    html_to_fix(out, r, l, language);

    out.append("<p class=\"privacy");
    if (r.names_included) {
        out.append(" warn\">").append(l.privacy_names);
    } else {
        out.append("\">").append(l.privacy_ids_only);
    }
    out.append("</p>\n");
    end_page(out);
    return out;
}

} // namespace aikom::check
