// Section 7: memory at scale (issue 10). Peak resident set (the child process's own ru_maxrss)
// of the programs a vendor runs on a whole roster of `count` records: aikom-sync pushing it to
// a sandbox (file database), aikom-validate checking it, aikom-audit reporting on it. One run
// each: a million-record push takes minutes, and its peak does not depend on the machine's load.
#include "load.hpp"

#include <aikom/codec/json.hpp>
#include <aikom/synthetic/roster_generator.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

namespace aikom::bench {
namespace {

struct memory_setup {
    environment env;
    bench_clients clients;
    std::size_t count = 0;
    model::date reference_date{};
    std::filesystem::path roster{};

    // `aikom-gen --institutions 20 --seed 1 --reference-date today`'s first `count` records as
    // NDJSON (the corpus's generator, carried on), written once.
    const std::filesystem::path& file()
    {
        if (roster.empty()) {
            std::cout << "  writing " << count << " records as NDJSON" << std::endl;
            const auto path = env.work_dir / "memory-roster.ndjson";
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            synthetic::roster_generator generator(
                {.institutions = 20, .seed = 1, .reference_date = reference_date});
            std::string line;
            for (std::size_t i = 0; i < count; ++i) {
                line.clear();
                codec::encode(generator.next(), line);
                line.push_back('\n');
                out << line;
            }
            if (!out.flush()) {
                throw std::runtime_error("aikom_bench: cannot write " + path.string());
            }
            roster = path;
        }
        return roster;
    }
};

// Exit 0 (no errors) and 1 (errors found in the records) are both a finished run.
process_result run_reader(const std::vector<std::string>& argv, const environment& env)
{
    auto r = run_process(argv, {.stdout_file = "/dev/null",
                                .stderr_file = env.work_dir / "memory.log"});
    if (r.exit_status > 1) {
        throw std::runtime_error("aikom_bench: " + argv.front() + " exited with status " +
                                 std::to_string(r.exit_status) + tail_of(env.work_dir / "memory.log"));
    }
    return r;
}

} // namespace

void add_memory_section(suite& s, const environment& env, const corpus& c, std::size_t count)
{
    auto setup = std::make_shared<memory_setup>(
        memory_setup{.env = env,
                     .clients = write_clients(env, c),
                     .count = count,
                     .reference_date = c.reference_date});
    const volume v{.items = count, .unit = "records"};

    s.add_measured(
        "memory.sync_push", v,
        [setup] {
            const auto& roster = setup->file();
            const auto db = setup->env.work_dir / "memory-server.db";
            const auto journal = setup->env.work_dir / "memory-journal.db";
            remove_database(db);
            remove_database(journal);
            auto server = start_sandbox(setup->env, setup->clients, db.string());
            const auto r = run_checked(
                {setup->env.sync.string(), "push", "--server", server->url(), "--ca",
                 server->ca_file().string(), "--client-id", bench_clients::platform_id,
                 "--journal", journal.string(), "--quiet", roster.string()},
                {.environment = {{"AIKOM_CLIENT_SECRET", bench_clients::platform_secret}},
                 .stdout_file = "/dev/null",
                 .stderr_file = setup->env.work_dir / "memory.log"});
            const auto srv = server->stop();
            return sample{.seconds = r.seconds,
                          .extra = {{"peak_rss_mb", r.peak_rss_mb},
                                    {"server_peak_rss_mb", srv.peak_rss_mb}}};
        },
        1);
    s.add_measured(
        "memory.validate", v,
        [setup] {
            const auto r = run_reader({setup->env.validate.string(), "--profile", "submission",
                                       setup->file().string()},
                                      setup->env);
            return sample{.seconds = r.seconds, .extra = {{"peak_rss_mb", r.peak_rss_mb}}};
        },
        1);
    s.add_measured(
        "memory.audit", v,
        [setup] {
            const auto r = run_reader({setup->env.audit.string(), setup->file().string()},
                                      setup->env);
            return sample{.seconds = r.seconds, .extra = {{"peak_rss_mb", r.peak_rss_mb}}};
        },
        1);
    s.bound("memory.sync_push", "peak_rss_mb", 100);
    s.bound("memory.validate", "peak_rss_mb", 16);
    s.bound("memory.audit", "peak_rss_mb", 48);
}

} // namespace aikom::bench
