// The library's client against the real reference server, in-process on port 0, over real TLS.
#include <aikom/client/session.hpp>
#include <aikom/sandbox/server.hpp>

#include "client_fixtures.hpp"
#include "fixtures.hpp"
#include "protocol_driver.hpp"
#include "running_server.hpp"
#include "sandbox/tls_material.hpp"
#include "tls_client.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

using namespace aikom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using client::call_options;
using client::client_errc;
using protocol::problem_kind;

namespace {

using test::code_of;
using test::io_threads;
using test::running_server;

client::client_options options_for(const running_server& s, std::string client_id = "zdo-a")
{
    return test::client_options_for(s, std::move(client_id), 20ms);
}

const std::string a(test::institution_a);
const std::string b(test::institution_b);

} // namespace

TEST_CASE("client: every operation against the sandbox, with futures")
{
    running_server s;
    io_threads io;
    client::session zdo(io.io.get_executor(), options_for(s));
    client::session reviewer(io.io.get_executor(), options_for(s, "reviewer"));
    client::session authority(io.io.get_executor(), options_for(s, "authority"));

    const auto d = zdo.async_discover(asio::use_future).get();
    CHECK(d.version == "1");
    CHECK(d.limits.max_batch_items >= 100);

    // upsert → get → upsert again (unchanged) → conditional upsert with a stale ETag (412)
    const auto child = test::valid_child("kd-cl-1", a);
    const auto created = zdo.async_upsert(a, child, asio::use_future).get();
    CHECK(created.status == protocol::write_status::created);
    CHECK(created.id == "kd-cl-1");
    const auto fetched = zdo.async_get(a, "kd-cl-1", asio::use_future).get();
    CHECK(fetched.record.id == "kd-cl-1");
    CHECK(fetched.etag == created.etag);
    CHECK(zdo.async_upsert(a, child, asio::use_future).get().status ==
          protocol::write_status::unchanged);
    client::diagnostics diag;
    auto changed = child;
    changed.sex = model::sex::male;
    CHECK(code_of([&] {
              (void)zdo.async_upsert(a, changed, call_options{.diag = &diag, .if_match = "0000"},
                                     asio::use_future)
                  .get();
          }) == problem_kind::precondition_failed);
    CHECK(diag.http_status == 412);
    REQUIRE(diag.problem.has_value());
    CHECK(diag.problem->status == 412);
    CHECK_FALSE(diag.request_id.empty());

    // A record AIKOM would refuse: every error in the problem, with pointers and both languages.
    auto bad = test::valid_child("kd-cl-bad", a);
    bad.birth_date.reset();
    bad.sex.reset();
    CHECK(code_of([&] {
              (void)zdo.async_upsert(a, bad, call_options{.diag = &diag}, asio::use_future).get();
          }) == problem_kind::validation_failed);
    REQUIRE(diag.problem.has_value());
    std::set<std::string> pointers;
    for (const auto& e : diag.problem->errors) {
        pointers.insert(e.pointer);
        CHECK_FALSE(e.message_uk.empty());
    }
    CHECK(pointers.count("/birth_date") == 1);
    CHECK(pointers.count("/sex") == 1);

    // Out of scope: 403, and a record that does not exist: 404.
    CHECK(code_of([&] { (void)zdo.async_get(b, "kd-cl-1", asio::use_future).get(); }) ==
          problem_kind::forbidden);
    CHECK(code_of([&] { (void)zdo.async_get(a, "kd-none", asio::use_future).get(); }) ==
          problem_kind::not_found);

    // Withdrawal, then delete.
    const auto w = zdo.async_withdraw(a, "kd-cl-1",
                                      {.left_on = 2025y / std::chrono::May / 30, .reason = "переведення"},
                                      asio::use_future)
                       .get();
    CHECK(w.status == protocol::write_status::updated);
    CHECK(zdo.async_get(a, "kd-cl-1", asio::use_future).get().record.enrollment->left_on ==
          model::date{2025y / std::chrono::May / 30});
    zdo.async_upsert(a, test::valid_child("kd-cl-del", a), asio::use_future).get();
    zdo.async_delete(a, "kd-cl-del", asio::use_future).get();
    CHECK(code_of([&] { (void)zdo.async_get(a, "kd-cl-del", asio::use_future).get(); }) ==
          problem_kind::not_found);

    // Batch: accepted, rejected and forbidden items each reported.
    std::vector<model::child> batch;
    for (int i = 0; i < 5; ++i) {
        batch.push_back(test::valid_child("kd-b-" + std::to_string(i), a));
    }
    batch.push_back(bad);
    batch.push_back(test::valid_child("kd-b-other", b));
    const auto br = zdo.async_submit_batch(batch, asio::use_future).get();
    REQUIRE(br.results.size() == 7);
    CHECK(br.results[0].status == protocol::item_status::created);
    CHECK(br.results[5].status == protocol::item_status::rejected);
    CHECK_FALSE(br.results[5].issues.empty());
    CHECK(br.results[6].status == protocol::item_status::forbidden);

    // Paging: 6 records (kd-cl-1 and five from the batch) in pages of 4.
    auto pages = zdo.list_children(a, 4);
    std::set<std::string> ids;
    std::size_t page_count = 0;
    do {
        const auto page = pages.async_next(asio::use_future).get();
        ++page_count;
        CHECK(page.items.size() <= 4);
        for (const auto& c : page.items) {
            CHECK(ids.insert(c.id).second);
        }
    } while (!pages.done());
    CHECK(ids.size() == 6);
    CHECK(page_count == 2);

    // The change feed: everything so far, then drained; the cursor moves.
    auto feed = zdo.changes({}, 3);
    std::size_t events = 0;
    std::int64_t last_seq = 0;
    do {
        const auto page = feed.async_next(asio::use_future).get();
        for (const auto& c : page.changes) {
            CHECK(c.seq > last_seq);
            last_seq = c.seq;
            ++events;
        }
    } while (!feed.drained());
    CHECK(events >= 8); // create, withdrawal, create+delete, five batch creates
    const auto resume_at = feed.cursor();
    CHECK_FALSE(resume_at.empty());
    zdo.async_upsert(a, test::valid_child("kd-cl-2", a), asio::use_future).get();
    auto resumed = zdo.changes(resume_at);
    const auto next = resumed.async_next(asio::use_future).get();
    REQUIRE(next.changes.size() == 1);
    CHECK(next.changes[0].id == "kd-cl-2");

    // Validate (dry run) writes nothing.
    const auto v = zdo.async_validate(bad, check::profile::submission, asio::use_future).get();
    CHECK_FALSE(v.valid);
    CHECK_FALSE(v.issues.empty());

    // Correction requests: create (institution), list, get, apply and reject (reviewer).
    auto proposed = test::valid_child("kd-cr-1", a);
    proposed.document->series.reset();
    const auto cr = zdo.async_create_correction(
                           {.institution = a, .child_id = "kd-cr-1", .record = proposed,
                            .reason = "серія відсутня у свідоцтві"},
                           asio::use_future)
                        .get();
    CHECK(cr.status == protocol::correction_status::pending);
    const auto cr2 = zdo.async_create_correction(
                            {.institution = a, .child_id = "kd-cr-2",
                             .record = test::valid_child("kd-cr-2", a), .reason = "test"},
                            asio::use_future)
                         .get();
    const auto listed =
        reviewer.async_list_corrections(protocol::correction_status::pending, a, asio::use_future)
            .get();
    CHECK(listed.items.size() == 2);
    auto walk = reviewer.list_corrections(protocol::correction_status::pending, a);
    CHECK(walk.async_next(asio::use_future).get().items.size() == 2);
    CHECK(walk.done());
    const auto applied = reviewer.async_apply_correction(cr.id, {.note = "перевірено"},
                                                          asio::use_future)
                             .get();
    CHECK(applied.status == protocol::correction_status::applied);
    CHECK(applied.etag.has_value());
    CHECK(code_of([&] {
              (void)reviewer.async_reject_correction(cr2.id, {}, asio::use_future).get();
          }) == problem_kind::validation_failed); // a reject needs a note
    CHECK(reviewer.async_reject_correction(cr2.id, {.note = "немає підстав"}, asio::use_future)
              .get()
              .status == protocol::correction_status::rejected);
    const auto full = zdo.async_get_correction(cr.id, asio::use_future).get();
    CHECK(full.status == protocol::correction_status::applied);
    REQUIRE(full.record.has_value());
    CHECK(full.history.size() == 2);
    CHECK(zdo.async_get(a, "kd-cr-1", asio::use_future).get().etag == *applied.etag);

    // The completeness report of the authority's scope.
    const auto report =
        authority.async_completeness_report(a, {}, {}, asio::use_future).get();
    CHECK(report.total.children >= 7);

    // One token per session, shared by every call.
    CHECK(zdo.stats().token_requests == 1);
    CHECK(zdo.stats().retries == 0);
}

TEST_CASE("client: a coroutine, a callback and deferred give the same answers")
{
    running_server s;
    io_threads io;
    client::session zdo(io.io.get_executor(), options_for(s));
    const auto child = test::valid_child("kd-co-1", a);

    auto coro = asio::co_spawn(
        io.io,
        [&]() -> asio::awaitable<std::string> {
            const auto w = co_await zdo.async_upsert(a, child, asio::use_awaitable);
            const auto got = co_await zdo.async_get(a, child.id, asio::use_awaitable);
            CHECK(got.etag == w.etag);
            // deferred composes with co_await too
            auto op = zdo.async_get(a, child.id, asio::deferred);
            const auto again = co_await std::move(op)(asio::use_awaitable);
            co_return again.etag;
        },
        asio::use_future);
    const auto etag = coro.get();
    CHECK_FALSE(etag.empty());

    std::promise<std::pair<boost::system::error_code, std::string>> p;
    zdo.async_get(a, child.id, [&](boost::system::error_code ec, protocol::fetched_child c) {
        p.set_value({ec, c.etag});
    });
    const auto [ec, cb_etag] = p.get_future().get();
    CHECK_FALSE(ec);
    CHECK(cb_etag == etag);
}

TEST_CASE("client: 10,000 requests over a pool of 4 need at most 4 TLS handshakes")
{
    running_server s({.threads = 2});
    io_threads io;
    auto o = options_for(s);
    o.pool_size = 4;
    client::session zdo(io.io.get_executor(), o);
    zdo.async_upsert(a, test::valid_child("kd-pool", a), asio::use_future).get();

    constexpr int workers = 8;
    constexpr int per_worker = 1250;
    std::atomic<int> ok{0};
    std::vector<std::future<void>> done;
    for (int w = 0; w < workers; ++w) {
        done.push_back(asio::co_spawn(
            io.io,
            [&]() -> asio::awaitable<void> {
                for (int i = 0; i < per_worker; ++i) {
                    const auto c = co_await zdo.async_get(a, "kd-pool", asio::use_awaitable);
                    if (c.record.id == "kd-pool") {
                        ok.fetch_add(1);
                    }
                }
            },
            asio::use_future));
    }
    for (auto& f : done) {
        f.get();
    }
    CHECK(ok.load() == workers * per_worker);
    const auto st = zdo.stats();
    CHECK(st.requests >= 10'000);
    CHECK(st.handshakes <= 4);
    CHECK(st.connections_opened <= 4);
    MESSAGE("requests " << st.requests << ", connections " << st.connections_opened
                        << ", handshakes " << st.handshakes << " (resumed "
                        << st.resumed_handshakes << ")");
}

TEST_CASE("client: 503 and 429 with Retry-After are retried and succeed")
{
    for (const unsigned status : {503u, 429u}) {
        CAPTURE(status);
        running_server s;
        io_threads io;
        auto o = options_for(s);
        o.retry.max_attempts = 5;
        client::session zdo(io.io.get_executor(), o);
        zdo.async_discover(asio::use_future).get();
        (void)zdo.async_get(a, "kd-none", asio::use_future).wait(); // the token, before faults
        s.srv.set_faults({.error_rate = 1.0, .error_status = status, .retry_after = 1s});
        client::diagnostics diag;
        auto pending = zdo.async_upsert(a, test::valid_child("kd-retry", a),
                                        call_options{.diag = &diag}, asio::use_future);
        std::this_thread::sleep_for(300ms); // the first answer is the fault; then it clears
        s.srv.set_faults({});
        const auto w = pending.get();
        CHECK(w.status == protocol::write_status::created);
        CHECK(diag.attempts == 2);
        CHECK(zdo.stats().retries >= 1);
    }
}

TEST_CASE("client: retried batch submits never write a record twice")
{
    running_server s;
    io_threads io;
    auto o = options_for(s);
    o.timeouts.request = 300ms; // shorter than the server's delay: the first answer is lost
    o.retry.max_attempts = 8;
    o.retry.base_delay = 50ms;
    client::session zdo(io.io.get_executor(), o);
    zdo.async_discover(asio::use_future).get();
    (void)zdo.async_get(a, "kd-none", asio::use_future).wait(); // the token, before faults

    std::vector<model::child> batch;
    for (int i = 0; i < 50; ++i) {
        batch.push_back(test::valid_child("kd-idem-" + std::to_string(i), a));
    }
    s.srv.set_faults({.latency = 500ms});
    client::diagnostics diag;
    auto pending = zdo.async_submit_batch(batch, call_options{.diag = &diag}, asio::use_future);
    std::this_thread::sleep_for(700ms);
    s.srv.set_faults({});
    const auto result = pending.get();
    CHECK(diag.attempts >= 2);
    REQUIRE(result.results.size() == 50);

    // Server-side counts: exactly 50 records and 50 change events for them.
    client::session admin(io.io.get_executor(), options_for(s, "admin"));
    auto feed = admin.changes();
    std::size_t events = 0;
    do {
        for (const auto& c : feed.async_next(asio::use_future).get().changes) {
            events += c.id.starts_with("kd-idem-") ? 1 : 0;
        }
    } while (!feed.drained());
    CHECK(events == 50);
    auto pages = zdo.list_children(a, 1000);
    std::size_t records = 0;
    do {
        records += pages.async_next(asio::use_future).get().items.size();
    } while (!pages.done());
    CHECK(records == 50);
}

TEST_CASE("client: a stalled server hits the deadline, and the next call on the session works")
{
    running_server s;
    io_threads io;
    client::session zdo(io.io.get_executor(), options_for(s));
    zdo.async_upsert(a, test::valid_child("kd-slow", a), asio::use_future).get();

    s.srv.set_faults({.latency = 3s});
    client::diagnostics diag;
    const auto started = std::chrono::steady_clock::now();
    CHECK(code_of([&] {
              (void)zdo.async_get(a, "kd-slow", call_options{.timeout = 400ms, .diag = &diag},
                                  asio::use_future)
                  .get();
          }) == client_errc::timeout);
    CHECK(std::chrono::steady_clock::now() - started >= 400ms);
    CHECK_FALSE(diag.message.empty());
    s.srv.set_faults({});
    CHECK(zdo.async_get(a, "kd-slow", asio::use_future).get().record.id == "kd-slow");
}

TEST_CASE("client: cancellation mid-request completes with operation_aborted, and the pool recovers")
{
    running_server s;
    io_threads io;
    auto o = options_for(s);
    o.pool_size = 1;
    client::session zdo(io.io.get_executor(), o);
    zdo.async_upsert(a, test::valid_child("kd-cancel", a), asio::use_future).get();

    s.srv.set_faults({.latency = 2s});
    asio::cancellation_signal signal;
    std::promise<boost::system::error_code> p;
    asio::post(io.io, [&] {
        zdo.async_get(a, "kd-cancel",
                      asio::bind_cancellation_slot(
                          signal.slot(), [&](boost::system::error_code ec, protocol::fetched_child) {
                              p.set_value(ec);
                          }));
    });
    std::this_thread::sleep_for(200ms);
    asio::post(io.io, [&] { signal.emit(asio::cancellation_type::terminal); });
    const auto ec = p.get_future().get();
    CHECK(ec == asio::error::operation_aborted);
    s.srv.set_faults({});
    // The cancelled connection was closed, not pooled: the next call opens a new one.
    CHECK(zdo.async_get(a, "kd-cancel", asio::use_future).get().record.id == "kd-cancel");
    CHECK(zdo.stats().connections_opened == 2);
}

TEST_CASE("client: a wrong CA and a wrong host name are refused with a clear error")
{
    running_server s({.listen_address = "0.0.0.0"});
    running_server other;
    io_threads io;

    auto o = options_for(s);
    o.tls.ca_pem = other.srv.ca_pem();
    client::session stranger(io.io.get_executor(), o);
    client::diagnostics diag;
    CHECK(code_of([&] {
              (void)stranger.async_discover(call_options{.diag = &diag}, asio::use_future).get();
          }) == client_errc::tls_untrusted_certificate);
    CHECK(diag.message.find("not trusted") != std::string::npos);

    auto wrong_host = options_for(s);
    wrong_host.base_url = s.url("127.0.0.2"); // the certificate names 127.0.0.1 and localhost
    client::session misnamed(io.io.get_executor(), wrong_host);
    CHECK(code_of([&] {
              (void)misnamed.async_discover(call_options{.diag = &diag}, asio::use_future).get();
          }) == client_errc::tls_host_mismatch);
    CHECK(diag.message.find("127.0.0.2") != std::string::npos);

    auto by_name = options_for(s);
    by_name.base_url = s.url("localhost");
    client::session named(io.io.get_executor(), by_name);
    CHECK(named.async_discover(asio::use_future).get().version == "1");
}

TEST_CASE("client: an expired certificate and a server speaking only TLS 1.1 are refused")
{
    io_threads io;
    client::diagnostics diag;
    const auto discover = [&](std::uint16_t port, const std::string& ca_pem) {
        client::client_options o;
        o.base_url = "https://localhost:" + std::to_string(port);
        o.tls.ca_pem = ca_pem;
        client::session session(io.io.get_executor(), o);
        diag = {};
        return code_of([&] {
            (void)session.async_discover(call_options{.diag = &diag}, asio::use_future).get();
        });
    };

    // A sandbox whose certificate, from a CA the client trusts, expired yesterday.
    const auto expired = sandbox::detail::generate_tls_material(
        {.not_before = std::chrono::hours(-48), .not_after = std::chrono::hours(-24)});
    test::temp_dir dir;
    test::write_file(dir.file("server.pem"), expired.certificate_chain_pem);
    test::write_file(dir.file("server.key"), expired.private_key_pem);
    test::write_file(dir.file("ca.pem"), expired.ca_pem);
    sandbox::server stale({.tls_dir = dir.path(), .clients = test::test_clients()});
    stale.start();
    CHECK(discover(stale.port(), expired.ca_pem) == client_errc::tls_untrusted_certificate);
    CHECK(diag.message.find("certificate has expired") != std::string::npos);
    stale.stop();

    // A server that speaks TLS 1.1 and nothing newer, with a certificate that is otherwise fine.
    const auto material = sandbox::detail::generate_tls_material();
    test::legacy_tls_server legacy(material.certificate_chain_pem, material.private_key_pem,
                                   test::tls_version::v1_1);
    // Control: it does complete a TLS 1.1 handshake, so the refusal below is about the version.
    REQUIRE(test::handshake_error(legacy.port(), material.ca_pem, test::tls_version::v1_1) == "");
    CHECK(discover(legacy.port(), material.ca_pem) == client_errc::tls_handshake_failed);
    CHECK(diag.message.find("TLS handshake") != std::string::npos);
    CHECK(diag.message.find("protocol version") != std::string::npos);
    CHECK_FALSE(diag.problem.has_value());
    CHECK(diag.http_status == 0);
}

TEST_CASE("client: the token is renewed before it expires, one request for many calls")
{
    running_server s({.token_lifetime = 2s});
    io_threads io(2);
    client::session zdo(io.io.get_executor(), options_for(s));
    std::vector<std::future<protocol::fetched_child>> many;
    zdo.async_upsert(a, test::valid_child("kd-tok", a), asio::use_future).get();
    for (int i = 0; i < 20; ++i) {
        many.push_back(zdo.async_get(a, "kd-tok", asio::use_future));
    }
    for (auto& f : many) {
        CHECK(f.get().record.id == "kd-tok");
    }
    CHECK(zdo.stats().token_requests == 1);
    std::this_thread::sleep_for(1200ms); // past half of the lifetime: renewed before expiry
    CHECK(zdo.async_get(a, "kd-tok", asio::use_future).get().record.id == "kd-tok");
    CHECK(zdo.stats().token_requests == 2);
    CHECK(zdo.stats().retries == 0); // no 401 was needed
}

TEST_CASE("client: a change-feed cursor older than the retention is resync_required")
{
    running_server s({.change_retention = 0s, .housekeeping_interval = 200ms});
    io_threads io;
    client::session zdo(io.io.get_executor(), options_for(s));
    zdo.async_upsert(a, test::valid_child("kd-old-1", a), asio::use_future).get();
    auto feed = zdo.changes();
    (void)feed.async_next(asio::use_future).get();
    const auto old_cursor = feed.cursor();
    zdo.async_upsert(a, test::valid_child("kd-old-2", a), asio::use_future).get();
    zdo.async_delete(a, "kd-old-2", asio::use_future).get();
    // Wait (bounded) until housekeeping has pruned the tombstone the old cursor still needs.
    boost::system::error_code ec;
    client::diagnostics diag;
    for (int i = 0; i < 100 && !ec; ++i) {
        std::this_thread::sleep_for(100ms);
        zdo.async_upsert(a, test::valid_child("kd-old-3", a), asio::use_future).get();
        auto stale = zdo.changes(old_cursor);
        ec = code_of([&] {
            (void)stale.async_next(call_options{.diag = &diag}, asio::use_future).get();
        });
        if (ec) {
            CHECK(stale.cursor() == old_cursor); // unchanged on error
        }
    }
    CHECK(ec == problem_kind::resync_required);
    CHECK(diag.http_status == 410);
}

TEST_CASE("client: one session shared by several threads while its I/O runs on two")
{
    running_server s({.threads = 2});
    io_threads io(2);
    auto o = options_for(s);
    o.pool_size = 3;
    client::session zdo(io.io.get_executor(), o);
    for (int i = 0; i < 4; ++i) {
        zdo.async_upsert(a, test::valid_child("kd-mt-" + std::to_string(i), a), asio::use_future)
            .get();
    }
    std::atomic<int> ok{0};
    std::atomic<bool> done{false};
    std::vector<std::thread> callers;
    for (int t = 0; t < 4; ++t) {
        callers.emplace_back([&, t] {
            const auto id = "kd-mt-" + std::to_string(t);
            for (int i = 0; i < 100; ++i) {
                if (i % 10 == 0) {
                    auto w = test::valid_child(id, a);
                    w.sex = i % 20 == 0 ? model::sex::male : model::sex::female;
                    (void)zdo.async_upsert(a, w, asio::use_future).get();
                }
                if (zdo.async_get(a, id, asio::use_future).get().record.id == id) {
                    ok.fetch_add(1);
                }
            }
        });
    }
    std::thread watcher([&] { // stats() may be read from any thread at any time
        while (!done.load()) {
            const auto st = zdo.stats();
            CHECK(st.connections_opened <= 3);
            std::this_thread::sleep_for(1ms);
        }
    });
    for (auto& c : callers) {
        c.join();
    }
    done = true;
    watcher.join();
    CHECK(ok.load() == 400);
    CHECK(zdo.stats().connections_opened <= 3);
    CHECK(zdo.stats().token_requests == 1);
}

TEST_CASE("client: protocol v1.1 against the sandbox: grants, red fields, the filtered feed, reports")
{
    running_server s;
    io_threads io;
    client::session admin(io.io.get_executor(), options_for(s, "admin"));
    client::session authority(io.io.get_executor(), options_for(s, "authority"));
    client::session platform(io.io.get_executor(), options_for(s, "platform-2"));
    client::session zdo(io.io.get_executor(), options_for(s));
    client::session reviewer(io.io.get_executor(), options_for(s, "reviewer"));

    const auto child = test::valid_child("kd-v11-1", a);
    const auto stored = zdo.async_upsert(a, child, asio::use_future).get();

    // Grants: the platform's token exists before the grant and outlives it.
    CHECK(code_of([&] { (void)platform.async_get(a, child.id, asio::use_future).get(); }) ==
          problem_kind::forbidden);
    protocol::grant_request note;
    note.note = "наказ № 15";
    const auto g = authority.async_put_grant(a, "platform-2", note, asio::use_future).get();
    CHECK(g.client_id == "platform-2");
    CHECK(g.role == protocol::grant_role::platform);
    CHECK(g.granted_by == std::optional<std::string>("authority"));
    CHECK(platform.async_get(a, child.id, asio::use_future).get().etag == stored.etag);
    const auto list = authority.async_list_grants(a, asio::use_future).get();
    CHECK(std::any_of(list.items.begin(), list.items.end(),
                      [](const protocol::grant& x) { return x.client_id == "platform-2"; }));
    authority.async_revoke_grant(a, "platform-2", asio::use_future).get();
    CHECK(code_of([&] { (void)platform.async_get(a, child.id, asio::use_future).get(); }) ==
          problem_kind::forbidden);
    const auto history = authority.async_grant_history(a, asio::use_future).get();
    REQUIRE(history.items.size() >= 2);
    CHECK(history.items.back().action == protocol::grant_action::revoke);
    // Outside its territory the authority gets 403 whether or not anything is there.
    CHECK(code_of([&] { (void)authority.async_list_grants(b, asio::use_future).get(); }) ==
          problem_kind::forbidden);

    // A red field: the correction names it and its base; apply after a change is refused.
    auto proposed = child;
    proposed.birth_date.reset();
    protocol::correction_draft draft{.institution = a,
                                     .child_id = child.id,
                                     .record = proposed,
                                     .reason = "дата народження не підтверджена"};
    const auto cr = zdo.async_create_correction(draft, asio::use_future).get();
    CHECK(cr.fields == std::vector<std::string>{"/birth_date"});
    CHECK(cr.base_etag == std::optional<std::string>(stored.etag));
    auto changed = child;
    changed.free_meals = true;
    (void)zdo.async_upsert(a, changed, asio::use_future).get();
    protocol::review ok;
    ok.note = "перевірено";
    CHECK(code_of([&] {
              (void)reviewer.async_apply_correction(cr.id, ok, asio::use_future).get();
          }) == problem_kind::conflict);
    protocol::review no;
    no.note = "подайте знову";
    const auto rejected = reviewer.async_reject_correction(cr.id, no, asio::use_future).get();
    CHECK(rejected.status == protocol::correction_status::rejected);

    // The feed filtered to one institution, then the reports and the contract.
    (void)admin.async_upsert(b, test::valid_child("kd-v11-b", b), asio::use_future).get();
    auto feed = admin.changes({}, 0, {a});
    const auto page = feed.async_next(asio::use_future).get();
    CHECK(std::all_of(page.changes.begin(), page.changes.end(),
                      [](const protocol::change& c) { return c.institution == a; }));
    const auto progress = zdo.async_progress_report({}, asio::use_future).get();
    REQUIRE(progress.institutions.size() == 1);
    CHECK(progress.institutions[0].days.size() == 30); // the default: the last 30 days
    CHECK(progress.institutions[0].days.back().records == 1);
    const auto form = admin.async_form85k_report({}, asio::use_future).get();
    CHECK(form.total.children == 2);
    const auto contract = zdo.async_openapi(asio::use_future).get();
    CHECK(contract.find("\"3.1.0\"") != std::string::npos);
}
