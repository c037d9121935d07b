// Faults on the wire (docs/security.md): the client and the sync engine against the real
// reference server behind a fault-injecting proxy (tests/support/fault_proxy.hpp), which resets,
// truncates, stalls, delays and slices connections at exact byte counts, and against a scripted
// server answering what no real server sends. What is checked is what a user would see: one
// answer per call (or one clear error), each write stored once on the server (its change-feed
// events counted), no hang, a session that still works, requests within the retry budget.
//
// Rules are armed on an idle pooled connection (its handshake is over), relative to the bytes it
// has carried so far: `pool_size = 1` makes the connection that a call uses a known one.
#include <aikom/client/session.hpp>
#include <aikom/codec/content_hash.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/sandbox/server.hpp>
#include <aikom/sync/journal.hpp>
#include <aikom/sync/push.hpp>

#include "client_fixtures.hpp"
#include "fault_proxy.hpp"
#include "fixtures.hpp"
#include "protocol_driver.hpp"
#include "running_server.hpp"
#include "sandbox/tls_material.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include <openssl/ssl.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string_view>
#include <thread>

using namespace aikom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using client::call_options;
using client::client_errc;
using protocol::problem_kind;
using test::code_of;
using test::fault;
using test::fault_rule;
using test::flow;
using test::io_threads;
using test::source_of;

namespace {

// The sandbox in-process and the fault proxy in front of it. The proxy goes first on
// destruction: it closes the connections it holds (stalled ones too) before the server stops.
struct rig {
    explicit rig(sandbox::server_options o = {}) : server(std::move(o)), proxy(server.srv.port()) {}
    test::running_server server;
    test::fault_proxy proxy;
};

// A client of `client_id` that reaches the sandbox through the proxy, over one connection.
client::client_options through(const rig& r, std::string client_id = "zdo-a")
{
    auto o = test::client_options_for(r.server, std::move(client_id), 10ms);
    o.base_url = r.proxy.url();
    o.pool_size = 1;
    return o;
}

// The same, straight to the sandbox: to read the server's state past the proxy.
client::client_options direct(const rig& r, std::string client_id = "admin")
{
    auto o = through(r, std::move(client_id));
    o.base_url = r.server.url();
    return o;
}

// A client TLS context that speaks TLS 1.2 only, trusting `ca_pem`: under TLS 1.2 the proxy
// counts requests exactly (wire_counts::requests).
asio::ssl::context tls12(const std::string& ca_pem)
{
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.add_certificate_authority(asio::buffer(ca_pem));
    ctx.set_verify_mode(asio::ssl::verify_peer);
    return ctx;
}

const std::string a(test::institution_a);
const std::string b(test::institution_b);

// The change-feed events of every record, by id, as the admin reads them past the proxy.
std::map<std::string, std::size_t> events_by_id(const rig& r, asio::io_context& io)
{
    client::session admin(io.get_executor(), direct(r));
    auto feed = admin.changes();
    std::map<std::string, std::size_t> events;
    do {
        for (const auto& c : feed.async_next(asio::use_future).get().changes) {
            ++events[c.id];
        }
    } while (!feed.drained());
    return events;
}

// Arms `action` on connection `n` for its next bytes in `direction`, `extra` bytes on.
fault_rule next_on(const test::fault_proxy& p, std::size_t n, flow direction, fault action,
                   std::uint64_t extra = 0)
{
    const auto c = p.counts(n);
    return {.action = action,
            .direction = direction,
            .connection = n,
            .after_bytes = (direction == flow::upstream ? c.upstream : c.downstream) + extra};
}

} // namespace

// ---- resets: before the request, after it, in the middle of the response ------------------

TEST_CASE("faults: a reset before the request reaches the server: sent again once, stored once")
{
    rig r;
    io_threads io;
    client::session zdo(io.io.get_executor(), through(r));
    auto child = test::valid_child("kd-f-before", a);
    REQUIRE(zdo.async_upsert(a, child, asio::use_future).get().status ==
            protocol::write_status::created);
    REQUIRE(r.proxy.connections() == 1);

    // The pooled connection is reset as the request arrives: nothing of it is forwarded.
    const auto up_before = r.proxy.counts(1).upstream;
    r.proxy.add(next_on(r.proxy, 1, flow::upstream, fault::reset));
    child.sex = model::sex::male;
    client::diagnostics diag;
    const auto w = zdo.async_upsert(a, child, call_options{.diag = &diag}, asio::use_future).get();
    CHECK(w.status == protocol::write_status::updated);
    CHECK(r.proxy.counts(1).upstream == up_before);
    CHECK(r.proxy.connections() == 2);
    CHECK(zdo.async_get(a, child.id, asio::use_future).get().etag == w.etag);

    // A new connection reset at its first byte (the TLS handshake): a fresh session's call.
    const auto next = r.proxy.connections() + 1;
    r.proxy.add({.action = fault::reset, .direction = flow::upstream, .connection = next});
    client::session fresh(io.io.get_executor(), through(r));
    child.sex = model::sex::female;
    CHECK(fresh.async_upsert(a, child, asio::use_future).get().status ==
          protocol::write_status::updated);
    CHECK(r.proxy.counts(next).upstream == 0);
    CHECK(r.proxy.counts(next).downstream == 0);
    CHECK(fresh.stats().connections_opened == 2);

    CHECK(events_by_id(r, io.io)[child.id] == 3); // created, and one update for each call
}

TEST_CASE("faults: a reset after the request was sent, before the response: written once")
{
    rig r;
    io_threads io;
    auto tls = tls12(r.server.srv.ca_pem());
    client::session zdo(io.io.get_executor(), tls, through(r));
    auto child = test::valid_child("kd-f-after", a);
    REQUIRE(zdo.async_upsert(a, child, asio::use_future).get().status ==
            protocol::write_status::created);

    // PUT: the server stores the change, the answer is lost, the client sends it again.
    auto requests = r.proxy.totals().requests;
    r.proxy.add(next_on(r.proxy, r.proxy.connections(), flow::downstream, fault::reset));
    child.sex = model::sex::male;
    client::diagnostics diag;
    const auto w = zdo.async_upsert(a, child, call_options{.diag = &diag}, asio::use_future).get();
    CHECK((w.status == protocol::write_status::updated ||
           w.status == protocol::write_status::unchanged));
    CHECK(zdo.async_get(a, child.id, asio::use_future).get().etag == w.etag);
    CHECK(r.proxy.totals().requests - requests == 2 + 1); // the PUT twice, then the GET
    CHECK(diag.attempts == 2); // what the client says it sent is what the server got

    // A batch (POST with an Idempotency-Key): the second send is answered from the stored one.
    std::vector<model::child> batch;
    for (int i = 0; i < 20; ++i) {
        batch.push_back(test::valid_child("kd-f-batch-" + std::to_string(i), a));
    }
    requests = r.proxy.totals().requests;
    r.proxy.add(next_on(r.proxy, r.proxy.connections(), flow::downstream, fault::reset));
    const auto br = zdo.async_submit_batch(batch, call_options{.diag = &diag}, asio::use_future)
                        .get();
    REQUIRE(br.results.size() == 20);
    for (const auto& item : br.results) {
        CHECK(item.status == protocol::item_status::created);
    }
    CHECK(r.proxy.totals().requests - requests == 2);
    CHECK(diag.attempts == 2);

    auto events = events_by_id(r, io.io);
    CHECK(events[child.id] == 2); // created, updated once
    for (const auto& c : batch) {
        CHECK(events[c.id] == 1);
    }
}

TEST_CASE("faults: a reset or a FIN in the middle of a response: read again, written once")
{
    rig r;
    io_threads io;
    client::session zdo(io.io.get_executor(), through(r));
    (void)zdo.async_get(a, "kd-none", asio::use_future).wait(); // the token
    std::vector<model::child> batch;
    for (int i = 0; i < 500; ++i) {
        batch.push_back(test::valid_child("kd-f-mid-" + std::to_string(i), a));
    }
    auto before = r.proxy.counts(1).downstream;
    REQUIRE(zdo.async_submit_batch(batch, asio::use_future).get().results.size() == 500);
    const auto batch_bytes = r.proxy.counts(1).downstream - before;
    REQUIRE(batch_bytes > 40 * 1024); // more than two TLS records

    // A page of 500 records is far longer than one TLS record: cut halfway, the client has read
    // the header and part of the body when the connection breaks.
    before = r.proxy.counts(1).downstream;
    auto pages = zdo.list_children(a, 500);
    REQUIRE(pages.async_next(asio::use_future).get().items.size() == 500);
    const auto page_bytes = r.proxy.counts(1).downstream - before;
    REQUIRE(page_bytes > 64 * 1024);

    for (const auto action : {fault::reset, fault::fin}) {
        CAPTURE(static_cast<int>(action));
        r.proxy.add(next_on(r.proxy, r.proxy.connections(), flow::downstream, action,
                            page_bytes / 2));
        client::diagnostics diag;
        auto again = zdo.list_children(a, 500);
        const auto page = again.async_next(call_options{.diag = &diag}, asio::use_future).get();
        CHECK(page.items.size() == 500);
        CHECK(diag.attempts == 2);
    }

    // A write whose answer breaks halfway, on a client that does not retry: a clear error; the
    // caller's own retry with the same key is answered from the stored response, once.
    auto no_retry = through(r);
    no_retry.retry.max_attempts = 1;
    client::session once(io.io.get_executor(), no_retry);
    REQUIRE(once.async_discover(asio::use_future).get().version == "1");
    (void)once.async_get(a, "kd-none", asio::use_future).wait(); // the token, before the cut
    for (auto& c : batch) {
        c.sex = c.sex == model::sex::male ? model::sex::female : model::sex::male;
    }
    r.proxy.add(next_on(r.proxy, r.proxy.connections(), flow::downstream, fault::reset,
                        batch_bytes / 2));
    client::diagnostics diag;
    const call_options keyed{.diag = &diag, .idempotency_key = "ik-faults-mid-response"};
    CHECK(code_of([&] { (void)once.async_submit_batch(batch, keyed, asio::use_future).get(); }) ==
          client_errc::connection_lost);
    CHECK(diag.message.find("connection broke") != std::string::npos);
    const auto replay = once.async_submit_batch(batch, keyed, asio::use_future).get();
    REQUIRE(replay.results.size() == 500);
    for (const auto& item : replay.results) {
        CHECK(item.status == protocol::item_status::updated);
    }
    const auto events = events_by_id(r, io.io);
    for (const auto& c : batch) {
        CHECK(events.at(c.id) == 2); // created, updated once
    }
}

// ---- stalls and delays past the deadline -------------------------------------------------

TEST_CASE("faults: a stall or a delay past the deadline is a timeout, and the session works after")
{
    rig r;
    io_threads io;
    client::session zdo(io.io.get_executor(), through(r));
    const auto child = test::valid_child("kd-f-stall", a);
    REQUIRE(zdo.async_upsert(a, child, asio::use_future).get().status ==
            protocol::write_status::created);

    const call_options quick{.timeout = 300ms};
    // The server's answer stalls, then is delayed: each ends with a timeout, not a hang.
    for (const auto action : {fault::stall, fault::delay}) {
        CAPTURE(static_cast<int>(action));
        auto rule = next_on(r.proxy, r.proxy.connections(), flow::downstream, action);
        rule.delay = 30s;
        r.proxy.add(rule);
        client::diagnostics diag;
        const call_options opts{.timeout = 300ms, .diag = &diag};
        CHECK(code_of([&] { (void)zdo.async_get(a, child.id, opts, asio::use_future).get(); }) ==
              client_errc::timeout);
        CHECK_FALSE(diag.message.empty());
        r.proxy.clear();
        // The stuck connection was dropped: the same session answers on a new one.
        const auto connections = r.proxy.connections();
        CHECK(zdo.async_get(a, child.id, quick, asio::use_future).get().record.id == child.id);
        CHECK(r.proxy.connections() == connections + 1);
    }

    // A TLS handshake that stalls (the server's hello never arrives): the same.
    const auto next = r.proxy.connections() + 1;
    r.proxy.add({.action = fault::stall, .direction = flow::downstream, .connection = next});
    client::session fresh(io.io.get_executor(), through(r));
    CHECK(code_of([&] {
              (void)fresh.async_get(a, child.id, quick, asio::use_future).get();
          }) == client_errc::timeout);
    r.proxy.clear();
    CHECK(fresh.async_get(a, child.id, quick, asio::use_future).get().record.id == child.id);
    CHECK(r.proxy.counts(next).downstream == 0);
}

// ---- 429 and 503 storms --------------------------------------------------------------------

TEST_CASE("faults: 429 and 503 storms: the retry budget holds, then a clear error")
{
    for (const unsigned status : {503u, 429u}) {
        CAPTURE(status);
        rig r;
        io_threads io;
        auto tls = tls12(r.server.srv.ca_pem());
        auto o = through(r);
        o.retry.max_attempts = 3;
        client::session zdo(io.io.get_executor(), tls, o);
        auto budgeted = o;
        budgeted.retry.budget = 500ms;
        client::session hurried(io.io.get_executor(), tls, budgeted);
        auto patient = o;
        patient.retry.max_attempts = 40;
        client::session persistent(io.io.get_executor(), tls, patient);
        for (auto* s : {&zdo, &hurried, &persistent}) { // the tokens, before the faults
            (void)s->async_get(a, "kd-none", asio::use_future).wait();
        }
        const auto expected = status == 503 ? problem_kind::unavailable : problem_kind::rate_limited;

        // Every answer the fault: max_attempts requests reach the server, then its problem.
        r.server.srv.set_faults({.error_rate = 1.0, .error_status = status, .retry_after = 0s});
        auto requests = r.proxy.totals().requests;
        client::diagnostics diag;
        const auto child = test::valid_child("kd-f-storm", a);
        CHECK(code_of([&] {
                  (void)zdo.async_upsert(a, child, call_options{.diag = &diag}, asio::use_future)
                      .get();
              }) == expected);
        CHECK(r.proxy.totals().requests - requests == 3);
        CHECK(diag.attempts == 3);
        CHECK(diag.http_status == status);
        REQUIRE(diag.problem.has_value());
        CHECK(diag.problem->status == status);

        // A Retry-After past the retry budget: no wait, no second request.
        r.server.srv.set_faults({.error_rate = 1.0, .error_status = status, .retry_after = 60s});
        requests = r.proxy.totals().requests;
        CHECK(code_of([&] {
                  (void)hurried.async_get(a, child.id, call_options{.diag = &diag},
                                          asio::use_future)
                      .get();
              }) == expected);
        CHECK(r.proxy.totals().requests - requests == 1);
        CHECK(diag.attempts == 1);

        // Half the answers the fault: retried until one gets through, stored once.
        r.server.srv.set_faults({.error_rate = 0.5, .error_status = status, .retry_after = 0s});
        CHECK(persistent.async_upsert(a, child, asio::use_future).get().status ==
              protocol::write_status::created);
        r.server.srv.set_faults({});
        CHECK(events_by_id(r, io.io)[child.id] == 1);
    }
}

// ---- what no real server sends -------------------------------------------------------------

TEST_CASE("faults: garbage, a plain-text server and bodies over the limit are clear errors")
{
    io_threads io;
    const auto material = sandbox::detail::generate_tls_material();
    const auto session_for = [&](const test::answering_server& s, unsigned attempts) {
        client::client_options o;
        o.base_url = "https://127.0.0.1:" + std::to_string(s.port());
        o.tls.ca_pem = material.ca_pem;
        o.retry = {.max_attempts = attempts, .base_delay = 10ms};
        o.max_response_body = 64 * 1024;
        return client::session(io.io.get_executor(), o);
    };
    const auto discover = [&](client::session& s, client::diagnostics& diag) {
        return code_of([&] {
            (void)s.async_discover(call_options{.diag = &diag}, asio::use_future).get();
        });
    };
    constexpr std::uint64_t filler = 64ull * 1024 * 1024;
    // The server's writing ends (the client went away); bounded, a hang guard only.
    const auto wait_finished = [](const test::answering_server& s) {
        for (int i = 0; i < 600 && s.finished() < s.connections(); ++i) {
            std::this_thread::sleep_for(50ms);
        }
        return s.finished() == s.connections();
    };

    SUBCASE("bytes that are not HTTP, within the retry budget")
    {
        const char garbage[] = "SSH-2.0-OpenSSH_9.2\r\n\0\1\2\3\r\n\r\n";
        test::answering_server s({.reply = std::string(garbage, sizeof garbage - 1),
                                  .certificate_chain_pem = material.certificate_chain_pem,
                                  .private_key_pem = material.private_key_pem});
        auto session = session_for(s, 2);
        client::diagnostics diag;
        CHECK(discover(session, diag) == client_errc::bad_response);
        CHECK_FALSE(diag.message.empty());
        CHECK(s.connections() == 2);
        CHECK(diag.attempts == 2);
    }
    SUBCASE("a plain-text server where TLS was expected: not retried")
    {
        test::answering_server s({.reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"});
        auto session = session_for(s, 3);
        client::diagnostics diag;
        CHECK(discover(session, diag) == client_errc::tls_handshake_failed);
        CHECK(diag.message.find("TLS handshake") != std::string::npos);
        CHECK(s.connections() == 1);
    }
    // A server that sends `head` and then floods: one request (not retried), the limit named in
    // the message (`said`), and the client stopped reading long before the flood's end.
    const auto flood_refused = [&](std::string head, std::string_view said) {
        test::answering_server s({.reply = std::move(head),
                                  .filler_bytes = filler,
                                  .certificate_chain_pem = material.certificate_chain_pem,
                                  .private_key_pem = material.private_key_pem});
        auto session = session_for(s, 3);
        client::diagnostics diag;
        CHECK(discover(session, diag) == client_errc::response_too_large);
        CHECK(diag.message.find(said) != std::string::npos);
        CHECK(s.connections() == 1);
        REQUIRE(wait_finished(s));
        CHECK(s.bytes_written() < filler / 2);
    };
    SUBCASE("a Content-Length over the limit: refused before the body is read, not retried")
    {
        flood_refused("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      "Content-Length: 1073741824\r\n\r\n",
                      "max_response_body");
    }
    SUBCASE("a chunked body over the limit: reading stops at the limit")
    {
        flood_refused("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n4000000\r\n",
                      "max_response_body");
    }
    SUBCASE("a header that never ends: reading stops at the header limit")
    {
        flood_refused("HTTP/1.1 200 OK\r\nX-Filler: ", "header");
    }
}

// ---- 1-byte writes -------------------------------------------------------------------------

TEST_CASE("faults: every byte in its own write, both ways: every call still works")
{
    rig r;
    r.proxy.add({.action = fault::slice, .direction = flow::both});
    io_threads io;
    client::session zdo(io.io.get_executor(), through(r));
    CHECK(zdo.async_discover(asio::use_future).get().version == "1");
    const auto child = test::valid_child("kd-f-slice", a);
    const auto w = zdo.async_upsert(a, child, asio::use_future).get();
    CHECK(w.status == protocol::write_status::created);
    const auto got = zdo.async_get(a, child.id, asio::use_future).get();
    CHECK(got.etag == w.etag);
    CHECK(codec::content_hash(got.record).to_hex() == codec::content_hash(child).to_hex());
    std::vector<model::child> batch;
    for (int i = 0; i < 5; ++i) {
        batch.push_back(test::valid_child("kd-f-slice-" + std::to_string(i), a));
    }
    CHECK(zdo.async_submit_batch(batch, asio::use_future).get().results.size() == 5);
    auto feed = zdo.changes();
    std::size_t events = 0;
    do {
        events += feed.async_next(asio::use_future).get().changes.size();
    } while (!feed.drained());
    CHECK(events == 6);

    // Sliced indeed: one write per byte forwarded.
    const auto t = r.proxy.totals();
    CHECK(t.writes == t.upstream + t.downstream);
    CHECK(t.downstream > 1000);
}

// ---- the sync engine -------------------------------------------------------------------------

namespace {

std::vector<model::child> roster(std::size_t n)
{
    return test::platform_roster(n, 11);
}

// One batch for the whole roster, one in flight: the rules know which request they cut.
boost::system::error_code push(client::session& s, const std::vector<model::child>& records,
                               sync::journal& log, sync::push_progress& out,
                               client::diagnostics* diag = nullptr)
{
    return code_of([&] {
        out = sync::async_push(s, source_of(records), log,
                               {.batch_size = 500, .concurrency = 1, .diag = diag},
                               asio::use_future)
                  .get();
    });
}

// The server holds exactly the roster, each record once with one change event.
void check_exact(const rig& r, asio::io_context& io, const std::vector<model::child>& records)
{
    client::session admin(io.get_executor(), direct(r));
    std::map<std::string, std::string> held;
    for (const auto& inst : {a, b}) {
        auto pages = admin.list_children(inst, 1000);
        while (!pages.done()) {
            for (const auto& c : pages.async_next(asio::use_future).get().items) {
                CHECK(held.emplace(c.id, codec::content_hash(c).to_hex()).second);
            }
        }
    }
    CHECK(held.size() == records.size());
    const auto events = events_by_id(r, io);
    for (const auto& c : records) {
        CHECK(held[c.id] == codec::content_hash(c).to_hex());
        const auto e = events.find(c.id);
        CHECK((e != events.end() && e->second == 1));
    }
}

client::client_options platform_through(const rig& r)
{
    auto o = through(r, "platform");
    o.retry.max_attempts = 4;
    return o;
}

} // namespace

TEST_CASE("faults: a sync push ends exact through a reset before its batch request, after it "
          "and in the middle of the response")
{
    const auto records = roster(60);
    struct cut {
        flow direction;
        std::uint64_t extra;
    };
    for (const auto c : {cut{flow::upstream, 0}, cut{flow::downstream, 0},
                         cut{flow::downstream, 200}}) {
        CAPTURE(static_cast<int>(c.direction));
        CAPTURE(c.extra);
        rig r;
        io_threads io;
        client::session platform(io.io.get_executor(), platform_through(r));
        test::temp_dir dir;
        sync::journal log(dir.file("push.journal"), r.proxy.url(), "platform");
        (void)platform.async_get(a, "kd-none", asio::use_future).wait(); // the token
        r.proxy.add(next_on(r.proxy, 1, c.direction, fault::reset, c.extra));

        sync::push_progress p;
        REQUIRE_FALSE(push(platform, records, log, p));
        CHECK(p.accepted == records.size());
        CHECK(p.sent == records.size());
        CHECK(r.proxy.connections() == 2); // the batch went again on a new connection
        check_exact(r, io.io, records);

        sync::push_progress again;
        REQUIRE_FALSE(push(platform, records, log, again));
        CHECK(again.unchanged == records.size());
        CHECK(again.sent == 0);
    }
}

TEST_CASE("faults: a 503 storm stops a sync push after the retry budget, and the next push ends "
          "exact")
{
    const auto records = roster(60);
    rig r;
    io_threads io;
    auto tls = tls12(r.server.srv.ca_pem());
    client::session platform(io.io.get_executor(), tls, platform_through(r));
    test::temp_dir dir;
    sync::journal log(dir.file("push.journal"), r.proxy.url(), "platform");
    (void)platform.async_get(a, "kd-none", asio::use_future).wait(); // the token

    r.server.srv.set_faults({.error_rate = 1.0, .error_status = 503, .retry_after = 0s});
    const auto requests = r.proxy.totals().requests;
    client::diagnostics diag;
    sync::push_progress p;
    CHECK(push(platform, records, log, p, &diag) == problem_kind::unavailable);
    CHECK(r.proxy.totals().requests - requests == 4); // max_attempts, one batch
    CHECK(diag.http_status == 503);
    CHECK(diag.attempts == 4);
    CHECK(p.accepted == 0);

    // Half the answers 429: retried through; the journaled batch goes again, with its key.
    r.server.srv.set_faults({.error_rate = 0.5, .error_status = 429, .retry_after = 0s});
    auto patient = platform_through(r);
    patient.retry.max_attempts = 40;
    client::session persistent(io.io.get_executor(), tls, patient);
    sync::push_progress resumed;
    REQUIRE_FALSE(push(persistent, records, log, resumed));
    r.server.srv.set_faults({});
    CHECK(resumed.accepted == records.size());
    check_exact(r, io.io, records);
}

TEST_CASE("faults: a sync push with every byte in its own write ends exact")
{
    const auto records = roster(20);
    rig r;
    r.proxy.add({.action = fault::slice, .direction = flow::both});
    io_threads io;
    client::session platform(io.io.get_executor(), platform_through(r));
    test::temp_dir dir;
    sync::journal log(dir.file("push.journal"), r.proxy.url(), "platform");
    sync::push_progress p;
    REQUIRE_FALSE(push(platform, records, log, p));
    CHECK(p.accepted == records.size());
    check_exact(r, io.io, records);
    const auto t = r.proxy.totals();
    CHECK(t.writes == t.upstream + t.downstream);
}

// ---- the aikom-sync program ------------------------------------------------------------------

#ifdef AIKOM_SYNC
namespace {

// Runs `aikom-sync push` of `roster_file` through the proxy, as the platform client; its
// stderr goes to `err`. The exit status.
int run_sync_push(const rig& r, const test::temp_dir& dir, const std::filesystem::path& err)
{
    return test::run_command("AIKOM_CLIENT_SECRET=platform-secret '" + std::string(AIKOM_SYNC) +
                             "' push --server " + r.proxy.url() + " --ca '" +
                             dir.file("ca.pem").string() + "' --client-id platform --journal '" +
                             dir.file("push.journal").string() + "' --batch 100 --quiet '" +
                             dir.file("roster.ndjson").string() + "' 2> '" + err.string() + "'");
}

std::vector<std::string> lines_of(const std::filesystem::path& p)
{
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

void write_roster(const test::temp_dir& dir, const rig& r, const std::vector<model::child>& records)
{
    std::string ndjson;
    for (const auto& c : records) {
        ndjson += codec::encode(c) + "\n";
    }
    test::write_file(dir.file("roster.ndjson"), ndjson);
    test::write_file(dir.file("ca.pem"), r.server.srv.ca_pem());
}

} // namespace

TEST_CASE("faults: the aikom-sync program through cut connections ends exact, exit 0")
{
    const auto records = roster(300);
    rig r;
    io_threads io;
    test::temp_dir dir;
    write_roster(dir, r, records);
    // The program's first two connections are cut somewhere in their traffic: in a handshake,
    // the token's answer or a batch's request or answer; wherever it falls, the end is exact.
    r.proxy.add({.action = fault::reset, .direction = flow::downstream, .connection = 1,
                 .after_bytes = 6000});
    r.proxy.add({.action = fault::fin, .direction = flow::upstream, .connection = 2,
                 .after_bytes = 9000});
    CHECK(run_sync_push(r, dir, dir.file("err1.txt")) == 0);
    CHECK(r.proxy.connections() > 2);
    check_exact(r, io.io, records);
}

TEST_CASE("faults: the aikom-sync program in a 503 storm fails in one line with exit 2, then ends "
          "exact")
{
    const auto records = roster(100);
    rig r;
    io_threads io;
    test::temp_dir dir;
    write_roster(dir, r, records);
    r.server.srv.set_faults({.error_rate = 1.0, .error_status = 503, .retry_after = 0s});
    CHECK(run_sync_push(r, dir, dir.file("err.txt")) == 2);
    const auto err = lines_of(dir.file("err.txt"));
    REQUIRE(err.size() == 1);
    CHECK(err[0].find("503") != std::string::npos);
    r.server.srv.set_faults({});
    CHECK(run_sync_push(r, dir, dir.file("err2.txt")) == 0);
    check_exact(r, io.io, records);
}
#endif
