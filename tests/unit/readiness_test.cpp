#include <aikom/check/readiness.hpp>
#include <aikom/synthetic/roster_generator.hpp>

#include <doctest/doctest.h>

using namespace aikom;
using namespace std::chrono;
using check::indicator;
using check::indicator_state;

namespace {

constexpr auto as_of = 2025y / June / 1;

model::child generated(std::uint64_t seed = 3)
{
    synthetic::roster_generator gen({.seed = seed, .reference_date = as_of});
    for (;;) {
        auto c = gen.next();
        // A child still enrolled, with a Ukrainian certificate and no displacement certificate.
        if (!c.enrollment->left_on && c.document &&
            c.document->type == model::document_type::ua_birth_certificate) {
            return c;
        }
    }
}

std::size_t idx(indicator i)
{
    return static_cast<std::size_t>(i);
}

} // namespace

TEST_CASE("indicators: filled, missing, invalid")
{
    auto c = generated();
    auto states = check::evaluate_indicators(
        c, check::check_record(c, check::profile::readiness, {.as_of = as_of}));
    for (auto s : states) {
        CHECK(s == indicator_state::filled);
    }

    c.displacement.reset();
    c.contact = model::contact_status{.status = model::contact_state::lost};
    c.document->series = "I-КВ-1";
    c.education.reset();
    states = check::evaluate_indicators(
        c, check::check_record(c, check::profile::readiness, {.as_of = as_of}));
    CHECK(states[idx(indicator::document)] == indicator_state::invalid);
    CHECK(states[idx(indicator::displacement)] == indicator_state::missing);
    CHECK(states[idx(indicator::contact)] == indicator_state::invalid);
    CHECK(states[idx(indicator::education)] == indicator_state::missing);
}

TEST_CASE("a series that only needs a fix still counts as invalid until fixed")
{
    auto c = generated();
    c.document->series = "i-" + c.document->series->substr(c.document->series->find('-') + 1);
    const auto issues = check::check_record(c, check::profile::readiness, {.as_of = as_of});
    const auto states = check::evaluate_indicators(c, issues);
    CHECK(states[idx(indicator::document)] == indicator_state::invalid);
}

TEST_CASE("the builder counts per institution and group, skips the withdrawn, lists what to fix")
{
    check::readiness_builder b({.as_of = as_of, .deadline = 2025y / June / 7, .max_listed = 2});
    auto ready = generated();
    ready.institution = model::edrpou("32855961");
    ready.enrollment->group = model::group{.id = "g-1", .name = "Сонечко"};
    b.add(ready, "a.ndjson:1");

    auto no_contact = ready;
    no_contact.id = "kd-2";
    no_contact.contact.reset();
    b.add(no_contact, "a.ndjson:2");

    auto other_group = ready;
    other_group.id = "kd-3";
    other_group.enrollment->group = model::group{.id = "g-2", .name = "Зірочка"};
    other_group.education.reset();
    other_group.document = model::identity_document{.type = model::document_type::none};
    b.add(other_group, "a.ndjson:3");

    auto withdrawn = ready;
    withdrawn.id = "kd-4";
    withdrawn.enrollment->left_on = 2025y / May / 1;
    b.add(withdrawn, "a.ndjson:4");

    auto elsewhere = ready;
    elsewhere.id = "kd-5";
    elsewhere.institution = model::edrpou("00032129");
    elsewhere.displacement.reset();
    b.add(elsewhere, "a.ndjson:5");
    b.add_unreadable();

    const auto r = b.report();
    CHECK(r.total.children == 4);
    CHECK(r.total.ready == 1);
    CHECK(r.withdrawn == 1);
    CHECK(r.unreadable == 1);
    CHECK(r.total.non_ukrainian_document == 1);
    CHECK(r.total.indicators[idx(indicator::contact)].missing == 1);
    CHECK(r.total.indicators[idx(indicator::education)].missing == 1);
    CHECK(r.total.indicators[idx(indicator::displacement)].missing == 1);
    CHECK(r.total.indicators[idx(indicator::document)].filled == 4);
    REQUIRE(r.institutions.size() == 2);
    CHECK(r.institutions[0].edrpou == "00032129"); // sorted by code
    const auto& main = r.institutions[1];
    CHECK(main.counts.children == 3);
    REQUIRE(main.groups.size() == 2);
    CHECK(main.groups[0].id == "g-1");
    CHECK(main.groups[0].name == "Сонечко");
    CHECK(main.groups[0].counts.children == 2);
    CHECK(main.groups[0].counts.ready == 1);
    CHECK(main.groups[1].counts.indicators[idx(indicator::education)].missing == 1);

    CHECK(r.to_fix_total == 3);
    REQUIRE(r.to_fix.size() == 2); // max_listed
    CHECK(r.to_fix[0].id == "kd-2");
    CHECK(r.to_fix[0].position == "a.ndjson:2");
    CHECK(r.to_fix[0].codes == std::vector<std::string>{"contact.missing"});
    CHECK(r.to_fix[0].indicators[idx(indicator::contact)] == indicator_state::missing);
    CHECK_FALSE(r.to_fix[0].name);
    CHECK_FALSE(r.names_included);
    CHECK(r.deadline == 2025y / June / 7);
}

TEST_CASE("names appear in the report only when asked for")
{
    auto c = generated();
    c.contact.reset();
    check::readiness_builder with({.as_of = as_of, .include_names = true});
    with.add(c);
    const auto r = with.report();
    REQUIRE(r.to_fix.size() == 1);
    REQUIRE(r.to_fix[0].name);
    CHECK(r.to_fix[0].name->starts_with(*c.name->last));
    CHECK(r.names_included);
}
