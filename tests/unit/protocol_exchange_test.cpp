// Request building and response classification for every endpoint (protocol/requests.hpp and
// protocol/responses.hpp): pure functions, no sockets.
#include <aikom/protocol/requests.hpp>
#include <aikom/protocol/responses.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

using namespace aikom;
using namespace aikom::protocol;
using namespace std::chrono_literals;

namespace {

http_response answer(unsigned status, std::string_view type, std::string body,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> headers = {})
{
    http_response r{static_cast<http::status>(status), 11};
    if (!type.empty()) {
        r.set(http::field::content_type, type);
    }
    for (const auto& [k, v] : headers) {
        r.set(k, v);
    }
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
}

http_response problem_answer(problem_kind k, std::string detail = "d")
{
    auto p = make_problem(k, std::move(detail));
    p.request_id = "req-1";
    return answer(p.status, problem_content_type, to_json(p));
}

} // namespace

TEST_CASE("protocol requests: every endpoint's method, target, body and headers")
{
    const auto c = test::minimal_child("kd-1");
    struct expected {
        request_spec spec;
        http::verb method;
        std::string target;
        bool body;
        bool key;
        bool auth;
    };
    const std::vector<expected> all = {
        {discovery_request(), http::verb::get, "/v1", false, false, false},
        {token_request(), http::verb::post, "/v1/oauth/token", true, false, false},
        {upsert_request("32855961", c), http::verb::put, "/v1/institutions/32855961/children/kd-1", true, false, true},
        {get_child_request("32855961", "kd-1"), http::verb::get, "/v1/institutions/32855961/children/kd-1", false, false, true},
        {delete_child_request("32855961", "kd-1"), http::verb::delete_, "/v1/institutions/32855961/children/kd-1", false, false, true},
        {withdrawal_request("32855961", "kd-1", {.left_on = 2025y / 5 / 30}), http::verb::post,
         "/v1/institutions/32855961/children/kd-1/withdrawal", true, true, true},
        {children_request("32855961", 50, "abc"), http::verb::get, "/v1/institutions/32855961/children?limit=50&cursor=abc", false, false, true},
        {batch_request({c}), http::verb::post, "/v1/batches", true, true, true},
        {changes_request("cur", 10), http::verb::get, "/v1/changes?cursor=cur&limit=10", false, false, true},
        {changes_request(), http::verb::get, "/v1/changes", false, false, true},
        {validate_request(c, check::profile::structure), http::verb::post, "/v1/validate?profile=structure", true, false, true},
        {create_correction_request({.institution = "32855961", .child_id = "kd-1", .record = c, .reason = "r"}),
         http::verb::post, "/v1/correction-requests", true, true, true},
        {corrections_request(correction_status::pending, "32855961"), http::verb::get,
         "/v1/correction-requests?status=pending&institution=32855961", false, false, true},
        {get_correction_request("cr-7"), http::verb::get, "/v1/correction-requests/cr-7", false, false, true},
        {review_request("cr-7", true, {}), http::verb::post, "/v1/correction-requests/cr-7/apply", true, true, true},
        {review_request("cr-7", false, {.note = "n"}), http::verb::post, "/v1/correction-requests/cr-7/reject", true, true, true},
        {completeness_request("32855961", 2025y / 6 / 2, 2025y / 6 / 7), http::verb::get,
         "/v1/reports/completeness?institution=32855961&as_of=2025-06-02&deadline=2025-06-07", false, false, true},
        // v1.1
        {changes_request({}, 0, std::vector<std::string>{"32855961", "12345678"}), http::verb::get,
         "/v1/changes?institution=32855961&institution=12345678", false, false, true},
        {corrections_request(correction_status::applied, {}, 20, "cur"), http::verb::get,
         "/v1/correction-requests?status=applied&limit=20&cursor=cur", false, false, true},
        {grants_request("32855961"), http::verb::get, "/v1/institutions/32855961/grants", false, false, true},
        {get_grant_request("32855961", "platform-a"), http::verb::get,
         "/v1/institutions/32855961/grants/platform-a", false, false, true},
        {put_grant_request("32855961", "platform-a"), http::verb::put,
         "/v1/institutions/32855961/grants/platform-a", false, false, true},
        {put_grant_request("32855961", "platform-a", {.note = "n"}), http::verb::put,
         "/v1/institutions/32855961/grants/platform-a", true, false, true},
        {revoke_grant_request("32855961", "platform-a"), http::verb::delete_,
         "/v1/institutions/32855961/grants/platform-a", false, false, true},
        {grant_history_request("32855961"), http::verb::get,
         "/v1/institutions/32855961/grant-history", false, false, true},
        {progress_request({.from = 2025y / 5 / 1, .to = 2025y / 5 / 30, .deadline = 2025y / 8 / 31,
                           .institution = "32855961"}),
         http::verb::get,
         "/v1/reports/progress?from=2025-05-01&to=2025-05-30&deadline=2025-08-31&institution=32855961",
         false, false, true},
        {progress_request(), http::verb::get, "/v1/reports/progress", false, false, true},
        {form85k_request({.as_of = 2025y / 9 / 1}), http::verb::get,
         "/v1/reports/form-85k?as_of=2025-09-01", false, false, true},
        {openapi_request(), http::verb::get, "/v1/openapi.json", false, false, false},
    };
    for (const auto& e : all) {
        CAPTURE(e.target);
        CHECK(e.spec.method == e.method);
        CHECK(e.spec.target == e.target);
        CHECK(e.spec.body.empty() != e.body);
        CHECK(e.spec.takes_idempotency_key == e.key);
        CHECK(e.spec.authenticated == e.auth);
        const auto req = build_request(e.spec, {.host = "sandbox.test:8443",
                                                .user_agent = "ua/1",
                                                .bearer_token = "tok",
                                                .basic = "YmFzaWM=",
                                                .request_id = "cl-1",
                                                .idempotency_key = "ik-1"});
        CHECK(req.method() == e.method);
        CHECK(req.target() == e.target);
        CHECK(req[http::field::host] == "sandbox.test:8443");
        CHECK(req["X-Request-Id"] == "cl-1");
        // The Basic credentials go to the token endpoint only, never to discovery.
        CHECK(req[http::field::authorization] ==
              (e.auth ? "Bearer tok" : e.spec.client_credentials ? "Basic YmFzaWM=" : ""));
        CHECK((req["Idempotency-Key"] == "ik-1") == e.key);
        if (e.body) {
            CHECK(req[http::field::content_length] == std::to_string(e.spec.body.size()));
            CHECK_FALSE(req[http::field::content_type].empty());
        }
        CHECK(req.keep_alive());
    }
}

TEST_CASE("protocol requests: values are encoded so they never change the query or the path")
{
    CHECK(corrections_request({}, "a&b=c").target == "/v1/correction-requests?institution=a%26b%3Dc");
    CHECK(grants_request("3285/5961").target == "/v1/institutions/3285%2F5961/grants");
    CHECK(put_grant_request("32855961", "a b/c?d").target ==
          "/v1/institutions/32855961/grants/a%20b%2Fc%3Fd");
    CHECK(put_grant_request("32855961", "p", {.note = "n"}).content_type == json_content_type);
    CHECK(put_grant_request("32855961", "p").content_type.empty());
    // An opaque cursor in standard base64 keeps its '+', '/' and '=' (it once lost its '+').
    CHECK(changes_request("Yzo0MT+y/A==", 5).target == "/v1/changes?cursor=Yzo0MT%2By%2FA%3D%3D&limit=5");
    CHECK(children_request("32855961", 0, "a&limit=1").target ==
          "/v1/institutions/32855961/children?cursor=a%26limit%3D1");
    CHECK(get_child_request("32855961", "kd/1?x").target ==
          "/v1/institutions/32855961/children/kd%2F1%3Fx");
    CHECK(token_request("/v1/oauth/token", "children:read children:write").body ==
          "grant_type=client_credentials&scope=children%3Aread+children%3Awrite");
    // RFC 6749 §2.3.1: form-encode, then base64.
    CHECK(basic_credentials("zdo", "s3cr3t") == "emRvOnMzY3IzdA==");
    CHECK(basic_credentials("a b", "x:y") == "YStiOnglM0F5");
    const auto req = build_request(get_child_request("1", "2"), {.if_match = "e1"});
    CHECK(req[http::field::if_match] == "\"e1\"");
    CHECK(req.find(http::field::authorization) == req.end());
}

TEST_CASE("protocol responses: success bodies become typed results")
{
    const auto w = read_write(answer(201, "application/json; charset=utf-8",
                                     R"({"id":"kd-1","institution":"32855961","status":"created","etag":"e1","warnings":[]})"));
    REQUIRE(w.has_value());
    CHECK(w->status == write_status::created);

    const auto c = read_child(answer(200, "application/json", R"({"id":"kd-1"})", {{"ETag", "\"abc\""}}));
    REQUIRE(c.has_value());
    CHECK(c->record.id == "kd-1");
    CHECK(c->etag == "abc");

    CHECK(read_deleted(answer(204, "", "")).has_value());
    CHECK(read_validation(answer(200, "application/json", R"({"valid":true,"issues":[]})"))->valid);
    CHECK(read_batch(answer(200, "application/json", R"({"results":[]})"))->results.empty());
    CHECK(read_change_page(answer(200, "application/json",
                                  R"({"changes":[],"next_cursor":"c","has_more":false})"))
              ->next_cursor == "c");
    const auto t = read_token(answer(200, "application/json",
                                     R"({"access_token":"x","token_type":"Bearer","expires_in":60})"));
    REQUIRE(t.has_value());
    CHECK(t->expires_in == 60s);

    // v1.1
    const std::string grant =
        R"({"institution":"32855961","client_id":"p","role":"institution","note":"",)"
        R"("granted_by":null,"granted_at":"2025-06-02T09:20:11Z"})";
    CHECK(read_grant(answer(201, "application/json", grant))->client_id == "p");
    CHECK(read_grant(answer(200, "application/json", grant))->role == grant_role::institution);
    CHECK(read_grant(answer(204, "", "")).error().code == protocol_errc::unexpected_status);
    CHECK(read_grants(answer(200, "application/json", "{\"items\":[" + grant + "]}"))->items.size() ==
          1);
    CHECK(read_grants(answer(201, "application/json", R"({"items":[]})")).error().code ==
          protocol_errc::unexpected_status);
    CHECK(read_grant_history(answer(200, "application/json", R"({"items":[]})"))->items.empty());
    const auto page = read_corrections(
        answer(200, "application/json", R"({"items":[],"next_cursor":"n","has_more":true})"));
    REQUIRE(page.has_value());
    CHECK(page->next_cursor == "n");
    CHECK(page->has_more);
    CHECK(read_openapi(answer(200, "application/json", R"({"openapi":"3.1.0"})")).value() ==
          R"({"openapi":"3.1.0"})");
    CHECK(read_openapi(answer(200, "application/json", R"({"openapi":)")).error().code ==
          protocol_errc::malformed_json);
}

TEST_CASE("protocol responses: problems carry their kind as the code, and the details")
{
    for (const auto k : {problem_kind::malformed_request, problem_kind::unauthorized, problem_kind::forbidden,
                         problem_kind::not_found, problem_kind::conflict, problem_kind::resync_required,
                         problem_kind::precondition_failed, problem_kind::validation_failed,
                         problem_kind::rate_limited, problem_kind::unavailable}) {
        CAPTURE(problem_name(k));
        const auto r = read_write(problem_answer(k, "what went wrong"));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == k);
        CHECK(r.error().status == problem_status(k));
        REQUIRE(r.error().problem.has_value());
        CHECK(r.error().problem->request_id == "req-1");
        CHECK(r.error().message.find("what went wrong") != std::string::npos);
    }
}

TEST_CASE("protocol responses: what is not the protocol is a protocol error, never a throw")
{
    CHECK(read_write(answer(200, "text/html", "<html/>")).error().code ==
          protocol_errc::unexpected_content_type);
    CHECK(read_write(answer(502, "text/html", "bad gateway")).error().code ==
          protocol_errc::problem_without_details);
    CHECK(read_write(answer(500, "application/problem+json", "{not json")).error().code ==
          protocol_errc::problem_without_details);
    CHECK(read_write(answer(200, "application/json", "[1,2]")).error().code ==
          protocol_errc::malformed_json);
    CHECK(read_write(answer(200, "application/json", R"({"id":"x"})")).error().code ==
          protocol_errc::missing_field);
    CHECK(read_write(answer(202, "application/json", "{}")).error().code ==
          protocol_errc::unexpected_status);
    // A record member newer than this library is skipped (docs/protocol.md §13); a wrong type
    // in a known member is not.
    CHECK(read_child(answer(200, "application/json", R"({"id":"kd-1","pets":2})"))->record.id ==
          "kd-1");
    CHECK(read_child(answer(200, "application/json", R"({"id":"kd-1","sex":7})")).error().code ==
          protocol_errc::malformed_json);
    CHECK(read_child_page(answer(200, "application/json",
                                 R"({"items":[{"id":"kd-1","pets":2}],"next_cursor":null,"has_more":false})"))
              ->items.size() == 1);
    // A huge status in a problem does not throw (it was a crash once).
    CHECK_FALSE(read_write(answer(500, "application/problem+json",
                                  R"({"type":"urn:aikom:problem:internal","status":48888888888804})"))
                    .has_value());
    // OAuth2 errors of the token endpoint (RFC 6749 §5.2).
    const auto bad = read_token(answer(401, "application/json",
                                       R"({"error":"invalid_client","error_description":"no such client"})"));
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == problem_kind::unauthorized);
    CHECK(bad.error().message.find("invalid_client") != std::string::npos);
    CHECK(read_token(answer(400, "application/json", R"({"error":"invalid_scope"})")).error().code ==
          problem_kind::malformed_request);
    CHECK(read_token(answer(200, "application/json",
                            R"({"access_token":"x","token_type":"MAC","expires_in":60})"))
              .error()
              .code == protocol_errc::bad_value);
    // token_type is case-insensitive (RFC 6749 §5.1), but only Bearer.
    for (const char* type : {"bearer", "BEARER", "bEaReR"}) {
        CHECK(read_token(answer(200, "application/json",
                                std::string(R"({"access_token":"x","token_type":")") + type +
                                    R"(","expires_in":60})"))
                  .has_value());
    }
    CHECK_FALSE(read_token(answer(200, "application/json",
                                  R"({"access_token":"x","token_type":"Bearer2","expires_in":60})"))
                    .has_value());
    // value() on a failure throws system_error with the code.
    CHECK_THROWS_AS((void)read_write(answer(404, "text/plain", "")).value(), boost::system::system_error);
}
