// aikom-feed: follows the change feed of the caller's scope (docs/protocol.md §7.8, §10) and
// prints each event, exactly the protocol's change object, as one JSON line on stdout.
//
//   AIKOM_CLIENT_SECRET=… aikom-feed --server URL [--ca FILE] --client-id ID [--cursor C]
//                                    [--limit N] [--follow]
//
// The last line on stderr is `cursor: C`: pass it as --cursor to resume after the last event
// printed. One page is held in memory at a time.
// Exit status: 0 drained (or stopped by SIGINT/SIGTERM while following); 1 the cursor needs a
// resync; 2 any other failure (usage, TLS, authentication, connection, server, bad answer).

#include <aikom/client/session.hpp>
#include <aikom/protocol/types.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

namespace {

namespace asio = boost::asio;
namespace client = aikom::client;
namespace protocol = aikom::protocol;
using namespace std::chrono_literals;

constexpr std::string_view usage =
    "usage: aikom-feed --server URL [--ca FILE] --client-id ID [--cursor C] [--limit N]\n"
    "                  [--follow]\n"
    "\n"
    "Prints the change feed of the client's scope, one JSON event per line on stdout, and\n"
    "`cursor: C` as the last line on stderr (pass it as --cursor to resume).\n"
    "  --server URL     https://host[:port] of the server\n"
    "  --ca FILE        PEM file of the CA to trust (default: the system's CAs)\n"
    "  --client-id ID   the OAuth2 client; its secret is read from AIKOM_CLIENT_SECRET only\n"
    "  --cursor C       start after this cursor (default: the oldest retained event)\n"
    "  --limit N        events per page, 1..1000 (default: the server's)\n"
    "  --follow         after the last page, poll every 2 s until SIGINT or SIGTERM\n"
    "Exit status: 0 drained (or stopped by a signal while following), 1 the cursor needs a\n"
    "resync (read the feed again without --cursor), 2 any other failure.\n";

constexpr auto poll_interval = 2s;

struct arguments {
    client::client_options options{};
    std::string cursor{};
    std::size_t limit = 0;
    bool follow = false;
};

[[noreturn]] void usage_error(std::string_view message)
{
    std::cerr << "aikom-feed: " << message << "\n\n" << usage;
    std::exit(2);
}

arguments parse_arguments(int argc, char** argv)
{
    arguments args;
    for (int i = 1; i < argc; ++i) {
        const std::string_view option = argv[i];
        if (option == "--help" || option == "-h") {
            std::cout << usage;
            std::exit(0);
        }
        if (option == "--follow") {
            args.follow = true;
            continue;
        }
        if (i + 1 >= argc) {
            usage_error(std::string(option) + ": missing value");
        }
        const std::string_view value = argv[++i];
        if (option == "--server") {
            args.options.base_url = value;
        } else if (option == "--ca") {
            args.options.tls.ca_file = value;
        } else if (option == "--client-id") {
            args.options.credentials.client_id = value;
        } else if (option == "--cursor") {
            args.cursor = value;
        } else if (option == "--limit") {
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), args.limit);
            if (ec != std::errc{} || end != value.data() + value.size() || args.limit < 1 ||
                args.limit > 1000) {
                usage_error("--limit: a number of events from 1 to 1000, not " +
                            std::string(value));
            }
        } else {
            usage_error("unknown option: " + std::string(option));
        }
    }
    if (args.options.base_url.empty() || args.options.credentials.client_id.empty()) {
        usage_error("--server and --client-id are required");
    }
    const char* secret = std::getenv("AIKOM_CLIENT_SECRET");
    if (secret == nullptr || *secret == '\0') {
        std::cerr << "aikom-feed: set AIKOM_CLIENT_SECRET to the secret of client '"
                  << args.options.credentials.client_id
                  << "' (it is never taken from the command line)\n";
        std::exit(2);
    }
    args.options.credentials.client_secret = secret;
    return args;
}

// Reads pages until the feed is drained (or, following, until cancelled), printing each event
// as soon as its page arrives.
asio::awaitable<void> print_feed(client::change_feed& feed, bool follow, client::diagnostics& diag)
{
    // [readme:feed]
    asio::steady_timer pause(co_await asio::this_coro::executor);
    // Named, not a temporary in the co_await expression: GCC 12 destroys such a temporary twice.
    const client::call_options opts{.diag = &diag};
    for (;;) {
        const auto page = co_await feed.async_next(opts, asio::use_awaitable);
        for (const auto& event : page.changes) {
            std::cout << protocol::to_json(event) << '\n';
        }
        std::cout.flush(); // a reader at the other end of a pipe sees each page at once
        if (feed.drained()) {
            if (!follow) {
                co_return;
            }
            pause.expires_after(poll_interval);
            co_await pause.async_wait(asio::use_awaitable);
        }
    }
    // [/readme:feed]
}

} // namespace

int main(int argc, char** argv)
{
    const auto args = parse_arguments(argc, argv);
    client::diagnostics diag;
    try {
        asio::io_context io;
        client::session session(io.get_executor(), args.options);
        auto feed = session.changes(args.cursor, args.limit);

        // Following, SIGINT or SIGTERM cancels the read or the wait in progress.
        asio::cancellation_signal stop;
        asio::signal_set signals(io);
        bool stopped = false;
        if (args.follow) {
            signals.add(SIGINT);
            signals.add(SIGTERM);
            signals.async_wait([&](boost::system::error_code ec, int) {
                if (!ec) {
                    stopped = true;
                    stop.emit(asio::cancellation_type::terminal);
                }
            });
        }
        std::exception_ptr failure;
        asio::co_spawn(io, print_feed(feed, args.follow, diag),
                       asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e) {
                           failure = e;
                           signals.cancel();
                       }));
        io.run();

        if (failure && !stopped) {
            std::rethrow_exception(failure);
        }
        std::cout.flush();
        std::cerr << "cursor: " << feed.cursor() << '\n';
        return 0;
    } catch (const boost::system::system_error& e) {
        if (e.code() == protocol::problem_kind::resync_required) {
            std::cerr << "aikom-feed: resync required: " << client::one_line(e.code(), diag)
                      << "; read the feed again without --cursor and drop the local records it "
                         "does not return\n";
            return 1;
        }
        std::cerr << "aikom-feed: " << client::one_line(e.code(), diag) << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "aikom-feed: " << e.what() << '\n';
        return 2;
    }
}
