#ifndef AIKOM_BENCH_LOAD_HPP
#define AIKOM_BENCH_LOAD_HPP

// What sections 5–7 of aikom_bench share: the sandbox's clients, request files for wrk, tokens,
// wrk runs and the client loader (aikom_bench_client).

#include "process.hpp"
#include "sections.hpp"

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace aikom::bench {

/// The sandbox's clients: a platform reaching every institution of the corpus and an
/// institution client reaching the first. Synthetic secrets, never reused elsewhere.
struct bench_clients {
    std::filesystem::path file;
    std::vector<std::string> institutions; ///< every institution of the corpus, sorted
    static constexpr const char* platform_id = "bench-platform";
    static constexpr const char* platform_secret = "bench-platform-secret-0123456789";
    static constexpr const char* institution_id = "bench-institution";
    static constexpr const char* institution_secret = "bench-institution-secret-0123456789";
};

/// Writes the clients file under `env.work_dir` (owner-only) for the corpus's institutions.
[[nodiscard]] bench_clients write_clients(const environment& env, const corpus& c);

/// Starts a sandbox with `clients`, its TLS material under `env.work_dir/tls` and its log in
/// `env.work_dir/sandbox.log`.
[[nodiscard]] std::unique_ptr<sandbox_process>
start_sandbox(const environment& env, const bench_clients& clients, const std::string& db);

/// Removes the SQLite database `db` with its WAL, shared-memory and rollback-journal files.
void remove_database(const std::filesystem::path& db);

/// One request a line for bench/wrk/requests.lua: a PUT of each record (its canonical JSON).
void write_put_requests(const std::filesystem::path& file,
                        std::span<const model::child> records);

/// One request a line: `GET target`, each line once (wrk cycles through them).
void write_get_requests(const std::filesystem::path& file,
                        const std::vector<std::string>& targets);

/// A bearer token for `client_id` (aikom_bench_client token).
[[nodiscard]] std::string fetch_token(const environment& env, const sandbox_process& server,
                                      const char* client_id, const char* secret);

/// What a wrk run reports (bench/wrk/requests.lua).
struct wrk_result {
    std::size_t requests = 0;
    double seconds = 0;
    std::size_t failed = 0;        ///< answers outside 2xx
    std::size_t socket_errors = 0;
};

/// Runs wrk with one thread and `connections` connections. `duration_s` is the run's length
/// (`timed`) or its upper bound (`once`). Throws std::runtime_error when wrk fails, reports
/// failed requests or socket errors.
[[nodiscard]] wrk_result run_wrk(const environment& env, const sandbox_process& server,
                                 std::size_t connections, const std::filesystem::path& requests,
                                 const std::string& token, bool once, unsigned duration_s);

/// What aikom_bench_client reports.
struct load_result {
    double seconds = 0;
    double requests = 0;
    double connections = 0;
    double handshakes = 0;
    double peak_rss_mb = 0;
};

/// Runs aikom_bench_client `mode` (put or batch) for records [offset, offset + count) of `c`
/// (which it generates the same way) with `connections` connections.
[[nodiscard]] load_result run_client(const environment& env, const sandbox_process& server,
                                     const corpus& c, const std::string& mode,
                                     std::size_t connections, std::size_t offset,
                                     std::size_t count);

/// Why a section that needs wrk cannot run, or empty.
[[nodiscard]] std::string wrk_missing(const environment& env);

} // namespace aikom::bench

#endif
