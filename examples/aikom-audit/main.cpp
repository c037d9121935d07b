// aikom-audit: the readiness report for roster files, as text on stdout and, on request, as
// JSON and as a self-contained HTML page; form 85-К's figures of the same files; and any of
// the JSON reports (readiness, progress, form 85-К, e.g. as the server sent them) as HTML.
//
//   aikom-audit FILE... [--json OUT] [--html OUT] [--form-85k OUT] [--deadline YYYY-MM-DD]
//               [--as-of YYYY-MM-DD] [--lang uk|en] [--names]
//   aikom-audit --from-json REPORT.json --html OUT [--lang uk|en]
//
// Exit status: 0 report written, 2 usage error or unreadable input.

#include <aikom/check/form85k.hpp>
#include <aikom/check/progress.hpp>
#include <aikom/check/readiness.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/protocol/reports.hpp>

#include "owner_only_file.hpp"

#include <boost/json/parse.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace check = aikom::check;
namespace codec = aikom::codec;

constexpr const char* usage =
    "usage: aikom-audit FILE... [--json OUT] [--html OUT] [--form-85k OUT]\n"
    "                   [--deadline YYYY-MM-DD] [--as-of YYYY-MM-DD] [--lang uk|en] [--names]\n"
    "       aikom-audit --from-json REPORT.json --html OUT [--lang uk|en]\n"
    "\n"
    "The readiness report: per institution and group, how many children have each of the four\n"
    "indicators (birth certificate, displacement, contact, form of education) filled, missing or\n"
    "invalid, and which records to fix.\n"
    "  --json OUT      also write the report as JSON\n"
    "  --html OUT      also write it as one self-contained HTML page\n"
    "  --form-85k OUT  also write form 85-K's figures of the files as of --as-of: HTML when OUT\n"
    "                  ends in .html or .htm, else JSON (counts only, no personal data)\n"
    "  --deadline D    the date the data must be complete by\n"
    "  --as-of D       judge dates and ages as of D (default: today)\n"
    "  --lang L        uk (default) or en, for the text and the pages\n"
    "  --names         put children's names in the list of records to fix (off by default)\n"
    "\n"
    "With --from-json, turns a JSON report into the HTML page --html OUT, choosing by its\n"
    "\"format\" member: aikom.readiness (--json above, GET /v1/reports/completeness),\n"
    "aikom.progress (GET /v1/reports/progress) or aikom.form-85k (--form-85k, GET\n"
    "/v1/reports/form-85k). The report is checked as the client library checks it.\n";

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
    std::ofstream out;
    aikom::examples::open_owner_only(out, path);
    out << content;
    out.flush();
    if (!out) {
        std::cerr << "aikom-audit: cannot write " << path << '\n';
        return false;
    }
    return true;
}

bool html_path(std::string_view path)
{
    return path.ends_with(".html") || path.ends_with(".htm");
}

// The HTML page of the JSON report in `path`, by its "format" member; nullopt (after saying
// why on stderr) when the file cannot be read or is not a valid report of a known format.
std::optional<std::string> html_from_json(const std::string& path, check::report_language language)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::cerr << "aikom-audit: cannot read " << path << '\n';
        return std::nullopt;
    }
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    boost::system::error_code ec;
    const auto value = boost::json::parse(text, ec);
    const auto* format =
        !ec && value.is_object() ? value.as_object().if_contains("format") : nullptr;
    const std::string name = format && format->is_string() ? std::string(format->get_string()) : "";

    const auto render = [&](const auto& report) -> std::optional<std::string> {
        if (!report) {
            std::cerr << "aikom-audit: " << path << " is not a valid " << name
                      << " report: " << report.error().message() << '\n';
            return std::nullopt;
        }
        return check::render_html(*report, language);
    };
    if (name == "aikom.readiness") {
        return render(aikom::protocol::parse_completeness_report(text));
    }
    if (name == "aikom.progress") {
        return render(aikom::protocol::parse_progress_report(text));
    }
    if (name == "aikom.form-85k") {
        return render(aikom::protocol::parse_form85k_report(text));
    }
    std::cerr << "aikom-audit: " << path
              << " is not a report aikom-audit knows: its \"format\" must be aikom.readiness, "
                 "aikom.progress or aikom.form-85k\n";
    return std::nullopt;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> files;
    std::optional<std::string> json_out;
    std::optional<std::string> html_out;
    std::optional<std::string> form85k_out;
    std::optional<std::string> from_json;
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
        } else if (a == "--form-85k") {
            form85k_out = std::string(value());
        } else if (a == "--from-json") {
            from_json = std::string(value());
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
    if (from_json) {
        if (!files.empty() || json_out || form85k_out) {
            usage_error("--from-json takes no roster files and writes only --html OUT");
        }
        if (!html_out) {
            usage_error("--from-json needs --html OUT");
        }
        const auto page = html_from_json(*from_json, language);
        return page && write_file(*html_out, *page) ? 0 : 2;
    }
    if (files.empty()) {
        usage_error("no input file");
    }

    check::readiness_builder builder(options);
    check::form85k_builder form85k(options.as_of);
    for (const auto& file : files) {
        try {
            auto reader = codec::open_reader(file);
            codec::read_item item;
            while (reader->next(item)) {
                if (item.record) {
                    builder.add(*item.record, reader->position(item));
                    form85k.add(*item.record);
                } else {
                    builder.add_unreadable();
                    form85k.add_unreadable();
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
    if (form85k_out) {
        const auto figures = form85k.report();
        if (!write_file(*form85k_out, html_path(*form85k_out)
                                          ? check::render_html(figures, language)
                                          : check::render_json(figures))) {
            return 2;
        }
    }
    std::cout << check::render_text(report, language);
    return std::cout.good() ? 0 : 2;
}
