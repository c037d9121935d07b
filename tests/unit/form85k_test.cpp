// Form 85-К's figures: a generated roster counted independently of the builder, the edge cases
// of ages and enrollment, the JSON round trip through the protocol's parser, and pages that
// hold no personal data.
#include <aikom/check/form85k.hpp>
#include <aikom/protocol/error.hpp>
#include <aikom/protocol/reports.hpp>
#include <aikom/synthetic/roster_generator.hpp>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace aikom;
using namespace std::chrono;

namespace {

constexpr auto as_of = 2026y / January / 15;

// A roster of 3000 generated records (made 2025-06-01), some of them changed so that every
// rule is exercised: a share enrolled after `as_of`, withdrawn after it (so still counted),
// without a birth date, without a group kind, without special needs, displacement or education.
std::vector<model::child> roster()
{
    synthetic::roster_generator gen({.institutions = 4, .seed = 85, .defect_rate = 0.1});
    std::vector<model::child> out;
    for (int i = 0; i < 3000; ++i) {
        auto c = gen.next();
        if (i % 50 == 7) {
            c.enrollment->enrolled_on = sys_days{as_of} + days{10};
        } else if (i % 45 == 3) {
            c.enrollment->left_on = sys_days{as_of} + days{1};
        } else if (i % 40 == 5) {
            c.enrollment->left_on = as_of;
        }
        if (i % 37 == 1) {
            c.birth_date.reset();
        }
        if (i % 31 == 2) {
            c.special_needs.reset();
        }
        if (i % 29 == 4) {
            c.enrollment->group->kind.reset();
        }
        if (i % 61 == 9) {
            c.enrollment->group.reset();
        }
        if (i % 73 == 11) {
            c.institution.reset();
        }
        out.push_back(std::move(c));
    }
    return out;
}

// ---- the independent count: plain loops over the records, written apart from the builder ----

using figure_counts = std::map<std::string, std::map<std::string, std::size_t>>; // figure → column

struct expected_report {
    std::map<std::string, figure_counts> institutions; // by code
    std::map<std::string, std::size_t> children;
    std::map<std::string, std::size_t> without_group;
    std::size_t withdrawn = 0;
    std::size_t later = 0;
};

std::string age_column(const std::optional<model::date>& birth)
{
    if (!birth) {
        return "unknown";
    }
    const int by = static_cast<int>(birth->year());
    const unsigned bm = static_cast<unsigned>(birth->month());
    const unsigned bd = static_cast<unsigned>(birth->day());
    const int ty = static_cast<int>(as_of.year());
    const unsigned tm = static_cast<unsigned>(as_of.month());
    const unsigned td = static_cast<unsigned>(as_of.day());
    int years = ty - by;
    if (tm * 100 + td < bm * 100 + bd) {
        years -= 1;
    }
    if (years < 0) {
        return "unknown";
    }
    if (years == 0) {
        return "under_1";
    }
    if (years >= 7) {
        return "age_7_plus";
    }
    return "age_" + std::to_string(years);
}

expected_report count_independently(const std::vector<model::child>& records)
{
    expected_report e;
    // institution → group id → the first kind stated ("" while none is)
    std::map<std::string, std::map<std::string, std::string>> groups;
    for (const auto& c : records) {
        if (c.enrollment && c.enrollment->left_on && *c.enrollment->left_on <= as_of) {
            e.withdrawn += 1;
            continue;
        }
        if (c.enrollment && c.enrollment->enrolled_on && *c.enrollment->enrolled_on > as_of) {
            e.later += 1;
            continue;
        }
        const std::string code = c.institution ? c.institution->str() : "";
        auto& f = e.institutions[code];
        e.children[code] += 1;
        f["by_age"][age_column(c.birth_date)] += 1;
        f["by_sex"][c.sex ? std::string(model::to_string(*c.sex)) : "unknown"] += 1;

        std::string kind = "unknown";
        std::string group_id;
        if (c.enrollment && c.enrollment->group) {
            if (c.enrollment->group->kind) {
                kind = std::string(model::to_string(*c.enrollment->group->kind));
            }
            group_id = c.enrollment->group->id.value_or("");
        }
        f["by_group_kind"][kind] += 1;
        f["by_education_form"]
         [c.education ? std::string(model::to_string(c.education->form)) : "unknown"] += 1;
        f["by_displacement"]
         [c.displacement ? std::string(model::to_string(c.displacement->status)) : "unknown"] += 1;
        if (!c.special_needs) {
            f["special_needs"]["unknown"] += 1;
        } else if (c.special_needs->has) {
            f["special_needs"]["with"] += 1;
            if (kind == "inclusive") {
                f["special_needs"]["in_inclusive_groups"] += 1;
            }
            if (kind == "special") {
                f["special_needs"]["in_special_groups"] += 1;
            }
        } else {
            f["special_needs"]["without"] += 1;
        }
        if (group_id.empty()) {
            e.without_group[code] += 1;
        } else {
            auto [it, inserted] = groups[code].try_emplace(group_id, "");
            if (it->second.empty() && kind != "unknown") {
                it->second = kind;
            }
        }
    }
    for (const auto& [code, ids] : groups) {
        for (const auto& [id, kind] : ids) {
            e.institutions[code]["groups"][kind.empty() ? "unknown" : kind] += 1;
        }
    }
    return e;
}

// The figures of one `counts` object of the JSON, zero counts left out.
figure_counts figures_of(const boost::json::object& counts)
{
    figure_counts out;
    for (const auto& [figure, members] : counts) {
        if (!members.is_object()) {
            continue;
        }
        for (const auto& [column, n] : members.as_object()) {
            if (n.to_number<std::size_t>() != 0) {
                out[std::string(figure)][std::string(column)] = n.to_number<std::size_t>();
            }
        }
    }
    return out;
}

check::form85k_report build(const std::vector<model::child>& records, model::date date = as_of)
{
    check::form85k_builder builder(date);
    for (const auto& c : records) {
        builder.add(c);
    }
    return builder.report();
}

model::child child_born(std::optional<model::date> birth, std::string id = "c-1")
{
    model::child c;
    c.id = std::move(id);
    c.institution = model::edrpou{"32855961"};
    c.birth_date = birth;
    return c;
}

std::string age_of(const check::form85k_report& r)
{
    for (std::size_t i = 0; i < check::age_bucket_count; ++i) {
        if (r.total.by_age[i] != 0) {
            return std::string(check::to_string(static_cast<check::age_bucket>(i)));
        }
    }
    return "none";
}

} // namespace

TEST_CASE("form 85-K: the figures of a generated roster equal an independent count")
{
    const auto records = roster();
    const auto expected = count_independently(records);
    REQUIRE(expected.withdrawn > 0);
    REQUIRE(expected.later > 0);

    const auto report = build(records);
    const auto json = boost::json::parse(check::render_json(report)).as_object();
    CHECK(json.at("format") == "aikom.form-85k");
    CHECK(json.at("version") == 1);
    CHECK(json.at("as_of") == "2026-01-15");
    CHECK(json.at("withdrawn").to_number<std::size_t>() == expected.withdrawn);
    CHECK(json.at("not_yet_enrolled").to_number<std::size_t>() == expected.later);

    const auto& institutions = json.at("institutions").as_array();
    REQUIRE(institutions.size() == expected.institutions.size());
    figure_counts total_expected;
    std::size_t children_total = 0;
    std::string previous;
    for (const auto& v : institutions) {
        const auto& inst = v.as_object();
        const std::string code(inst.at("institution").as_string());
        CAPTURE(code);
        CHECK((previous.empty() || previous < code)); // sorted by code, the empty code first
        previous = code;
        const auto& counts = inst.at("counts").as_object();
        CHECK(counts.at("children").to_number<std::size_t>() == expected.children.at(code));
        const auto wg = expected.without_group.find(code);
        CHECK(counts.at("children_without_group").to_number<std::size_t>() ==
              (wg == expected.without_group.end() ? 0 : wg->second));
        CHECK(figures_of(counts) == expected.institutions.at(code));
        children_total += expected.children.at(code);
        for (const auto& [figure, columns] : expected.institutions.at(code)) {
            for (const auto& [column, n] : columns) {
                total_expected[figure][column] += n;
            }
        }
    }
    const auto& total = json.at("total").as_object();
    CHECK(total.at("children").to_number<std::size_t>() == children_total);
    CHECK(figures_of(total) == total_expected);
    // Every figure's columns are all present, zeros included.
    CHECK(total.at("by_age").as_object().size() == 9);
    CHECK(total.at("groups").as_object().size() == 5);
}

TEST_CASE("form 85-K: full years at as_of")
{
    using check::age_bucket_at;
    const auto bucket = [](model::date birth, model::date on) {
        return std::string(check::to_string(age_bucket_at(birth, on)));
    };
    // A birthday on as_of itself counts.
    CHECK(bucket(2022y / June / 1, 2025y / June / 1) == "age_3");
    CHECK(bucket(2022y / June / 2, 2025y / June / 1) == "age_2");
    CHECK(bucket(2025y / June / 1, 2025y / June / 1) == "under_1");
    CHECK(bucket(2024y / June / 1, 2025y / June / 1) == "age_1");
    // 29 February: a year older on 1 March in a common year, on 29 February in a leap year.
    CHECK(bucket(2020y / February / 29, 2023y / February / 28) == "age_2");
    CHECK(bucket(2020y / February / 29, 2023y / March / 1) == "age_3");
    CHECK(bucket(2020y / February / 29, 2024y / February / 28) == "age_3");
    CHECK(bucket(2020y / February / 29, 2024y / February / 29) == "age_4");
    // Seven and older share a column; a birth after as_of is not an age.
    CHECK(bucket(2018y / June / 1, 2025y / June / 1) == "age_7_plus");
    CHECK(bucket(2010y / January / 1, 2025y / June / 1) == "age_7_plus");
    CHECK(bucket(2025y / June / 2, 2025y / June / 1) == "unknown");
    CHECK(std::string(check::to_string(age_bucket_at(std::nullopt, as_of))) == "unknown");

    // The same through the builder.
    CHECK(age_of(build({child_born(2020y / February / 29)}, 2023y / February / 28)) == "age_2");
    CHECK(age_of(build({child_born(2020y / February / 29)}, 2023y / March / 1)) == "age_3");
    CHECK(age_of(build({child_born(std::nullopt)})) == "unknown");
}

TEST_CASE("form 85-K: who is counted at as_of")
{
    auto left_on = [](model::date d) {
        auto c = child_born(2021y / May / 5);
        c.enrollment = model::enrollment{.enrolled_on = 2023y / September / 1, .left_on = d};
        return c;
    };
    auto enrolled_on = [](model::date d) {
        auto c = child_born(2021y / May / 5);
        c.enrollment = model::enrollment{.enrolled_on = d};
        return c;
    };
    const auto r = build({
        left_on(as_of),                         // left on as_of: withdrawn
        left_on(sys_days{as_of} - days{30}),    // withdrawn
        left_on(sys_days{as_of} + days{1}),     // leaves tomorrow: counted
        enrolled_on(as_of),                     // enrolled on as_of: counted
        enrolled_on(sys_days{as_of} + days{1}), // enrolled tomorrow: not yet
        child_born(2021y / May / 5),            // no enrollment at all: counted
    });
    CHECK(r.withdrawn == 2);
    CHECK(r.not_yet_enrolled == 1);
    CHECK(r.total.children == 3);
    CHECK(r.total.children_without_group == 3);
    CHECK(r.total.groups() == 0);
}

TEST_CASE("form 85-K: groups are distinct per institution, their kind the first one stated")
{
    auto in_group = [](std::string institution, std::optional<std::string> id,
                       std::optional<model::group_kind> kind) {
        auto c = child_born(2021y / May / 5);
        c.institution = model::edrpou{std::move(institution)};
        c.enrollment = model::enrollment{.group = model::group{.id = std::move(id), .kind = kind}};
        return c;
    };
    using enum model::group_kind;
    const auto r = build({
        in_group("32855961", "g-1", std::nullopt), // kind decided by the next record
        in_group("32855961", "g-1", inclusive),
        in_group("32855961", "g-1", general), // too late to decide
        in_group("32855961", "g-2", special),
        in_group("14360570", "g-1", general), // another institution's g-1
        in_group("14360570", std::nullopt, general),
        in_group("14360570", "g-3", std::nullopt),
    });
    REQUIRE(r.institutions.size() == 2);
    const auto slot = [](std::optional<model::group_kind> k) { return check::slot_of(k); };
    const auto& a = r.institutions[1].counts; // 32855961
    CHECK(r.institutions[1].edrpou == "32855961");
    CHECK(a.groups() == 2);
    CHECK(a.groups_by_kind[slot(inclusive)] == 1);
    CHECK(a.groups_by_kind[slot(special)] == 1);
    CHECK(a.by_group_kind[slot(std::nullopt)] == 1);
    CHECK(a.by_group_kind[slot(general)] == 1);
    const auto& b = r.institutions[0].counts; // 14360570
    CHECK(b.groups() == 2);
    CHECK(b.groups_by_kind[slot(general)] == 1);
    CHECK(b.groups_by_kind[slot(std::nullopt)] == 1);
    CHECK(b.children_without_group == 1);
    CHECK(r.total.groups() == 4);
}

TEST_CASE("form 85-K: JSON round trip through the protocol's parser")
{
    const auto report = build(roster());
    const auto json = check::render_json(report);
    const auto parsed = protocol::parse_form85k_report(json);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == report);
    CHECK(protocol::to_json(*parsed) == json);

    const auto empty = build({});
    const auto parsed_empty = protocol::parse_form85k_report(check::render_json(empty));
    REQUIRE(parsed_empty.has_value());
    CHECK(*parsed_empty == empty);
}

TEST_CASE("form 85-K: the parser refuses reports that do not add up")
{
    const auto good = boost::json::parse(check::render_json(build(roster()))).as_object();
    const auto refused = [](const boost::json::object& o) {
        const auto r = protocol::parse_form85k_report(boost::json::serialize(o));
        return r.has_error() ? r.error() : boost::system::error_code{};
    };
    const auto bad_value = make_error_code(protocol::protocol_errc::bad_value);
    const auto missing = make_error_code(protocol::protocol_errc::missing_field);
    CHECK(refused(good) == boost::system::error_code{});

    auto o = good;
    o["format"] = "aikom.progress";
    CHECK(refused(o) == bad_value);
    o = good;
    o["version"] = 2;
    CHECK(refused(o) == bad_value);
    o = good;
    o.erase("as_of");
    CHECK(refused(o) == missing);
    o = good;
    o["as_of"] = nullptr;
    CHECK(refused(o) == missing);
    o = good;
    o["total"].as_object()["by_age"].as_object()["age_3"] =
        o["total"].as_object()["by_age"].as_object()["age_3"].to_number<std::int64_t>() + 1;
    CHECK(refused(o) == bad_value); // the ages no longer add up to the children
    o = good;
    {
        // Counts that add up only modulo 2^64.
        auto& ages = o["total"].as_object()["by_age"].as_object();
        const auto children = o["total"].as_object()["children"].to_number<std::uint64_t>();
        for (auto& [column, n] : ages) {
            n = 0;
        }
        ages["under_1"] = std::numeric_limits<std::uint64_t>::max();
        ages["age_1"] = children + 1;
    }
    CHECK(refused(o) == bad_value);
    o = good;
    o["total"].as_object()["special_needs"].as_object().erase("with");
    CHECK(refused(o) == missing);
    o = good;
    o["institutions"].as_array()[0].as_object()["counts"].as_object()["children"] = -1;
    CHECK(refused(o) == bad_value);
    CHECK(protocol::parse_form85k_report("[]").error() ==
          make_error_code(protocol::protocol_errc::malformed_json));
}

TEST_CASE("form 85-K: the page holds counts only, and nothing from the network")
{
    const auto records = roster();
    const auto report = build(records);
    for (const auto language : {check::report_language::uk, check::report_language::en}) {
        const auto html = check::render_html(report, language);
        const auto json = check::render_json(report);
        CHECK(html.find("<svg") == std::string::npos);
        CHECK(html.find("data-figure=\"by_age\"") != std::string::npos);
        CHECK(html.find("data-figure=\"groups\"") != std::string::npos);
        CHECK(html.find("http://") == std::string::npos);
        CHECK(html.find("https://") == std::string::npos);
        CHECK(html.find(" src=") == std::string::npos);
        CHECK(html.find("default-src 'none'") != std::string::npos);
        std::set<std::string> words;
        for (const auto& c : records) {
            words.insert(*c.name->last);
            words.insert(*c.name->first);
            words.insert(c.id);
            if (c.document && c.document->number) {
                words.insert(*c.document->number);
            }
        }
        for (const auto& w : words) {
            CAPTURE(w);
            CHECK(html.find(w) == std::string::npos);
            CHECK(json.find(w) == std::string::npos);
        }
    }
}

TEST_CASE("form 85-K: a code from a file is escaped on the page")
{
    check::form85k_report r;
    r.as_of = as_of;
    r.institutions.push_back({.edrpou = "<b>\"x\"</b>"});
    const auto html = check::render_html(r);
    CHECK(html.find("<b>\"x\"") == std::string::npos);
    CHECK(html.find("&lt;b&gt;&quot;x&quot;&lt;/b&gt;") != std::string::npos);
}
