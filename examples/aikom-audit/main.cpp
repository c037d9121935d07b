// aikom-audit: the readiness report for roster files, as text on stdout and, on request, as
// JSON and as a self-contained HTML page.
//
//   aikom-audit FILE... [--json OUT] [--html OUT] [--deadline YYYY-MM-DD]
//               [--as-of YYYY-MM-DD] [--lang uk|en] [--names]
//
// Exit status: 0 report written, 2 usage error or unreadable input.

#include <aikom/check/readiness.hpp>
#include <aikom/codec/reader.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace check = aikom::check;
namespace codec = aikom::codec;

constexpr const char* usage =
    "usage: aikom-audit FILE... [--json OUT] [--html OUT] [--deadline YYYY-MM-DD]\n"
    "                   [--as-of YYYY-MM-DD] [--lang uk|en] [--names]\n"
    "\n"
    "The readiness report: per institution and group, how many children have each of the four\n"
    "indicators (birth certificate, displacement, contact, form of education) filled, missing or\n"
    "invalid, and which records to fix.\n"
    "  --json OUT      also write the report as JSON\n"
    "  --html OUT      also write it as one self-contained HTML page\n"
    "  --deadline D    the date the data must be complete by\n"
    "  --as-of D       judge dates and ages as of D (default: today)\n"
    "  --lang L        uk (default) or en, for the text and the page\n"
    "  --names         put children's names in the list of records to fix (off by default)\n";

[[noreturn]] void usage_error(const std::string& message)
{
    std::cerr << "aikom-audit: " << message << "\n\n" << usage;
    std::exit(2);
}

aikom::model::date parse_date(std::string_view option, std::string_view text)
{
    const auto d = aikom::model::parse_iso_date(text);
    if (!d) {
        usage_error(std::string(option) + " needs a date YYYY-MM-DD");
    }
    return *d;
}

bool write_file(const std::string& path, const std::string& content)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) {
        std::cerr << "aikom-audit: cannot write " << path << '\n';
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> files;
    std::optional<std::string> json_out;
    std::optional<std::string> html_out;
    check::readiness_options options;
    auto language = check::report_language::uk;

    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&]() -> std::string_view {
            if (i + 1 >= argc) {
                usage_error(std::string(a) + " needs a value");
            }
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            std::cout << usage;
            return 0;
        } else if (a == "--json") {
            json_out = std::string(value());
        } else if (a == "--html") {
            html_out = std::string(value());
        } else if (a == "--deadline") {
            options.deadline = parse_date(a, value());
        } else if (a == "--as-of") {
            options.as_of = parse_date(a, value());
        } else if (a == "--lang") {
            const auto v = value();
            if (v != "uk" && v != "en") {
                usage_error("--lang is uk or en");
            }
            language = v == "en" ? check::report_language::en : check::report_language::uk;
        } else if (a == "--names") {
            options.include_names = true;
        } else if (a.starts_with("-") && a.size() > 1) {
            usage_error("unknown option " + std::string(a));
        } else {
            files.emplace_back(a);
        }
    }
    if (files.empty()) {
        usage_error("no input file");
    }

    check::readiness_builder builder(options);
    for (const auto& file : files) {
        try {
            auto reader = codec::open_reader(file);
            codec::read_item item;
            while (reader->next(item)) {
                if (item.record) {
                    builder.add(*item.record, reader->position(item));
                } else {
                    builder.add_unreadable();
                }
            }
        } catch (const std::exception& e) {
            std::cerr << "aikom-audit: " << e.what() << '\n';
            return 2;
        }
    }

    const auto report = builder.report();
    // The files first: a reader of stdout that stops early must not cost them.
    if (json_out && !write_file(*json_out, check::render_json(report))) {
        return 2;
    }
    if (html_out && !write_file(*html_out, check::render_html(report, language))) {
        return 2;
    }
    std::cout << check::render_text(report, language);
    return std::cout.good() ? 0 : 2;
}
