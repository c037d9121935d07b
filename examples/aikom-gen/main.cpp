// aikom-gen: writes synthetic child records (aikom::synthetic::roster_generator) as NDJSON,
// a JSON array or CSV. Every name, date and identifier is random: no real person's data.
//
//   aikom-gen --count 1000 --institutions 5 --defect-rate 0.1 --format csv -o roster.csv

#include <aikom/codec/csv.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/model/date.hpp>
#include <aikom/synthetic/roster_generator.hpp>

#include "owner_only_file.hpp"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace {

constexpr std::string_view usage =
    "usage: aikom-gen --count N [--institutions K] [--seed S] [--defect-rate R]\n"
    "                 [--reference-date YYYY-MM-DD|today] [--format ndjson|json|csv] [-o FILE]\n"
    "\n"
    "Writes N synthetic child records (random data, no real persons) to stdout or FILE.\n"
    "  --count N         number of records (required)\n"
    "  --institutions K  number of distinct institutions, 1..100000 (default 1)\n"
    "  --seed S          seed; the same arguments always give the same output (default 1)\n"
    "  --defect-rate R   share of records, 0..1, with deliberate mistakes (default 0)\n"
    "  --reference-date D  the day ages and dates are made for (default 2025-06-01; `today`\n"
    "                    for records that a server checking as of today finds plausible)\n"
    "  --format F        ndjson (default), json (one array) or csv\n"
    "  -o FILE           write to FILE instead of stdout\n";

enum class output_format { ndjson, json, csv };

struct arguments {
    std::uint64_t count = 0;
    aikom::synthetic::roster_options options;
    output_format format = output_format::ndjson;
    std::optional<std::string> output;
};

/// Thrown for a bad command line; main prints it with the usage and exits with 2.
struct usage_error {
    std::string message;
};

template <class T>
T parse_number(std::string_view option, std::string_view text)
{
    T value{};
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || text.empty()) {
        throw usage_error{std::string{option} + ": not a valid number: " + std::string{text}};
    }
    return value;
}

arguments parse_arguments(int argc, char** argv)
{
    arguments args;
    bool have_count = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view option = argv[i];
        if (option == "--help" || option == "-h") {
            std::cout << usage;
            std::exit(0);
        }
        if (i + 1 >= argc) {
            throw usage_error{std::string{option} + (option.starts_with("-")
                                                         ? ": missing value"
                                                         : ": unexpected argument")};
        }
        const std::string_view value = argv[++i];
        if (option == "--count") {
            args.count = parse_number<std::uint64_t>(option, value);
            have_count = true;
        } else if (option == "--institutions") {
            args.options.institutions = parse_number<std::size_t>(option, value);
            if (args.options.institutions < 1 || args.options.institutions > 100000) {
                throw usage_error{"--institutions: must be in 1..100000"};
            }
        } else if (option == "--seed") {
            args.options.seed = parse_number<std::uint64_t>(option, value);
        } else if (option == "--defect-rate") {
            const double rate = parse_number<double>(option, value);
            if (!(rate >= 0.0 && rate <= 1.0)) {
                throw usage_error{"--defect-rate: must be in 0..1"};
            }
            args.options.defect_rate = rate;
        } else if (option == "--format") {
            if (value == "ndjson") {
                args.format = output_format::ndjson;
            } else if (value == "json") {
                args.format = output_format::json;
            } else if (value == "csv") {
                args.format = output_format::csv;
            } else {
                throw usage_error{"--format: expected ndjson, json or csv, not " +
                                  std::string{value}};
            }
        } else if (option == "--reference-date") {
            const auto d = value == "today" ? std::optional(aikom::model::today_utc())
                                            : aikom::model::parse_iso_date(value);
            if (!d) {
                throw usage_error{"--reference-date: expected YYYY-MM-DD or today, not " +
                                  std::string{value}};
            }
            args.options.reference_date = *d;
        } else if (option == "-o" || option == "--output") {
            args.output = std::string{value};
        } else {
            throw usage_error{"unknown option: " + std::string{option}};
        }
    }
    if (!have_count) {
        throw usage_error{"--count is required"};
    }
    return args;
}

void write_records(const arguments& args, std::ostream& out)
{
    aikom::synthetic::roster_generator generator{args.options};
    if (args.format == output_format::csv) {
        aikom::codec::csv_writer writer{out};
        for (std::uint64_t i = 0; i < args.count; ++i) {
            writer.write(generator.next());
        }
        return;
    }
    const bool array = args.format == output_format::json;
    std::string line;
    if (array) {
        out << "[\n";
    }
    for (std::uint64_t i = 0; i < args.count; ++i) {
        line.clear();
        if (array && i > 0) {
            line += ",\n";
        }
        aikom::codec::encode(generator.next(), line);
        if (!array) {
            line += '\n';
        }
        out << line;
    }
    if (array) {
        out << (args.count > 0 ? "\n]\n" : "]\n");
    }
}

} // namespace

int main(int argc, char** argv)
{
    arguments args;
    try {
        args = parse_arguments(argc, argv);
    } catch (const usage_error& e) {
        std::cerr << "aikom-gen: " << e.message << "\n\n" << usage;
        return 2;
    }

    try {
        std::ofstream file;
        if (args.output) {
            aikom::examples::open_owner_only(file, *args.output);
            if (!file) {
                std::cerr << "aikom-gen: cannot open " << *args.output << " for writing\n";
                return 1;
            }
        }
        std::ostream& out = args.output ? file : std::cout;
        write_records(args, out);
        out.flush();
        if (!out) {
            std::cerr << "aikom-gen: write failed\n";
            return 1;
        }
    } catch (const std::exception& e) {
        std::cerr << "aikom-gen: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
