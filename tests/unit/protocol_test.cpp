// Protocol v1 as data: routes, targets, cursors, problem details and bodies, without sockets.
#include <aikom/check/issue_codes.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/protocol/error.hpp>
#include <aikom/protocol/problem.hpp>
#include <aikom/protocol/routes.hpp>
#include <aikom/protocol/types.hpp>

#include "fixtures.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

using namespace aikom;
using protocol::endpoint;

TEST_CASE("protocol: every endpoint's path is matched, with its parameters decoded")
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
        const auto m = protocol::match_route(r.path);
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
        CHECK_FALSE(protocol::match_route(bad));
    }
}

TEST_CASE("protocol: targets are built so that they match back")
{
    const auto t = protocol::child_target("32855961", "kd:1/x y");
    const auto parsed = protocol::parse_target(t);
    REQUIRE(parsed.has_value());
    const auto m = protocol::match_route(parsed->path);
    REQUIRE(m);
    CHECK(m->endpoint == endpoint::child);
    CHECK(m->child_id == "kd:1/x y");

    const auto page = protocol::parse_target(protocol::children_target("32855961", 50, "abc-_"));
    REQUIRE(page.has_value());
    CHECK(page->param("limit") == "50");
    CHECK(page->param("cursor") == "abc-_");
    CHECK_FALSE(page->param("missing"));
    CHECK(protocol::changes_target() == "/v1/changes");
    CHECK(protocol::correction_target("cr-1", "apply") == "/v1/correction-requests/cr-1/apply");
    CHECK_FALSE(protocol::parse_target("http://x/v1").has_value());
    CHECK(protocol::parse_target("not a target").error() == protocol::protocol_errc::bad_target);
}

TEST_CASE("protocol: cursors round-trip and refuse what they did not issue")
{
    for (std::int64_t seq : {0LL, 1LL, 42LL, 9'007'199'254'740'993LL}) {
        CHECK(protocol::parse_change_cursor(protocol::change_cursor(seq)) == seq);
    }
    CHECK(protocol::decode_cursor(protocol::encode_cursor("k", "kd-000123"), "k") == "kd-000123");
    CHECK_FALSE(protocol::decode_cursor(protocol::encode_cursor("k", "kd-1"), "c"));
    CHECK_FALSE(protocol::parse_change_cursor("not+base64"));
    CHECK_FALSE(protocol::parse_change_cursor(protocol::encode_cursor("c", "-5")));
    CHECK_FALSE(protocol::parse_change_cursor(protocol::encode_cursor("c", "12x")));
    CHECK_FALSE(protocol::parse_change_cursor(""));
}

TEST_CASE("protocol: problem details carry every error, in both languages")
{
    auto p = protocol::make_problem(protocol::problem_kind::validation_failed, "AIKOM would not save it",
                                {check::make_issue("required.missing", "/sex"),
                                 check::make_issue("date.future", "/birth_date")});
    p.request_id = "req-1";
    CHECK(p.status == 422);
    CHECK(p.type == "urn:aikom:problem:validation-failed");
    CHECK_FALSE(p.retryable);
    const auto json = protocol::to_json(p);
    const auto back = protocol::parse_problem(json);
    REQUIRE(back.has_value());
    CHECK(back->type == p.type);
    CHECK(back->status == 422);
    CHECK(back->request_id == "req-1");
    REQUIRE(back->errors.size() == 2);
    CHECK(back->errors[1].pointer == "/birth_date");
    CHECK(back->errors[1].code == "date.future");
    CHECK(back->errors[1].message_uk == p.errors[1].message_uk);
    CHECK(protocol::kind_of(*back) == protocol::problem_kind::validation_failed);

    CHECK(protocol::make_problem(protocol::problem_kind::unavailable, "").retryable);
    const auto conflict = protocol::make_problem(protocol::problem_kind::conflict, "");
    CHECK(conflict.status == 409);
    CHECK_FALSE(conflict.retryable);
    CHECK(protocol::kind_of(conflict) == protocol::problem_kind::conflict);
    CHECK(protocol::make_problem(protocol::problem_kind::rate_limited, "").status == 429);
    CHECK(protocol::parse_problem("{}").error() == protocol::protocol_errc::missing_field);
    CHECK(protocol::parse_problem("[").error() == protocol::protocol_errc::malformed_json);
    CHECK_FALSE(
        std::string(protocol::make_error_code(protocol::protocol_errc::bad_cursor).message()).empty());
}

TEST_CASE("protocol: bodies round-trip")
{
    protocol::discovery d;
    d.limits.max_batch_items = 7;
    d.scopes = {"children:read"};
    const auto d2 = protocol::parse_discovery(protocol::to_json(d));
    REQUIRE(d2.has_value());
    CHECK(d2->limits.max_batch_items == 7);
    CHECK(d2->scopes == d.scopes);
    CHECK(d2->change_feed_retention == d.change_feed_retention);

    const auto t = protocol::parse_token_response(
        protocol::to_json(protocol::token_response{"abc", "Bearer", std::chrono::seconds(3600), "admin"}));
    REQUIRE(t.has_value());
    CHECK(t->access_token == "abc");
    CHECK(t->expires_in == std::chrono::seconds(3600));
    CHECK(protocol::parse_token_response(R"({"token_type":"Bearer"})").error() ==
          protocol::protocol_errc::missing_field);
    CHECK(
        protocol::parse_oauth_error(protocol::to_json(protocol::oauth_error{"invalid_client", "no"}))->error ==
        "invalid_client");

    protocol::write_result w{
        "kd-1", "32855961", "created", "abc", {check::make_issue("contact.missing", "/contact")}};
    const auto w2 = protocol::parse_write_result(protocol::to_json(w));
    REQUIRE(w2.has_value());
    CHECK(w2->status == "created");
    REQUIRE(w2->warnings.size() == 1);
    CHECK(w2->warnings[0].code == "contact.missing");

    const auto b = protocol::parse_batch_results(
        protocol::batch_results_to_json({{0, "kd-1", "32855961", "created", "e1", {}},
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

    const auto v = protocol::parse_validation_result(protocol::to_json(protocol::validation_result{true, {}}));
    REQUIRE(v.has_value());
    CHECK(v->valid);
}

TEST_CASE("protocol: pages and the change feed carry records through the strict codec")
{
    const auto full = test::every_field_child();
    const auto canonical = codec::encode(full);
    const auto page =
        protocol::parse_child_page(protocol::child_page_json({canonical, canonical}, "n1", true));
    REQUIRE(page.has_value());
    REQUIRE(page->items.size() == 2);
    CHECK(page->items[0] == full);
    CHECK(page->next_cursor == "n1");
    CHECK(page->has_more);
    const auto last = protocol::parse_child_page(protocol::child_page_json({}, std::nullopt, false));
    REQUIRE(last.has_value());
    CHECK_FALSE(last->next_cursor);

    const auto feed = protocol::parse_change_page(
        protocol::change_page_json({{5, false, "32855961", "kd-000123", "e5", canonical},
                                {6, true, "32855961", "kd-9", "", std::nullopt}},
                               protocol::change_cursor(6), false));
    REQUIRE(feed.has_value());
    REQUIRE(feed->changes.size() == 2);
    CHECK(feed->changes[0].seq == 5);
    REQUIRE(feed->changes[0].record);
    CHECK(*feed->changes[0].record == full);
    CHECK(feed->changes[1].deleted);
    CHECK_FALSE(feed->changes[1].record);
    CHECK(protocol::parse_change_cursor(feed->next_cursor) == 6);
    // A record that breaks the strict codec is an error, not a silently different record.
    CHECK_FALSE(
        protocol::parse_change_page(
            R"({"changes":[{"seq":1,"type":"upsert","institution":"1","id":"x","record":{"id":"x","sex":"?"}}],"next_cursor":"a","has_more":false})")
            .has_value());

    const auto batch = boost::json::parse(protocol::batch_request_json({full, full}));
    CHECK(batch.at("items").as_array().size() == 2);
}
