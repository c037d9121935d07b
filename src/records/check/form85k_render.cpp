// Form 85-К's figures as JSON and as one self-contained HTML page. Both walk the figures with
// `for_each_figure` (form85k.hpp), as the protocol's parser does; the page adds headings.
#include <aikom/check/form85k.hpp>

#include "check/report_page.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <span>

namespace aikom::check {

using namespace detail;

namespace {

// The headings of a figure and of its columns (in the order of `form85k_columns`).
struct figure_labels {
    std::string_view name;
    std::string_view uk;
    std::string_view en;
    std::span<const std::string_view> columns_uk;
    std::span<const std::string_view> columns_en;
};

constexpr std::string_view age_uk[] = {"до 1 року", "1 рік",   "2 роки",  "3 роки",
                                       "4 роки",    "5 років", "6 років", "7 років і старші",
                                       "невідомо"};
constexpr std::string_view age_en[] = {"under 1", "1", "2",           "3",      "4",
                                       "5",       "6", "7 and older", "unknown"};
constexpr std::string_view sex_uk[] = {"дівчата", "хлопці", "невідомо"};
constexpr std::string_view sex_en[] = {"girls", "boys", "unknown"};
constexpr std::string_view kinds_uk[] = {"загального розвитку", "інклюзивні", "спеціальні",
                                         "санаторні", "невідомо"};
constexpr std::string_view kinds_en[] = {"general", "inclusive", "special", "sanatorium",
                                         "unknown"};
constexpr std::string_view forms_uk[] = {"очна", "дистанційна", "змішана", "невідомо"};
constexpr std::string_view forms_en[] = {"in person", "distance", "mixed", "unknown"};
constexpr std::string_view displacement_uk[] = {"не переміщені", "внутрішньо переміщені",
                                                "за кордоном", "невідомо"};
constexpr std::string_view displacement_en[] = {"not displaced", "internally displaced", "abroad",
                                                "unknown"};
constexpr std::string_view needs_uk[] = {"з ООП", "з них в інклюзивних групах",
                                         "з них у спеціальних групах", "без ООП", "невідомо"};
constexpr std::string_view needs_en[] = {"with SEN", "of them in inclusive groups",
                                         "of them in special groups", "without SEN", "unknown"};

constexpr figure_labels figure_headings[] = {
    {"by_age", "Діти за віком (повних років)", "Children by age (full years)", age_uk, age_en},
    {"by_sex", "Діти за статтю", "Children by sex", sex_uk, sex_en},
    {"by_group_kind", "Діти за видом групи", "Children by kind of group", kinds_uk, kinds_en},
    {"by_education_form", "Діти за формою здобуття освіти", "Children by form of education",
     forms_uk, forms_en},
    {"by_displacement", "Вимушене переміщення", "Forced displacement", displacement_uk,
     displacement_en},
    {"special_needs", "Діти з особливими освітніми потребами (ООП)",
     "Children with special educational needs (SEN)", needs_uk, needs_en},
    {"groups", "Групи за видом", "Groups by kind", kinds_uk, kinds_en},
};

static_assert(std::size(age_uk) == std::size(form85k_columns::by_age) &&
              std::size(age_en) == std::size(age_uk) && std::size(sex_uk) == std::size(sex_en) &&
              std::size(sex_uk) == std::size(form85k_columns::by_sex) &&
              std::size(kinds_uk) == std::size(form85k_columns::group_kinds) &&
              std::size(kinds_en) == std::size(kinds_uk) &&
              std::size(forms_uk) == std::size(form85k_columns::by_education_form) &&
              std::size(forms_en) == std::size(forms_uk) &&
              std::size(displacement_uk) == std::size(form85k_columns::by_displacement) &&
              std::size(displacement_en) == std::size(displacement_uk) &&
              std::size(needs_uk) == std::size(form85k_columns::special_needs) &&
              std::size(needs_en) == std::size(needs_uk));

const figure_labels& headings_of(std::string_view figure) noexcept
{
    for (const auto& h : figure_headings) {
        if (h.name == figure) {
            return h;
        }
    }
    return figure_headings[0]; // unreachable: every figure has its headings (a test renders all)
}

boost::json::object json_counts(const form85k_counts& c)
{
    boost::json::object o;
    o["children"] = c.children;
    for_each_figure(c, [&](std::string_view name, auto columns, const auto& row) {
        boost::json::object members;
        for (std::size_t i = 0; i < row.size(); ++i) {
            members[columns[i]] = row[i];
        }
        o[name] = std::move(members);
    });
    o["children_without_group"] = c.children_without_group;
    return o;
}

} // namespace

std::string render_json(const form85k_report& r)
{
    boost::json::object root;
    root["format"] = "aikom.form-85k";
    root["version"] = 1;
    root["as_of"] = json_date(r.as_of);
    root["total"] = json_counts(r.total);
    boost::json::array institutions;
    for (const auto& inst : r.institutions) {
        institutions.push_back(
            boost::json::object{{"institution", boost::json::string(clean(inst.edrpou))},
                                {"counts", json_counts(inst.counts)}});
    }
    root["institutions"] = std::move(institutions);
    root["withdrawn"] = r.withdrawn;
    root["not_yet_enrolled"] = r.not_yet_enrolled;
    root["unreadable"] = r.unreadable;
    return boost::json::serialize(root);
}

// ---- HTML -------------------------------------------------------------------------------------

namespace {

struct labels {
    std::string_view title;
    std::string_view as_of;
    std::string_view children;
    std::string_view groups;
    std::string_view withdrawn;
    std::string_view not_yet_enrolled;
    std::string_view unreadable;
    std::string_view without_group;
    std::string_view institution;
    std::string_view no_edrpou;
    std::string_view total;
    std::string_view scope;
    std::string_view sort_hint;
    std::string_view privacy;
};

constexpr labels labels_uk{
    .title = "Форма 85-К: показники із записів вихованців",
    .as_of = "Станом на",
    .children = "Дітей",
    .groups = "Груп",
    .withdrawn = "Вибули (не враховано)",
    .not_yet_enrolled = "Зараховані пізніше (не враховано)",
    .unreadable = "Не вдалося прочитати",
    .without_group = "Дітей без групи",
    .institution = "ЗДО, ЄДРПОУ",
    .no_edrpou = "ЗДО без коду ЄДРПОУ",
    .total = "Разом",
    .scope = "Лише ті рядки форми 85-К, на які відповідають записи дітей; кадри, приміщення, "
             "місця, режим роботи, мову навчання тощо заклад заповнює з інших джерел.",
    .sort_hint = "Натисніть на заголовок стовпця, щоб упорядкувати таблицю.",
    .privacy = "Звіт не містить персональних даних дітей: лише кількості.",
};

constexpr labels labels_en{
    .title = "Form 85-К: figures from children's records",
    .as_of = "As of",
    .children = "Children",
    .groups = "Groups",
    .withdrawn = "Withdrawn (not counted)",
    .not_yet_enrolled = "Enrolled later (not counted)",
    .unreadable = "Unreadable records",
    .without_group = "Children without a group",
    .institution = "Institution, EDRPOU",
    .no_edrpou = "Institution without an EDRPOU code",
    .total = "Total",
    .scope = "Only the lines of form 85-К that children's records answer; staff, premises, "
             "places, working hours, language of education etc. come from other sources.",
    .sort_hint = "Click a column header to sort the table.",
    .privacy = "This report holds no personal data: only numbers.",
};

// What a figure's columns share out: the children, or the groups.
std::size_t whole_of(std::string_view figure, const form85k_counts& c) noexcept
{
    return figure == "groups" ? c.groups() : c.children;
}

// The total's columns of one figure as bars of the whole.
void html_distribution(std::string& out, std::string_view figure, const auto& row,
                       std::size_t whole, report_language language)
{
    const auto& h = headings_of(figure);
    const bool en = language == report_language::en;
    out.append("<h3>").append(en ? h.en : h.uk).append("</h3>\n<div class=\"dist\">");
    for (std::size_t i = 0; i < row.size(); ++i) {
        out.append("<div class=\"lbl\">").append(en ? h.columns_en[i] : h.columns_uk[i]);
        out.append("</div><div class=\"bar\"><span class=\"seg ok\" style=\"width:");
        out.append(fixed(share(row[i], whole), 3)).append("%\"></span></div><div class=\"nums\">");
        out.append(count_text(row[i], language)).append(" (");
        out.append(percent_text(share(row[i], whole), language)).append(")</div>\n");
    }
    out.append("</div>\n");
}

// A table row: a title, the whole, then the figure's columns.
void html_row(std::string& out, std::string_view escaped_title, std::size_t whole, const auto& row,
              report_language language)
{
    out.append("<tr><td>").append(escaped_title).append("</td>");
    const auto cell = [&](std::size_t n) {
        out.append("<td class=\"n\" data-key=\"").append(std::to_string(n)).append("\">");
        out.append(count_text(n, language)).append("</td>");
    };
    cell(whole);
    for (const std::size_t n : row) {
        cell(n);
    }
    out.append("</tr>\n");
}

// Every figure by institution: a table each, a row per institution, the total in the footer.
void html_tables(std::string& out, const form85k_report& r, const labels& l,
                 report_language language)
{
    const bool en = language == report_language::en;
    for_each_figure(r.total, [&](std::string_view figure, auto, const auto& total_row) {
        const auto& h = headings_of(figure);
        out.append("<section class=\"figure\">\n<h2>").append(en ? h.en : h.uk);
        out.append("</h2>\n<table class=\"sortable\" data-figure=\"").append(figure);
        out.append("\"><thead><tr><th>").append(l.institution).append("</th><th>");
        out.append(figure == "groups" ? l.groups : l.children).append("</th>");
        for (const auto column : en ? h.columns_en : h.columns_uk) {
            out.append("<th>").append(column).append("</th>");
        }
        out.append("</tr></thead><tbody>\n");
        for (const auto& inst : r.institutions) {
            std::string title;
            if (inst.edrpou.empty()) {
                title = l.no_edrpou;
            } else {
                append_html_escaped(title, inst.edrpou);
            }
            for_each_figure(inst.counts, [&](std::string_view name, auto, const auto& row) {
                if (name == figure) {
                    html_row(out, title, whole_of(figure, inst.counts), row, language);
                }
            });
        }
        out.append("</tbody><tfoot>\n");
        html_row(out, l.total, whole_of(figure, r.total), total_row, language);
        out.append("</tfoot></table>\n</section>\n");
    });
}

} // namespace

std::string render_html(const form85k_report& r, report_language language)
{
    const labels& l = language == report_language::en ? labels_en : labels_uk;
    std::string out;
    out.reserve(16'384 + r.institutions.size() * 4'096);
    begin_page(out, language, l.title, r.as_of);

    out.append("<header>\n<h1>").append(l.title).append("</h1>\n<p class=\"meta\">");
    out.append(l.as_of).append(" <b>").append(date_text(r.as_of, language)).append("</b></p>\n");
    out.append("<div class=\"kpis\">");
    html_kpi(out, count_text(r.total.children, language), l.children, "main");
    html_kpi(out, count_text(r.total.groups(), language), l.groups);
    html_kpi(out, count_text(r.total.children_without_group, language), l.without_group);
    html_kpi(out, count_text(r.withdrawn, language), l.withdrawn);
    html_kpi(out, count_text(r.not_yet_enrolled, language), l.not_yet_enrolled);
    html_kpi(out, count_text(r.unreadable, language), l.unreadable);
    out.append("</div>\n<p class=\"hint\">").append(l.scope).append("</p>\n</header>\n");

    out.append("<section class=\"totals\">\n<h2>").append(l.total).append("</h2>\n");
    for_each_figure(r.total, [&](std::string_view figure, auto, const auto& row) {
        html_distribution(out, figure, row, whole_of(figure, r.total), language);
    });
    out.append("</section>\n");
    html_tables(out, r, l, language);
    out.append("<p class=\"hint\">").append(l.sort_hint).append("</p>\n");
    out.append("<p class=\"privacy\">").append(l.privacy).append("</p>\n");
    end_page(out);
    return out;
}

} // namespace aikom::check
