// aikom_bench: every hot path against its natural baseline and its limit, in one run (issue 10).
//
//   aikom_bench [--quick] [--records N] [--ids N] [--rounds R] [--only PREFIX] [--out FILE]
//               [--work-dir DIR]
//
// Prints one table (name, size, time, throughput, baseline, ratio, target) and writes the same
// rows to FILE (default build/bench/results.json) as a JSON array. --quick uses small inputs
// and 2 rounds: the test suite runs it to prove the benchmark still works, and asserts nothing
// about speed. --only runs the measurements whose name starts with PREFIX (for profiling).
//
// Internal mode, the subprocess of section 4:
//   aikom_bench --validate-identifiers rnokpp|edrpou FILE
#include "sections.hpp"

#include <charconv>
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
    "usage: aikom_bench [--quick] [--records N] [--ids N] [--rounds R] [--only PREFIX]\n"
    "                   [--out FILE] [--work-dir DIR]\n";

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
    bool quick = false;
    std::string only;
    std::filesystem::path out = "build/bench/results.json";
    std::filesystem::path work_dir;
    std::size_t explicit_records = 0;
    std::size_t explicit_ids = 0;
    std::size_t explicit_rounds = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--quick") {
            quick = true;
        } else if (a == "--records" && has_value) {
            explicit_records = positive(a, argv[++i]);
        } else if (a == "--ids" && has_value) {
            explicit_ids = positive(a, argv[++i]);
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
    }
    records = explicit_records != 0 ? explicit_records : records;
    ids = explicit_ids != 0 ? explicit_ids : ids;
    rounds = explicit_rounds != 0 ? explicit_rounds : rounds;
    if (work_dir.empty()) {
        work_dir = out.has_parent_path() ? out.parent_path() : std::filesystem::path(".");
    }

    try {
        std::error_code ec;
        auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
        if (ec) {
            self = std::filesystem::absolute(argv[0]);
        }
        const bench::environment env{.work_dir = work_dir,
                                     .self = self,
                                     .python = "/usr/bin/python3",
                                     .stdnum_script = AIKOM_BENCH_STDNUM_SCRIPT};

        std::cout << "aikom_bench: " << records << " records, " << ids
                  << " identifiers of each kind, median of " << rounds
                  << " interleaved rounds; preparing inputs" << std::endl;
        const bench::corpus corpus = bench::make_corpus(records);
        std::cout << "  NDJSON: " << corpus.json_bytes << " bytes, "
                  << corpus.json_bytes / records << " per record" << std::endl;

        bench::suite suite;
        bench::add_decode_section(suite, corpus);
        bench::add_encode_section(suite, corpus);
        bench::add_csv_section(suite, corpus);
        bench::add_identifiers_section(suite, env, ids);

        suite.run(rounds, only, &std::cout);
        std::cout << '\n';
        suite.print(std::cout);
        suite.write_json(out);
        std::cout << "wrote " << out.string() << '\n';
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
    return 0;
}
