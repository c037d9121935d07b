// aikom-validate: checks roster files against a profile and reports every problem by file, line
// and field; with --fix, writes the records with the normalisers' fixes applied.
//
//   aikom-validate [--profile structure|submission|readiness] [--format text|json]
//                  [--fix OUT] [--lenient] [--lang uk|en] [--as-of YYYY-MM-DD] FILE...
//
// Exit status: 0 no errors, 1 errors found, 2 usage error or unreadable input.

#include <aikom/check/rules.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/codec/writer.hpp>

#include "owner_only_file.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace check = aikom::check;
namespace codec = aikom::codec;

constexpr const char* usage =
    "usage: aikom-validate [--profile structure|submission|readiness] [--format text|json]\n"
    "                      [--fix OUT] [--lenient] [--lang uk|en] [--as-of YYYY-MM-DD] FILE...\n"
    "\n"
    "Checks child records (.json, .ndjson/.jsonl, .csv) and reports every problem.\n"
    "  --profile P    structure, submission (what AIKOM needs to save a card) or readiness\n"
    "                 (submission + the four indicators); default readiness\n"
    "  --format F     text (default) or json\n"
    "  --fix OUT      write the records with the suggested fixes applied to OUT\n"
    "                 (format from its extension); records that cannot be read are not written\n"
    "  --lenient      unknown fields are warnings, not errors\n"
    "  --lang L       language of text output: uk or en (default: from the locale)\n"
    "  --as-of D      judge dates and ages as of D (default: today)\n"
    "Exit status: 0 no errors, 1 errors found, 2 usage error or unreadable input.\n";

struct options {
    check::profile profile = check::profile::readiness;
    bool json = false;
    std::optional<std::string> fix_out;
    bool lenient = false;
    bool english = false;
    aikom::model::date as_of{};
    std::vector<std::string> files;
};

[[noreturn]] void usage_error(const std::string& message)
{
    std::cerr << "aikom-validate: " << message << "\n\n" << usage;
    std::exit(2);
}

bool locale_is_ukrainian()
{
    for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        if (const char* v = std::getenv(name); v != nullptr && *v != '\0') {
            return std::string_view(v).starts_with("uk");
        }
    }
    return false;
}

options parse(int argc, char** argv)
{
    options o;
    o.english = !locale_is_ukrainian();
    o.as_of = aikom::model::today_utc();
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
            std::exit(0);
        } else if (a == "--profile") {
            const auto v = value();
            const auto p = check::profile_from_string(v);
            if (!p) {
                usage_error("unknown profile '" + std::string(v) + "'");
            }
            o.profile = *p;
        } else if (a == "--format") {
            const auto v = value();
            if (v != "text" && v != "json") {
                usage_error("--format is text or json");
            }
            o.json = v == "json";
        } else if (a == "--fix") {
            o.fix_out = std::string(value());
        } else if (a == "--lenient") {
            o.lenient = true;
        } else if (a == "--lang") {
            const auto v = value();
            if (v != "uk" && v != "en") {
                usage_error("--lang is uk or en");
            }
            o.english = v == "en";
        } else if (a == "--as-of") {
            const auto v = value();
            const auto d = aikom::model::parse_iso_date(v);
            if (!d) {
                usage_error("--as-of needs a date YYYY-MM-DD");
            }
            o.as_of = *d;
        } else if (a.starts_with("-") && a.size() > 1) {
            usage_error("unknown option " + std::string(a));
        } else {
            o.files.emplace_back(a);
        }
    }
    if (o.files.empty()) {
        usage_error("no input file");
    }
    return o;
}

struct totals {
    std::size_t records = 0;
    std::size_t valid = 0;
    std::size_t errors = 0;
    std::size_t warnings = 0;
    std::size_t fixes = 0;
};

// Writes one issue as a JSON object of the "issues" array.
void write_json_issue(std::ostream& out, bool& first, const std::string& file,
                      const codec::read_item& item, const check::issue& i)
{
    boost::json::object o;
    o["file"] = file;
    o["record"] = item.index;
    o["line"] = item.line;
    o["id"] = item.record ? boost::json::value(item.record->id) : boost::json::value(nullptr);
    o["pointer"] = i.pointer;
    o["code"] = i.code;
    o["severity"] = check::to_string(i.severity);
    o["message"] = i.message_en;
    o["message_uk"] = i.message_uk;
    o["suggestion"] =
        i.suggestion ? boost::json::value(*i.suggestion) : boost::json::value(nullptr);
    out << (first ? "\n    " : ",\n    ") << boost::json::serialize(o);
    first = false;
}

} // namespace

int main(int argc, char** argv)
{
    const options opt = parse(argc, argv);

    // --fix writes to OUT.partial and renames it at the end: OUT is never half-written, and an
    // input is never truncated before it is read.
    std::ofstream fix_file;
    std::unique_ptr<codec::record_writer> fix_writer;
    std::string partial;
    if (opt.fix_out) {
        const auto format = codec::format_from_extension(*opt.fix_out);
        if (!format) {
            usage_error("--fix: cannot tell the output format from '" + *opt.fix_out + "'");
        }
        for (const auto& f : opt.files) {
            std::error_code ec;
            if (std::filesystem::equivalent(f, *opt.fix_out, ec)) {
                usage_error("--fix: the output is one of the inputs (" + f + ")");
            }
        }
        partial = *opt.fix_out + ".partial";
        std::error_code stale;
        std::filesystem::remove(partial, stale); // a killed run's: created afresh below
        aikom::examples::open_owner_only(fix_file, partial);
        if (!fix_file) {
            std::cerr << "aikom-validate: cannot write " << partial << '\n';
            return 2;
        }
        fix_writer = codec::make_writer(fix_file, *format);
    }
    auto discard_partial = [&] {
        if (!partial.empty()) {
            fix_file.close();
            std::error_code ec;
            std::filesystem::remove(partial, ec);
        }
    };

    codec::reader_options ropt;
    if (opt.lenient) {
        ropt.decode.unknown_fields = codec::unknown_field_policy::warn;
    }
    const check::rule_options rules{.as_of = opt.as_of};

    totals t;
    std::size_t unwritten = 0;
    bool first_json_issue = true;
    if (opt.json) {
        std::cout << "{\n  \"issues\": [";
    }
    for (const auto& file : opt.files) {
        std::unique_ptr<codec::record_reader> reader;
        try {
            reader = codec::open_reader(file, ropt);
        } catch (const std::exception& e) {
            std::cerr << "aikom-validate: " << e.what() << '\n';
            discard_partial();
            return 2;
        }
        codec::read_item item;
        std::vector<check::issue> issues;
        try {
            while (reader->next(item)) {
                ++t.records;
                issues = item.issues;
                if (item.record) {
                    check::check_record(*item.record, opt.profile, rules, issues);
                }
                bool has_error = false;
                for (const auto& i : issues) {
                    t.errors += i.severity == check::severity::error;
                    t.warnings += i.severity == check::severity::warning;
                    t.fixes += i.severity == check::severity::fix;
                    has_error = has_error || i.severity == check::severity::error;
                }
                t.valid += item.record && !has_error ? 1 : 0;

                if (opt.json) {
                    for (const auto& i : issues) {
                        write_json_issue(std::cout, first_json_issue, file, item, i);
                    }
                } else if (!issues.empty()) {
                    std::cout << reader->position(item);
                    if (item.record) {
                        std::cout << "  " << item.record->id;
                    }
                    std::cout << '\n';
                    for (const auto& i : issues) {
                        std::cout << "  " << check::to_string(i.severity) << ' '
                                  << (i.pointer.empty() ? "/" : i.pointer) << ' ' << i.code << ": "
                                  << (opt.english ? i.message_en : i.message_uk);
                        if (i.suggestion) {
                            std::cout << (opt.english ? " (suggested: " : " (пропонується: ")
                                      << *i.suggestion << ')';
                        }
                        std::cout << '\n';
                    }
                }

                if (fix_writer) {
                    if (item.record) {
                        check::apply_fixes(*item.record, issues);
                        fix_writer->write(*item.record);
                    } else {
                        ++unwritten;
                    }
                }
            }
        } catch (const std::exception& e) {
            std::cerr << "aikom-validate: " << file << ": " << e.what() << '\n';
            discard_partial();
            return 2;
        }
    }

    if (opt.json) {
        boost::json::object s;
        s["records"] = t.records;
        s["valid"] = t.valid;
        s["errors"] = t.errors;
        s["warnings"] = t.warnings;
        s["fixes"] = t.fixes;
        std::cout << (first_json_issue ? "],\n" : "\n  ],\n")
                  << "  \"summary\": " << boost::json::serialize(s) << "\n}\n";
    } else if (opt.english) {
        std::cout << "records: " << t.records << ", valid: " << t.valid << ", errors: " << t.errors
                  << ", warnings: " << t.warnings << ", fixes: " << t.fixes << " (profile "
                  << check::to_string(opt.profile) << ")\n";
    } else {
        std::cout << "записів: " << t.records << ", без помилок: " << t.valid
                  << ", помилок: " << t.errors << ", попереджень: " << t.warnings
                  << ", виправлень: " << t.fixes << " (профіль " << check::to_string(opt.profile)
                  << ")\n";
    }
    if (fix_writer) {
        fix_writer->finish();
        fix_file.close();
        std::error_code ec;
        if (!fix_file) {
            std::cerr << "aikom-validate: writing " << partial << " failed\n";
            discard_partial();
            return 2;
        }
        std::filesystem::rename(partial, *opt.fix_out, ec);
        if (ec) {
            std::cerr << "aikom-validate: cannot rename " << partial << " to " << *opt.fix_out
                      << ": " << ec.message() << '\n';
            return 2;
        }
        if (unwritten != 0) {
            std::cerr << "aikom-validate: " << unwritten << " record(s) could not be read and are "
                      << "not in " << *opt.fix_out << '\n';
        }
    }
    return t.errors != 0 ? 1 : 0;
}
