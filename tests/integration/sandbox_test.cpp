// The real reference server, in-process on port 0, over real TLS.
#include <aikom/codec/json.hpp>
#include <aikom/sandbox/server.hpp>
#include <aikom/protocol/problem.hpp>
#include <aikom/protocol/routes.hpp>
#include <aikom/protocol/session.hpp>
#include <aikom/protocol/types.hpp>

#include "sandbox/log.hpp"

#include "fixtures.hpp"
#include "protocol_driver.hpp"
#include "running_server.hpp"
#include "tls_client.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <future>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

using namespace aikom;
using verb = boost::beast::http::verb;

namespace {

using test::running_server;

const std::string a(test::institution_a);

} // namespace

TEST_CASE("server: TLS with a generated CA, discovery and a token over HTTPS")
{
    running_server s;
    REQUIRE(s.srv.port() != 0);
    CHECK(s.srv.ca_pem().find("BEGIN CERTIFICATE") != std::string::npos);
    test::tls_client client(s.srv.port(), s.srv.ca_pem());
    test::protocol_driver d(client.as_transport());
    const auto res = d.call(verb::get, "/v1");
    REQUIRE(res.result_int() == 200);
    CHECK(protocol::parse_discovery(res.body()).has_value());
    CHECK_FALSE(d.token("zdo-a").empty());

    // A client that does not trust this CA cannot talk to the server at all.
    running_server other;
    test::tls_client stranger(s.srv.port(), other.srv.ca_pem());
    CHECK_THROWS(stranger.handshake_only());
}

TEST_CASE("server: TLS below 1.2 and plain HTTP on the TLS port are refused, TLS goes on")
{
    running_server s;
    const auto port = s.srv.port();
    // Control: the same probe speaking TLS 1.2 gets through.
    CHECK(test::handshake_error(port, s.srv.ca_pem(), test::tls_version::v1_2) == "");
    const auto refused = test::handshake_error(port, s.srv.ca_pem(), test::tls_version::v1_1);
    CAPTURE(refused);
    CHECK_FALSE(refused.empty());
    CHECK(refused.find("protocol version") != std::string::npos);

    // Plain HTTP on the TLS port: no HTTP answer at all, and the connection is closed.
    const auto plain = test::plain_exchange(port, "GET /v1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(plain.closed);
    CHECK(plain.bytes.find("HTTP/1.1") == std::string::npos);
    CHECK(plain.bytes.find("\"version\"") == std::string::npos);

    // The server goes on serving TLS clients.
    test::tls_client client(port, s.srv.ca_pem());
    test::protocol_driver d(client.as_transport());
    CHECK(d.call(verb::get, "/v1").result_int() == 200);
}

TEST_CASE("server: the role × route × scope matrix over HTTPS")
{
    running_server s;
    test::tls_client client(s.srv.port(), s.srv.ca_pem());
    test::protocol_driver d(client.as_transport());
    test::run_role_matrix(d);
}

TEST_CASE("server: an expired, tampered, truncated or extended token is 401 like a missing one")
{
    running_server s({.token_lifetime = std::chrono::seconds(2)});
    test::tls_client client(s.srv.port(), s.srv.ca_pem());
    test::protocol_driver d(client.as_transport());
    const auto target = protocol::children_target(a);
    const auto with_token = [&](const std::string& token) {
        return d.call(verb::get, target, {}, {}, {{"Authorization", "Bearer " + token}});
    };
    const auto without_request_id = [](const test::response& res) {
        auto v = boost::json::parse(res.body());
        v.as_object().erase("request_id");
        return boost::json::serialize(v);
    };
    const std::string token = d.token("zdo-a");
    REQUIRE(with_token(token).result_int() == 200);

    const auto missing = d.call(verb::get, target);
    REQUIRE(missing.result_int() == 401);
    CHECK(missing[boost::beast::http::field::www_authenticate] == "Bearer");
    const auto missing_problem = protocol::parse_problem(missing.body());
    REQUIRE(missing_problem.has_value());

    auto tampered = token;
    const auto middle = tampered.size() / 2;
    tampered[middle] = tampered[middle] == 'A' ? 'B' : 'A';
    const std::vector<std::pair<std::string, std::string>> forged = {
        {"one character changed", tampered},
        {"truncated", token.substr(0, token.size() - 1)},
        {"extra bytes", token + "AAAA"},
        {"the token twice", token + token},
    };
    std::string refusal; // every refusal alike, request id aside: no oracle for a forger
    const auto check_refused = [&](const test::response& res) {
        CHECK(res.result_int() == 401);
        CHECK(res[boost::beast::http::field::www_authenticate] == "Bearer error=\"invalid_token\"");
        const auto p = protocol::parse_problem(res.body());
        REQUIRE(p.has_value());
        // The same problem as a missing token; the detail only says to get a new token.
        CHECK(p->type == missing_problem->type);
        CHECK(p->title == missing_problem->title);
        CHECK(p->status == missing_problem->status);
        CHECK(p->errors.size() == missing_problem->errors.size());
        CHECK(res.body().find(token) == std::string::npos);
        if (refusal.empty()) {
            refusal = without_request_id(res);
        }
        CHECK(without_request_id(res) == refusal);
    };
    for (const auto& [what, bad] : forged) {
        CAPTURE(what);
        check_refused(with_token(bad));
    }
    REQUIRE(with_token(token).result_int() == 200); // the genuine token was not harmed

    // Expired: past its lifetime the genuine token is refused the same way; a new one works.
    std::this_thread::sleep_for(std::chrono::milliseconds(2200));
    check_refused(with_token(token));
    const auto renewed = d.request_token("zdo-a");
    REQUIRE(renewed.result_int() == 200);
    const auto fresh = protocol::parse_token_response(renewed.body());
    REQUIRE(fresh.has_value());
    CHECK(with_token(fresh->access_token).result_int() == 200);
}

TEST_CASE("server: the change feed stays gap-free and duplicate-free while another thread writes")
{
    running_server s;
    constexpr int total = 300;
    std::atomic<bool> writer_done{false};
    std::thread writer([&] {
        test::tls_client wc(s.srv.port(), s.srv.ca_pem());
        test::protocol_driver wd(wc.as_transport());
        for (int i = 0; i < total; ++i) {
            auto c = test::valid_child("w-" + std::to_string(i), a);
            if (i % 3 == 0) {
                // every third write is a batch of one, to mix the write paths
                wd.call(verb::post, "/v1/batches", "zdo-a", protocol::batch_request_json({c}));
            } else {
                wd.put(c, "zdo-a");
            }
        }
        writer_done = true;
    });

    test::tls_client rc(s.srv.port(), s.srv.ca_pem());
    test::protocol_driver rd(rc.as_transport());
    std::vector<std::int64_t> seqs;
    std::set<std::string> ids;
    std::string cursor;
    int pages_while_writing = 0;
    for (int guard = 0; guard < 100000 && ids.size() < total; ++guard) {
        const bool writing = !writer_done;
        const auto res = rd.call(verb::get, protocol::changes_target(cursor, 7), "zdo-a");
        REQUIRE(res.result_int() == 200);
        auto page = protocol::parse_change_page(res.body());
        REQUIRE(page.has_value());
        for (const auto& c : page->changes) {
            if (!seqs.empty()) {
                REQUIRE(c.seq > seqs.back()); // strictly increasing: no duplicate, no reordering
            }
            seqs.push_back(c.seq);
            CHECK(ids.insert(c.id).second); // each record written once appears once
        }
        cursor = page->next_cursor;
        pages_while_writing += writing ? 1 : 0;
    }
    writer.join();
    CHECK(ids.size() == total);
    CHECK(pages_while_writing > 1);
    // Nothing appears later below a position already passed: reading again from the start
    // gives exactly the same sequence.
    std::vector<std::int64_t> again;
    cursor.clear();
    for (int guard = 0; guard < 1000; ++guard) {
        auto page = protocol::parse_change_page(
            rd.call(verb::get, protocol::changes_target(cursor, 1000), "zdo-a").body());
        REQUIRE(page.has_value());
        for (const auto& c : page->changes) {
            again.push_back(c.seq);
        }
        cursor = page->next_cursor;
        if (!page->has_more) {
            break;
        }
    }
    CHECK(again == seqs);
}

TEST_CASE("server: a body over the limit is refused without being read whole")
{
    sandbox::server_options o;
    o.max_body_bytes = 4096;
    running_server s(o);
    test::tls_client client(s.srv.port(), s.srv.ca_pem());
    // Declare 100 MB but send only the header and a few bytes: the server must answer 413 at
    // once and close, not wait for the rest.
    const auto answer = client.raw_exchange(
        "PUT /v1/institutions/32855961/children/kd-1 HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{\"id\":");
    CHECK(answer.starts_with("HTTP/1.1 413"));
    CHECK(answer.find("payload-too-large") != std::string::npos);

    // A body within the limit is read and handled as usual.
    test::protocol_driver d(client.as_transport());
    CHECK(d.put(test::valid_child("kd-1", a), "zdo-a").result_int() == 201);
}

TEST_CASE("server: fault knobs answer 503/429 with Retry-After, or drop the connection")
{
    running_server s;
    test::tls_client client(s.srv.port(), s.srv.ca_pem());
    test::protocol_driver d(client.as_transport());
    const auto& token = d.token("zdo-a"); // before the faults start
    (void)token;
    s.srv.set_faults(
        {.error_rate = 1.0, .error_status = 503, .retry_after = std::chrono::seconds(3)});
    const auto res = d.call(verb::get, "/v1");
    CHECK(res.result_int() == 503);
    CHECK(res[boost::beast::http::field::retry_after] == "3");
    CHECK(protocol::parse_problem(res.body())->retryable);

    s.srv.set_faults({.drop_rate = 1.0});
    const auto dropped = client.raw_exchange("GET /v1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(dropped.empty());

    s.srv.set_faults({.latency = std::chrono::milliseconds(200)});
    const auto start = std::chrono::steady_clock::now();
    CHECK(d.call(verb::get, "/v1").result_int() == 200);
    // A lower bound only (the knob must delay); never an upper bound on a noisy machine.
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(200));
    s.srv.set_faults({});
    CHECK(d.call(verb::get, "/v1").result_int() == 200);
}

TEST_CASE("server: what a 2xx confirmed is there after a restart on the same database")
{
    test::temp_dir dir;
    sandbox::server_options o;
    o.tls_dir = dir.path() / "tls";
    o.database = (dir.path() / "sandbox.db").string();
    o.clients = test::test_clients();
    o.secret_kdf_iterations = test::test_kdf_iterations;
    std::string etag;
    {
        sandbox::server srv(o);
        srv.start();
        test::tls_client client(srv.port(), srv.ca_pem());
        test::protocol_driver d(client.as_transport());
        const auto res = d.put(test::valid_child("kd-1", a), "zdo-a");
        REQUIRE(res.result_int() == 201);
        etag = std::string(res[boost::beast::http::field::etag]);
        srv.stop();
    }
    sandbox::server srv(o);
    srv.start();
    test::tls_client client(srv.port(), srv.ca_pem());
    test::protocol_driver d(client.as_transport());
    const auto res = d.call(verb::get, protocol::child_target(a, "kd-1"), "zdo-a");
    CHECK(res.result_int() == 200);
    CHECK(res[boost::beast::http::field::etag] == etag);
    srv.stop();
}

TEST_CASE("server: every endpoint's happy path and the documented error statuses over HTTPS")
{
    running_server s;
    test::tls_client client(s.srv.port(), s.srv.ca_pem());
    test::protocol_driver d(client.as_transport());
    auto status = [](const test::response& r) { return r.result_int(); };
    auto problem = [](const test::response& r) {
        auto p = protocol::parse_problem(r.body());
        return p ? p->type : std::string();
    };
    const auto c = test::valid_child("kd-1", a);

    // Happy paths, one per endpoint.
    CHECK(status(d.call(verb::get, "/v1")) == 200);
    const auto put = d.put(c, "zdo-a");
    CHECK(status(put) == 201);
    const std::string etag(put[boost::beast::http::field::etag]);
    CHECK(status(d.call(verb::get, protocol::child_target(a, "kd-1"), "zdo-a")) == 200);
    CHECK(status(d.call(verb::get, protocol::children_target(a), "zdo-a")) == 200);
    CHECK(status(d.call(verb::post, protocol::withdrawal_target(a, "kd-1"), "zdo-a",
                        R"({"left_on":"2025-05-30"})")) == 200);
    CHECK(status(d.call(verb::post, "/v1/batches", "zdo-a",
                        protocol::batch_request_json({test::valid_child("kd-2", a)}))) == 200);
    CHECK(status(d.call(verb::get, "/v1/changes", "zdo-a")) == 200);
    CHECK(status(d.call(verb::post, "/v1/validate", "zdo-a", codec::encode(c))) == 200);
    const auto cr = d.call(
        verb::post, "/v1/correction-requests", "zdo-a",
        R"({"institution":"32855961","child_id":"kd-3","reason":"тест","record":{"id":"kd-3"}})");
    REQUIRE(status(cr) == 201);
    const auto cr_id = std::string(boost::json::parse(cr.body()).at("id").as_string());
    CHECK(status(d.call(verb::get, "/v1/correction-requests", "reviewer")) == 200);
    CHECK(status(d.call(verb::get, protocol::correction_target(cr_id), "reviewer")) == 200);
    CHECK(status(d.call(verb::post, protocol::correction_target(cr_id, "reject"), "reviewer",
                        R"({"note":"дані неповні"})")) == 200);
    CHECK(status(d.call(verb::get, "/v1/reports/completeness", "authority")) == 200);
    CHECK(status(d.call(verb::put, "/v1/admin/faults", "admin", "{}")) == 200);
    CHECK(status(d.call(verb::delete_, protocol::child_target(a, "kd-2"), "zdo-a")) == 204);

    // Errors, one per documented status (410 and 409 in progress: see the unit tier; 413, 429
    // and 503: the tests above).
    CHECK(status(d.call(verb::put, protocol::child_target(a, "kd-9"), "zdo-a", "{")) == 400);
    const auto unauth = d.call(verb::get, "/v1/changes");
    CHECK(status(unauth) == 401);
    CHECK(problem(unauth) == "urn:aikom:problem:unauthorized");
    CHECK(status(d.call(verb::get, protocol::child_target(test::institution_b, "kd-1"), "zdo-a")) ==
          403);
    CHECK(status(d.call(verb::get, protocol::child_target(a, "nope"), "zdo-a")) == 404);
    const auto wrong_method = d.call(verb::patch, protocol::child_target(a, "kd-1"), "zdo-a", "{}");
    CHECK(status(wrong_method) == 405);
    CHECK(wrong_method[boost::beast::http::field::allow] == "GET, PUT, DELETE");
    CHECK(status(d.call(verb::post, protocol::correction_target(cr_id, "apply"), "reviewer", "{}")) ==
          409);
    CHECK(status(d.put(c, "zdo-a", {{"If-Match", etag}})) == 412); // withdrawn since: new ETag
    CHECK(status(d.call(verb::get, protocol::child_target(a, "kd-1"), "zdo-a", {},
                        {{"If-None-Match", "*"}})) == 304);
    CHECK(status(d.call(verb::put, protocol::child_target(a, "kd-1"), "zdo-a", "x",
                        {{"Content-Type", "text/plain"}})) == 415);
    auto bad = c;
    bad.sex.reset();
    const auto invalid = d.put(bad, "zdo-a");
    CHECK(status(invalid) == 422);
    CHECK(problem(invalid) == "urn:aikom:problem:validation-failed");
    CHECK_FALSE(invalid["X-Request-Id"].empty());
    // The client's own request id comes back.
    CHECK(d.call(verb::get, "/v1", {}, {}, {{"X-Request-Id", "my-req-1"}})["X-Request-Id"] ==
          "my-req-1");
}

TEST_CASE("server: a cursor older than the retention is 410 resync-required over HTTPS")
{
    sandbox::server_options o;
    o.change_retention = std::chrono::seconds(0);
    o.housekeeping_interval = std::chrono::milliseconds(200);
    running_server s(o);
    test::tls_client client(s.srv.port(), s.srv.ca_pem());
    test::protocol_driver d(client.as_transport());
    REQUIRE(d.put(test::valid_child("kd-1", a), "zdo-a").result_int() == 201);
    const auto first = protocol::parse_change_page(d.call(verb::get, "/v1/changes", "zdo-a").body());
    REQUIRE(first.has_value());
    const std::string old_cursor = first->next_cursor;
    REQUIRE(d.put(test::valid_child("kd-2", a), "zdo-a").result_int() == 201);
    REQUIRE(d.call(verb::delete_, protocol::child_target(a, "kd-2"), "zdo-a").result_int() == 204);
    // Wait (bounded) until housekeeping has pruned the tombstone the old cursor still needs.
    unsigned status = 200;
    for (int i = 0; i < 100 && status == 200; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        REQUIRE(d.put(test::valid_child("kd-3", a), "zdo-a").result_int() / 100 == 2);
        status = d.call(verb::get, protocol::changes_target(old_cursor), "zdo-a").result_int();
    }
    CHECK(status == 410);
    const auto again = d.call(verb::get, protocol::changes_target(old_cursor), "zdo-a");
    CHECK(protocol::parse_problem(again.body())->type == "urn:aikom:problem:resync-required");
    // From the start, the feed is whole again.
    CHECK(d.call(verb::get, "/v1/changes", "zdo-a").result_int() == 200);
}

TEST_CASE("server: Idempotency-Key over HTTPS: a replay returns the stored answer, reuse is 422")
{
    running_server s;
    test::tls_client client(s.srv.port(), s.srv.ca_pem());
    test::protocol_driver d(client.as_transport());
    const auto body = protocol::batch_request_json({test::valid_child("kd-1", a)});
    const auto first =
        d.call(verb::post, "/v1/batches", "zdo-a", body, {{"Idempotency-Key", "k-1"}});
    REQUIRE(first.result_int() == 200);
    const auto replay =
        d.call(verb::post, "/v1/batches", "zdo-a", body, {{"Idempotency-Key", "k-1"}});
    CHECK(replay.result_int() == 200);
    CHECK(replay["Idempotent-Replayed"] == "true");
    CHECK(replay.body() == first.body());
    const auto reuse = d.call(verb::post, "/v1/batches", "zdo-a",
                              protocol::batch_request_json({test::valid_child("kd-2", a)}),
                              {{"Idempotency-Key", "k-1"}});
    CHECK(reuse.result_int() == 422);
    CHECK(protocol::parse_problem(reuse.body())->type == "urn:aikom:problem:idempotency-key-reused");
    // The replay wrote nothing twice: one event for kd-1, none for kd-2.
    const auto feed = protocol::parse_change_page(d.call(verb::get, "/v1/changes", "zdo-a").body());
    REQUIRE(feed.has_value());
    CHECK(feed->changes.size() == 1);
}

namespace {

// Replaces this process's stderr with a pipe that is full and that nobody reads (a stalled log
// collector) for the object's lifetime; then puts stderr back and empties the pipe, so that the
// log's writer thread is released.
struct stalled_stderr {
    test::full_pipe pipe;
    int saved = -1;

    stalled_stderr()
    {
        std::fflush(stderr);
        saved = ::dup(2);
        REQUIRE(saved >= 0);
        REQUIRE(::dup2(pipe.write_end(), 2) == 2);
        pipe.close_write_end();
    }
    ~stalled_stderr()
    {
        // What the log still holds goes to /dev/null, not into the test's output.
        const int nowhere = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        ::dup2(nowhere, 2);
        ::close(nowhere);
        (void)pipe.drain();    // a write still waiting on the pipe goes through now
        pipe.close_read_end();
        (void)sandbox::detail::server_log().flush(std::chrono::seconds(10));
        ::dup2(saved, 2);
        ::close(saved);
    }
    stalled_stderr(const stalled_stderr&) = delete;
    stalled_stderr& operator=(const stalled_stderr&) = delete;
};

// A TCP socket to 127.0.0.1:`port`, from 127.0.0.`from` when `from` is not 0; -1 if it could
// not connect (the socket is closed then).
int loopback_connection(std::uint16_t port, std::uint8_t from = 0)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    if (from != 0) {
        sockaddr_in source{};
        source.sin_family = AF_INET;
        source.sin_addr.s_addr = htonl((INADDR_LOOPBACK & 0xffffff00U) | from);
        REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof source) == 0);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Opens a TCP connection to the server, sends plain HTTP to its TLS port and closes: one failed
// TLS handshake, one line in the server's log.
void fail_one_handshake(std::uint16_t port)
{
    if (const int fd = loopback_connection(port); fd >= 0) {
        const std::string plain = "GET /v1 HTTP/1.1\r\nHost: x\r\n\r\n";
        (void)::send(fd, plain.data(), plain.size(), MSG_NOSIGNAL);
        ::close(fd);
    }
}

// The server serves `d`: discovery, a write of record `id` and its read.
void check_serves(test::protocol_driver& d, const std::string& id)
{
    CHECK(d.call(verb::get, "/v1").result_int() == 200);
    CHECK(d.put(test::valid_child(id, a), "zdo-a").result_int() == 201);
    CHECK(d.call(verb::get, "/v1/institutions/" + a + "/children/" + id, "zdo-a").result_int() ==
          200);
}

} // namespace

TEST_CASE("server: keeps answering while its log is a full pipe nobody reads")
{
    running_server s;
    auto& log = sandbox::detail::server_log();
    const auto dropped_before = log.dropped();
    {
        const stalled_stderr stalled;
        // Each failed handshake is a log line from an I/O thread; more than the log queue holds.
        for (int i = 0; i < 1500; ++i) {
            fail_one_handshake(s.srv.port());
        }
        // Lines were dropped, not waited for (a server that waited would stop here, its I/O
        // threads stuck in a write to stderr) ...
        for (int i = 0; i < 2000 && log.dropped() == dropped_before; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        CHECK(log.dropped() > dropped_before);
        // ... and the server answers: discovery, a token, a write and a read.
        test::tls_client client(s.srv.port(), s.srv.ca_pem());
        test::protocol_driver d(client.as_transport());
        check_serves(d, "kd-log-1");
        // A refused request is logged too, and answered.
        CHECK(d.call(verb::get, "/v1/institutions/" + a + "/children/kd-log-1", "zdo-b")
                  .result_int() == 403);
    }
}

namespace {

// Holds the requests whose target starts with `prefix` on the server's worker (through
// server_options::test_before_handling) until released; the first `holds` of them only.
class request_gate {
public:
    request_gate(std::string prefix, int holds) : prefix_(std::move(prefix)), holds_(holds) {}

    void before_handling(std::string_view target)
    {
        std::unique_lock lock(mutex_);
        if (!target.starts_with(prefix_) || holds_ == 0) {
            return;
        }
        --holds_;
        ++held_;
        changed_.notify_all();
        changed_.wait(lock, [&] { return released_; });
    }

    /// Whether a request is being held, waiting at most `guard` (a guard against a hang, not a
    /// measure of anything).
    bool wait_until_held(std::chrono::seconds guard)
    {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, guard, [&] { return held_ > 0; });
    }

    void release()
    {
        {
            const std::lock_guard lock(mutex_);
            released_ = true;
        }
        changed_.notify_all();
    }

private:
    std::string prefix_;
    int holds_;
    int held_ = 0;
    bool released_ = false;
    std::mutex mutex_;
    std::condition_variable changed_;
};

constexpr std::chrono::seconds hang_guard{60};

// One I/O thread and two workers, requests to `prefix` held by `gate`.
sandbox::server_options held_on_a_worker(const std::shared_ptr<request_gate>& gate)
{
    sandbox::server_options o;
    o.threads = 1;
    o.workers = 2;
    o.test_before_handling = [gate](std::string_view target) { gate->before_handling(target); };
    return o;
}

// Runs `work` on a thread of its own; false if it has not finished within the hang guard (then
// `on_hang` runs first, to release what it waits for).
bool finishes(const std::function<void()>& work, const std::function<void()>& on_hang)
{
    auto done = std::async(std::launch::async, work);
    if (done.wait_for(hang_guard) != std::future_status::ready) {
        on_hang();
        done.get();
        return false;
    }
    done.get();
    return true;
}

} // namespace

TEST_CASE("server: a request held on a worker holds up neither GET /v1 nor another read")
{
    auto gate = std::make_shared<request_gate>("/v1/reports/completeness", 1);
    running_server s(held_on_a_worker(gate));
    {
        test::tls_client client(s.srv.port(), s.srv.ca_pem());
        test::protocol_driver d(client.as_transport());
        REQUIRE(d.put(test::valid_child("kd-1", a), "zdo-a").result_int() == 201);
        (void)d.token("authority");
    }
    auto report = std::async(std::launch::async, [&] {
        test::tls_client client(s.srv.port(), s.srv.ca_pem());
        test::protocol_driver d(client.as_transport());
        return d.call(verb::get, "/v1/reports/completeness", "authority").result_int();
    });
    REQUIRE(gate->wait_until_held(hang_guard));

    // With the report held, the one I/O thread and the other worker still answer.
    unsigned discovery = 0;
    unsigned record = 0;
    CHECK(finishes(
        [&] {
            test::tls_client client(s.srv.port(), s.srv.ca_pem());
            test::protocol_driver d(client.as_transport());
            discovery = d.call(verb::get, "/v1").result_int();
            record = d.call(verb::get, protocol::child_target(a, "kd-1"), "zdo-a").result_int();
        },
        [&] { gate->release(); }));
    CHECK(discovery == 200);
    CHECK(record == 200);

    gate->release();
    CHECK(report.get() == 200);
}

TEST_CASE("server: a token request held on a worker holds up neither GET /v1 nor another token")
{
    auto gate = std::make_shared<request_gate>("/v1/oauth/token", 1);
    running_server s(held_on_a_worker(gate));
    auto first = std::async(std::launch::async, [&] {
        test::tls_client client(s.srv.port(), s.srv.ca_pem());
        test::protocol_driver d(client.as_transport());
        return d.request_token("zdo-a").result_int();
    });
    REQUIRE(gate->wait_until_held(hang_guard));

    unsigned discovery = 0;
    unsigned token = 0;
    CHECK(finishes(
        [&] {
            test::tls_client client(s.srv.port(), s.srv.ca_pem());
            test::protocol_driver d(client.as_transport());
            discovery = d.call(verb::get, "/v1").result_int();
            token = d.request_token("zdo-b").result_int();
        },
        [&] { gate->release(); }));
    CHECK(discovery == 200);
    CHECK(token == 200);

    gate->release();
    CHECK(first.get() == 200);
}

namespace {

// Opens an idle TLS connection to `s` from each of `admitted_from` (each is let in and kept), then
// one from `refused_from`, which the server must close before the handshake.
std::vector<std::unique_ptr<test::idle_tls_connection>>
fill_to_cap(const running_server& s, std::initializer_list<const char*> admitted_from,
            const char* refused_from)
{
    std::vector<std::unique_ptr<test::idle_tls_connection>> held;
    for (const char* from : admitted_from) {
        held.push_back(
            std::make_unique<test::idle_tls_connection>(s.srv.port(), s.srv.ca_pem(), from));
        REQUIRE(held.back()->error().empty());
    }
    const test::idle_tls_connection over(s.srv.port(), s.srv.ca_pem(), refused_from);
    CHECK_FALSE(over.error().empty());
    return held;
}

} // namespace

TEST_CASE("server: connections over the cap per address are closed before the handshake")
{
    sandbox::server_options o;
    o.caps.connections_per_address = 2;
    running_server s(o);
    auto held = fill_to_cap(s, {"127.0.0.1", "127.0.0.1"}, "127.0.0.1");
    // Another address has its own count.
    const test::idle_tls_connection elsewhere(s.srv.port(), s.srv.ca_pem(), "127.0.0.2");
    CHECK(elsewhere.error().empty());

    // Once one closes, the address may connect again (as soon as the server has seen it go).
    held.front().reset();
    bool admitted = false;
    for (int i = 0; i < 300 && !admitted; ++i) {
        admitted =
            test::idle_tls_connection(s.srv.port(), s.srv.ca_pem(), "127.0.0.1").error().empty();
        if (!admitted) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    CHECK(admitted);
}

TEST_CASE("server: connections over the total cap are closed before the handshake")
{
    sandbox::server_options o;
    o.caps.connections_total = 2;
    running_server s(o);
    fill_to_cap(s, {"127.0.0.2", "127.0.0.3"}, "127.0.0.4");
}

// ---- slow, idle and malformed clients ---------------------------------------------------------

TEST_CASE("server: a client that sends its header a byte at a time is cut off at the read "
          "timeout, and others are served meanwhile")
{
    sandbox::server_options o;
    o.read_timeout = std::chrono::seconds(1);
    running_server s(o);
    // 400 bytes 25 ms apart: the header would take 10 s, ten times the read timeout.
    const std::string header =
        "GET /v1 HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + std::string(400, 'a') + "\r\n\r\n";
    auto slow = std::async(std::launch::async, [&] {
        return test::dribble(s.srv.port(), s.srv.ca_pem(), header, std::chrono::milliseconds(25));
    });
    test::tls_client client(s.srv.port(), s.srv.ca_pem());
    test::protocol_driver d(client.as_transport());
    CHECK(d.call(verb::get, "/v1").result_int() == 200);
    const auto r = slow.get();
    CHECK(r.ended);
    CHECK(r.written < header.size()); // ended by the server, long before the header's end
    CHECK(r.written > 0);
}

TEST_CASE("server: 1,000 idle connections do not stop it serving others")
{
    // Ours and the server's ends of each connection are descriptors of this process.
    rlimit files{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &files) == 0);
    constexpr rlim_t needed = 2'400;
    if (files.rlim_cur < needed && files.rlim_max >= needed) {
        files.rlim_cur = needed;
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &files) == 0);
    }
    REQUIRE_MESSAGE(files.rlim_cur >= needed, "the hard limit on open files is below " << needed);

    running_server s;
    // Plain TCP connections that never start their TLS handshake, from four addresses (250 each,
    // under the cap per address), and a few that finish it and then send nothing.
    struct descriptors {
        std::vector<int> fds;
        ~descriptors()
        {
            for (const int fd : fds) {
                ::close(fd);
            }
        }
    } idle;
    for (int i = 0; i < 1'000; ++i) {
        // From 127.0.0.2 to 127.0.0.5.
        const auto from = static_cast<std::uint8_t>(2 + i / 250);
        idle.fds.push_back(loopback_connection(s.srv.port(), from));
        REQUIRE(idle.fds.back() >= 0);
    }
    std::vector<std::unique_ptr<test::idle_tls_connection>> handshaken;
    for (int i = 0; i < 20; ++i) {
        handshaken.push_back(
            std::make_unique<test::idle_tls_connection>(s.srv.port(), s.srv.ca_pem(), "127.0.0.6"));
        CHECK(handshaken.back()->error().empty());
    }

    // The server's accept queue is first in, first out: an answer to a connection made after
    // them all means it took every one of them and still serves.
    test::tls_client client(s.srv.port(), s.srv.ca_pem());
    test::protocol_driver d(client.as_transport());
    check_serves(d, "kd-idle-1");
}

TEST_CASE("server: malformed HTTP is a 400 problem and the connection closes")
{
    running_server s;
    test::tls_client client(s.srv.port(), s.srv.ca_pem());
    for (const std::string bytes :
         {"GET /v1 HTTP/1.1\r\nHost localhost\r\n\r\n", // a header line without a colon
          "GET\r\n\r\n",                                // no target, no version
          "GET /v1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: ten\r\n\r\n",
          "POST /v1/batches HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
          "zz\r\n",                                     // a chunk size that is not hex
          "GET /v1 HTTP/1.1\r\nHost: localhost\r\nX-Bad: a\001b\r\n\r\n"}) { // a control byte
        CAPTURE(bytes);
        bool closed = false;
        const auto answer = client.raw_exchange(bytes, &closed);
        CHECK(answer.starts_with("HTTP/1.1 400 "));
        CHECK(answer.find("Connection: close\r\n") != std::string::npos);
        CHECK(answer.find("application/problem+json") != std::string::npos);
        CHECK(closed); // by the server, not by our timeout
    }
    // And the server serves the next one.
    test::protocol_driver d(client.as_transport());
    CHECK(d.call(verb::get, "/v1").result_int() == 200);
}
