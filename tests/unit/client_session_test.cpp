// The client session without a network: connections over Beast's test streams, with a failure
// injected at every read and write step of a request (fail-count loop), scripted answers for the
// token, 401s and retries, and a logger that must never see a secret.
#include <aikom/client/session.hpp>
#include <aikom/codec/json.hpp>

#include "client/support.hpp"
#include "client/transport.hpp"
#include "client_fake_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/_experimental/test/fail_count.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>

using namespace aikom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using client::client_errc;
using protocol::problem_kind;

using namespace aikom::test::client_fake;

TEST_CASE("client session: an error at every read and write step fails cleanly or is retried, and "
          "the pool stays usable")
{
    for (const unsigned attempts : {1u, 4u}) {
        CAPTURE(attempts);
        bool injected_every_step = false;
        std::size_t n = 0;
        for (; n < 2000 && !injected_every_step; ++n) {
            CAPTURE(n);
            asio::io_context io;
            script sc;
            auto connector = std::make_shared<fake_connector>(io, sc);
            connector->next_fails = n;
            auto o = fake_options();
            o.retry.max_attempts = attempts;
            auto s = client::detail::make_session(io.get_executor(), o, connector);
            client::diagnostics diag;
            auto f = s.async_upsert("32855961", record(), client::call_options{.diag = &diag},
                                    asio::use_future);
            io.restart();
            io.run();
            try {
                const auto w = f.get();
                CHECK(w.etag == "e1");
                CHECK(w.status == protocol::write_status::created);
                if (s.stats().connections_opened == 1) {
                    injected_every_step = true; // n is past the last step: no failure happened
                }
            } catch (const boost::system::system_error& e) {
                // Only without retries may a call fail, and then with a clean transport error.
                CHECK(attempts == 1);
                CHECK(e.code() == client_errc::connection_lost);
                CHECK_FALSE(diag.message.empty());
            }
            // Whatever happened, the same session works afterwards.
            auto again = s.async_upsert("32855961", record(), asio::use_future);
            CHECK(run(io, std::move(again)).etag == "e1");
            CHECK(s.stats().connections_opened <= 3); // the failed one, replaced, and no leak
        }
        CHECK(injected_every_step);
        MESSAGE("a failure was injected at each of " << n - 1 << " read/write steps");
    }
}

TEST_CASE("client session: one token for many calls, and a 401 renews it once and repeats once")
{
    asio::io_context io;
    script sc;
    sc.token = {token_ok, token_ok_2};
    sc.other = {write_ok, problem_response(401, "unauthorized"), write_ok};
    auto s = client::detail::make_session(io.get_executor(), fake_options(),
                                          std::make_shared<fake_connector>(io, sc));
    CHECK(run(io, s.async_upsert("32855961", record(), asio::use_future)).etag == "e1");
    CHECK(run(io, s.async_upsert("32855961", record(), asio::use_future)).etag == "e1");
    CHECK(s.stats().token_requests == 2);
    // token, PUT, PUT (401), token, PUT
    REQUIRE(sc.seen.size() == 5);
    CHECK(sc.seen[1][http::field::authorization] == "Bearer tok-1");
    CHECK(sc.seen[2][http::field::authorization] == "Bearer tok-1");
    CHECK(sc.seen[4][http::field::authorization] == "Bearer tok-2");
    // The token request carries Basic credentials and a form body, never the bearer token.
    CHECK(sc.seen[0][http::field::authorization].starts_with("Basic "));
    CHECK(sc.seen[0].body() == "grant_type=client_credentials");

    // A second 401 in a row is final: no loop of renewals.
    sc.other = {problem_response(401, "unauthorized")};
    client::diagnostics diag;
    auto f = s.async_upsert("32855961", record(), client::call_options{.diag = &diag},
                            asio::use_future);
    CHECK(code_of_future(io, f) == problem_kind::unauthorized);
    CHECK(s.stats().token_requests == 3);
}

TEST_CASE("client session: concurrent calls share one token request")
{
    asio::io_context io;
    script sc;
    auto s = client::detail::make_session(io.get_executor(), fake_options(),
                                          std::make_shared<fake_connector>(io, sc));
    std::vector<std::future<protocol::write_result>> fs;
    for (int i = 0; i < 10; ++i) {
        fs.push_back(s.async_upsert("32855961", record(), asio::use_future));
    }
    io.run();
    for (auto& f : fs) {
        CHECK(f.get().etag == "e1");
    }
    CHECK(s.stats().token_requests == 1);
    CHECK(s.stats().connections_opened <= 2); // the pool size
}

TEST_CASE("client session: invalid_client from the token endpoint is final and says why")
{
    asio::io_context io;
    script sc;
    sc.token = {http_response(401, "application/json",
                              R"({"error":"invalid_client","error_description":"unknown client"})")};
    auto s = client::detail::make_session(io.get_executor(), fake_options(),
                                          std::make_shared<fake_connector>(io, sc));
    client::diagnostics diag;
    auto f = s.async_upsert("32855961", record(), client::call_options{.diag = &diag},
                            asio::use_future);
    CHECK(code_of_future(io, f) == problem_kind::unauthorized);
    CHECK(diag.message.find("invalid_client") != std::string::npos);
    CHECK(s.stats().token_requests == 1);
    CHECK(sc.seen.size() == 1); // never retried
}

TEST_CASE("client session: 503 with Retry-After is retried with the same Idempotency-Key")
{
    asio::io_context io;
    script sc;
    const auto batch_ok = http_response(200, "application/json", R"({"results":[]})");
    sc.other = {problem_response(503, "unavailable", "Retry-After: 0\r\n"),
                problem_response(409, "idempotency-in-progress", "Retry-After: 0\r\n"), batch_ok};
    auto s = client::detail::make_session(io.get_executor(), fake_options(),
                                          std::make_shared<fake_connector>(io, sc));
    client::diagnostics diag;
    const auto r = run(io, s.async_submit_batch({record()}, client::call_options{.diag = &diag},
                                               asio::use_future));
    CHECK(r.results.empty());
    CHECK(diag.attempts == 3);
    REQUIRE(sc.seen.size() == 4); // token + 3
    const auto key = sc.seen[1]["Idempotency-Key"];
    CHECK(key.size() > 8);
    CHECK(sc.seen[2]["Idempotency-Key"] == key);
    CHECK(sc.seen[3]["Idempotency-Key"] == key);
    CHECK(sc.seen[1]["X-Request-Id"] == sc.seen[3]["X-Request-Id"]);
    CHECK(sc.seen[1].body() == sc.seen[3].body()); // the very same bytes

    // 409 conflict and 422 are final.
    sc.other = {problem_response(409, "conflict")};
    auto f = s.async_submit_batch({record()}, client::call_options{.diag = &diag},
                                  asio::use_future);
    CHECK(code_of_future(io, f) == problem_kind::conflict);
    CHECK(diag.attempts == 1);
}

TEST_CASE("client session: a response over the size limit is an error, not an allocation")
{
    asio::io_context io;
    script sc;
    sc.other = {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000"
                "\r\n\r\n{"};
    auto o = fake_options();
    o.max_response_body = 4096;
    auto s = client::detail::make_session(io.get_executor(), o, std::make_shared<fake_connector>(io, sc));
    auto f = s.async_get("32855961", "kd-1", asio::use_future);
    CHECK(code_of_future(io, f) == client_errc::response_too_large);
}

TEST_CASE("client session: answers that are not the protocol's are errors with our message")
{
    asio::io_context io;
    script sc;
    auto s = client::detail::make_session(io.get_executor(), fake_options(),
                                          std::make_shared<fake_connector>(io, sc));
    client::diagnostics diag;
    const auto opts = client::call_options{.diag = &diag};

    sc.other = {http_response(200, "text/html", "<html>login</html>")};
    auto f1 = s.async_get("32855961", "kd-1", opts, asio::use_future);
    CHECK(code_of_future(io, f1) == protocol::protocol_errc::unexpected_content_type);
    CHECK(diag.message.find("text/html") != std::string::npos);

    sc.other = {http_response(502, "text/html", "bad gateway")};
    auto o = fake_options();
    auto f2 = s.async_get("32855961", "kd-1", opts, asio::use_future);
    CHECK(code_of_future(io, f2) == protocol::protocol_errc::problem_without_details);
    CHECK(diag.attempts == o.retry.max_attempts); // 502 is retried, then reported

    sc.other = {"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"};
    auto f3 = s.async_get("32855961", "kd-1", opts, asio::use_future);
    CHECK(code_of_future(io, f3) == client_errc::bad_response);
}

TEST_CASE("client session: the logger sees methods, paths and statuses, never secrets or bodies")
{
    asio::io_context io;
    script sc;
    sc.other = {problem_response(503, "unavailable", "Retry-After: 0\r\n"), write_ok};
    std::vector<std::string> lines;
    auto o = fake_options();
    o.log = {.level = client::log_level::trace,
             .sink = [&](client::log_level, std::string_view m) { lines.emplace_back(m); }};
    auto s = client::detail::make_session(io.get_executor(), o, std::make_shared<fake_connector>(io, sc));
    auto rec = record();
    rec.name = model::person_name{.last = "Тестенко", .first = "Марія"};
    (void)run(io, s.async_upsert("32855961", rec, asio::use_future));
    REQUIRE_FALSE(lines.empty());
    bool saw_put = false;
    bool saw_retry = false;
    for (const auto& l : lines) {
        CHECK(l.find("zdo-a-secret") == std::string::npos);
        CHECK(l.find("tok-1") == std::string::npos);
        CHECK(l.find("Тестенко") == std::string::npos);
        CHECK(l.find("Authorization") == std::string::npos);
        CHECK(l.find("Basic") == std::string::npos);
        saw_put = saw_put || l.find("PUT /v1/institutions/32855961/children/kd-1") != std::string::npos;
        saw_retry = saw_retry || l.find("retrying") != std::string::npos;
    }
    CHECK(saw_put);
    CHECK(saw_retry);
}

TEST_CASE("client session: options that cannot work are refused at construction")
{
    asio::io_context io;
    auto bad = [&](client::client_options o) {
        try {
            client::session s(io.get_executor(), o);
        } catch (const boost::system::system_error& e) {
            return e.code() == client_errc::invalid_options;
        }
        return false;
    };
    auto o = fake_options();
    o.base_url = "http://sandbox.test";
    CHECK(bad(o));
    o.base_url = "not a url";
    CHECK(bad(o));
    o.base_url = "https://user:pw@sandbox.test";
    CHECK(bad(o));
    o = fake_options();
    o.pool_size = 0;
    CHECK(bad(o));
    o = fake_options();
    o.tls.ca_file = "/nonexistent/ca.pem";
    CHECK(bad(o));
}

TEST_CASE("client support: base URLs, ids and what a log may show")
{
    std::string why;
    auto a = client::detail::parse_base_url("https://sandbox.example:8443/ignored", why);
    REQUIRE(a.has_value());
    CHECK(a->host == "sandbox.example");
    CHECK(a->port == "8443");
    CHECK(a->host_header == "sandbox.example:8443");
    CHECK_FALSE(a->ip_literal);
    auto v6 = client::detail::parse_base_url("https://[::1]", why);
    REQUIRE(v6.has_value());
    CHECK(v6->host == "::1");
    CHECK(v6->port == "443");
    CHECK(v6->host_header == "[::1]");
    CHECK(v6->ip_literal);
    CHECK(client::detail::parse_base_url("https://127.0.0.1:443", why)->host_header == "127.0.0.1");
    CHECK_FALSE(client::detail::parse_base_url("http://sandbox.example", why).has_value());
    CHECK(why.find("https") != std::string::npos);

    std::mt19937_64 rng(1);
    const auto key = client::detail::make_idempotency_key(rng);
    CHECK(key.size() == 35);
    CHECK(key != client::detail::make_idempotency_key(rng));
    CHECK(client::detail::make_request_id(rng).starts_with("cl-"));

    CHECK(client::detail::loggable_header("etag"));
    CHECK(client::detail::loggable_header("X-Request-Id"));
    CHECK_FALSE(client::detail::loggable_header("Authorization"));
    CHECK_FALSE(client::detail::loggable_header("Set-Cookie"));
    CHECK(client::detail::loggable_target("/v1/changes?cursor=abc&limit=5") ==
          "/v1/changes?cursor=abc&limit=5");
    CHECK(client::detail::loggable_target("/v1/x?name=Тестенко&limit=5") ==
          "/v1/x?name=***&limit=5");
}

TEST_CASE("client session: turning TLS verification off is said loudly through the logger")
{
    asio::io_context io;
    std::vector<std::pair<client::log_level, std::string>> lines;
    auto o = fake_options();
    o.tls.insecure_skip_verification = true;
    o.log = {.level = client::log_level::error, // even a logger that wants errors only hears it
             .sink = [&](client::log_level l, std::string_view m) { lines.emplace_back(l, m); }};
    client::session s(io.get_executor(), o);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].first == client::log_level::warning);
    CHECK(lines[0].second.find("TLS VERIFICATION IS OFF") != std::string::npos);

    lines.clear();
    o.tls.insecure_skip_verification = false;
    client::session verified(io.get_executor(), o);
    CHECK(lines.empty());
}

TEST_CASE("client session: calls cancelled while one fetches the token and one waits for it "
          "leave the session usable")
{
    // Found by the sync engine's cancellation test: a waiter woken by the end of a cancelled
    // refresh became the refresher and was cancelled in turn; an exception out of its co_await
    // left the refresh flag set and every later call waited for a token forever.
    asio::io_context io;
    script sc;
    sc.delay = 20ms;
    auto s = client::detail::make_session(io.get_executor(), fake_options(),
                                          std::make_shared<fake_connector>(io, sc));
    asio::cancellation_signal first;
    asio::cancellation_signal second;
    boost::system::error_code ec1;
    boost::system::error_code ec2;
    s.async_upsert("32855961", record(),
                   asio::bind_cancellation_slot(first.slot(),
                                                [&](boost::system::error_code ec, auto) { ec1 = ec; }));
    s.async_upsert("32855961", record(),
                   asio::bind_cancellation_slot(second.slot(),
                                                [&](boost::system::error_code ec, auto) { ec2 = ec; }));
    asio::steady_timer t(io, 5ms);
    t.async_wait([&](boost::system::error_code) {
        first.emit(asio::cancellation_type::terminal);
        second.emit(asio::cancellation_type::terminal);
    });
    io.run();
    CHECK(ec1 == asio::error::operation_aborted);
    CHECK(ec2 == asio::error::operation_aborted);
    sc.delay = 0ms;
    auto f = s.async_upsert("32855961", record(), asio::use_future);
    CHECK(run(io, std::move(f)).etag == "e1"); // and a new call gets a token and an answer
}
