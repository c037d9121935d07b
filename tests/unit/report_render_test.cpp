#include <aikom/check/readiness.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <string>

// The three renderings of a readiness report built by hand (synthetic ids and codes only): what
// a secretary reads in the text, what an integrator parses in the JSON (docs/readiness-report.md)
// and what the HTML page must never do (reach the network, run a record's id as markup, show
// names that were not asked for).

using namespace aikom;
using namespace aikom::check;
using namespace std::chrono;

namespace {

readiness_counts counts(std::size_t children, std::size_t ready,
                        std::array<indicator_counts, indicator_count> indicators,
                        std::size_t non_ukrainian = 0)
{
    return readiness_counts{.children = children,
                            .ready = ready,
                            .indicators = indicators,
                            .non_ukrainian_document = non_ukrainian};
}

record_to_fix record(std::string id, std::string position, indicator_state document,
                     indicator_state displacement, std::vector<std::string> codes)
{
    return record_to_fix{
        .id = std::move(id),
        .institution = "32855961",
        .group = "g-1",
        .position = std::move(position),
        .indicators = {document, displacement, indicator_state::filled, indicator_state::filled},
        .codes = std::move(codes),
        .name = std::nullopt};
}

readiness_report sample_report()
{
    readiness_report r;
    r.as_of = 2025y / June / 2;
    r.deadline = 2025y / June / 7;
    const auto g1 = counts(20, 17, {{{18, 0, 2}, {19, 1, 0}, {20, 0, 0}, {20, 0, 0}}}, 1);
    const auto g2 = counts(20, 19, {{{20, 0, 0}, {19, 1, 0}, {20, 0, 0}, {20, 0, 0}}}, 2);
    r.institutions.push_back(institution_readiness{
        .edrpou = "32855961",
        .counts = counts(40, 36, {{{38, 0, 2}, {38, 2, 0}, {40, 0, 0}, {40, 0, 0}}}, 3),
        .groups = {group_readiness{.id = "g-1", .name = "Сонечко", .counts = g1},
                   group_readiness{.id = "g-2", .name = "Зайчики", .counts = g2}}});
    r.total = r.institutions[0].counts;
    r.withdrawn = 5;
    r.unreadable = 1;
    r.to_fix = {record("kd-000001", "roster.csv:17", indicator_state::invalid,
                       indicator_state::filled, {"document.series.format"}),
                record("kd-000002", "roster.csv:18", indicator_state::filled,
                       indicator_state::missing, {"displacement.missing"}),
                record("kd-000003", "roster.csv:19", indicator_state::invalid,
                       indicator_state::missing,
                       {"document.number.format", "displacement.missing"})};
    r.to_fix_total = 4;
    return r;
}

bool contains(const std::string& haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST_SUITE("report_render")
{
    TEST_CASE("names of the indicators and states are stable")
    {
        CHECK(to_string(indicator::document) == "document");
        CHECK(to_string(indicator::displacement) == "displacement");
        CHECK(to_string(indicator::contact) == "contact");
        CHECK(to_string(indicator::education) == "education");
        CHECK(to_string(indicator_state::filled) == "filled");
        CHECK(to_string(indicator_state::missing) == "missing");
        CHECK(to_string(indicator_state::invalid) == "invalid");
    }

    TEST_CASE("percent ready: 100 with no children, else ready/children")
    {
        CHECK(readiness_counts{}.percent_ready() == doctest::Approx(100.0));
        CHECK(counts(40, 36, {}).percent_ready() == doctest::Approx(90.0));
        CHECK(counts(3, 0, {}).percent_ready() == doctest::Approx(0.0));
    }

    TEST_CASE("text: totals, deadline and Ukrainian labels")
    {
        const std::string text = render_text(sample_report());
        CHECK(contains(text, "Станом на: 02.06.2025"));
        CHECK(contains(text, "Кінцевий термін: 07.06.2025 (залишилося 5 днів)"));
        CHECK(contains(text, "Готові записи:"));
        CHECK(contains(text, "36 (90,0\xC2\xA0%)"));
        CHECK(contains(text, "Свідоцтво про народження"));
        CHECK(contains(text, "Вимушене переміщення"));
        CHECK(contains(text, "Втрата контакту"));
        CHECK(contains(text, "Форма навчання (дистанційна/онлайн)"));
        CHECK(contains(text, "заповнено"));
        CHECK(contains(text, "не заповнено"));
        CHECK(contains(text, "з помилкою"));
        CHECK(contains(text, "ЗДО, ЄДРПОУ 32855961: 40 дітей"));
        CHECK(contains(text, "g-1 «Сонечко»"));
        CHECK(contains(text, "Вибули (не враховано):"));
        CHECK(contains(text, "kd-000003 (roster.csv:19)"));
        CHECK(contains(text, "document.number.format, displacement.missing"));
        CHECK(contains(text, "і ще 1 запис не показано"));
    }

    TEST_CASE("text: the indicator table lines up filled/missing/invalid")
    {
        const std::string text = render_text(sample_report());
        // Certificate: 38 filled, 0 missing, 2 invalid, right-aligned under the headers.
        const auto at = text.find("  Свідоцтво про народження");
        REQUIRE(at != std::string::npos);
        const std::string line = text.substr(at, text.find('\n', at) - at);
        CHECK(contains(line, "38"));
        CHECK(line.ends_with(" 2"));
    }

    TEST_CASE("text: English, overdue deadline, nothing to fix")
    {
        readiness_report r;
        r.as_of = 2025y / June / 10;
        r.deadline = 2025y / June / 7;
        const std::string text = render_text(r, report_language::en);
        CHECK(contains(text, "As of: 2025-06-10"));
        CHECK(contains(text, "Deadline: 2025-06-07 (3 days overdue)"));
        CHECK(contains(text, "Birth certificate"));
        CHECK(contains(text, "All records are ready."));
        CHECK(contains(render_text(r), "термін минув 3 дні тому"));
    }

    TEST_CASE("text: control characters from a file cannot reach the terminal")
    {
        auto r = sample_report();
        r.to_fix[0].id = "kd-\x1b[2J\x07";
        r.to_fix[0].position = "bad\xff.csv:1";
        const std::string text = render_text(r);
        CHECK_FALSE(contains(text, "\x1b"));
        CHECK_FALSE(contains(text, "\x07"));
        CHECK_FALSE(contains(text, "\xff"));
        CHECK(contains(text, "kd-\xEF\xBF\xBD[2J\xEF\xBF\xBD"));
    }

    TEST_CASE("JSON: the documented fields and values")
    {
        const auto v = boost::json::parse(render_json(sample_report()));
        const auto& o = v.as_object();
        CHECK(o.at("format").as_string() == "aikom.readiness");
        CHECK(o.at("version").to_number<int>() == 1);
        CHECK(o.at("as_of").as_string() == "2025-06-02");
        CHECK(o.at("deadline").as_string() == "2025-06-07");
        const auto& totals = o.at("totals").as_object();
        CHECK(totals.at("children").to_number<int>() == 40);
        CHECK(totals.at("ready").to_number<int>() == 36);
        CHECK(totals.at("not_ready").to_number<int>() == 4);
        CHECK(totals.at("percent_ready").to_number<double>() == doctest::Approx(90.0));
        CHECK(totals.at("non_ukrainian_document").to_number<int>() == 3);
        const auto& doc = totals.at("indicators").at("document").as_object();
        CHECK(doc.at("filled").to_number<int>() == 38);
        CHECK(doc.at("missing").to_number<int>() == 0);
        CHECK(doc.at("invalid").to_number<int>() == 2);
        CHECK(totals.at("indicators").as_object().size() == 4);

        const auto& inst = o.at("institutions").as_array();
        REQUIRE(inst.size() == 1);
        CHECK(inst[0].at("edrpou").as_string() == "32855961");
        const auto& groups = inst[0].at("groups").as_array();
        REQUIRE(groups.size() == 2);
        CHECK(groups[1].at("id").as_string() == "g-2");
        CHECK(groups[1].at("name").as_string() == "Зайчики");
        CHECK(groups[1].at("counts").at("ready").to_number<int>() == 19);

        const auto& fix = o.at("to_fix").as_array();
        REQUIRE(fix.size() == 3);
        CHECK(fix[2].at("id").as_string() == "kd-000003");
        CHECK(fix[2].at("institution").as_string() == "32855961");
        CHECK(fix[2].at("group").as_string() == "g-1");
        CHECK(fix[2].at("position").as_string() == "roster.csv:19");
        CHECK(fix[2].at("indicators").at("document").as_string() == "invalid");
        CHECK(fix[2].at("indicators").at("displacement").as_string() == "missing");
        CHECK(fix[2].at("indicators").at("contact").as_string() == "filled");
        CHECK(fix[2].at("codes").as_array().size() == 2);
        CHECK_FALSE(fix[2].as_object().contains("name"));
        CHECK(o.at("to_fix_total").to_number<int>() == 4);
        CHECK(o.at("withdrawn").to_number<int>() == 5);
        CHECK(o.at("unreadable").to_number<int>() == 1);
        CHECK(o.at("names_included").as_bool() == false);
    }

    TEST_CASE("JSON: unknown dates are null, hostile strings stay valid JSON")
    {
        readiness_report r;
        r.to_fix = {record("a\"b\\c\n</script>\xff", "", indicator_state::missing,
                           indicator_state::missing, {})};
        r.to_fix_total = 1;
        const auto v = boost::json::parse(render_json(r));
        CHECK(v.at("as_of").is_null());
        CHECK(v.at("deadline").is_null());
        CHECK(v.at("to_fix").at(0).at("id").as_string() ==
              "a\"b\\c\xEF\xBF\xBD</script>\xEF\xBF\xBD");
    }

    TEST_CASE("JSON: names only when included")
    {
        auto r = sample_report();
        r.to_fix[0].name = "Тестенко Марія";
        CHECK_FALSE(contains(render_json(r), "Тестенко"));
        r.names_included = true;
        const auto v = boost::json::parse(render_json(r));
        CHECK(v.at("to_fix").at(0).at("name").as_string() == "Тестенко Марія");
        CHECK_FALSE(v.at("to_fix").at(1).as_object().contains("name"));
        CHECK(v.at("names_included").as_bool());
    }

    TEST_CASE("HTML: self-contained, nothing from the network")
    {
        const std::string page = render_html(sample_report());
        CHECK(page.starts_with("<!DOCTYPE html>"));
        CHECK(contains(page, "<meta charset=\"utf-8\">"));
        CHECK(contains(page, "<html lang=\"uk\">"));
        CHECK_FALSE(contains(page, "http://"));
        CHECK_FALSE(contains(page, "https://"));
        CHECK_FALSE(contains(page, "<script src"));
        CHECK_FALSE(contains(page, "<link"));
        CHECK_FALSE(contains(page, "@import"));
        CHECK_FALSE(contains(page, "url("));
        CHECK(contains(page, "default-src 'none'"));
        CHECK(contains(page, "document.body.dataset.ready"));
        CHECK(contains(page, "Свідоцтво про народження"));
        CHECK(contains(page, "з помилкою"));
        CHECK(contains(page, "90,0\xC2\xA0%"));
        CHECK(contains(page, "<code>kd-000002</code>"));
        CHECK(contains(page, "і ще 1 запис не показано"));
        CHECK(contains(render_html(sample_report(), report_language::en), "<html lang=\"en\">"));
        CHECK(contains(render_html(sample_report(), report_language::en), "Birth certificate"));
    }

    TEST_CASE("HTML: ids from files are escaped")
    {
        auto r = sample_report();
        r.to_fix[0].id = "<img src=x onerror=alert(1)>";
        r.to_fix[1].id = "</script><script>alert(2)</script>";
        r.to_fix[2].position = "\"><b onmouseover='x'>";
        r.institutions[0].groups[0].name = "<i>&amp;";
        const std::string page = render_html(r);
        CHECK_FALSE(contains(page, "<img"));
        CHECK(contains(page, "&lt;img src=x onerror=alert(1)&gt;"));
        CHECK(contains(page, "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
        CHECK_FALSE(contains(page, "alert(2)</script>"));
        CHECK(contains(page, "&quot;&gt;&lt;b onmouseover=&#39;x&#39;&gt;"));
        CHECK(contains(page, "&lt;i&gt;&amp;amp;"));
        // The page's one script, and no other.
        std::size_t scripts = 0;
        for (auto at = page.find("<script"); at != std::string::npos;
             at = page.find("<script", at + 1)) {
            ++scripts;
        }
        CHECK(scripts == 1);
    }

    TEST_CASE("HTML: names only when included")
    {
        auto r = sample_report();
        r.to_fix[0].name = "Тестенко Марія";
        std::string page = render_html(r);
        CHECK_FALSE(contains(page, "Тестенко"));
        CHECK(contains(page, "не містить персональних даних"));
        r.names_included = true;
        page = render_html(r);
        CHECK(contains(page, "<td>Тестенко Марія</td>"));
        CHECK(contains(page, "Прізвище та ім’я"));
        CHECK(contains(page, "містить імена дітей"));
    }
}
