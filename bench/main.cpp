// aikom_bench: every hot path against its natural baseline and its limit, in one run (issue 10).
//
//   aikom_bench [--quick] [--records N] [--ids N] [--client-records N] [--memory-records N]
//               [--rounds R] [--only PREFIX] [--out FILE] [--work-dir DIR]
//
// Prints one table (name, size, time, throughput, baseline, ratio, target) and writes the same
// rows to FILE (default build/bench/results.json) as a JSON array. Sizes: --records for the
// records sections (200,000), --ids per identifier kind (1,000,000), --client-records for the
// client end to end (100,000), --memory-records for the peak-memory runs (1,000,000).
// --quick uses small inputs and 2 rounds: the test suite runs it to prove the benchmark still works, and asserts nothing
// about speed. --only runs the measurements whose name starts with PREFIX (for profiling).
//
// Internal mode, the subprocess of section 4:
//   aikom_bench --validate-identifiers rnokpp|edrpou FILE
#include "process.hpp"
#include "sections.hpp"

#include <aikom/model/date.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#ifndef AIKOM_BENCH_STDNUM_SCRIPT
#error "AIKOM_BENCH_STDNUM_SCRIPT must name bench/stdnum_validate.py"
#endif

namespace {

constexpr std::string_view usage =
    "usage: aikom_bench [--quick] [--records N] [--ids N] [--client-records N]\n"
    "                   [--memory-records N] [--rounds R] [--only PREFIX] [--out FILE]\n"
    "                   [--work-dir DIR]\n";

std::size_t positive(std::string_view option, std::string_view text)
{
    std::size_t v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || ptr != text.data() + text.size() || v == 0) {
        std::cerr << "aikom_bench: " << option << " needs a positive integer\n" << usage;
        std::exit(2);
    }
    return v;
}

} // namespace

int main(int argc, char** argv)
{
    namespace bench = aikom::bench;
    if (argc == 4 && std::string_view(argv[1]) == "--validate-identifiers") {
        return bench::validate_identifier_file(argv[2], argv[3]);
    }

    std::size_t records = 200'000;
    std::size_t ids = 1'000'000;
    std::size_t rounds = 5;
    std::size_t client_records = 100'000;
    std::size_t memory_records = 1'000'000;
    bool quick = false;
    std::string only;
    std::filesystem::path out = "build/bench/results.json";
    std::filesystem::path work_dir;
    std::size_t explicit_records = 0;
    std::size_t explicit_ids = 0;
    std::size_t explicit_rounds = 0;
    std::size_t explicit_client = 0;
    std::size_t explicit_memory = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--quick") {
            quick = true;
        } else if (a == "--records" && has_value) {
            explicit_records = positive(a, argv[++i]);
        } else if (a == "--ids" && has_value) {
            explicit_ids = positive(a, argv[++i]);
        } else if (a == "--client-records" && has_value) {
            explicit_client = positive(a, argv[++i]);
        } else if (a == "--memory-records" && has_value) {
            explicit_memory = positive(a, argv[++i]);
        } else if (a == "--rounds" && has_value) {
            explicit_rounds = positive(a, argv[++i]);
        } else if (a == "--only" && has_value) {
            only = argv[++i];
        } else if (a == "--out" && has_value) {
            out = argv[++i];
        } else if (a == "--work-dir" && has_value) {
            work_dir = argv[++i];
        } else {
            std::cerr << usage;
            return 2;
        }
    }
    if (quick) {
        records = 2'000;
        ids = 20'000;
        rounds = 2;
        client_records = 1'000;
        memory_records = 5'000;
    }
    client_records = explicit_client != 0 ? explicit_client : client_records;
    memory_records = explicit_memory != 0 ? explicit_memory : memory_records;
    records = explicit_records != 0 ? explicit_records : records;
    ids = explicit_ids != 0 ? explicit_ids : ids;
    rounds = explicit_rounds != 0 ? explicit_rounds : rounds;
    if (work_dir.empty()) {
        work_dir = out.has_parent_path() ? out.parent_path() : std::filesystem::path(".");
    }

    const auto started = std::chrono::steady_clock::now();
    try {
        // Before anything is allocated: children of sections 5–7 are forked by this small copy,
        // so that their peak RSS is their own (bench/process.hpp).
        const double spawner_mb = bench::start_spawner();
        std::error_code ec;
        auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
        if (ec) {
            self = std::filesystem::absolute(argv[0]);
        }
        const bench::environment env{.work_dir = work_dir,
                                     .self = self,
                                     .python = "/usr/bin/python3",
                                     .stdnum_script = AIKOM_BENCH_STDNUM_SCRIPT,
#ifdef AIKOM_BENCH_SANDBOX
                                     .sandbox = AIKOM_BENCH_SANDBOX,
                                     .sync = AIKOM_BENCH_SYNC,
                                     .validate = AIKOM_BENCH_VALIDATE,
                                     .audit = AIKOM_BENCH_AUDIT,
#endif
                                     .client = AIKOM_BENCH_CLIENT,
                                     .wrk = "/usr/bin/wrk",
                                     .wrk_script = AIKOM_BENCH_WRK_SCRIPT};

        std::cout << "aikom_bench: " << records << " records, " << ids
                  << " identifiers of each kind, median of " << rounds
                  << " interleaved rounds; preparing inputs" << std::endl;
        const bench::corpus corpus = bench::make_corpus(records);
        std::cout << "  child processes start from a spawner of " << spawner_mb
                  << " MB peak RSS (the floor of their peak RSS figures)" << std::endl;
        std::cout << "  NDJSON: " << corpus.json_bytes << " bytes, "
                  << corpus.json_bytes / records << " per record" << std::endl;

        bench::suite suite;
        bench::add_decode_section(suite, corpus);
        bench::add_encode_section(suite, corpus);
        bench::add_csv_section(suite, corpus);
        bench::add_identifiers_section(suite, env, ids);
        // Records a server accepts today (it judges ages as of today), for sections 5–7.
        const bool live_sections = only.empty() || only.starts_with("client") ||
                                   only.starts_with("server") || only.starts_with("memory");
        const bench::corpus live =
            live_sections && !env.sandbox.empty()
                ? bench::make_corpus(std::max<std::size_t>(client_records, quick ? 2'000 : 100'000),
                                     aikom::model::today_utc())
                : bench::corpus{};
        if (!live.records.empty()) {
            bench::add_client_section(suite, env, live, client_records, 8, rounds);
            bench::add_server_section(suite, env, live, quick);
            bench::add_memory_section(suite, env, live, memory_records);
        } else if (env.sandbox.empty()) {
            std::cout << "  sections 5-7 need the example programs (AIKOM_BUILD_EXAMPLES=ON)\n";
        }

        suite.run(rounds, only, &std::cout);
        std::cout << '\n';
        suite.print(std::cout);
        suite.write_json(out);
        std::cout << "wrote " << out.string() << " after "
                  << static_cast<long>(std::chrono::duration<double>(
                                           std::chrono::steady_clock::now() - started)
                                           .count() +
                                       0.5)
                  << " s\n";
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
    return 0;
}
