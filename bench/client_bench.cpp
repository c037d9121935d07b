// Section 5: the client, end to end, on loopback against aikom-sandbox (issue 10).
//
// Each run starts its own sandbox on an in-memory database (so every run writes the same
// records into an empty server, and the disk, which section 6 measures, is out of the figure),
// runs the client loader or wrk against it, and stops it. Client and server share this
// machine's cores, so the figures are a floor.
#include "load.hpp"

#include <algorithm>
#include <memory>

namespace aikom::bench {
namespace {

struct client_setup {
    environment env;
    const corpus* c = nullptr;
    bench_clients clients;
    std::size_t count = 0;
    std::filesystem::path put_requests{}; // made at the first wrk run
};

} // namespace

void add_client_section(suite& s, const environment& env, const corpus& c, std::size_t count,
                        std::size_t connections, std::size_t rounds)
{
    count = std::min(count, c.records.size());
    const volume v{.items = count, .unit = "records"};
    if (const auto missing = wrk_missing(env); !missing.empty()) {
        for (const char* name : {"client.batch", "client.single", "client.single_wrk"}) {
            s.add_skipped(name, v, missing);
        }
        return;
    }
    auto setup = std::make_shared<client_setup>(
        client_setup{.env = env, .c = &c, .clients = write_clients(env, c), .count = count});

    s.add_measured(
        "client.batch", v,
        [setup] {
            auto server = start_sandbox(setup->env, setup->clients, ":memory:");
            const auto r = run_client(setup->env, *server, *setup->c, "batch", 2, 0, setup->count);
            const auto srv = server->stop();
            return sample{.seconds = r.seconds,
                          .extra = {{"requests", r.requests},
                                    {"handshakes", r.handshakes},
                                    {"client_peak_rss_mb", r.peak_rss_mb},
                                    {"server_peak_rss_mb", srv.peak_rss_mb}}};
        },
        rounds);
    s.add_measured(
        "client.single", v,
        [setup, connections] {
            auto server = start_sandbox(setup->env, setup->clients, ":memory:");
            const auto r = run_client(setup->env, *server, *setup->c, "put", connections, 0,
                                      setup->count);
            const auto srv = server->stop();
            return sample{.seconds = r.seconds,
                          .extra = {{"requests", r.requests},
                                    {"handshakes", r.handshakes},
                                    {"client_peak_rss_mb", r.peak_rss_mb},
                                    {"server_peak_rss_mb", srv.peak_rss_mb}}};
        },
        rounds);
    s.add_measured(
        "client.single_wrk", v,
        [setup, connections] {
            if (setup->put_requests.empty()) {
                setup->put_requests = setup->env.work_dir / "client-put.requests";
                write_put_requests(setup->put_requests,
                                   std::span(setup->c->records).first(setup->count));
            }
            auto server = start_sandbox(setup->env, setup->clients, ":memory:");
            const auto token = fetch_token(setup->env, *server, bench_clients::platform_id,
                                           bench_clients::platform_secret);
            const auto w = run_wrk(setup->env, *server, connections, setup->put_requests, token,
                                   true, 600);
            const auto srv = server->stop();
            return sample{.seconds = w.seconds,
                          .extra = {{"requests", static_cast<double>(w.requests)},
                                    {"server_peak_rss_mb", srv.peak_rss_mb}}};
        },
        rounds);
    s.compare("client.single", "client.single_wrk", 0.9);
    // Keep-alive: one handshake per pooled connection at most, whatever the record count.
    s.bound("client.single", "handshakes", static_cast<double>(connections));
    s.bound("client.batch", "handshakes", 2);
}

} // namespace aikom::bench
