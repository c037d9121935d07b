// Section 5: the client, end to end, on loopback against aikom-sandbox (issue 10).
//
// The records are sent over the suite's rounds: round k sends slice k (total / rounds records)
// in batches, then the same slice one PUT per record through the library and through wrk, so
// that the machine's load, which drifts over minutes, weighs on both sides of the ratio alike.
// Each run starts its own sandbox on an in-memory database (every run writes its records into
// an empty server, and the disk, which section 6 measures, stays out of the figure) and stops
// it after. Client and server share this machine's cores, so the figures are a floor.
#include "load.hpp"

#include <algorithm>
#include <map>
#include <memory>

namespace aikom::bench {
namespace {

struct client_setup {
    environment env;
    const corpus* c = nullptr;
    bench_clients clients;
    std::size_t per_round = 0;
    std::map<std::string, std::size_t> runs{}; // runs made so far, per measurement

    // The slice of this measurement's next run.
    std::size_t next_offset(const std::string& measurement)
    {
        const std::size_t slices = std::max<std::size_t>(1, c->records.size() / per_round);
        return (runs[measurement]++ % slices) * per_round;
    }
};

sample client_sample(const load_result& r, const process_result& server)
{
    return {.seconds = r.seconds,
            .extra = {{"requests", r.requests},
                      {"handshakes", r.handshakes},
                      {"client_peak_rss_mb", r.peak_rss_mb},
                      {"server_peak_rss_mb", server.peak_rss_mb}}};
}

} // namespace

void add_client_section(suite& s, const environment& env, const corpus& c, std::size_t total,
                        std::size_t connections, std::size_t rounds)
{
    const std::size_t per_round = std::max<std::size_t>(
        1, std::min(total, c.records.size()) / std::max<std::size_t>(1, rounds));
    const volume v{.items = per_round, .unit = "records"};
    if (const auto missing = wrk_missing(env); !missing.empty()) {
        for (const char* name : {"client.batch", "client.single", "client.single_wrk"}) {
            s.add_skipped(name, v, missing);
        }
        return;
    }
    auto setup = std::make_shared<client_setup>(client_setup{
        .env = env, .c = &c, .clients = write_clients(env, c), .per_round = per_round});

    s.add_measured("client.batch", v, [setup] {
        const auto offset = setup->next_offset("client.batch");
        auto server = start_sandbox(setup->env, setup->clients, ":memory:");
        const auto r =
            run_client(setup->env, *server, *setup->c, "batch", 2, offset, setup->per_round);
        return client_sample(r, server->stop());
    });
    s.add_measured("client.single", v, [setup, connections] {
        const auto offset = setup->next_offset("client.single");
        auto server = start_sandbox(setup->env, setup->clients, ":memory:");
        const auto r = run_client(setup->env, *server, *setup->c, "put", connections, offset,
                                  setup->per_round);
        return client_sample(r, server->stop());
    });
    s.add_measured("client.single_wrk", v, [setup, connections] {
        const auto offset = setup->next_offset("client.single_wrk");
        const auto requests = setup->env.work_dir / "client-put.requests";
        write_put_requests(requests,
                           std::span(setup->c->records).subspan(offset, setup->per_round));
        auto server = start_sandbox(setup->env, setup->clients, ":memory:");
        const auto token = fetch_token(setup->env, *server, bench_clients::platform_id,
                                       bench_clients::platform_secret);
        const auto w = run_wrk(setup->env, *server, connections, requests, token, true, 600);
        const auto srv = server->stop();
        return sample{.seconds = w.seconds,
                      .extra = {{"requests", static_cast<double>(w.requests)},
                                {"server_peak_rss_mb", srv.peak_rss_mb}}};
    });
    s.compare("client.single", "client.single_wrk", 0.9);
    // Keep-alive: one handshake per pooled connection at most, whatever the record count.
    s.bound("client.single", "handshakes", static_cast<double>(connections));
    s.bound("client.batch", "handshakes", 2);
}

} // namespace aikom::bench
