// The sandbox's protocol logic driven directly, without sockets: every endpoint's happy path,
// the documented errors, preconditions, idempotency, paging, the change feed and the role
// matrix. The same driver runs over real TLS in the integration tier.
#include "sandbox/service.hpp"
#include "sandbox/storage.hpp"

#include <aikom/codec/content_hash.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/protocol/problem.hpp>
#include <aikom/protocol/routes.hpp>
#include <aikom/protocol/types.hpp>

#include "protocol_driver.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <utility>

using namespace aikom;
using http = boost::beast::http::verb;
namespace bhttp = boost::beast::http;

namespace {

struct fixture {
    /// `adjust` changes the options before the service starts.
    explicit fixture(const std::function<void(sandbox::server_options&)>& adjust = {})
        : options([&] {
            sandbox::server_options o;
            o.clients = test::test_clients();
            o.secret_kdf_iterations = test::test_kdf_iterations;
            if (adjust) {
                adjust(o);
            }
            return o;
        }())
    {}

    sandbox::detail::storage store{":memory:"};
    sandbox::server_options options;
    sandbox::detail::service svc{options, store};
    test::protocol_driver d{[this](test::request req) { return svc.handle(req, "test"); }};
};

std::string problem_type(const test::response& res)
{
    auto p = protocol::parse_problem(res.body());
    return p ? p->type : std::string("(not a problem: ") + res.body() + ")";
}

const std::string a(test::institution_a);
const std::string b(test::institution_b);

// The epoch of the service's feed, read from a cursor it issued.
std::string feed_epoch(fixture& f)
{
    const auto page = protocol::parse_change_page(f.d.call(http::get, "/v1/changes", "admin").body());
    REQUIRE(page.has_value());
    const auto position = protocol::parse_change_cursor(page->next_cursor);
    REQUIRE(position.has_value());
    return position->epoch;
}

} // namespace

TEST_CASE("sandbox: discovery needs no token and states the limits")
{
    fixture f;
    const auto res = f.d.call(http::get, "/v1");
    REQUIRE(res.result_int() == 200);
    const auto d = protocol::parse_discovery(res.body());
    REQUIRE(d.has_value());
    CHECK(d->version == "1");
    CHECK(d->limits.max_body_bytes == f.options.max_body_bytes);
    // The caps a client can plan for (the others concern the server alone).
    CHECK(d->limits.connections_per_address == f.options.caps.connections_per_address);
    CHECK(d->limits.tokens_per_client == f.options.caps.tokens_per_client);
    CHECK(d->limits.idempotency_keys_per_client == f.options.caps.idempotency_keys_per_client);
    CHECK(d->scopes.size() == 7);
    CHECK_FALSE(res["X-Request-Id"].empty());
}

TEST_CASE("sandbox: tokens by client credentials (RFC 6749 §4.4)")
{
    fixture f;
    auto token_call = [&](std::string body, std::string basic = {},
                          std::string type = "application/x-www-form-urlencoded") {
        test::request req{bhttp::verb::post, "/v1/oauth/token", 11};
        req.set(bhttp::field::content_type, type);
        if (!basic.empty()) {
            req.set(bhttp::field::authorization, "Basic " + basic);
        }
        req.body() = std::move(body);
        req.prepare_payload();
        return f.svc.handle(req, "test");
    };
    // Basic: "zdo-a:zdo-a-secret"
    auto ok = token_call("grant_type=client_credentials", "emRvLWE6emRvLWEtc2VjcmV0");
    REQUIRE(ok.result_int() == 200);
    CHECK(ok[bhttp::field::cache_control] == "no-store");
    auto t = protocol::parse_token_response(ok.body());
    REQUIRE(t.has_value());
    CHECK(t->token_type == "Bearer");
    CHECK(t->scope == "children:read children:write reports:read corrections:create");

    auto narrowed = token_call("grant_type=client_credentials&scope=children%3Aread&client_id=zdo-"
                               "a&client_secret=zdo-a-secret");
    REQUIRE(narrowed.result_int() == 200);
    CHECK(protocol::parse_token_response(narrowed.body())->scope == "children:read");

    auto wrong = token_call("grant_type=client_credentials", "emRvLWE6d3Jvbmc="); // zdo-a:wrong
    CHECK(wrong.result_int() == 401);
    CHECK(protocol::parse_oauth_error(wrong.body())->error == "invalid_client");
    CHECK_FALSE(wrong[bhttp::field::www_authenticate].empty());
    CHECK(protocol::parse_oauth_error(
              token_call("grant_type=password&client_id=zdo-a&client_secret=zdo-a-secret").body())
              ->error == "unsupported_grant_type");
    CHECK(protocol::parse_oauth_error(token_call("grant_type=client_credentials&scope=admin&client_id="
                                             "zdo-a&client_secret=zdo-a-secret")
                                      .body())
              ->error == "invalid_scope");
    CHECK(token_call("grant_type=client_credentials&client_id=zdo-a&client_secret=zdo-a-secret",
                     "emRvLWE6emRvLWEtc2VjcmV0")
              .result_int() == 400); // both ways at once
    CHECK(token_call("{}", {}, "application/json").result_int() == 400);

    // A token that was never issued, and none at all.
    const auto bad = f.d.call(http::get, "/v1/changes", {}, {}, {{"Authorization", "Bearer nope"}});
    CHECK(bad.result_int() == 401);
    CHECK(bad[bhttp::field::www_authenticate] == "Bearer error=\"invalid_token\"");
    const auto none = f.d.call(http::get, "/v1/changes");
    CHECK(none.result_int() == 401);
    CHECK(none[bhttp::field::www_authenticate] == "Bearer");
    CHECK(problem_type(none) == "urn:aikom:problem:unauthorized");

    // The scheme is case-insensitive (RFC 9110 §11.1), the token is not.
    const auto token = f.d.token("zdo-a");
    for (const char* scheme : {"Bearer ", "bearer ", "BEARER "}) {
        CHECK(f.d.call(http::get, "/v1/changes", {}, {}, {{"Authorization", scheme + token}})
                  .result_int() == 200);
    }
    std::string upper = token;
    for (auto& ch : upper) {
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    REQUIRE(upper != token);
    CHECK(f.d.call(http::get, "/v1/changes", {}, {}, {{"Authorization", "Bearer " + upper}})
              .result_int() == 401);
}

TEST_CASE("sandbox: PUT creates, updates, keeps unchanged, GET reads back with its ETag")
{
    fixture f;
    auto c = test::valid_child("kd-000001", a);
    auto created = f.d.put(c, "zdo-a");
    REQUIRE(created.result_int() == 201);
    const std::string etag1(created[bhttp::field::etag]);
    CHECK(etag1.size() == 34);
    CHECK(created[bhttp::field::location] == protocol::child_target(a, "kd-000001"));
    auto w = protocol::parse_write_result(created.body());
    REQUIRE(w.has_value());
    CHECK(w->status == protocol::write_status::created);

    auto same = f.d.put(c, "zdo-a");
    CHECK(same.result_int() == 200);
    CHECK(protocol::parse_write_result(same.body())->status == protocol::write_status::unchanged);
    CHECK(same[bhttp::field::etag] == etag1);

    c.name->first = "Олена";
    auto updated = f.d.put(c, "zdo-a", {{"If-Match", etag1}});
    CHECK(updated.result_int() == 200);
    CHECK(protocol::parse_write_result(updated.body())->status == protocol::write_status::updated);
    const std::string etag2(updated[bhttp::field::etag]);
    CHECK(etag2 != etag1);

    // Optimistic concurrency: the old ETag no longer matches.
    c.name->first = "Ганна";
    CHECK(f.d.put(c, "zdo-a", {{"If-Match", etag1}}).result_int() == 412);
    CHECK(f.d.put(c, "zdo-a", {{"If-None-Match", "*"}}).result_int() == 412);

    auto got = f.d.call(http::get, protocol::child_target(a, "kd-000001"), "zdo-a");
    REQUIRE(got.result_int() == 200);
    CHECK(got[bhttp::field::etag] == etag2);
    auto back = codec::decode_child(got.body());
    REQUIRE(back.ok());
    CHECK(back.record->name->first == "Олена");
    CHECK(f.d.call(http::get, protocol::child_target(a, "kd-000001"), "zdo-a", {},
                   {{"If-None-Match", etag2}})
              .result_int() == 304);
    CHECK(f.d.call(http::get, protocol::child_target(a, "kd-000002"), "zdo-a").result_int() == 404);
}

TEST_CASE("sandbox: what PUT refuses, with every error at once")
{
    fixture f;
    auto c = test::valid_child("kd-1", a);
    c.sex.reset();
    c.birth_date = std::chrono::year{2030} / 1 / 1;
    const auto res = f.d.put(c, "zdo-a");
    REQUIRE(res.result_int() == 422);
    auto p = protocol::parse_problem(res.body());
    REQUIRE(p.has_value());
    CHECK(p->type == "urn:aikom:problem:validation-failed");
    std::set<std::string> pointers;
    for (const auto& e : p->errors) {
        pointers.insert(e.pointer);
        CHECK_FALSE(e.message_uk.empty());
    }
    CHECK(pointers == std::set<std::string>{"/birth_date", "/sex"});
    CHECK_FALSE(p->request_id.empty());
    CHECK(p->request_id == res["X-Request-Id"]);

    const auto target = protocol::child_target(a, "kd-2");
    CHECK(f.d.call(http::put, target, "zdo-a", R"({"id":"kd-2",)").result_int() == 400);
    CHECK(f.d.call(http::put, target, "zdo-a", R"({"id":"other"})").result_int() == 400);
    const auto unknown =
        f.d.call(http::put, target, "zdo-a",
                 codec::encode(test::valid_child("kd-2", a)).insert(1, "\"nick\":\"x\","));
    CHECK(unknown.result_int() == 422);
    const auto lenient =
        f.d.call(http::put, target, "zdo-a",
                 codec::encode(test::valid_child("kd-2", a)).insert(1, "\"nick\":\"x\","),
                 {{"Prefer", "handling=lenient"}});
    CHECK(lenient.result_int() == 201);
    CHECK(protocol::parse_write_result(lenient.body())->warnings.at(0).code == "field.unknown");
    test::request wrong_type{bhttp::verb::put, target, 11};
    wrong_type.set(bhttp::field::authorization, "Bearer " + f.d.token("zdo-a"));
    wrong_type.set(bhttp::field::content_type, "text/plain");
    wrong_type.body() = "x";
    wrong_type.prepare_payload();
    CHECK(f.svc.handle(wrong_type, "t").result_int() == 415);
    CHECK(f.d.call(http::post, target, "zdo-a", "{}").result_int() == 405);
    CHECK(f.d.call(http::get, "/v1/nothing", "zdo-a").result_int() == 404);
}

TEST_CASE("sandbox: DELETE leaves a tombstone, paging walks every record once")
{
    fixture f;
    for (int i = 0; i < 25; ++i) {
        char id[16];
        std::snprintf(id, sizeof id, "kd-%03d", i);
        REQUIRE(f.d.put(test::valid_child(id, a), "zdo-a").result_int() == 201);
    }
    std::vector<std::string> seen;
    std::string cursor;
    int pages = 0;
    for (;;) {
        const auto res = f.d.call(http::get, protocol::children_target(a, 10, cursor), "zdo-a");
        REQUIRE(res.result_int() == 200);
        auto page = protocol::parse_child_page(res.body());
        REQUIRE(page.has_value());
        ++pages;
        for (const auto& c : page->items) {
            seen.push_back(c.id);
        }
        if (!page->has_more) {
            CHECK_FALSE(page->next_cursor);
            break;
        }
        REQUIRE(page->next_cursor);
        cursor = *page->next_cursor;
    }
    CHECK(pages == 3);
    REQUIRE(seen.size() == 25);
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 25);
    CHECK(f.d.call(http::get, protocol::children_target(a, 0, "bogus"), "zdo-a").result_int() == 400);
    CHECK(
        f.d.call(http::get, "/v1/institutions/" + a + "/children?limit=0", "zdo-a").result_int() ==
        400);

    CHECK(f.d.call(http::delete_, protocol::child_target(a, "kd-003"), "zdo-a").result_int() == 204);
    CHECK(f.d.call(http::get, protocol::child_target(a, "kd-003"), "zdo-a").result_int() == 404);
    CHECK(f.d.call(http::delete_, protocol::child_target(a, "kd-003"), "zdo-a").result_int() == 404);
    const auto feed =
        protocol::parse_change_page(f.d.call(http::get, "/v1/changes?limit=1000", "zdo-a").body());
    REQUIRE(feed.has_value());
    REQUIRE(feed->changes.size() == 26);
    CHECK(feed->changes.back().type == protocol::change_type::delete_);
    CHECK(feed->changes.back().id == "kd-003");
}

TEST_CASE("sandbox: withdrawal is a state change")
{
    fixture f;
    REQUIRE(f.d.put(test::valid_child("kd-1", a), "zdo-a").result_int() == 201);
    const auto res = f.d.call(http::post, protocol::withdrawal_target(a, "kd-1"), "zdo-a",
                              R"({"left_on":"2025-05-30","reason":"переїзд"})");
    REQUIRE(res.result_int() == 200);
    auto back =
        codec::decode_child(f.d.call(http::get, protocol::child_target(a, "kd-1"), "zdo-a").body());
    REQUIRE(back.ok());
    CHECK(back.record->enrollment->left_on == std::chrono::year{2025} / 5 / 30);
    CHECK(back.record->enrollment->leave_reason == "переїзд");
    CHECK(f.d.call(http::post, protocol::withdrawal_target(a, "kd-1"), "zdo-a",
                   R"({"left_on":"30.05.2025"})")
              .result_int() == 422);
    CHECK(f.d.call(http::post, protocol::withdrawal_target(a, "kd-9"), "zdo-a",
                   R"({"left_on":"2025-05-30"})")
              .result_int() == 404);
}

TEST_CASE("sandbox: batches answer per item, Idempotency-Key replays, refuses reuse")
{
    fixture f;
    auto bad = test::valid_child("kd-2", a);
    bad.sex.reset();
    auto no_institution = test::valid_child("kd-3", a);
    no_institution.institution.reset();
    const auto body = protocol::batch_request_json(
        {test::valid_child("kd-1", a), bad, no_institution, test::valid_child("kd-4", b)});
    const auto res =
        f.d.call(http::post, "/v1/batches", "zdo-a", body, {{"Idempotency-Key", "batch-1"}});
    REQUIRE(res.result_int() == 200);
    auto batch = protocol::parse_batch_result(res.body());
    REQUIRE(batch.has_value());
    const auto& results = batch->results;
    REQUIRE(results.size() == 4);
    CHECK(results[0].status == protocol::item_status::created);
    CHECK_FALSE(results[0].etag.empty());
    CHECK(results[1].status == protocol::item_status::rejected);
    CHECK(results[1].issues.at(0).pointer == "/sex");
    CHECK(results[2].status == protocol::item_status::rejected);
    CHECK(results[3].status == protocol::item_status::forbidden);

    const auto replay =
        f.d.call(http::post, "/v1/batches", "zdo-a", body, {{"Idempotency-Key", "batch-1"}});
    CHECK(replay.result_int() == 200);
    CHECK(replay["Idempotent-Replayed"] == "true");
    CHECK(replay.body() == res.body());
    const auto reused = f.d.call(http::post, "/v1/batches", "zdo-a",
                                 protocol::batch_request_json({test::valid_child("kd-9", a)}),
                                 {{"Idempotency-Key", "batch-1"}});
    CHECK(reused.result_int() == 422);
    CHECK(problem_type(reused) == "urn:aikom:problem:idempotency-key-reused");
    // Another client's key space is its own.
    CHECK(f.d.call(http::post, "/v1/batches", "platform", body, {{"Idempotency-Key", "batch-1"}})
              .result_int() == 200);

    const auto twice =
        protocol::parse_batch_result(f.d.call(http::post, "/v1/batches", "zdo-a",
                                           protocol::batch_request_json({test::valid_child("kd-5", a),
                                                                     test::valid_child("kd-5", a)}))
                                      .body());
    REQUIRE(twice.has_value());
    REQUIRE(twice->results.size() == 2);
    CHECK(twice->results[0].status == protocol::item_status::created);
    CHECK(twice->results[1].status == protocol::item_status::rejected);
    CHECK(twice->results[1].issues.at(0).code == "batch.duplicate");

    std::vector<model::child> many;
    for (int i = 0; i < 501; ++i) {
        many.push_back(test::valid_child("m-" + std::to_string(i), a));
    }
    const auto too_many =
        f.d.call(http::post, "/v1/batches", "zdo-a", protocol::batch_request_json(many));
    CHECK(too_many.result_int() == 422);
    CHECK(problem_type(too_many) == "urn:aikom:problem:too-many-items");
    CHECK(f.d.call(http::post, "/v1/batches", "zdo-a", R"({"records":[]})").result_int() == 400);
}

TEST_CASE("sandbox: the change feed pages to the end, in order, within scope")
{
    fixture f;
    for (int i = 0; i < 7; ++i) {
        REQUIRE(f.d.put(test::valid_child("a-" + std::to_string(i), a), "zdo-a").result_int() ==
                201);
        REQUIRE(f.d.put(test::valid_child("b-" + std::to_string(i), b), "zdo-b").result_int() ==
                201);
    }
    std::vector<std::int64_t> seqs;
    std::string cursor;
    for (int guard = 0; guard < 100; ++guard) {
        const auto res = f.d.call(http::get, protocol::changes_target(cursor, 3), "zdo-a");
        REQUIRE(res.result_int() == 200);
        auto page = protocol::parse_change_page(res.body());
        REQUIRE(page.has_value());
        for (const auto& c : page->changes) {
            CHECK(c.institution == a);
            REQUIRE(c.record);
            CHECK(c.record->id == c.id);
            seqs.push_back(c.seq);
        }
        cursor = page->next_cursor;
        if (!page->has_more) {
            break;
        }
    }
    CHECK(seqs.size() == 7);
    CHECK(std::is_sorted(seqs.begin(), seqs.end()));
    // At the end, the cursor stays where it is and the page is empty.
    auto end =
        protocol::parse_change_page(f.d.call(http::get, protocol::changes_target(cursor), "zdo-a").body());
    REQUIRE(end.has_value());
    CHECK(end->changes.empty());
    CHECK(end->next_cursor == cursor);
    CHECK(f.d.call(http::get, protocol::changes_target("zzz"), "zdo-a").result_int() == 400);
}

TEST_CASE("sandbox: an expired cursor is 410 resync-required")
{
    fixture f;
    std::int64_t now = 1'000'000;
    f.store.set_clock([&] { return now; });
    REQUIRE(f.d.put(test::valid_child("kd-1", a), "zdo-a").result_int() == 201);
    REQUIRE(f.d.put(test::valid_child("kd-2", a), "zdo-a").result_int() == 201);
    REQUIRE(f.d.call(http::delete_, protocol::child_target(a, "kd-2"), "zdo-a").result_int() == 204);
    REQUIRE(f.d.put(test::valid_child("kd-3", a), "zdo-a").result_int() == 201);
    now += 8 * 24 * 3600; // past the 7-day retention
    REQUIRE(f.d.put(test::valid_child("kd-4", a), "zdo-a").result_int() == 201);
    f.svc.housekeeping();
    const auto old =
        f.d.call(http::get, protocol::changes_target(protocol::change_cursor(feed_epoch(f), 1)), "zdo-a");
    CHECK(old.result_int() == 410);
    CHECK(problem_type(old) == "urn:aikom:problem:resync-required");
    // From the beginning, the feed still rebuilds the current state.
    auto all = protocol::parse_change_page(f.d.call(http::get, "/v1/changes", "zdo-a").body());
    REQUIRE(all.has_value());
    std::set<std::string> ids;
    for (const auto& c : all->changes) {
        if (c.type == protocol::change_type::upsert) {
            ids.insert(c.id);
        }
    }
    CHECK(ids == std::set<std::string>{"kd-1", "kd-3", "kd-4"});
}

TEST_CASE("sandbox: validate is a dry run")
{
    fixture f;
    auto c = test::valid_child("kd-1", a);
    c.contact.reset();
    auto res =
        f.d.call(http::post, "/v1/validate?profile=readiness", "authority", codec::encode(c));
    REQUIRE(res.result_int() == 200);
    auto v = protocol::parse_validation_result(res.body());
    REQUIRE(v.has_value());
    CHECK_FALSE(v->valid);
    CHECK(v->issues.at(0).code == "contact.missing");
    auto ok = protocol::parse_validation_result(
        f.d.call(http::post, "/v1/validate", "authority", codec::encode(c)).body());
    CHECK(ok->valid); // submission does not need the indicators
    auto broken =
        protocol::parse_validation_result(f.d.call(http::post, "/v1/validate", "zdo-a", "{").body());
    REQUIRE(broken.has_value());
    CHECK_FALSE(broken->valid);
    CHECK(broken->issues.at(0).code == "json.syntax");
    CHECK(f.d.call(http::get, protocol::child_target(a, "kd-1"), "zdo-a").result_int() == 404);
}

TEST_CASE("sandbox: correction requests, reviewed, with an audit trail")
{
    fixture f;
    // A record AIKOM would refuse (no birth date: "a red field"), proposed for direct entry.
    auto c = test::valid_child("kd-7", a);
    c.birth_date.reset();
    boost::json::object body{{"institution", a},
                             {"child_id", "kd-7"},
                             {"reason", "свідоцтво видано за кордоном"},
                             {"record", boost::json::parse(codec::encode(c))}};
    const auto created =
        f.d.call(http::post, "/v1/correction-requests", "zdo-a", boost::json::serialize(body));
    REQUIRE(created.result_int() == 201);
    const std::string id(boost::json::parse(created.body()).at("id").as_string());
    CHECK(f.d.put(c, "zdo-a").result_int() == 422);

    const auto list = boost::json::parse(
        f.d.call(http::get, "/v1/correction-requests?status=pending", "reviewer").body());
    CHECK(list.at("items").as_array().size() == 1);
    CHECK(f.d.call(http::post, protocol::correction_target(id, "apply"), "reviewer",
                   R"({"note":"перевірено"})")
              .result_int() == 200);
    CHECK(f.d.call(http::get, protocol::child_target(a, "kd-7"), "zdo-a").result_int() == 200);
    const auto again = f.d.call(http::post, protocol::correction_target(id, "reject"), "reviewer",
                                R"({"note":"пізно"})");
    CHECK(again.result_int() == 409);
    const auto view =
        boost::json::parse(f.d.call(http::get, protocol::correction_target(id), "zdo-a").body());
    CHECK(view.at("status").as_string() == "applied");
    const auto& history = view.at("history").as_array();
    REQUIRE(history.size() == 2);
    CHECK(history[0].at("action").as_string() == "correction.create");
    CHECK(history[1].at("action").as_string() == "correction.apply");
    CHECK(history[1].at("actor").as_string() == "reviewer");
}

TEST_CASE("sandbox: completeness report over the caller's scope")
{
    fixture f;
    auto c = test::valid_child("kd-1", a);
    REQUIRE(f.d.put(c, "zdo-a").result_int() == 201);
    c.id = "kd-2";
    c.contact.reset();
    REQUIRE(f.d.put(c, "zdo-a").result_int() == 201);
    REQUIRE(f.d.put(test::valid_child("kd-3", b), "zdo-b").result_int() == 201);
    const auto res = f.d.call(http::get, "/v1/reports/completeness?as_of=2025-06-01", "zdo-a");
    REQUIRE(res.result_int() == 200);
    const auto r = boost::json::parse(res.body());
    const auto& institutions = r.at("institutions").as_array();
    REQUIRE(institutions.size() == 1);
    CHECK(institutions[0].at("edrpou").as_string() == a);
    const auto all =
        boost::json::parse(f.d.call(http::get, "/v1/reports/completeness", "admin").body());
    CHECK(all.at("institutions").as_array().size() == 2);
}

TEST_CASE("sandbox: fault knobs are admin-only and shape the answers")
{
    fixture f;
    CHECK(f.d.call(http::get, "/v1/admin/faults", "zdo-a").result_int() == 403);
    const auto set = f.d.call(http::put, "/v1/admin/faults", "admin",
                              R"({"error_rate":1.0,"error_status":429,"retry_after_seconds":7})");
    REQUIRE(set.result_int() == 200);
    test::request req{bhttp::verb::get, "/v1", 11};
    const auto plan = f.svc.plan_faults(req);
    CHECK(plan.fail);
    // The admin endpoint is spared, so the knobs can always be turned off.
    test::request admin{bhttp::verb::put, "/v1/admin/faults", 11};
    CHECK_FALSE(f.svc.plan_faults(admin).fail);
    const auto res = f.svc.fault_response(req);
    CHECK(res.result_int() == 429);
    CHECK(res[bhttp::field::retry_after] == "7");
    CHECK(protocol::parse_problem(res.body())->retryable);
    CHECK(f.d.call(http::put, "/v1/admin/faults", "admin", R"({"error_rate":2})").result_int() ==
          422);
    CHECK(f.d.call(http::put, "/v1/admin/faults", "admin", "{}").result_int() == 200);
    CHECK_FALSE(f.svc.plan_faults(req).fail);
}

TEST_CASE("sandbox: the role × route × scope matrix (service level)")
{
    fixture f;
    test::run_role_matrix(f.d);
}

TEST_CASE("sandbox: a key whose first request is still running answers 409 with Retry-After")
{
    fixture f;
    const std::string body = protocol::batch_request_json({test::valid_child("kd-1", a)});
    // What the service fingerprints: method, target and body.
    const std::string hash = codec::sha256("POST /v1/batches\n" + body).to_hex();
    sandbox::detail::idempotency_entry existing;
    REQUIRE(f.store.write([&](sandbox::detail::storage::transaction& tx) {
        return tx.begin_idempotent("zdo-a", "slow-1", hash, existing);
    }) == sandbox::detail::idempotency_begin::started);
    const auto res =
        f.d.call(http::post, "/v1/batches", "zdo-a", body, {{"Idempotency-Key", "slow-1"}});
    CHECK(res.result_int() == 409);
    CHECK(problem_type(res) == "urn:aikom:problem:idempotency-in-progress");
    CHECK(res[bhttp::field::retry_after] == "1");
    CHECK(protocol::parse_problem(res.body())->retryable);
    // Nothing was written by the refused request.
    CHECK(f.d.call(http::get, protocol::child_target(a, "kd-1"), "zdo-a").result_int() == 404);
}

TEST_CASE("sandbox: review findings stay fixed")
{
    fixture f;
    // HTTP Basic whose base64 ends in a single '=' ("zdo-a:zdo-a-secre" has 17 bytes).
    sandbox::server_options o;
    o.clients = {{"oup-1", "o-secret", sandbox::role::authority, {a}}};
    sandbox::detail::storage store(":memory:");
    sandbox::detail::service svc(o, store);
    test::request req{bhttp::verb::post, "/v1/oauth/token", 11};
    req.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
    req.set(bhttp::field::authorization, "Basic b3VwLTE6by1zZWNyZXQ="); // oup-1:o-secret
    req.body() = "grant_type=client_credentials";
    req.prepare_payload();
    CHECK(svc.handle(req, "t").result_int() == 200);

    // A withdrawal reason longer than the format allows is refused, not stored.
    REQUIRE(f.d.put(test::valid_child("kd-1", a), "zdo-a").result_int() == 201);
    const auto long_reason =
        f.d.call(http::post, protocol::withdrawal_target(a, "kd-1"), "zdo-a",
                 R"({"left_on":"2025-05-30","reason":")" + std::string(501, 'x') + "\"}");
    CHECK(long_reason.result_int() == 422);
    CHECK(f.d.call(http::post, protocol::withdrawal_target(a, "kd-1"), "zdo-a",
                   R"({"left_on":"2025-05-30"})")
              .result_int() == 200);

    // The history of cr-1 does not include cr-10.
    std::string last;
    for (int i = 0; i < 10; ++i) {
        const auto res =
            f.d.call(http::post, "/v1/correction-requests", "zdo-a",
                     R"({"institution":"32855961","child_id":"c-)" + std::to_string(i) +
                         R"(","reason":"тест","record":{"id":"x"}})");
        REQUIRE(res.result_int() == 201);
        last = std::string(boost::json::parse(res.body()).at("id").as_string());
    }
    CHECK(last == "cr-10");
    const auto view =
        boost::json::parse(f.d.call(http::get, protocol::correction_target("cr-1"), "zdo-a").body());
    CHECK(view.at("history").as_array().size() == 1);
}

TEST_CASE("sandbox: envelopes and query parameters are checked, not guessed")
{
    fixture f;
    CHECK(f.d.call(http::get, "/v1/changes?limt=5", "zdo-a").result_int() == 400);
    CHECK(f.d.call(http::get, "/v1?x=1").result_int() == 400);
    CHECK(f.d.call(http::get, "/v1/correction-requests?status=done", "reviewer").result_int() ==
          400);
    const auto cr = f.d.call(
        http::post, "/v1/correction-requests", "zdo-a",
        R"({"institution":"32855961","child_id":"c-1","reason":"тест","record":{"id":"x"},"extra":1})");
    CHECK(cr.result_int() == 422);
    const auto ok = f.d.call(
        http::post, "/v1/correction-requests", "zdo-a",
        R"({"institution":"32855961","child_id":"c-1","reason":"тест","record":{"id":"x"}})");
    REQUIRE(ok.result_int() == 201);
    const std::string id(boost::json::parse(ok.body()).at("id").as_string());
    CHECK(f.d.call(http::post, protocol::correction_target(id, "reject"), "reviewer", "{}")
              .result_int() == 422);
    CHECK(
        boost::json::parse(
            f.d.call(http::get, "/v1/correction-requests?institution=21560766", "reviewer").body())
            .at("items")
            .as_array()
            .empty());
    // A 412 tells the current ETag; every answer forbids caching.
    REQUIRE(f.d.put(test::valid_child("kd-1", a), "zdo-a").result_int() == 201);
    const auto stale = f.d.put(test::valid_child("kd-1", a), "zdo-a", {{"If-Match", "\"0\""}});
    CHECK(stale.result_int() == 412);
    CHECK(stale[bhttp::field::etag].size() == 34);
    CHECK(stale[bhttp::field::cache_control] == "no-store");
    const auto token405 = f.d.call(http::get, "/v1/oauth/token");
    CHECK(token405.result_int() == 405);
    CHECK(token405[bhttp::field::allow] == "POST");
}

TEST_CASE("sandbox: second review findings stay fixed")
{
    fixture f;
    // A record entered through a correction (it fails `submission`) can still be withdrawn.
    auto c = test::valid_child("kd-900", a);
    c.document->series.reset();
    boost::json::object body{{"institution", a},
                             {"child_id", "kd-900"},
                             {"reason", "тест"},
                             {"record", boost::json::parse(codec::encode(c))}};
    const auto created =
        f.d.call(http::post, "/v1/correction-requests", "zdo-a", boost::json::serialize(body));
    REQUIRE(created.result_int() == 201);
    const std::string id(boost::json::parse(created.body()).at("id").as_string());
    REQUIRE(
        f.d.call(http::post, protocol::correction_target(id, "apply"), "reviewer", "{}").result_int() ==
        200);
    CHECK(f.d.call(http::post, protocol::withdrawal_target(a, "kd-900"), "zdo-a",
                   R"({"left_on":"2025-05-30"})")
              .result_int() == 200);
    // ...but not with a leaving date before enrollment: that error is new.
    REQUIRE(f.d.put(test::valid_child("kd-901", a), "zdo-a").result_int() == 201);

    // A child_id must be a record id: no names in ids, URLs or the feed.
    body["child_id"] = "Тестенко Олена 2021-03-14";
    const auto named =
        f.d.call(http::post, "/v1/correction-requests", "zdo-a", boost::json::serialize(body));
    CHECK(named.result_int() == 422);
    CHECK(protocol::parse_problem(named.body())->errors.at(0).pointer == "/child_id");

    // A cursor ahead of the feed, or of another database, or of the format before epochs, is
    // 410, not a silent empty page.
    const std::string epoch = feed_epoch(f);
    CHECK(f.d.call(http::get, protocol::changes_target(protocol::change_cursor(epoch, 9999)), "zdo-a")
              .result_int() == 410);
    CHECK(f.d.call(http::get, protocol::changes_target(protocol::change_cursor(epoch + "x", 1)),
                   "zdo-a")
              .result_int() == 410);
    CHECK(f.d.call(http::get, protocol::changes_target(protocol::encode_cursor("c", "1")), "zdo-a")
              .result_int() == 410);

    // If-None-Match on a read compares weakly; a method the route lacks is 405 before 403.
    const auto put = f.d.put(test::valid_child("kd-902", a), "zdo-a");
    const std::string tag(put[bhttp::field::etag]);
    CHECK(f.d.call(http::get, protocol::child_target(a, "kd-902"), "zdo-a", {},
                   {{"If-None-Match", "W/" + tag}})
              .result_int() == 304);
    CHECK(f.d.call(http::delete_, "/v1/admin/faults", "zdo-a").result_int() == 405);

    // A client without a secret cannot be configured.
    sandbox::server_options o;
    o.clients = {{"x", "", sandbox::role::admin, {}}};
    sandbox::detail::storage store(":memory:");
    CHECK_THROWS_AS(sandbox::detail::service(o, store), std::invalid_argument);
}

TEST_CASE("sandbox: concurrent apply and reject: one wins, and a rejected record is never written")
{
    fixture f;
    (void)f.d.token("zdo-a");
    (void)f.d.token("reviewer");
    for (int round = 0; round < 40; ++round) {
        const std::string child = "race-" + std::to_string(round);
        const auto created = f.d.call(http::post, "/v1/correction-requests", "zdo-a",
                                      R"({"institution":"32855961","child_id":")" + child +
                                          R"(","reason":"тест","record":{"id":"x"}})");
        REQUIRE(created.result_int() == 201);
        const std::string id(boost::json::parse(created.body()).at("id").as_string());
        unsigned applied = 0;
        unsigned rejected = 0;
        std::thread t1([&] {
            applied = f.d.call(http::post, protocol::correction_target(id, "apply"), "reviewer", "{}")
                          .result_int();
        });
        std::thread t2([&, token = f.d.token("reviewer")] {
            test::request req{bhttp::verb::post, protocol::correction_target(id, "reject"), 11};
            req.set(bhttp::field::authorization, "Bearer " + token);
            req.set(bhttp::field::content_type, "application/json");
            req.body() = R"({"note":"ні"})";
            req.prepare_payload();
            rejected = f.svc.handle(req, "t").result_int();
        });
        t1.join();
        t2.join();
        CAPTURE(round);
        CHECK(((applied == 200 && rejected == 409) || (applied == 409 && rejected == 200)));
        const auto stored = f.d.call(http::get, protocol::child_target(a, child), "zdo-a").result_int();
        CHECK(stored == (applied == 200 ? 200u : 404u));
    }
}

TEST_CASE("sandbox: access follows the grants of the moment, with a token issued before them")
{
    fixture f;
    const auto child = test::valid_child("kd-g1", a);
    REQUIRE(f.d.put(child, "admin").result_int() == 201);
    const auto target = protocol::child_target(a, child.id);
    const std::string grant = "/v1/institutions/" + a + "/grants/platform-2";
    // The token is issued before any grant.
    CHECK(f.d.call(http::get, target, "platform-2").result_int() == 403);

    auto granted = f.d.call(http::put, grant, "authority", R"({"note":"наказ ОУО № 15"})");
    REQUIRE(granted.result_int() == 201);
    CHECK(granted[bhttp::field::location] == grant);
    const auto g = boost::json::parse(granted.body()).as_object();
    CHECK(g.at("client_id") == "platform-2");
    CHECK(g.at("role") == "platform");
    CHECK(g.at("granted_by") == "authority");
    CHECK(g.at("note") == "наказ ОУО № 15");
    // The same token now reaches the institution: read, list, write, the feed.
    CHECK(f.d.call(http::get, target, "platform-2").result_int() == 200);
    CHECK(f.d.call(http::get, protocol::children_target(a), "platform-2").result_int() == 200);
    CHECK(f.d.put(test::valid_child("kd-g2", a), "platform-2").result_int() == 201);
    // Granting again updates the note: 200, granted_by kept.
    const auto again = f.d.call(http::put, grant, "admin", R"({"note":"оновлено"})");
    CHECK(again.result_int() == 200);
    CHECK(boost::json::parse(again.body()).at("granted_by") == "authority");
    // The authority sees who may act for its institution, and the trail.
    const auto list = boost::json::parse(
        f.d.call(http::get, "/v1/institutions/" + a + "/grants", "authority").body());
    std::set<std::string> grantees;
    for (const auto& item : list.at("items").as_array()) {
        grantees.insert(std::string(item.at("client_id").as_string()));
    }
    CHECK(grantees == std::set<std::string>{"platform", "platform-2", "zdo-a"});

    REQUIRE(f.d.call(http::delete_, grant, "authority").result_int() == 204);
    // The very next request of the same token is refused.
    CHECK(f.d.call(http::get, target, "platform-2").result_int() == 403);
    CHECK(f.d.call(http::delete_, grant, "authority").result_int() == 404);
    CHECK(f.d.call(http::get, grant, "authority").result_int() == 404);

    const auto history = boost::json::parse(
        f.d.call(http::get, "/v1/institutions/" + a + "/grant-history", "authority").body());
    std::vector<std::string> actions;
    for (const auto& e : history.at("items").as_array()) {
        if (e.at("client_id") == "platform-2") {
            actions.emplace_back(e.at("action").as_string());
            CHECK(e.at("actor").is_string());
        }
    }
    CHECK(actions == std::vector<std::string>{"grant.create", "grant.update", "grant.revoke"});
    // Seeded grants appear with a null actor.
    CHECK(history.at("items").as_array().at(0).at("actor").is_null());

    // Only institutions and platforms take grants; the client must exist; the body is checked.
    CHECK(f.d.call(http::put, "/v1/institutions/" + a + "/grants/reviewer", "admin").result_int() ==
          409);
    CHECK(f.d.call(http::put, "/v1/institutions/" + a + "/grants/nobody", "admin").result_int() ==
          404);
    const auto bad = f.d.call(http::put, grant, "admin", R"({"note":5,"extra":1})");
    CHECK(bad.result_int() == 422);
    CHECK(protocol::parse_problem(bad.body())->errors.size() == 2);
    CHECK(f.d.call(http::put, grant, "admin", "[1]").result_int() == 400);
    CHECK(f.d.call(http::put, "/v1/institutions/1234/grants/platform-2", "admin").result_int() ==
          400);
}

TEST_CASE("sandbox: grants made through the API survive a restart")
{
    const auto path = std::filesystem::temp_directory_path() /
                      ("aikom-grants-" + std::to_string(std::random_device{}()) + ".db");
    sandbox::server_options options;
    options.clients = test::test_clients();
    options.secret_kdf_iterations = test::test_kdf_iterations;
    const auto child = test::valid_child("kd-r1", a);
    {
        sandbox::detail::storage store(path.string());
        sandbox::detail::service svc(options, store);
        test::protocol_driver d{[&](test::request req) { return svc.handle(req, "test"); }};
        REQUIRE(d.put(child, "admin").result_int() == 201);
        REQUIRE(d.call(http::put, "/v1/institutions/" + a + "/grants/platform-2", "admin")
                    .result_int() == 201);
        // A seeded grant revoked through the API stays revoked.
        REQUIRE(d.call(http::delete_, "/v1/institutions/" + a + "/grants/zdo-a", "admin")
                    .result_int() == 204);
    }
    {
        sandbox::detail::storage store(path.string());
        sandbox::detail::service svc(options, store);
        test::protocol_driver d{[&](test::request req) { return svc.handle(req, "test"); }};
        CHECK(d.call(http::get, protocol::child_target(a, child.id), "platform-2").result_int() ==
              200);
        CHECK(d.call(http::get, protocol::child_target(a, child.id), "zdo-a").result_int() == 403);
    }
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::error_code ec;
        std::filesystem::remove(path.string() + suffix, ec);
    }
}

TEST_CASE("sandbox: the feed filtered by institution, its cursor advancing past what it skipped")
{
    fixture f;
    REQUIRE(f.d.put(test::valid_child("kd-f1", a), "admin").result_int() == 201);
    for (int i = 0; i < 5; ++i) {
        REQUIRE(f.d.put(test::valid_child("kd-b" + std::to_string(i), b), "admin").result_int() == 201);
    }
    const std::vector<std::string> only_a{a};
    auto page = protocol::parse_change_page(
        f.d.call(http::get, protocol::changes_target({}, 0, only_a), "platform").body());
    REQUIRE(page.has_value());
    REQUIRE(page->changes.size() == 1);
    CHECK(page->changes[0].id == "kd-f1");
    CHECK_FALSE(page->has_more);
    // Up to date: the cursor points at the head of the national feed (seq 6), not at seq 1.
    CHECK(protocol::parse_change_cursor(page->next_cursor)->seq == 6);
    // Unfiltered, the platform sees both institutions.
    page = protocol::parse_change_page(f.d.call(http::get, "/v1/changes", "platform").body());
    REQUIRE(page.has_value());
    CHECK(page->changes.size() == 6);
    // A named institution out of scope is a 403; a malformed one a 400.
    const std::vector<std::string> only_b{b};
    CHECK(f.d.call(http::get, protocol::changes_target({}, 0, only_b), "zdo-a").result_int() == 403);
    CHECK(f.d.call(http::get, "/v1/changes?institution=12", "zdo-a").result_int() == 400);
}

TEST_CASE("sandbox: red fields, the base ETag, and apply refused when the record changed")
{
    fixture f;
    // The stored record, then a correction proposed against it (no birth date: a red field).
    auto c = test::valid_child("kd-8", a);
    const auto put = f.d.put(c, "zdo-a");
    REQUIRE(put.result_int() == 201);
    const std::string etag(boost::json::parse(put.body()).at("etag").as_string());
    c.birth_date.reset();
    boost::json::object body{{"institution", a},
                             {"child_id", "kd-8"},
                             {"reason", "дата народження не підтверджена реєстром"},
                             {"record", boost::json::parse(codec::encode(c))}};
    const auto created =
        f.d.call(http::post, "/v1/correction-requests", "zdo-a", boost::json::serialize(body));
    REQUIRE(created.result_int() == 201);
    auto cr = protocol::parse_correction_request(created.body());
    REQUIRE(cr.has_value());
    CHECK(cr->fields == std::vector<std::string>{"/birth_date"}); // filled from submission
    CHECK(cr->base_etag == etag);                                  // the current record's
    CHECK_FALSE(cr->issues.empty());
    CHECK(cr->record.has_value()); // the full object, as in GET
    CHECK_FALSE(cr->reviewed_by.has_value());

    // Fields given by the caller are kept; a stale base_etag is refused at creation.
    body["fields"] = boost::json::array{"/birth_date", "/document/number"};
    body["base_etag"] = "0123456789abcdef0123456789abcdef";
    const auto stale =
        f.d.call(http::post, "/v1/correction-requests", "zdo-a", boost::json::serialize(body));
    CHECK(stale.result_int() == 412);
    CHECK(stale[bhttp::field::etag] == "\"" + etag + "\"");
    body["base_etag"] = etag;
    const auto second =
        f.d.call(http::post, "/v1/correction-requests", "zdo-a", boost::json::serialize(body));
    REQUIRE(second.result_int() == 201);
    CHECK(protocol::parse_correction_request(second.body())->fields ==
          std::vector<std::string>{"/birth_date", "/document/number"});

    // The record changes; applying the first request is refused and it stays pending.
    auto changed = test::valid_child("kd-8", a);
    changed.free_meals = true;
    REQUIRE(f.d.put(changed, "zdo-a").result_int() == 200);
    const auto refused = f.d.call(http::post, protocol::correction_target(cr->id, "apply"),
                                  "reviewer", R"({"note":"перевірено"})");
    CHECK(refused.result_int() == 409);
    CHECK(problem_type(refused) == "urn:aikom:problem:conflict");
    CHECK_FALSE(refused[bhttp::field::etag].empty());
    const auto view = protocol::parse_correction_request(
        f.d.call(http::get, protocol::correction_target(cr->id), "zdo-a").body());
    REQUIRE(view.has_value());
    CHECK(view->status == protocol::correction_status::pending);
    // Reject needs a note and answers with the full object.
    CHECK(f.d.call(http::post, protocol::correction_target(cr->id, "reject"), "reviewer", "{}")
              .result_int() == 422);
    const auto rejected = f.d.call(http::post, protocol::correction_target(cr->id, "reject"),
                                   "reviewer", R"({"note":"подайте знову"})");
    REQUIRE(rejected.result_int() == 200);
    const auto r = protocol::parse_correction_request(rejected.body());
    REQUIRE(r.has_value());
    CHECK(r->status == protocol::correction_status::rejected);
    CHECK(r->review_note == "подайте знову");
    CHECK_FALSE(r->etag.has_value());
}

TEST_CASE("sandbox: the correction list pages, each cursor bound to its filter")
{
    fixture f;
    for (int i = 0; i < 3; ++i) {
        boost::json::object body{{"institution", a},
                                 {"child_id", "kd-p" + std::to_string(i)},
                                 {"reason", "тест"},
                                 {"record", boost::json::parse(R"({"id":"x"})")}};
        REQUIRE(f.d.call(http::post, "/v1/correction-requests", "zdo-a",
                         boost::json::serialize(body))
                    .result_int() == 201);
    }
    std::vector<std::string> seen;
    std::string target = protocol::corrections_target("pending", {}, 2);
    for (int pages = 0; pages < 5; ++pages) {
        const auto page = protocol::parse_correction_page(f.d.call(http::get, target, "reviewer").body());
        REQUIRE(page.has_value());
        for (const auto& item : page->items) {
            seen.push_back(item.child_id);
            CHECK_FALSE(item.record.has_value()); // summaries
        }
        if (!page->has_more) {
            CHECK_FALSE(page->next_cursor.has_value());
            break;
        }
        REQUIRE(page->next_cursor.has_value());
        target = protocol::corrections_target("pending", {}, 2, *page->next_cursor);
        // The same cursor with another filter is refused.
        CHECK(f.d.call(http::get, protocol::corrections_target("applied", {}, 2, *page->next_cursor),
                       "reviewer")
                  .result_int() == 400);
    }
    CHECK(seen == std::vector<std::string>{"kd-p0", "kd-p1", "kd-p2"});
}

TEST_CASE("sandbox: progress by day and the figures of form 85-К, in JSON and in HTML")
{
    fixture f;
    REQUIRE(f.d.put(test::valid_child("kd-1", a), "zdo-a").result_int() == 201);
    auto not_ready = test::valid_child("kd-2", a);
    not_ready.contact.reset();
    REQUIRE(f.d.put(not_ready, "zdo-a").result_int() == 201);
    REQUIRE(f.d.put(test::valid_child("kd-3", b), "zdo-b").result_int() == 201);

    const auto today = model::to_iso_string(model::today_kyiv());
    const auto res = f.d.call(http::get, "/v1/reports/progress?from=" + today + "&to=" + today,
                              "zdo-a");
    REQUIRE(res.result_int() == 200);
    const auto progress = protocol::parse_progress_report(res.body());
    REQUIRE(progress.has_value());
    REQUIRE(progress->institutions.size() == 1); // the caller's scope
    const auto& day = progress->institutions[0].days.at(0);
    CHECK(day.records == 2);
    CHECK(day.active == 2);
    CHECK(day.ready == 1);
    CHECK(f.d.call(http::get, "/v1/reports/progress?from=2025-01-01&to=2026-12-31", "zdo-a")
              .result_int() == 400); // more than 366 days, or in the future
    CHECK(f.d.call(http::get, "/v1/reports/progress?to=2999-01-01", "zdo-a").result_int() == 400);

    const auto form = protocol::parse_form85k_report(
        f.d.call(http::get, "/v1/reports/form-85k", "admin").body());
    REQUIRE(form.has_value());
    CHECK(form->total.children == 3);
    CHECK(form->institutions.size() == 2);

    const auto html = f.d.call(http::get, "/v1/reports/form-85k", "admin", {},
                               {{"Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}});
    CHECK(html[bhttp::field::content_type].starts_with("text/html"));
    CHECK(html.body().find("<table") != std::string::npos);
    const auto json = f.d.call(http::get, "/v1/reports/progress", "zdo-a", {},
                               {{"Accept", "application/json, text/html;q=0.5"}});
    CHECK(json[bhttp::field::content_type] == "application/json");
}

TEST_CASE("sandbox: protocol errors name the parameter or header at fault")
{
    fixture f;
    auto first_error = [&](const test::response& res) {
        const auto p = protocol::parse_problem(res.body());
        REQUIRE(p.has_value());
        REQUIRE_FALSE(p->errors.empty());
        return p->errors.front();
    };
    const auto unknown = f.d.call(http::get, "/v1/changes?limt=5", "zdo-a");
    CHECK(unknown.result_int() == 400);
    auto e = first_error(unknown);
    CHECK(e.code == "parameter.unknown");
    CHECK(e.parameter == std::optional<std::string>("limt"));
    CHECK(e.pointer.empty());

    e = first_error(f.d.call(http::get, "/v1/changes?limit=0", "zdo-a"));
    CHECK(e.code == "parameter.invalid");
    CHECK(e.parameter == std::optional<std::string>("limit"));
    CHECK(e.message_en.find("1..1000") != std::string::npos);

    const auto path = f.d.call(http::get, "/v1/institutions/1234/children/kd-1", "zdo-a");
    CHECK(path.result_int() == 400);
    e = first_error(path);
    CHECK(e.code == "path.invalid");
    CHECK(e.parameter == std::optional<std::string>("edrpou"));

    const auto key = f.d.call(http::post, "/v1/batches", "zdo-a", R"({"items":[]})",
                              {{"Idempotency-Key", "a key with spaces"}});
    CHECK(key.result_int() == 400);
    e = first_error(key);
    CHECK(e.code == "header.invalid");
    CHECK(e.header == std::optional<std::string>("Idempotency-Key"));

    e = first_error(f.d.call(http::put, protocol::child_target(a, "kd-1"), "reviewer",
                             codec::encode(test::valid_child("kd-1", a))));
    CHECK(e.code == "access.scope");
    CHECK(e.message_en.find("children:write") != std::string::npos);
    e = first_error(f.d.call(http::get, protocol::child_target(b, "kd-1"), "zdo-a"));
    CHECK(e.code == "access.institution");

    auto body = test::valid_child("kd-2", a);
    e = first_error(f.d.call(http::put, protocol::child_target(a, "kd-other"), "zdo-a",
                             codec::encode(body)));
    CHECK(e.code == "path.mismatch");
    CHECK(e.pointer == "/id");

    e = first_error(f.d.call(http::get, "/v1/reports/progress?institution=abc", "admin"));
    CHECK(e.code == "parameter.invalid");
    CHECK(e.parameter == std::optional<std::string>("institution"));
}

TEST_CASE("sandbox: records written before readiness was kept count in progress from the start")
{
    sandbox::detail::storage store(":memory:");
    // Written straight to the storage, as a database of an earlier version holds them.
    const auto c = test::valid_child("kd-old-1", a);
    const auto json = codec::encode(c);
    store.write([&](sandbox::detail::storage::transaction& tx) {
        (void)tx.put_child(a, c.id, json, "e1");
    });
    sandbox::server_options options;
    options.clients = test::test_clients();
    options.secret_kdf_iterations = test::test_kdf_iterations;
    sandbox::detail::service svc(options, store);
    test::protocol_driver d{[&](test::request req) { return svc.handle(req, "test"); }};
    const auto today = model::to_iso_string(model::today_kyiv());
    const auto p = protocol::parse_progress_report(
        d.call(http::get, "/v1/reports/progress?from=" + today + "&to=" + today, "zdo-a").body());
    REQUIRE(p.has_value());
    REQUIRE(p->institutions.size() == 1);
    CHECK(p->institutions[0].days.at(0).records == 1);
    CHECK(p->institutions[0].days.at(0).ready == 1);
}

TEST_CASE("sandbox: the 412 of a DELETE or a withdrawal carries no ETag")
{
    fixture f;
    REQUIRE(f.d.put(test::valid_child("kd-412", a), "zdo-a").result_int() == 201);
    const auto del = f.d.call(http::delete_, protocol::child_target(a, "kd-412"), "zdo-a", {},
                              {{"If-Match", "\"0000\""}});
    CHECK(del.result_int() == 412);
    CHECK(del[bhttp::field::etag].empty());
    const auto withdraw = f.d.call(http::post, protocol::withdrawal_target(a, "kd-412"), "zdo-a",
                                   R"({"left_on":"2025-05-30"})", {{"If-Match", "\"0000\""}});
    CHECK(withdraw.result_int() == 412);
    CHECK(withdraw[bhttp::field::etag].empty());
}

namespace {

// How many change events the feed holds for zdo-a.
std::size_t feed_events(fixture& f)
{
    const auto page =
        protocol::parse_change_page(f.d.call(http::get, "/v1/changes?limit=1000", "zdo-a").body());
    REQUIRE(page.has_value());
    return page->changes.size();
}

} // namespace

TEST_CASE("sandbox: an idempotent request's writes and its key commit together or not at all")
{
    const auto correction = [] {
        auto c = test::valid_child("kd-7", a);
        c.birth_date.reset();
        return boost::json::serialize(boost::json::object{
            {"institution", a},
            {"child_id", "kd-7"},
            {"reason", "свідоцтво видано за кордоном"},
            {"record", boost::json::parse(codec::encode(c))}});
    }();
    struct endpoint {
        std::string target;
        std::string body;
        unsigned status;     ///< of a success
        std::size_t events;  ///< change events a success writes
    };
    const std::vector<endpoint> endpoints = {
        {"/v1/batches", protocol::batch_request_json({test::valid_child("kd-1", a)}), 200, 1},
        {"/v1/correction-requests", correction, 201, 0},
    };
    for (const auto& e : endpoints) {
        CAPTURE(e.target);
        fixture f;
        const auto audit_entries = [&] {
            return f.store
                .read([](sandbox::detail::storage::transaction& tx) {
                    return tx.audit_trail("", 1000);
                })
                .size();
        };
        const auto audited_before = audit_entries(); // the grants seeded at start
        // The disk fails as the answer is stored, after the handler's own writes.
        bool fail_once = true;
        f.store.set_write_hook([&](std::string_view operation) {
            if (operation == "finish_idempotent" && std::exchange(fail_once, false)) {
                throw sandbox::detail::storage_error("injected: the disk failed");
            }
        });
        const std::map<std::string, std::string> key{{"Idempotency-Key", "k-1"}};
        const auto failed = f.d.call(http::post, e.target, "zdo-a", e.body, key);
        CHECK(failed.result_int() == 503);
        // Nothing of it remains: no audit entry, record, correction request, event or key.
        CHECK(audit_entries() == audited_before);
        CHECK(f.d.call(http::get, protocol::child_target(a, "kd-1"), "zdo-a").result_int() == 404);
        CHECK(f.d.call(http::get, protocol::correction_target("cr-1"), "zdo-a").result_int() != 200);
        CHECK(feed_events(f) == 0);

        // The retry with the same key runs (it is not 409 "in progress"), exactly once.
        const auto retried = f.d.call(http::post, e.target, "zdo-a", e.body, key);
        CHECK(retried.result_int() == e.status);
        CHECK(retried["Idempotent-Replayed"].empty());
        const auto replayed = f.d.call(http::post, e.target, "zdo-a", e.body, key);
        CHECK(replayed.result_int() == e.status);
        CHECK(replayed["Idempotent-Replayed"] == "true");
        CHECK(replayed.body() == retried.body());
        CHECK(feed_events(f) == e.events);
    }
}

TEST_CASE("sandbox: a client's idempotency keys are capped: one more is 429, the held ones replay")
{
    fixture f([](sandbox::server_options& o) { o.caps.idempotency_keys_per_client = 2; });
    const auto batch = [&](const std::string& id, const std::string& key,
                           const std::string& client = "zdo-a") {
        return f.d.call(http::post, "/v1/batches", client,
                        protocol::batch_request_json({test::valid_child(id, a)}),
                        {{"Idempotency-Key", key}});
    };
    REQUIRE(batch("kd-1", "k-1").result_int() == 200);
    REQUIRE(batch("kd-2", "k-2").result_int() == 200);
    const auto third = batch("kd-3", "k-3");
    CHECK(third.result_int() == 429);
    CHECK(problem_type(third) == "urn:aikom:problem:rate-limited");
    const auto wait = std::stoll(std::string(third[bhttp::field::retry_after]));
    CHECK(wait >= 1);
    CHECK(wait <= f.options.idempotency_retention.count());
    // Nothing of the refused request was written, and the keys held still replay.
    CHECK(f.d.call(http::get, protocol::child_target(a, "kd-3"), "zdo-a").result_int() == 404);
    CHECK(batch("kd-1", "k-1")["Idempotent-Replayed"] == "true");
    // Without a key, and for another client, requests go on.
    CHECK(f.d.call(http::post, "/v1/batches", "zdo-a",
                   protocol::batch_request_json({test::valid_child("kd-3", a)}))
              .result_int() == 200);
    CHECK(batch("kd-4", "k-3", "platform").result_int() == 200);
}

TEST_CASE("sandbox: a client holds at most its cap of tokens: a new one revokes the oldest")
{
    fixture f([](sandbox::server_options& o) { o.caps.tokens_per_client = 2; });
    const auto new_token = [&](const std::string& client) {
        const auto t = protocol::parse_token_response(f.d.request_token(client).body());
        REQUIRE(t.has_value());
        return t->access_token;
    };
    const auto status_with = [&](const std::string& token) {
        return f.d.call(http::get, protocol::children_target(a), {}, {},
                        {{"Authorization", "Bearer " + token}})
            .result_int();
    };
    const auto other = new_token("platform");
    const auto first = new_token("zdo-a");
    const auto second = new_token("zdo-a");
    CHECK(status_with(first) == 200);
    const auto third = new_token("zdo-a");
    CHECK(status_with(first) == 401);
    CHECK(status_with(second) == 200);
    CHECK(status_with(third) == 200);
    CHECK(status_with(other) == 200); // another client's tokens are its own
}

TEST_CASE("sandbox: housekeeping keeps the newest refusals in the audit trail, up to the cap")
{
    fixture f([](sandbox::server_options& o) { o.caps.refusals_kept = 2; });
    for (int i = 0; i < 3; ++i) {
        CHECK(f.d.call(http::get, protocol::children_target(b), "zdo-a").result_int() == 403);
    }
    CHECK(f.d.call(http::put, "/v1/admin/faults", "admin", "{}").result_int() == 200);
    const auto count = [&](std::string_view action) {
        const auto trail = f.store.read([](sandbox::detail::storage::transaction& tx) {
            return tx.audit_trail("", 100);
        });
        return std::count_if(trail.begin(), trail.end(),
                             [&](const auto& entry) { return entry.action == action; });
    };
    REQUIRE(count("access.denied") == 3);
    f.svc.housekeeping();
    CHECK(count("access.denied") == 2);
    CHECK(count("admin.faults") == 1);
}
