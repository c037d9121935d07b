// Section 6: the server under wrk (issue 10).
//
// One sandbox on a file database (the server's durability settings: WAL, synchronous=FULL)
// serves every wrk run of the section; it starts at the first run and stops with the suite.
// Each run is wrk, one thread, for a fixed time at 4, 16 or 64 connections:
//   server.v1_cN          GET /v1 (discovery: no token, no storage) — the baseline;
//   server.get_record_cN  GET of one record (cycling through the records loaded first);
//   server.feed_page_cN   GET /v1/changes?limit=100 as the platform (a page of 100 events);
//   server.put_cN         PUT of distinct records (each run a fresh slice of the corpus).
// server.sqlite_floor is the disk's floor for a PUT: one insert of a record's JSON per
// transaction with the server's settings, in this process, on the same disk.
// server.feed_poll_{10k,100k,1m}: a sandbox on a database whose national feed holds that many
// events (written through the server's storage before the run), polled by an institution
// client whose 100 events are spread evenly through it; the rate must not fall as the feed
// grows.
#include "load.hpp"

#include "sandbox/storage.hpp"
#include "support/sqlite.hpp"

#include <aikom/codec/json.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <set>

namespace aikom::bench {
namespace {

namespace store = aikom::sandbox::detail;

struct server_setup {
    environment env;
    const corpus* c = nullptr;
    bench_clients clients;
    std::size_t preload = 0;     // records written before the first run (GET targets)
    std::size_t put_slice = 0;   // distinct records offered to one PUT run
    std::size_t next_put = 0;    // the corpus index of the next PUT run's first record
    unsigned duration_s = 2;
    std::unique_ptr<sandbox_process> server{};
    std::string token{};
    std::map<std::string, std::filesystem::path> files{}; // wrk request files, by kind
    std::set<std::string> feeds_written{};                  // feed databases written this run

    sandbox_process& running()
    {
        if (!server) {
            const auto db = env.work_dir / "server.db";
            remove_database(db);
            server = start_sandbox(env, clients, db.string());
            (void)run_client(env, *server, *c, "batch", 2, 0, preload);
            token = fetch_token(env, *server, bench_clients::platform_id,
                                bench_clients::platform_secret);
            std::vector<std::string> records;
            for (std::size_t i = 0; i < preload; ++i) {
                const auto& r = c->records[i];
                records.push_back("/v1/institutions/" + r.institution->str() + "/children/" +
                                  r.id);
            }
            files["v1"] = env.work_dir / "server-v1.requests";
            write_get_requests(files["v1"], {"/v1"});
            files["get_record"] = env.work_dir / "server-get-record.requests";
            write_get_requests(files["get_record"], records);
            files["feed_page"] = env.work_dir / "server-feed-page.requests";
            write_get_requests(files["feed_page"], {"/v1/changes?limit=100"});
        }
        return *server;
    }

    // A file of PUTs of records no earlier run wrote (wrapping around a small corpus).
    std::filesystem::path next_puts()
    {
        const auto file = env.work_dir / "server-put.requests";
        std::vector<model::child> slice;
        for (std::size_t i = 0; i < put_slice; ++i) {
            const std::size_t at = preload + (next_put + i) % (c->records.size() - preload);
            slice.push_back(c->records[at]);
        }
        next_put += put_slice;
        write_put_requests(file, slice);
        return file;
    }
};

sample wrk_sample(const wrk_result& w)
{
    return {.seconds = w.seconds, .items = w.requests};
}

// A database whose feed holds `events` events: 100 of `ours` spread evenly, the rest of other
// institutions, each event a distinct record with a real record's JSON.
void write_feed(const std::filesystem::path& db, const corpus& c, std::size_t events,
                const std::string& ours, const std::string& other)
{
    remove_database(db);
    store::storage st(db.string());
    const std::size_t stride = std::max<std::size_t>(1, events / 100);
    const auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    std::string json;
    std::size_t k = 0;
    while (k < events) {
        st.write([&](store::storage::transaction& tx) {
            for (const std::size_t end = std::min(events, k + 20'000); k < end; ++k) {
                const auto& r = c.records[k % c.records.size()];
                json.clear();
                codec::encode(r, json);
                const std::string& theirs = r.institution->str();
                const std::string& institution =
                    k % stride == 0 ? ours : (theirs == ours ? other : theirs);
                const std::string id = "feed-" + std::to_string(k);
                (void)tx.put_child(institution, id, json, "e" + std::to_string(k));
                tx.track_readiness(institution, id, day,
                                   store::readiness_state{.active = true, .ready = true});
            }
        });
    }
}

} // namespace

void add_server_section(suite& s, const environment& env, const corpus& c, bool quick)
{
    const std::vector<std::size_t> connections{4, 16, 64};
    const std::vector<std::pair<std::string, std::size_t>> feeds =
        quick ? std::vector<std::pair<std::string, std::size_t>>{{"10k", 100},
                                                                 {"100k", 1'000},
                                                                 {"1m", 10'000}}
              : std::vector<std::pair<std::string, std::size_t>>{{"10k", 10'000},
                                                                 {"100k", 100'000},
                                                                 {"1m", 1'000'000}};
    constexpr std::size_t rounds = 3;
    const volume requests{.unit = "requests"};
    const std::size_t floor_count = quick ? 100 : 2'000;

    // The disk's floor needs no wrk.
    s.add("server.sqlite_floor", {.items = floor_count, .unit = "inserts"},
          [dir = env.work_dir, &c, floor_count] {
              const auto db = dir / "floor.db";
              remove_database(db);
              support::sqlite_db d(db.string(), "aikom_bench");
              d.exec("PRAGMA journal_mode = WAL", "set journal_mode");
              d.exec("PRAGMA synchronous = FULL", "set synchronous");
              d.exec("CREATE TABLE children(institution TEXT NOT NULL, id TEXT NOT NULL, "
                     "json TEXT NOT NULL, PRIMARY KEY(institution, id))",
                     "create table");
              support::sqlite_statement insert(d, "INSERT INTO children VALUES(?, ?, ?)");
              std::string json;
              for (std::size_t i = 0; i < floor_count; ++i) {
                  const auto& r = c.records[i % c.records.size()];
                  json.clear();
                  codec::encode(r, json);
                  support::sqlite_transaction txn(d, support::sqlite_transaction::kind::write);
                  insert.reset();
                  insert.bind(1, r.institution->str())
                      .bind(2, "floor-" + std::to_string(i))
                      .bind(3, json)
                      .run();
                  txn.commit();
              }
          });

    const auto missing = wrk_missing(env);
    if (!missing.empty()) {
        for (const auto n : connections) {
            for (const char* kind : {"v1", "get_record", "feed_page", "put"}) {
                s.add_skipped("server." + std::string(kind) + "_c" + std::to_string(n), requests,
                              missing);
            }
        }
        for (const auto& [name, events] : feeds) {
            s.add_skipped("server.feed_poll_" + name, requests, missing);
        }
        return;
    }

    auto setup = std::make_shared<server_setup>(
        server_setup{.env = env,
                     .c = &c,
                     .clients = write_clients(env, c),
                     .preload = std::min<std::size_t>(quick ? 200 : 2'000, c.records.size() / 4),
                     .put_slice = std::min<std::size_t>(quick ? 300 : 8'000, c.records.size() / 2),
                     .duration_s = quick ? 1U : 2U});

    for (const auto n : connections) {
        const std::string suffix = "_c" + std::to_string(n);
        for (const char* kind : {"v1", "get_record", "feed_page"}) {
            s.add_measured(
                "server." + std::string(kind) + suffix, requests,
                [setup, n, kind = std::string(kind)] {
                    auto& server = setup->running();
                    return wrk_sample(run_wrk(setup->env, server, n, setup->files[kind],
                                              kind == "v1" ? std::string() : setup->token, false,
                                              setup->duration_s));
                },
                rounds);
        }
        s.add_measured(
            "server.put" + suffix, requests,
            [setup, n] {
                auto& server = setup->running();
                return wrk_sample(run_wrk(setup->env, server, n, setup->next_puts(),
                                          setup->token, false, setup->duration_s));
            },
            rounds);
        for (const char* kind : {"get_record", "feed_page", "put"}) {
            s.compare("server." + std::string(kind) + suffix, "server.v1" + suffix);
        }
        s.compare("server.put" + suffix, "server.sqlite_floor");
    }

    // Feed polls as the national feed grows. Each database is written once, at its first run.
    const std::string ours = setup->clients.institutions.front();
    const std::string other = setup->clients.institutions.back();
    for (const auto& [name, events] : feeds) {
        s.add_measured(
            "server.feed_poll_" + name, requests,
            [setup, ours, other, name, events] {
                const auto db = setup->env.work_dir / ("feed-" + name + ".db");
                const auto file = setup->env.work_dir / "feed-poll.requests";
                if (setup->feeds_written.insert(name).second) {
                    std::cout << "  writing a feed of " << events << " events" << std::endl;
                    write_feed(db, *setup->c, events, ours, other);
                    write_get_requests(file, {"/v1/changes?limit=100"});
                }
                auto server = start_sandbox(setup->env, setup->clients, db.string());
                const auto token = fetch_token(setup->env, *server, bench_clients::institution_id,
                                               bench_clients::institution_secret);
                const auto w = run_wrk(setup->env, *server, 4, file, token, false,
                                       setup->duration_s);
                (void)server->stop();
                return wrk_sample(w);
            },
            rounds);
    }
    s.compare("server.feed_poll_100k", "server.feed_poll_10k", 0.8);
    s.compare("server.feed_poll_1m", "server.feed_poll_10k", 0.8);
}

} // namespace aikom::bench
