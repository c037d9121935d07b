// aikom-sandbox: the reference server of protocol v1 (aikom::sandbox::server) as a program.
// Synthetic data only: it is a test double for AIKOM, not a place for real children's records.
//
//   aikom-sandbox --listen 127.0.0.1:0 --db :memory: --clients clients.json --tls-dir tls
//
// The first line on stdout is `listening on https://HOST:PORT`, the second names the CA file
// that clients must trust. SIGINT or SIGTERM stops it after in-flight requests (exit 0).

#include <aikom/sandbox/server.hpp>

#include <sys/stat.h>

#include <pthread.h>
#include <signal.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

namespace {

constexpr std::string_view usage =
    "usage: aikom-sandbox --clients FILE --tls-dir DIR [--listen HOST:PORT] [--db FILE]\n"
    "                     [--threads N] [--workers N] [--max-body BYTES] [--latency-ms N]\n"
    "                     [--error-rate R] [--error-status 503|429] [--drop-rate R]\n"
    "\n"
    "Runs the AIKOM protocol v1 reference server over HTTPS. Synthetic data only.\n"
    "  --listen HOST:PORT  IP address and port, [::1]:PORT for IPv6; port 0 picks a free\n"
    "                      one (default 127.0.0.1:0)\n"
    "  --db FILE           SQLite database, created if missing; :memory: for a throwaway one\n"
    "                      (default :memory:)\n"
    "  --clients FILE      {\"clients\": [{\"id\", \"secret\", \"role\", \"institutions\"}]}\n"
    "                      (institutions: ЄДРПОУ codes; [\"*\"] every institution, for an\n"
    "                      authority or a reviewer; an institution's or platform's list seeds\n"
    "                      its grants once, later changed through the grants endpoints)\n"
    "  --tls-dir DIR       server.key and server.pem; when both are missing a local CA and a\n"
    "                      certificate for localhost/127.0.0.1 are created, and DIR/ca.pem\n"
    "                      is what clients must trust\n"
    "  --threads N         I/O threads, for TLS and HTTP only (default 2)\n"
    "  --workers N         threads that answer requests: storage, validation, reports,\n"
    "                      token requests (default 4)\n"
    "  --max-body BYTES    larger request bodies are refused with 413 (default 1048576)\n"
    "Fault injection, for testing clients (all off by default):\n"
    "  --latency-ms N      wait N ms before every answer\n"
    "  --error-rate R      answer a share R (0..1) of requests with --error-status\n"
    "  --error-status S    503 or 429, both with Retry-After (default 503)\n"
    "  --drop-rate R       close a share R (0..1) of connections after reading the request\n"
    "\n"
    "Stop with SIGINT (Ctrl+C) or SIGTERM: in-flight requests finish, exit status 0.\n";

/// Thrown for a bad command line; main prints it with the usage and exits with 2.
struct usage_error {
    std::string message;
};

struct arguments {
    aikom::sandbox::server_options options{};
    std::string host_for_url = "127.0.0.1";
    std::filesystem::path clients_file{};
    bool have_clients = false;
    bool have_tls_dir = false;
};

template <class T>
T parse_number(std::string_view option, std::string_view text)
{
    T value{};
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end) {
        throw usage_error{std::string{option} + ": not a valid number: " + std::string{text}};
    }
    return value;
}

double parse_rate(std::string_view option, std::string_view text)
{
    const auto rate = parse_number<double>(option, text);
    if (!(rate >= 0.0 && rate <= 1.0)) {
        throw usage_error{std::string{option} + ": a share between 0 and 1, not " +
                          std::string{text}};
    }
    return rate;
}

/// HOST:PORT or [V6]:PORT.
void parse_listen(std::string_view text, arguments& args)
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        throw usage_error{"--listen: expected HOST:PORT, for example 127.0.0.1:8443, not " +
                          std::string{text}};
    }
    std::string_view host = text.substr(0, colon);
    args.host_for_url = std::string{host};
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        throw usage_error{"--listen: write an IPv6 address in brackets, e.g. [::1]:8443"};
    }
    args.options.listen_address = std::string{host};
    args.options.port = parse_number<std::uint16_t>("--listen port", text.substr(colon + 1));
}

arguments parse_arguments(int argc, char** argv)
{
    arguments args;
    auto& opt = args.options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view option = argv[i];
        if (option == "--help" || option == "-h") {
            std::cout << usage;
            std::exit(0);
        }
        if (!option.starts_with("--")) {
            throw usage_error{"unexpected argument: " + std::string{option}};
        }
        if (i + 1 >= argc) {
            throw usage_error{std::string{option} + ": missing value"};
        }
        const std::string_view value = argv[++i];
        if (option == "--listen") {
            parse_listen(value, args);
        } else if (option == "--db") {
            if (value.empty()) {
                throw usage_error{"--db: empty file name (use :memory: for no file)"};
            }
            opt.database = std::string{value};
        } else if (option == "--clients") {
            args.clients_file = std::string{value};
            args.have_clients = true;
        } else if (option == "--tls-dir") {
            if (value.empty()) {
                throw usage_error{"--tls-dir: empty directory name"};
            }
            opt.tls_dir = std::string{value};
            args.have_tls_dir = true;
        } else if (option == "--threads") {
            opt.threads = parse_number<std::size_t>(option, value);
            if (opt.threads < 1 || opt.threads > 256) {
                throw usage_error{"--threads: between 1 and 256"};
            }
        } else if (option == "--workers") {
            opt.workers = parse_number<std::size_t>(option, value);
            if (opt.workers < 1 || opt.workers > 256) {
                throw usage_error{"--workers: between 1 and 256"};
            }
        } else if (option == "--max-body") {
            opt.max_body_bytes = parse_number<std::size_t>(option, value);
            if (opt.max_body_bytes < 1024) {
                throw usage_error{"--max-body: at least 1024 bytes"};
            }
        } else if (option == "--latency-ms") {
            opt.faults.latency =
                std::chrono::milliseconds{parse_number<std::uint32_t>(option, value)};
        } else if (option == "--error-rate") {
            opt.faults.error_rate = parse_rate(option, value);
        } else if (option == "--error-status") {
            opt.faults.error_status = parse_number<unsigned>(option, value);
            if (opt.faults.error_status != 503 && opt.faults.error_status != 429) {
                throw usage_error{"--error-status: 503 or 429, not " + std::string{value}};
            }
        } else if (option == "--drop-rate") {
            opt.faults.drop_rate = parse_rate(option, value);
        } else {
            throw usage_error{"unknown option: " + std::string{option}};
        }
    }
    if (!args.have_clients) {
        throw usage_error{"--clients FILE is required"};
    }
    if (!args.have_tls_dir) {
        throw usage_error{"--tls-dir DIR is required"};
    }
    return args;
}

// The clients file holds the clients' secrets: say so when others may read or change it (the
// server still starts; it is the operator's file).
void warn_if_open_to_others(const std::filesystem::path& file)
{
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0 || (st.st_mode & 077) == 0) {
        return;
    }
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    std::cerr << "aikom-sandbox: warning: the clients file " << file.string()
              << " holds client secrets and is open to other users (mode " << mode
              << "): chmod 600 it\n";
}

} // namespace

int main(int argc, char** argv)
{
    arguments args;
    try {
        args = parse_arguments(argc, argv);
    } catch (const usage_error& e) {
        std::cerr << "aikom-sandbox: " << e.message << "\n\n" << usage;
        return 2;
    }

    // Block the stop signals before any thread starts, so that the server's threads inherit
    // the mask and only sigwait below sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (const int rc = pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr); rc != 0) {
        std::cerr << "aikom-sandbox: cannot block SIGINT/SIGTERM: "
                  << std::generic_category().message(rc) << '\n';
        return 1;
    }

    try {
        args.options.clients = aikom::sandbox::load_clients_file(args.clients_file);
        warn_if_open_to_others(args.clients_file);
        const auto tls_dir = args.options.tls_dir;
        aikom::sandbox::server server{std::move(args.options)};
        server.start();
        std::cout << "listening on https://" << args.host_for_url << ':' << server.port() << '\n'
                  << "ca: " << (tls_dir / "ca.pem").string() << std::endl;

        int received = 0;
        if (const int rc = sigwait(&stop_signals, &received); rc != 0) {
            std::cerr << "aikom-sandbox: sigwait failed: " << std::generic_category().message(rc)
                      << '\n';
        }
        std::cerr << "aikom-sandbox: " << (received == SIGINT ? "SIGINT" : "SIGTERM")
                  << ": finishing in-flight requests\n";
        server.stop();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "aikom-sandbox: " << e.what() << '\n';
        return 1;
    }
}
