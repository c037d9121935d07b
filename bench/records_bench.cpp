// aikom_records_bench: the records layer against Boost.JSON, on generated records.
//
// For N generated records (default 200,000) as NDJSON lines it measures, in one run:
//   parse.dom_default    boost::json::parse of each line, default allocator   (decode baseline 1)
//   parse.dom_monotonic  boost::json::parse with a monotonic_resource per line (decode baseline 2)
//   decode.typed         aikom::codec::record_decoder::decode, full strictness, a new record
//                        each time
//   decode.into          record_decoder::decode_into one reused record (what the readers do)
//   serialize.dom        boost::json::serialize of each parsed DOM           (encode baseline)
//   encode.canonical     aikom::codec::encode of each record
// Each figure is the best of several rounds, rounds interleaved so that all of them see the
// same machine. Ratios are against the baseline named in the row, measured in the same run.
//
//   aikom_records_bench [--records N] [--rounds R] [--out results.json] [--only ROW-PREFIX]

#include <aikom/codec/json.hpp>
#include <aikom/synthetic/roster_generator.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct row {
    std::string name;
    std::string baseline; // empty for a baseline
    double seconds = 1e300;
    double mb_per_s = 0;
    double records_per_s = 0;
    double ratio = 1.0;
};

template <class F>
double time_once(F&& f)
{
    const auto start = clock_type::now();
    f();
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::size_t parse_count(const char* text, const char* option)
{
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (end == text || *end != '\0' || v == 0) {
        std::cerr << "aikom_records_bench: " << option << " needs a positive integer\n";
        std::exit(2);
    }
    return static_cast<std::size_t>(v);
}

} // namespace

int main(int argc, char** argv)
{
    std::size_t count = 200'000;
    std::size_t rounds = 5;
    std::string out_path;
    std::string only; // profiling aid: run only the rows whose name starts with this
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--records" && i + 1 < argc) {
            count = parse_count(argv[++i], "--records");
        } else if (a == "--rounds" && i + 1 < argc) {
            rounds = parse_count(argv[++i], "--rounds");
        } else if (a == "--out" && i + 1 < argc) {
            out_path = argv[++i];
        } else if (a == "--only" && i + 1 < argc) {
            only = argv[++i];
        } else {
            std::cerr << "usage: aikom_records_bench [--records N] [--rounds R] [--out FILE] "
                         "[--only ROW-PREFIX]\n";
            return 2;
        }
    }

    // The input: generated records, canonical NDJSON lines.
    aikom::synthetic::roster_generator gen({.institutions = 20, .seed = 1});
    std::vector<std::string> lines;
    lines.reserve(count);
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < count; ++i) {
        lines.push_back(aikom::codec::encode(gen.next()));
        bytes += lines.back().size();
    }
    std::cout << "records: " << count << ", NDJSON bytes: " << bytes << " (" << bytes / count
              << " per record), best of " << rounds << " rounds\n";

    // Inputs for the encode rows, decoded once outside the timings.
    std::vector<aikom::model::child> records;
    std::vector<boost::json::value> doms;
    records.reserve(count);
    doms.reserve(count);
    aikom::codec::record_decoder decoder;
    for (const auto& l : lines) {
        auto r = decoder.decode(l);
        if (!r.ok()) {
            std::cerr << "aikom_records_bench: a generated record did not decode\n";
            return 1;
        }
        records.push_back(std::move(*r.record));
        doms.push_back(boost::json::parse(l));
    }

    std::size_t sink = 0; // keeps the optimiser from dropping work
    std::vector<row> rows = {
        {"parse.dom_default", ""},
        {"parse.dom_monotonic", ""},
        {"decode.typed", "parse.dom_default"},
        {"decode.typed", "parse.dom_monotonic"},
        {"decode.into", "parse.dom_default"},
        {"decode.into", "parse.dom_monotonic"},
        {"serialize.dom", ""},
        {"encode.canonical", "serialize.dom"},
    };
    const std::vector<std::function<void()>> work = {
        [&] {
            for (const auto& l : lines) {
                boost::json::error_code ec;
                const auto v = boost::json::parse(l, ec);
                sink += v.is_object() ? 1 : 0;
            }
        },
        [&] {
            unsigned char buffer[4096];
            for (const auto& l : lines) {
                boost::json::monotonic_resource mr(buffer, sizeof buffer);
                boost::json::error_code ec;
                const auto v = boost::json::parse(l, ec, &mr);
                sink += v.is_object() ? 1 : 0;
            }
        },
        [&] {
            for (const auto& l : lines) {
                const auto r = decoder.decode(l);
                sink += r.ok() ? 1 : 0;
            }
        },
        {}, // the same measurement as the row before, against the other baseline
        [&] {
            aikom::model::child target;
            std::vector<aikom::check::issue> issues;
            for (const auto& l : lines) {
                sink += decoder.decode_into(l, target, issues).ok ? 1 : 0;
            }
        },
        {},
        [&] {
            for (const auto& v : doms) {
                const std::string s = boost::json::serialize(v);
                sink += s.size();
            }
        },
        [&] {
            for (const auto& r : records) {
                const std::string s = aikom::codec::encode(r);
                sink += s.size();
            }
        },
    };

    for (std::size_t round = 0; round < rounds; ++round) {
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (!only.empty() && !rows[i].name.starts_with(only)) {
                continue;
            }
            if (work[i]) {
                rows[i].seconds = std::min(rows[i].seconds, time_once(work[i]));
            } else {
                rows[i].seconds = rows[i - 1].seconds;
            }
        }
    }
    // Encoded bytes equal the NDJSON bytes for both encoders (the canonical form has no spaces,
    // nor does serialize), so every row is measured against the same byte count.
    for (auto& r : rows) {
        r.mb_per_s = static_cast<double>(bytes) / 1e6 / r.seconds;
        r.records_per_s = static_cast<double>(count) / r.seconds;
    }
    for (auto& r : rows) {
        if (r.baseline.empty()) {
            continue;
        }
        for (const auto& b : rows) {
            if (b.name == r.baseline && b.baseline.empty()) {
                r.ratio = r.mb_per_s / b.mb_per_s;
            }
        }
    }

    std::printf("%-22s %10s %14s %8s  %s\n", "row", "MB/s", "records/s", "ratio", "baseline");
    for (const auto& r : rows) {
        std::printf("%-22s %10.1f %14.0f %7.2fx  %s\n", r.name.c_str(), r.mb_per_s, r.records_per_s,
                    r.ratio, r.baseline.empty() ? "(baseline)" : r.baseline.c_str());
    }

    if (!out_path.empty()) {
        boost::json::array out;
        for (const auto& r : rows) {
            out.push_back(boost::json::object{
                {"name", r.baseline.empty() ? r.name : r.name + " vs " + r.baseline},
                {"mb_per_s", r.mb_per_s},
                {"records_per_s", r.records_per_s},
                {"ratio", r.ratio},
            });
        }
        const std::filesystem::path p(out_path);
        if (p.has_parent_path()) {
            std::filesystem::create_directories(p.parent_path());
        }
        std::ofstream f(p);
        f << boost::json::serialize(out) << '\n';
        if (!f) {
            std::cerr << "aikom_records_bench: cannot write " << out_path << '\n';
            return 1;
        }
        std::cout << "wrote " << out_path << '\n';
    }
    return sink == 0 ? 1 : 0;
}
