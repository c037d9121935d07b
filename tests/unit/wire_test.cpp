// Protocol v1 as data: routes, targets, cursors, problem details and bodies, without sockets.
#include <aikom/check/issue_codes.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/wire/error.hpp>
#include <aikom/wire/problem.hpp>
#include <aikom/wire/routes.hpp>
#include <aikom/wire/types.hpp>

#include "fixtures.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

using namespace aikom;
using wire::endpoint;

TEST_CASE("wire: every endpoint's path is matched, with its parameters decoded")
{
    struct row {
        const char* path;
        endpoint e;
        const char* institution = "";
        const char* child = "";
        const char* correction = "";
    };
    const row rows[] = {
        {"/v1", endpoint::discovery},
        {"/v1/", endpoint::discovery},
        {"/v1/oauth/token", endpoint::token},
        {"/v1/institutions/32855961/children", endpoint::children, "32855961"},
        {"/v1/institutions/32855961/children/kd-000123", endpoint::child, "32855961", "kd-000123"},
        {"/v1/institutions/32855961/children/kd%3A1", endpoint::child, "32855961", "kd:1"},
        {"/v1/institutions/32855961/children/kd-1/withdrawal", endpoint::withdrawal, "32855961",
         "kd-1"},
        {"/v1/batches", endpoint::batches},
        {"/v1/changes", endpoint::changes},
        {"/v1/validate", endpoint::validate},
        {"/v1/correction-requests", endpoint::corrections},
        {"/v1/correction-requests/cr-7", endpoint::correction, "", "", "cr-7"},
        {"/v1/correction-requests/cr-7/apply", endpoint::correction_apply, "", "", "cr-7"},
        {"/v1/correction-requests/cr-7/reject", endpoint::correction_reject, "", "", "cr-7"},
        {"/v1/reports/completeness", endpoint::completeness_report},
        {"/v1/admin/faults", endpoint::admin_faults},
    };
    for (const auto& r : rows) {
        CAPTURE(r.path);
        const auto m = wire::match_route(r.path);
        REQUIRE(m);
        CHECK(m->endpoint == r.e);
        CHECK(m->institution == r.institution);
        CHECK(m->child_id == r.child);
        CHECK(m->correction_id == r.correction);
    }
    for (const char* bad : {"", "/", "/v2", "/v1/children", "/v1/institutions/1/children/2/3",
                            "/v1/institutions/1/pupils", "/v1/correction-requests/x/accept",
                            "v1/batches", "/v1/admin"}) {
        CAPTURE(bad);
        CHECK_FALSE(wire::match_route(bad));
    }
}

TEST_CASE("wire: targets are built so that they match back")
{
    const auto t = wire::child_target("32855961", "kd:1/x y");
    const auto parsed = wire::parse_target(t);
    REQUIRE(parsed.has_value());
    const auto m = wire::match_route(parsed->path);
    REQUIRE(m);
    CHECK(m->endpoint == endpoint::child);
    CHECK(m->child_id == "kd:1/x y");

    const auto page = wire::parse_target(wire::children_target("32855961", 50, "abc-_"));
    REQUIRE(page.has_value());
    CHECK(page->param("limit") == "50");
    CHECK(page->param("cursor") == "abc-_");
    CHECK_FALSE(page->param("missing"));
    CHECK(wire::changes_target() == "/v1/changes");
    CHECK(wire::correction_target("cr-1", "apply") == "/v1/correction-requests/cr-1/apply");
    CHECK_FALSE(wire::parse_target("http://x/v1").has_value());
    CHECK(wire::parse_target("not a target").error() == wire::protocol_errc::bad_target);
}

TEST_CASE("wire: cursors round-trip and refuse what they did not issue")
{
    for (std::int64_t seq : {0LL, 1LL, 42LL, 9'007'199'254'740'993LL}) {
        CHECK(wire::parse_change_cursor(wire::change_cursor(seq)) == seq);
    }
    CHECK(wire::decode_cursor(wire::encode_cursor("k", "kd-000123"), "k") == "kd-000123");
    CHECK_FALSE(wire::decode_cursor(wire::encode_cursor("k", "kd-1"), "c"));
    CHECK_FALSE(wire::parse_change_cursor("not+base64"));
    CHECK_FALSE(wire::parse_change_cursor(wire::encode_cursor("c", "-5")));
    CHECK_FALSE(wire::parse_change_cursor(wire::encode_cursor("c", "12x")));
    CHECK_FALSE(wire::parse_change_cursor(""));
}

TEST_CASE("wire: problem details carry every error, in both languages")
{
    auto p = wire::make_problem(wire::problem_kind::validation_failed, "AIKOM would not save it",
                                {check::make_issue("required.missing", "/sex"),
                                 check::make_issue("date.future", "/birth_date")});
    p.request_id = "req-1";
    CHECK(p.status == 422);
    CHECK(p.type == "urn:aikom:problem:validation-failed");
    CHECK_FALSE(p.retryable);
    const auto json = wire::to_json(p);
    const auto back = wire::parse_problem(json);
    REQUIRE(back.has_value());
    CHECK(back->type == p.type);
    CHECK(back->status == 422);
    CHECK(back->request_id == "req-1");
    REQUIRE(back->errors.size() == 2);
    CHECK(back->errors[1].pointer == "/birth_date");
    CHECK(back->errors[1].code == "date.future");
    CHECK(back->errors[1].message_uk == p.errors[1].message_uk);
    CHECK(wire::kind_of(*back) == wire::problem_kind::validation_failed);

    CHECK(wire::make_problem(wire::problem_kind::unavailable, "").retryable);
    const auto conflict = wire::make_problem(wire::problem_kind::conflict, "");
    CHECK(conflict.status == 409);
    CHECK_FALSE(conflict.retryable);
    CHECK(wire::kind_of(conflict) == wire::problem_kind::conflict);
    CHECK(wire::make_problem(wire::problem_kind::rate_limited, "").status == 429);
    CHECK(wire::parse_problem("{}").error() == wire::protocol_errc::missing_field);
    CHECK(wire::parse_problem("[").error() == wire::protocol_errc::malformed_json);
    CHECK_FALSE(
        std::string(wire::make_error_code(wire::protocol_errc::bad_cursor).message()).empty());
}

TEST_CASE("wire: bodies round-trip")
{
    wire::discovery d;
    d.limits.max_batch_items = 7;
    d.scopes = {"children:read"};
    const auto d2 = wire::parse_discovery(wire::to_json(d));
    REQUIRE(d2.has_value());
    CHECK(d2->limits.max_batch_items == 7);
    CHECK(d2->scopes == d.scopes);
    CHECK(d2->change_feed_retention == d.change_feed_retention);

    const auto t = wire::parse_token_response(
        wire::to_json(wire::token_response{"abc", "Bearer", std::chrono::seconds(3600), "admin"}));
    REQUIRE(t.has_value());
    CHECK(t->access_token == "abc");
    CHECK(t->expires_in == std::chrono::seconds(3600));
    CHECK(wire::parse_token_response(R"({"token_type":"Bearer"})").error() ==
          wire::protocol_errc::missing_field);
    CHECK(
        wire::parse_oauth_error(wire::to_json(wire::oauth_error{"invalid_client", "no"}))->error ==
        "invalid_client");

    wire::write_result w{
        "kd-1", "32855961", "created", "abc", {check::make_issue("contact.missing", "/contact")}};
    const auto w2 = wire::parse_write_result(wire::to_json(w));
    REQUIRE(w2.has_value());
    CHECK(w2->status == "created");
    REQUIRE(w2->warnings.size() == 1);
    CHECK(w2->warnings[0].code == "contact.missing");

    const auto b = wire::parse_batch_results(
        wire::batch_results_to_json({{0, "kd-1", "32855961", "created", "e1", {}},
                                     {1,
                                      "kd-2",
                                      "",
                                      "rejected",
                                      "",
                                      {check::make_issue("required.missing", "/institution")}}}));
    REQUIRE(b.has_value());
    REQUIRE(b->size() == 2);
    CHECK((*b)[1].status == "rejected");
    CHECK((*b)[1].etag.empty());
    CHECK((*b)[1].issues.at(0).pointer == "/institution");

    const auto v = wire::parse_validation_result(wire::to_json(wire::validation_result{true, {}}));
    REQUIRE(v.has_value());
    CHECK(v->valid);
}

TEST_CASE("wire: pages and the change feed carry records through the strict codec")
{
    const auto full = test::every_field_child();
    const auto canonical = codec::encode(full);
    const auto page =
        wire::parse_child_page(wire::child_page_json({canonical, canonical}, "n1", true));
    REQUIRE(page.has_value());
    REQUIRE(page->items.size() == 2);
    CHECK(page->items[0] == full);
    CHECK(page->next_cursor == "n1");
    CHECK(page->has_more);
    const auto last = wire::parse_child_page(wire::child_page_json({}, std::nullopt, false));
    REQUIRE(last.has_value());
    CHECK_FALSE(last->next_cursor);

    const auto feed = wire::parse_change_page(
        wire::change_page_json({{5, false, "32855961", "kd-000123", "e5", canonical},
                                {6, true, "32855961", "kd-9", "", std::nullopt}},
                               wire::change_cursor(6), false));
    REQUIRE(feed.has_value());
    REQUIRE(feed->changes.size() == 2);
    CHECK(feed->changes[0].seq == 5);
    REQUIRE(feed->changes[0].record);
    CHECK(*feed->changes[0].record == full);
    CHECK(feed->changes[1].deleted);
    CHECK_FALSE(feed->changes[1].record);
    CHECK(wire::parse_change_cursor(feed->next_cursor) == 6);
    // A record that breaks the strict codec is an error, not a silently different record.
    CHECK_FALSE(
        wire::parse_change_page(
            R"({"changes":[{"seq":1,"type":"upsert","institution":"1","id":"x","record":{"id":"x","sex":"?"}}],"next_cursor":"a","has_more":false})")
            .has_value());

    const auto batch = boost::json::parse(wire::batch_request_json({full, full}));
    CHECK(batch.at("items").as_array().size() == 2);
}
