// Section 4: validating identifiers, against python-stdnum.
//
// For each of РНОКПП and ЄДРПОУ, N generated values (fixed seed; one in ten with a wrong check
// digit) are written to a file, one per line. Then, as whole processes, both timed from start
// to exit through the same shell:
//
//   identifiers.<kind>_stdnum      python3 bench/stdnum_validate.py KIND FILE  (baseline)
//   identifiers.<kind>_process     aikom_bench --validate-identifiers KIND FILE
//
// Each reads the file, validates every line and prints the number of valid values; the ratio
// is the target (≥ 100×). Besides, the validator alone, in this process over values
// already in memory, in validations per second:
//
//   identifiers.<kind>_in_process
#include "sections.hpp"

#include "records/synthetic/random_source.hpp"

#include <aikom/check/check_digits.hpp>
#include <aikom/check/identifiers.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

namespace aikom::bench {
namespace {

struct kind_info {
    std::string_view name; // rnokpp, edrpou
    std::size_t prefix;    // digits before the check digit
    check::id_error (*validate)(std::string_view) noexcept;
};

constexpr kind_info kinds[] = {
    {"rnokpp", 9, &check::validate_rnokpp},
    {"edrpou", 7, &check::validate_edrpou},
};

const kind_info* find_kind(std::string_view name)
{
    for (const auto& k : kinds) {
        if (k.name == name) {
            return &k;
        }
    }
    return nullptr;
}

std::vector<std::string> generate(const kind_info& k, std::size_t count, std::uint64_t seed)
{
    // The synthetic generator's engine: the same values with every compiler.
    synthetic::detail::random_source rng(seed);
    std::vector<std::string> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::string v(k.prefix, '0');
        for (char& c : v) {
            c = static_cast<char>('0' + rng.below(10));
        }
        const auto digit = k.prefix == 9 ? check::rnokpp_check_digit(v)
                                         : check::edrpou_check_digit(v);
        int d = digit.value_or(0);
        if (rng.chance(0.1)) {
            d = (d + rng.between(1, 9)) % 10; // a wrong check digit
        }
        v.push_back(static_cast<char>('0' + d));
        out.push_back(std::move(v));
    }
    return out;
}

std::size_t count_valid(const kind_info& k, const std::vector<std::string>& values)
{
    std::size_t valid = 0;
    for (const auto& v : values) {
        valid += k.validate(v) == check::id_error::ok ? 1 : 0;
    }
    return valid;
}

std::string quoted(const std::filesystem::path& p)
{
    std::string out(1, '\'');
    out.append(p.native());
    out.push_back('\'');
    return out;
}

/// Runs `command` through the shell; returns what it printed. Throws if it fails.
std::string run_process(const std::string& command)
{
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("aikom_bench: cannot run: " + command);
    }
    std::string out;
    char buffer[256];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) {
        out.append(buffer, n);
    }
    if (::pclose(pipe) != 0) {
        throw std::runtime_error("aikom_bench: failed: " + command);
    }
    return out;
}

/// A measurement of a whole process that must print `expected` (when given) valid values.
std::function<sample()> timed_process(std::string command, std::optional<std::size_t> expected)
{
    return [command = std::move(command), expected] {
        const auto start = std::chrono::steady_clock::now();
        const std::string out = run_process(command);
        const auto stop = std::chrono::steady_clock::now();
        if (expected && out != std::to_string(*expected) + "\n") {
            throw std::runtime_error("aikom_bench: `" + command + "` printed " + out +
                                     " valid values, expected " + std::to_string(*expected));
        }
        return sample{.seconds = std::chrono::duration<double>(stop - start).count()};
    };
}

} // namespace

int validate_identifier_file(std::string_view kind, const std::filesystem::path& file)
{
    const kind_info* k = find_kind(kind);
    std::ifstream in(file, std::ios::binary);
    if (k == nullptr || !in) {
        std::cerr << "aikom_bench --validate-identifiers: needs rnokpp|edrpou and a readable file\n";
        return 2;
    }
    // One read of the whole file, as a validating program would (a character iterator would
    // cost more than the validation).
    std::string text(static_cast<std::size_t>(std::filesystem::file_size(file)), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    std::size_t valid = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        valid += k->validate(std::string_view(text).substr(start, end - start)) ==
                         check::id_error::ok
                     ? 1
                     : 0;
        start = end + 1;
    }
    std::printf("%zu\n", valid);
    return 0;
}

void add_identifiers_section(suite& s, const environment& env, std::size_t count)
{
    const bool have_stdnum =
        std::system((quoted(env.python) +
                     " -c 'import stdnum.ua.rntrc, stdnum.ua.edrpou' >/dev/null 2>&1")
                        .c_str()) == 0;
    std::filesystem::create_directories(env.work_dir);
    std::uint64_t seed = 10;
    for (const auto& k : kinds) {
        const std::string name(k.name);
        auto values = std::make_shared<const std::vector<std::string>>(generate(k, count, ++seed));
        const auto file = env.work_dir / (name + ".txt");
        {
            std::ofstream out(file, std::ios::binary);
            for (const auto& v : *values) {
                out << v << '\n';
            }
            if (!out) {
                throw std::runtime_error("aikom_bench: cannot write " + file.string());
            }
        }
        std::size_t bytes = 0;
        for (const auto& v : *values) {
            bytes += v.size() + 1;
        }
        const volume size{.bytes = bytes, .items = count, .unit = "ids"};
        const std::size_t valid = count_valid(k, *values);

        const std::string stdnum = "identifiers." + name + "_stdnum";
        const std::string process = "identifiers." + name + "_process";
        if (have_stdnum) {
            // python-stdnum 1.18 rejects the ЄДРПОУ whose check digit is 0 by the second weight
            // pass (check_digits.hpp), so only the РНОКПП count must agree with ours.
            // Two rounds, not five: one takes ~20 s (a minute and a half of a run's budget
            // for the five), and a whole process that long varies little from run to run.
            s.add_measured(stdnum, size,
                           timed_process(quoted(env.python) + " " + quoted(env.stdnum_script) +
                                             " " + name + " " + quoted(file),
                                         k.prefix == 9 ? std::optional(valid) : std::nullopt),
                           2);
        } else {
            s.add_skipped(stdnum, size,
                          "python3 cannot import stdnum.ua (Debian: python3-stdnum)");
        }
        s.add_measured(process, size,
                       timed_process(quoted(env.self) + " --validate-identifiers " + name + " " +
                                         quoted(file),
                                     valid));
        s.add("identifiers." + name + "_in_process", size, [values, &k, valid] {
            if (count_valid(k, *values) != valid) {
                throw std::logic_error("aikom_bench: the validator is not deterministic");
            }
        });
        s.compare(process, stdnum, 100.0);
    }
}

} // namespace aikom::bench
