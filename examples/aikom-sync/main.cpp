// aikom-sync: makes the server agree with a roster (push), copies the change feed of the caller's
// scope into an NDJSON file (pull), and says what a push journal holds (status). The work is done
// by aikom::sync (include/aikom/sync/); this program parses the command line, shows progress and
// writes the report.
//
//   aikom-sync push --server URL [--ca FILE] --client-id ID --journal FILE [--batch N]
//                   [--concurrency C] [--report OUT.json] [--withdraw-missing] [--verbose]
//                   [--quiet] FILE...
//   aikom-sync pull --server URL [--ca FILE] --client-id ID --state FILE --out FILE.ndjson
//   aikom-sync status --journal FILE
//
// Exit status: 0 everything accepted (push) or the feed drained (pull); 1 some records were
// rejected by the server or refused locally (listed in the report); 2 usage, configuration or
// connection failure, with one line saying what.

#include <aikom/client/session.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/sync/journal.hpp>
#include <aikom/sync/pull.hpp>
#include <aikom/sync/push.hpp>

#include "owner_only_file.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace client = aikom::client;
namespace codec = aikom::codec;
namespace json = boost::json;
namespace sync = aikom::sync;
namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

constexpr std::string_view usage =
    "usage: aikom-sync push --server URL [--ca FILE] --client-id ID --journal FILE [--batch N]\n"
    "                       [--concurrency C] [--report OUT.json] [--withdraw-missing]\n"
    "                       [--verbose] [--quiet] FILE...\n"
    "       aikom-sync pull --server URL [--ca FILE] --client-id ID --state FILE\n"
    "                       --out FILE.ndjson [--verbose] [--quiet]\n"
    "       aikom-sync status --journal FILE\n"
    "\n"
    "push    sends the records of FILE... (.json, .ndjson, .jsonl, .csv) that are valid and\n"
    "        changed since the server last accepted them; the journal makes a killed push\n"
    "        resumable\n"
    "pull    appends the change feed of the client's scope to FILE.ndjson, one change per line;\n"
    "        the state file holds the cursor, so a killed pull resumes without gaps or doubles\n"
    "status  prints how many records of the journal are in each state\n"
    "  --server URL              https://host[:port] of the server\n"
    "  --ca FILE                 PEM file of the CA to trust (default: the system's CAs)\n"
    "  --client-id ID            the OAuth2 client; its secret comes from AIKOM_CLIENT_SECRET\n"
    "  --client-secret-file FILE or from the first line of FILE (never from the command line)\n"
    "  --journal FILE            the push journal (SQLite, created owner-only)\n"
    "  --batch N                 records per batch, 1..10000 (default: the server's limit)\n"
    "  --concurrency C           batches in flight, 1..64 (default 2)\n"
    "  --report OUT.json         write every rejected, invalid and missing record with its issues\n"
    "  --withdraw-missing        withdraw on the server the records gone from the roster\n"
    "  --state FILE, --out FILE  pull: the cursor file and the NDJSON output\n"
    "  --verbose                 log every request (method, path, status, timing, request id)\n"
    "                            and the peak memory use\n"
    "  --quiet                   no progress\n"
    "Exit status: 0 everything accepted, 1 some records rejected or invalid, 2 usage,\n"
    "configuration or connection failure.\n";

struct arguments {
    std::string command{};
    client::client_options options{};
    fs::path journal{}, report{}, state{}, out{}, secret_file{};
    std::vector<fs::path> files{};
    std::size_t batch = 0, concurrency = 2;
    bool withdraw_missing = false, verbose = false, quiet = false;
};

[[noreturn]] void fail(std::string_view message)
{
    std::cerr << "aikom-sync: " << message << '\n';
    std::exit(2);
}

[[noreturn]] void usage_error(std::string_view message)
{
    std::cerr << "aikom-sync: " << message << " (aikom-sync --help shows the usage)\n";
    std::exit(2);
}

std::size_t parse_count(std::string_view option, std::string_view value, std::size_t max)
{
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc{} || end != value.data() + value.size() || n < 1 || n > max) {
        usage_error(std::string(option) + ": a number from 1 to " + std::to_string(max) + ", not " +
                    std::string(value));
    }
    return n;
}

std::string read_secret(const arguments& args)
{
    if (!args.secret_file.empty()) {
        std::ifstream in(args.secret_file);
        std::string secret;
        if (!in || !std::getline(in, secret)) {
            fail("cannot read the client secret from " + args.secret_file.string());
        }
        while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) {
            secret.pop_back();
        }
        if (secret.empty()) {
            fail("the first line of " + args.secret_file.string() + " is empty");
        }
        return secret;
    }
    const char* secret = std::getenv("AIKOM_CLIENT_SECRET");
    if (secret == nullptr || *secret == '\0') {
        fail("set AIKOM_CLIENT_SECRET, or pass --client-secret-file, for client '" +
             args.options.credentials.client_id +
             "' (a secret is never taken from the command line)");
    }
    return secret;
}

arguments parse_arguments(int argc, char** argv)
{
    arguments args;
    const std::string_view command = argc > 1 ? argv[1] : "";
    if (command == "--help" || command == "-h") {
        std::cout << usage;
        std::exit(0);
    }
    if (command != "push" && command != "pull" && command != "status") {
        usage_error(command.empty() ? "a command is required: push, pull or status"
                                    : "unknown command: " + std::string(command));
    }
    args.command = command;
    // One row per option: the commands that take it, and what it sets (no value: a flag).
    using setter = void (*)(arguments&, std::string_view);
    struct option_row {
        std::string_view name, commands;
        setter set; // nullptr: a flag, see below
    };
    static constexpr option_row rows[] = {
        {"--server", "push pull", [](arguments& a, std::string_view v) { a.options.base_url = v; }},
        {"--ca", "push pull", [](arguments& a, std::string_view v) { a.options.tls.ca_file = v; }},
        {"--client-id", "push pull",
         [](arguments& a, std::string_view v) { a.options.credentials.client_id = v; }},
        {"--client-secret-file", "push pull",
         [](arguments& a, std::string_view v) { a.secret_file = v; }},
        {"--journal", "push status", [](arguments& a, std::string_view v) { a.journal = v; }},
        {"--batch", "push",
         [](arguments& a, std::string_view v) { a.batch = parse_count("--batch", v, 10000); }},
        {"--concurrency", "push",
         [](arguments& a, std::string_view v) {
             a.concurrency = parse_count("--concurrency", v, 64);
         }},
        {"--report", "push", [](arguments& a, std::string_view v) { a.report = v; }},
        {"--state", "pull", [](arguments& a, std::string_view v) { a.state = v; }},
        {"--out", "pull", [](arguments& a, std::string_view v) { a.out = v; }},
        {"--withdraw-missing", "push", nullptr},
        {"--verbose", "push pull", nullptr},
        {"--quiet", "push pull", nullptr},
    };
    for (int i = 2; i < argc; ++i) {
        const std::string_view option = argv[i];
        if (option == "--help" || option == "-h") {
            std::cout << usage;
            std::exit(0);
        }
        if (!option.starts_with("--")) {
            if (args.command != "push") {
                usage_error(args.command + " takes no files: " + std::string(option));
            }
            args.files.emplace_back(option);
            continue;
        }
        if (option == "--client-secret") {
            usage_error("--client-secret: a secret is never taken from the command line; set "
                        "AIKOM_CLIENT_SECRET or pass --client-secret-file FILE");
        }
        const auto row = std::find_if(std::begin(rows), std::end(rows),
                                      [&](const option_row& r) { return r.name == option; });
        if (row == std::end(rows)) {
            usage_error("unknown option: " + std::string(option));
        }
        if (row->commands.find(args.command) == std::string_view::npos) {
            usage_error(std::string(option) + " is not an option of " + args.command);
        }
        if (row->set == nullptr) {
            (option == "--verbose" ? args.verbose
             : option == "--quiet" ? args.quiet
                                   : args.withdraw_missing) = true;
        } else if (i + 1 < argc) {
            row->set(args, argv[++i]);
        } else {
            usage_error(std::string(option) + ": missing value");
        }
    }
    if (args.command == "status") {
        if (args.journal.empty()) {
            usage_error("status: --journal is required");
        }
        return args;
    }
    if (args.options.base_url.empty() || args.options.credentials.client_id.empty()) {
        usage_error(args.command + ": --server and --client-id are required");
    }
    if (args.command == "push" && (args.journal.empty() || args.files.empty())) {
        usage_error("push: --journal and at least one FILE are required");
    }
    if (args.command == "pull" && (args.state.empty() || args.out.empty())) {
        usage_error("pull: --state and --out are required");
    }
    args.options.credentials.client_secret = read_secret(args);
    return args;
}

// ---- the roster: the FILEs one after the other, as one source ------------------------------

class roster {
public:
    explicit roster(std::vector<fs::path> files)
        : files_(std::move(files))
    {
        for (const auto& f : files_) {
            if (!codec::format_from_extension(f)) {
                usage_error(f.string() + ": unknown format (use .json, .ndjson, .jsonl or .csv)");
            }
            sizes_.push_back(fs::file_size(f)); // throws, naming the file, if it is not there
            total_ += sizes_.back();
        }
    }

    sync::record_source source()
    {
        return {
            .next = [this](codec::read_item& item) { return next(item); },
            .position = [this](const codec::read_item& item) { return reader_->position(item); },
            .bytes_read = [this] { return done_ + current_; },
            .bytes_total = total_};
    }

private:
    bool next(codec::read_item& item)
    {
        for (;;) {
            if (reader_ && reader_->next(item)) {
                if (++items_ % 64 == 0) { // a seek per record would cost more than it tells
                    const auto pos = stream_->tellg();
                    current_ = pos < 0 ? sizes_[index_ - 1] : static_cast<std::uint64_t>(pos);
                }
                return true;
            }
            if (reader_) {
                done_ += sizes_[index_ - 1];
                current_ = 0;
                reader_.reset();
                stream_.reset();
            }
            if (index_ == files_.size()) {
                return false;
            }
            const auto& path = files_[index_++];
            stream_ = std::make_unique<std::ifstream>(path, std::ios::binary);
            if (!*stream_) {
                throw fs::filesystem_error("cannot open the roster", path,
                                           std::make_error_code(std::errc::io_error));
            }
            reader_ =
                codec::make_reader(*stream_, *codec::format_from_extension(path), path.string());
        }
    }

    std::vector<fs::path> files_;
    std::vector<std::uint64_t> sizes_;
    std::uint64_t total_ = 0, done_ = 0, current_ = 0, items_ = 0;
    std::size_t index_ = 0;
    std::unique_ptr<std::ifstream> stream_;
    std::unique_ptr<codec::record_reader> reader_;
};

// ---- progress on stderr: a bar on a terminal, a line every few seconds otherwise -----------

std::string duration_text(std::chrono::milliseconds d)
{
    const auto s = d.count() / 1000;
    char text[32];
    if (s >= 60) {
        std::snprintf(text, sizeof text, "%lld:%02lld", static_cast<long long>(s / 60),
                      static_cast<long long>(s % 60));
    } else {
        std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(d.count()) / 1000.0);
    }
    return text;
}

class progress_display {
public:
    progress_display(bool quiet)
        : mode_(quiet                   ? mode::none
                : isatty(STDERR_FILENO) ? mode::bar
                                        : mode::lines)
    {}

    /// `what`: the counts in words; `done` of `total` bytes give the bar and the ETA when known.
    void show(std::uint64_t items, const std::string& what, std::uint64_t done, std::uint64_t total,
              bool final)
    {
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start_);
        if (mode_ == mode::none || (mode_ == mode::lines && !final && elapsed < next_line_)) {
            return;
        }
        // Share, ETA and rate first: a line cut to the terminal's width keeps them.
        const double seconds = std::max(0.001, static_cast<double>(elapsed.count()) / 1000.0);
        std::string line =
            std::to_string(static_cast<std::uint64_t>(static_cast<double>(items) / seconds)) +
            "/s  " + what;
        if (total > 0 && done > 0) {
            const double share =
                std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
            const auto left = std::chrono::milliseconds(static_cast<std::int64_t>(
                static_cast<double>(elapsed.count()) * (1 - share) / share));
            line = std::to_string(static_cast<int>(share * 100)) + "%  " +
                   (final ? "" : "ETA " + duration_text(left) + "  ") + line;
            if (mode_ == mode::bar) {
                const auto filled = static_cast<std::size_t>(share * 20);
                line = "[" + std::string(filled, '#') + std::string(20 - filled, '.') + "] " + line;
            }
        }
        if (mode_ == mode::bar) {
            winsize size{};
            const std::size_t columns =
                ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1 ? size.ws_col : 80;
            if (line.size() >= columns) { // a wrapped line could not be redrawn in place
                line.resize(columns - 1);
            }
            std::cerr << "\r\033[K" << line << (final ? "\n" : "") << std::flush;
            drawn_ = !final;
        } else {
            std::cerr << "aikom-sync: " << line << '\n';
            next_line_ = elapsed + std::chrono::seconds(5);
        }
    }

    /// A log line that must not be drawn over by the bar.
    void log(std::string_view level, std::string_view message)
    {
        std::cerr << (drawn_ ? "\r\033[K" : "") << "aikom-sync: " << level << ": " << message
                  << '\n';
        drawn_ = false;
    }

private:
    enum class mode { none, bar, lines };
    mode mode_;
    clock_type::time_point start_ = clock_type::now();
    std::chrono::milliseconds next_line_{2000}; // a short run prints only its last line
    bool drawn_ = false;
};

std::string push_counts(const sync::push_progress& p)
{
    return "read " + std::to_string(p.read) + ", sent " + std::to_string(p.sent) + ", accepted " +
           std::to_string(p.accepted) + ", unchanged " + std::to_string(p.unchanged) +
           ", rejected " + std::to_string(p.rejected) + ", invalid " + std::to_string(p.invalid);
}

// ---- the report ---------------------------------------------------------------------------

// Written one record at a time: a roster of a million bad records does not make a million-node
// document. Issues carry pointers, codes and messages, never a value (no suggestions: they are
// corrected personal data).
void write_report(const sync::journal& log, const fs::path& path, const sync::push_progress& p)
{
    std::ofstream out;
    aikom::examples::open_owner_only(out, path);
    if (!out) {
        fail("cannot write the report " + path.string());
    }
    const json::object summary{{"read", p.read},           {"sent", p.sent},
                               {"accepted", p.accepted},   {"unchanged", p.unchanged},
                               {"rejected", p.rejected},   {"invalid", p.invalid},
                               {"warnings", p.warnings},   {"missing", p.missing},
                               {"withdrawn", p.withdrawn}, {"elapsed_ms", p.elapsed.count()}};
    out << "{\"summary\":" << json::serialize(summary) << ",\n\"records\":[";
    const char* separator = "\n";
    log.for_each_problem([&](const sync::journal_entry& e) {
        json::array issues;
        for (const auto& i : e.issues) {
            issues.push_back(json::object{{"pointer", i.pointer},
                                          {"code", i.code},
                                          {"severity", aikom::check::to_string(i.severity)},
                                          {"message", i.message_en},
                                          {"message_uk", i.message_uk}});
        }
        const json::object record{{"id", e.id},
                                  {"institution", e.institution},
                                  {"position", e.position},
                                  {"state", sync::to_string(e.state)},
                                  {"issues", std::move(issues)}};
        out << separator << json::serialize(record);
        separator = ",\n";
    });
    out << "],\n\"missing\":[";
    separator = "\n";
    log.for_each_missing([&](const sync::journal_entry& e) {
        const json::object record{
            {"id", e.id}, {"institution", e.institution}, {"position", e.position}};
        out << separator << json::serialize(record);
        separator = ",\n";
    });
    out << "]}\n";
    if (!out.flush()) {
        fail("cannot write the report " + path.string());
    }
}

// ---- the commands -------------------------------------------------------------------------

// SIGINT and SIGTERM cancel the operation; its journal or state file stays resumable.
struct interruption {
    explicit interruption(asio::io_context& io)
        : signals(io, SIGINT, SIGTERM)
    {
        signals.async_wait([this](boost::system::error_code ec, int) {
            if (!ec) {
                stopped = true;
                stop.emit(asio::cancellation_type::terminal);
            }
        });
    }
    asio::signal_set signals;
    asio::cancellation_signal stop;
    bool stopped = false;
};

void set_logger(arguments& args, progress_display& display)
{
    if (args.verbose) {
        args.options.log = {.level = client::log_level::debug,
                            .sink = [&display](client::log_level l, std::string_view m) {
                                display.log(client::to_string(l), m);
                            }};
    }
}

// One line: what failed in our words (the client's or the journal's), the server's problem
// (unless our words already quote it) and the request id.
std::string failure_line(std::string_view what, boost::system::error_code ec,
                         const client::diagnostics& diag, bool stopped)
{
    if (stopped) {
        return std::string(what) + " interrupted; run the same command again to resume";
    }
    return std::string(what) + " failed: " + client::one_line(ec, diag);
}

void log_peak_memory(progress_display& display)
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    display.log("info", "peak RSS " + std::to_string(usage.ru_maxrss / 1024) + " MB");
}

int push(arguments args)
{
    const auto start = clock_type::now();
    progress_display display(args.quiet);
    set_logger(args, display);
    roster input(args.files);
    sync::journal log(args.journal, args.options.base_url, args.options.credentials.client_id);

    asio::io_context io;
    client::session session(io.get_executor(), args.options);
    interruption interrupt(io);
    client::diagnostics diag;
    sync::push_options options{
        .batch_size = args.batch,
        .concurrency = args.concurrency,
        .withdraw_missing = args.withdraw_missing,
        .on_progress =
            [&](const sync::push_progress& p) {
                display.show(p.read, push_counts(p), p.bytes_read, p.bytes_total, false);
            },
        .diag = &diag,
    };
    boost::system::error_code result;
    sync::push_progress summary;
    sync::async_push(
        session, input.source(), log, std::move(options),
        asio::bind_cancellation_slot(interrupt.stop.slot(),
                                     [&](boost::system::error_code ec, sync::push_progress p) {
                                         result = ec;
                                         summary = p;
                                         interrupt.signals.cancel();
                                     }));
    io.run();
    if (!result) {
        display.show(summary.read, push_counts(summary), summary.bytes_total, summary.bytes_total,
                     true);
    }

    if (!args.report.empty()) {
        write_report(log, args.report, summary);
    }
    if (args.verbose) {
        log_peak_memory(display);
    }
    if (result) {
        fail(failure_line("push", result, diag, interrupt.stopped));
    }
    const auto counts = log.counts();
    const auto refused = counts.rejected + counts.invalid;
    if (refused > 0) {
        std::cerr << "aikom-sync: " << refused << " records are not on the server (rejected or "
                  << "invalid): "
                  << (args.report.empty() ? "pass --report FILE to list them"
                                          : "see " + args.report.string())
                  << '\n';
    }
    std::cout << "summary: sent " << summary.sent << ", accepted " << summary.accepted
              << ", unchanged " << summary.unchanged << ", rejected " << summary.rejected
              << ", invalid " << summary.invalid << ", missing " << summary.missing
              << ", withdrawn " << summary.withdrawn << "; " << summary.read << " records read in "
              << duration_text(std::chrono::duration_cast<std::chrono::milliseconds>(
                     clock_type::now() - start))
              << '\n';
    return refused > 0 ? 1 : 0;
}

int pull(arguments args)
{
    const auto start = clock_type::now();
    progress_display display(args.quiet);
    set_logger(args, display);
    asio::io_context io;
    client::session session(io.get_executor(), args.options);
    interruption interrupt(io);
    auto counts = [](const sync::pull_result& r) {
        return std::to_string(r.events) + " events, " + std::to_string(r.pages) + " pages";
    };
    client::diagnostics diag;
    sync::pull_options options{
        .on_progress =
            [&](const sync::pull_result& r) { display.show(r.events, counts(r), 0, 0, false); },
        .diag = &diag};
    boost::system::error_code result;
    sync::pull_result summary;
    sync::async_pull(
        session, args.state, args.out, std::move(options),
        asio::bind_cancellation_slot(interrupt.stop.slot(),
                                     [&](boost::system::error_code ec, sync::pull_result r) {
                                         result = ec;
                                         summary = std::move(r);
                                         interrupt.signals.cancel();
                                     }));
    io.run();
    if (!result) {
        display.show(summary.events, counts(summary), 0, 0, true);
    }
    if (args.verbose) {
        log_peak_memory(display);
    }
    if (result) {
        fail(failure_line("pull", result, diag, interrupt.stopped));
    }
    if (summary.resynced) {
        std::cerr << "aikom-sync: the saved cursor had expired on the server: " << args.out.string()
                  << " was rebuilt from the start of the feed\n";
    }
    std::cout << "summary: pulled " << summary.events << " events in " << summary.pages
              << " pages into " << args.out.string() << " in "
              << duration_text(std::chrono::duration_cast<std::chrono::milliseconds>(
                     clock_type::now() - start))
              << '\n';
    return 0;
}

int status(const arguments& args)
{
    const sync::journal log(args.journal, "", ""); // both empty: any journal, never a new one
    const auto c = log.counts();
    std::cout << "pending   " << c.pending << "\nsent      " << c.sent << "\naccepted  "
              << c.accepted << "\nrejected  " << c.rejected << "\ninvalid   " << c.invalid
              << "\nwithdrawn " << c.withdrawn << '\n';
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    auto args = parse_arguments(argc, argv);
    try {
        return args.command == "push"   ? push(std::move(args))
               : args.command == "pull" ? pull(std::move(args))
                                        : status(args);
    } catch (const std::exception& e) {
        std::string line = e.what();
        std::replace(line.begin(), line.end(), '\n', ' ');
        fail(line);
    }
}
