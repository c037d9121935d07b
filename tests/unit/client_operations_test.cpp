// The operations of protocol v1.1 through the client session, against the fake server: what
// each sends (method, target, headers, body) and what it makes of the answer.
#include <aikom/client/session.hpp>

#include "client_fake_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using namespace aikom;
using namespace aikom::test::client_fake;
using client::client_errc;
using protocol::problem_kind;

namespace {

const std::string grant_json =
    R"({"institution":"32855961","client_id":"platform/a b","role":"platform","note":"договір",)"
    R"("granted_by":"ouo-kyiv","granted_at":"2025-06-02T09:20:11Z"})";

const std::string no_content = "HTTP/1.1 204 No Content\r\n\r\n";

struct fixture {
    asio::io_context io;
    script sc;
    std::shared_ptr<fake_connector> connector = std::make_shared<fake_connector>(io, sc);
    client::session s = client::detail::make_session(io.get_executor(), fake_options(), connector);

    // The last request the server saw that was not the token request.
    const protocol::http_request& last() const { return sc.seen.back(); }
};

} // namespace

TEST_CASE("client operations: grants are listed, read, granted, revoked and audited")
{
    fixture f;
    const auto grant_id = std::string("platform/a b");
    const auto path = std::string("/v1/institutions/32855961/grants/platform%2Fa%20b");

    f.sc.other = {http_response(200, "application/json", "{\"items\":[" + grant_json + "]}")};
    const auto list = run(f.io, f.s.async_list_grants("32855961", asio::use_future));
    REQUIRE(list.items.size() == 1);
    CHECK(list.items[0].client_id == grant_id);
    CHECK(list.items[0].role == protocol::grant_role::platform);
    CHECK(f.last().method() == http::verb::get);
    CHECK(f.last().target() == "/v1/institutions/32855961/grants");
    CHECK(f.last()[http::field::authorization] == "Bearer tok-1");

    f.sc.other = {http_response(200, "application/json", grant_json)};
    const auto one = run(f.io, f.s.async_get_grant("32855961", grant_id, asio::use_future));
    CHECK(one.note == "договір");
    CHECK(one.granted_by == "ouo-kyiv");
    CHECK(f.last().target() == path); // the client id is one percent-encoded segment

    // A new grant (201) with a note: a JSON body. An existing one (200) without: no body.
    f.sc.other = {http_response(201, "application/json", grant_json,
                                "Location: " + path + "\r\n")};
    const auto created = run(f.io, f.s.async_put_grant("32855961", grant_id, {.note = "договір"},
                                                       asio::use_future));
    CHECK(created.client_id == grant_id);
    CHECK(f.last().method() == http::verb::put);
    CHECK(f.last().target() == path);
    CHECK(f.last().body() == R"({"note":"договір"})");
    CHECK(f.last()[http::field::content_type] == "application/json");
    CHECK(f.last()["Idempotency-Key"].empty()); // a PUT is idempotent by itself

    f.sc.other = {http_response(200, "application/json", grant_json)};
    (void)run(f.io, f.s.async_put_grant("32855961", grant_id, {}, asio::use_future));
    CHECK(f.last().body().empty());
    CHECK(f.last()[http::field::content_type].empty());
    CHECK(f.last()[http::field::content_length] == "0");

    // A client that does not exist, or of another role: the server's problem, as the code.
    f.sc.other = {problem_response(404, "not-found")};
    auto missing = f.s.async_put_grant("32855961", "nobody", {}, asio::use_future);
    CHECK(code_of_future(f.io, missing) == problem_kind::not_found);
    f.sc.other = {problem_response(409, "conflict")};
    client::diagnostics diag;
    const client::call_options with_diag{.diag = &diag};
    auto reviewer = f.s.async_put_grant("32855961", "reviewer-kyiv", {}, with_diag,
                                        asio::use_future);
    CHECK(code_of_future(f.io, reviewer) == problem_kind::conflict);
    CHECK(diag.attempts == 1); // final, not retried
    REQUIRE(diag.problem);
    CHECK(diag.problem->status == 409);

    f.sc.other = {no_content};
    auto revoked = f.s.async_revoke_grant("32855961", grant_id, asio::use_future);
    CHECK_FALSE(code_of_future(f.io, revoked));
    CHECK(f.last().method() == http::verb::delete_);
    CHECK(f.last().target() == path);
    f.sc.other = {problem_response(404, "not-found")};
    auto again = f.s.async_revoke_grant("32855961", grant_id, asio::use_future);
    CHECK(code_of_future(f.io, again) == problem_kind::not_found);
    f.sc.other = {http_response(200, "application/json", grant_json)};
    auto not_204 = f.s.async_revoke_grant("32855961", grant_id, asio::use_future);
    CHECK(code_of_future(f.io, not_204) == protocol::protocol_errc::unexpected_status);

    f.sc.other = {http_response(
        200, "application/json",
        R"({"items":[{"at":"2025-06-02T09:20:11Z","actor":null,"action":"grant.create",)"
        R"("client_id":"zdo-1","note":""},{"at":"2025-06-03T10:00:00Z","actor":"ouo-kyiv",)"
        R"("action":"grant.revoke","client_id":"platform/a b","note":""}]})")};
    const auto history = run(f.io, f.s.async_grant_history("32855961", asio::use_future));
    REQUIRE(history.items.size() == 2);
    CHECK_FALSE(history.items[0].actor);
    CHECK(history.items[1].action == protocol::grant_action::revoke);
    CHECK(f.last().target() == "/v1/institutions/32855961/grant-history");

    // A body that is not the protocol's is our error, with our words.
    f.sc.other = {http_response(200, "application/json", R"({"items":[{"client_id":5}]})")};
    auto broken = f.s.async_list_grants("32855961", with_diag, asio::use_future);
    CHECK(code_of_future(f.io, broken) == protocol::protocol_errc::missing_field);
    CHECK(diag.message.find("list of grants") != std::string::npos);
    CHECK(f.s.stats().token_requests == 1);
}

TEST_CASE("client operations: a grant survives a connection lost at any step (PUT is retried)")
{
    std::size_t n = 0;
    bool past_every_step = false;
    for (; n < 400 && !past_every_step; ++n) {
        CAPTURE(n);
        fixture f;
        f.connector->next_fails = n;
        f.sc.other = {http_response(201, "application/json", grant_json)};
        auto g = f.s.async_put_grant("32855961", "platform/a b", {.note = "n"}, asio::use_future);
        CHECK(run(f.io, std::move(g)).client_id == "platform/a b");
        past_every_step = f.s.stats().connections_opened == 1;
    }
    CHECK(past_every_step);
}

TEST_CASE("client operations: apply and reject answer the whole correction request")
{
    fixture f;
    const std::string applied =
        R"({"id":"cr-7","institution":"32855961","child_id":"kd-1","status":"applied",)"
        R"("reason":"r","fields":["/document/series"],"base_etag":"e0","issues":[],)"
        R"("etag":"e1","created_by":"zdo-1","created_at":"2025-06-02T09:20:11Z",)"
        R"("reviewed_by":"reviewer-1","reviewed_at":"2025-06-02T11:02:45Z","review_note":null,)"
        R"("record":{"id":"kd-1"},"history":[]})";
    f.sc.other = {http_response(200, "application/json", applied)};
    const auto a = run(f.io, f.s.async_apply_correction("cr-7", {}, asio::use_future));
    CHECK(a.status == protocol::correction_status::applied);
    CHECK(a.etag == "e1");
    CHECK(a.base_etag == "e0");
    CHECK(a.fields == std::vector<std::string>{"/document/series"});
    CHECK(a.reviewed_by == "reviewer-1");
    CHECK(f.last().target() == "/v1/correction-requests/cr-7/apply");
    CHECK(f.last()["Idempotency-Key"].size() > 8); // a POST: deduplicated by key

    // The record changed since: 409, the request stays pending.
    f.sc.other = {problem_response(409, "conflict", "ETag: \"e9\"\r\n")};
    auto changed = f.s.async_apply_correction("cr-7", {}, asio::use_future);
    CHECK(code_of_future(f.io, changed) == problem_kind::conflict);

    f.sc.other = {http_response(200, "application/json", applied)};
    (void)run(f.io, f.s.async_reject_correction("cr-8", {.note = "ні"}, asio::use_future));
    CHECK(f.last().target() == "/v1/correction-requests/cr-8/reject");
    CHECK(f.last().body() == R"({"note":"ні"})");
}

TEST_CASE("client operations: correction requests are walked page by page with their filter")
{
    fixture f;
    const std::string item =
        R"({"id":"cr-1","institution":"32855961","child_id":"kd-1","status":"pending",)"
        R"("reason":"r","fields":[],"base_etag":null,"issues":[],"etag":null,)"
        R"("created_by":"zdo-1","created_at":"2025-06-02T09:20:11Z","reviewed_by":null,)"
        R"("reviewed_at":null,"review_note":null})";
    f.sc.other = {
        http_response(200, "application/json",
                      "{\"items\":[" + item + "],\"next_cursor\":\"p+2\",\"has_more\":true}"),
        http_response(200, "application/json",
                      "{\"items\":[" + item + "],\"next_cursor\":null,\"has_more\":false}")};
    auto pages = f.s.list_corrections(protocol::correction_status::pending, "32855961", 1);
    CHECK(pages.cursor().empty());
    const auto first = run(f.io, pages.async_next(asio::use_future));
    CHECK(first.items.size() == 1);
    CHECK(first.has_more);
    CHECK_FALSE(pages.done());
    CHECK(pages.cursor() == "p+2");
    CHECK(f.last().target() ==
          "/v1/correction-requests?status=pending&institution=32855961&limit=1");
    const auto second = run(f.io, pages.async_next(asio::use_future));
    CHECK_FALSE(second.has_more);
    CHECK(pages.done());
    // The cursor goes with the filter it was issued for.
    CHECK(f.last().target() ==
          "/v1/correction-requests?status=pending&institution=32855961&limit=1&cursor=p%2B2");

    // One call reads the first page.
    f.sc.other = {http_response(200, "application/json", "{\"items\":[]}")};
    const auto page = run(f.io, f.s.async_list_corrections({}, "", asio::use_future));
    CHECK(page.items.empty());
    CHECK(f.last().target() == "/v1/correction-requests");
}

TEST_CASE("client operations: the progress report is asked for as JSON with its period")
{
    fixture f;
    // The body of the v1.1 contract (v11-decisions.md, "Reports").
    const std::string report =
        R"({"format":"aikom.progress","version":1,"from":"2025-05-30","to":"2025-05-31",)"
        R"("deadline":"2025-08-31","institutions":[{"institution":"32855961","days":[)"
        R"({"date":"2025-05-30","records":3,"active":3,"ready":1},)"
        R"({"date":"2025-05-31","records":4,"active":3,"ready":2}],"on_track":true}],)"
        R"("total":{"days":[{"date":"2025-05-30","records":3,"active":3,"ready":1},)"
        R"({"date":"2025-05-31","records":4,"active":3,"ready":2}]}})";
    f.sc.other = {http_response(200, "application/json", report)};
    const protocol::progress_query query{.from = std::chrono::year{2025} / 5 / 30,
                                         .to = std::chrono::year{2025} / 5 / 31,
                                         .deadline = std::chrono::year{2025} / 8 / 31,
                                         .institution = "32855961"};
    auto ok = f.s.async_progress_report(query, asio::use_future);
    CHECK_FALSE(code_of_future(f.io, ok));
    CHECK(f.last().target() == "/v1/reports/progress?from=2025-05-30&to=2025-05-31"
                               "&deadline=2025-08-31&institution=32855961");
    CHECK(f.last()[http::field::accept].find("text/html") == std::string::npos);

    f.sc.other = {problem_response(403, "forbidden")};
    auto refused = f.s.async_progress_report({}, asio::use_future);
    CHECK(code_of_future(f.io, refused) == problem_kind::forbidden);
    CHECK(f.last().target() == "/v1/reports/progress");
    f.sc.other = {http_response(200, "text/html", "<html></html>")};
    auto html = f.s.async_progress_report({}, asio::use_future);
    CHECK(code_of_future(f.io, html) == protocol::protocol_errc::unexpected_content_type);

    f.sc.other = {problem_response(400, "malformed-request")};
    auto form = f.s.async_form85k_report({.as_of = std::chrono::year{2025} / 9 / 1},
                                         asio::use_future);
    CHECK(code_of_future(f.io, form) == problem_kind::malformed_request);
    CHECK(f.last().target() == "/v1/reports/form-85k?as_of=2025-09-01");
}

TEST_CASE("client operations: the change feed of chosen institutions, the OpenAPI document")
{
    fixture f;
    f.sc.other = {http_response(200, "application/json",
                                R"({"changes":[],"next_cursor":"c1","has_more":false})")};
    auto feed = f.s.changes({}, 50, {"32855961", "12345678"});
    (void)run(f.io, feed.async_next(asio::use_future));
    CHECK(f.last().target() == "/v1/changes?limit=50&institution=32855961&institution=12345678");
    (void)run(f.io, feed.async_next(asio::use_future));
    CHECK(f.last().target() ==
          "/v1/changes?cursor=c1&limit=50&institution=32855961&institution=12345678");

    // The contract needs no credentials: no token is fetched and none is sent.
    fixture anonymous;
    const std::string doc = R"({"openapi":"3.1.0","info":{"title":"AIKOM exchange"},"paths":{}})";
    anonymous.sc.other = {http_response(200, "application/json", doc)};
    CHECK(run(anonymous.io, anonymous.s.async_openapi(asio::use_future)) == doc);
    REQUIRE(anonymous.sc.seen.size() == 1);
    CHECK(anonymous.last().target() == "/v1/openapi.json");
    CHECK(anonymous.last()[http::field::authorization].empty());
    CHECK(anonymous.s.stats().token_requests == 0);

    anonymous.sc.other = {http_response(200, "application/json", "[1,2]")};
    auto not_object = anonymous.s.async_openapi(asio::use_future);
    CHECK(code_of_future(anonymous.io, not_object) == protocol::protocol_errc::malformed_json);
    anonymous.sc.other = {http_response(200, "text/html", "<html></html>")};
    auto html = anonymous.s.async_openapi(asio::use_future);
    CHECK(code_of_future(anonymous.io, html) == protocol::protocol_errc::unexpected_content_type);
}
