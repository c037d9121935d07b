// aikom_bench_client: the client side of aikom_bench's sections 5 and 7 (issue 10), a separate
// program so that aikom_bench itself never compiles Asio and so that its peak RSS is the
// client's alone.
//
//   aikom_bench_client put   --server URL --ca FILE --client-id ID --connections N
//                            --records N --reference-date D [--offset K]
//   aikom_bench_client batch --server URL --ca FILE --client-id ID --connections N
//                            --records N --reference-date D [--offset K] [--batch B]
//   aikom_bench_client token --server URL --ca FILE --client-id ID
//
// The secret comes from AIKOM_CLIENT_SECRET. Records are `aikom-gen`'s (20 institutions, seed
// 1, ages for D), the same as aikom_bench's corpus: records K … K+N-1, made before the clock
// starts.
//
// put:   one `async_upsert` per record, N calls in flight on a session with a pool of N.
// batch: `async_submit_batch` of B records (default: the server's limit), N batches in flight.
// Both print one JSON line: {"records","seconds","requests","connections","handshakes",
// "failed"}; `failed` counts records not written (a bench that fails some is not a figure).
// token: prints an access token (for wrk, which cannot ask for one).
#include <aikom/client/session.hpp>
#include <aikom/synthetic/roster_generator.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace client = aikom::client;
namespace protocol = aikom::protocol;

constexpr std::string_view usage =
    "usage: aikom_bench_client put|batch --server URL --ca FILE --client-id ID --connections N\n"
    "                          --records N --reference-date YYYY-MM-DD [--offset K]\n"
    "                          [--batch B]\n"
    "       aikom_bench_client token --server URL --ca FILE --client-id ID\n";

struct arguments {
    std::string mode;
    std::string server;
    std::string ca;
    std::string client_id;
    std::size_t connections = 1;
    std::size_t records = 0;
    std::size_t offset = 0;
    std::size_t batch = 0;
    std::optional<aikom::model::date> reference_date{};
};

bool number(std::string_view text, std::size_t& out)
{
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size();
}

bool parse(int argc, char** argv, arguments& a)
{
    if (argc < 2) {
        return false;
    }
    a.mode = argv[1];
    if (a.mode != "put" && a.mode != "batch" && a.mode != "token") {
        return false;
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string_view name = argv[i];
        const std::string_view value = argv[i + 1];
        bool ok = true;
        if (name == "--server") {
            a.server = value;
        } else if (name == "--ca") {
            a.ca = value;
        } else if (name == "--client-id") {
            a.client_id = value;
        } else if (name == "--connections") {
            ok = number(value, a.connections) && a.connections > 0;
        } else if (name == "--records") {
            ok = number(value, a.records);
        } else if (name == "--offset") {
            ok = number(value, a.offset);
        } else if (name == "--batch") {
            ok = number(value, a.batch);
        } else if (name == "--reference-date") {
            a.reference_date = aikom::model::parse_iso_date(value);
            ok = a.reference_date.has_value();
        } else {
            ok = false;
        }
        if (!ok) {
            return false;
        }
    }
    return argc % 2 == 0 && !a.server.empty() && !a.ca.empty() && !a.client_id.empty() &&
           (a.mode == "token" || a.reference_date.has_value());
}

std::vector<aikom::model::child> make_records(aikom::model::date reference, std::size_t offset,
                                              std::size_t count)
{
    aikom::synthetic::roster_generator generator(
        {.institutions = 20, .seed = 1, .reference_date = reference});
    std::vector<aikom::model::child> out;
    out.reserve(count);
    for (std::size_t i = 0; i < offset + count; ++i) {
        auto record = generator.next();
        if (i >= offset) {
            out.push_back(std::move(record));
        }
    }
    return out;
}

struct run_state {
    const std::vector<aikom::model::child>* records = nullptr;
    std::size_t next = 0;
    std::size_t batch = 1;
    std::size_t failed = 0;
    std::string first_failure{}; // codes and pointers only: never a record's values

    void fail(std::size_t records, const std::string& why)
    {
        failed += records;
        if (first_failure.empty()) {
            first_failure = why;
        }
    }
};

std::string codes_of(const std::vector<aikom::check::issue>& issues)
{
    std::string out;
    for (const auto& i : issues) {
        out += (out.empty() ? "" : ", ") + std::string(i.code) + " at " + i.pointer;
    }
    return out;
}

// One of N workers: takes the next record (or batch) until none is left.
asio::awaitable<void> put_worker(client::session& s, run_state& st)
{
    client::diagnostics diag;
    const client::call_options opts{.diag = &diag};
    while (st.next < st.records->size()) {
        const auto& record = (*st.records)[st.next++];
        try {
            co_await s.async_upsert(record.institution->str(), record, opts,
                                    asio::use_awaitable);
        } catch (const boost::system::system_error& e) {
            st.fail(1, diag.problem ? codes_of(diag.problem->errors) : e.code().message());
        }
    }
}

asio::awaitable<void> batch_worker(client::session& s, run_state& st)
{
    client::diagnostics diag;
    const client::call_options opts{.diag = &diag};
    std::vector<aikom::model::child> items;
    while (st.next < st.records->size()) {
        const std::size_t first = st.next;
        const std::size_t last = std::min(st.records->size(), first + st.batch);
        st.next = last;
        items.assign(st.records->begin() + static_cast<std::ptrdiff_t>(first),
                     st.records->begin() + static_cast<std::ptrdiff_t>(last));
        try {
            const auto r = co_await s.async_submit_batch(items, opts, asio::use_awaitable);
            for (const auto& item : r.results) {
                if (item.status == protocol::item_status::rejected ||
                    item.status == protocol::item_status::forbidden) {
                    st.fail(1, std::string(protocol::to_string(item.status)) + ": " +
                                   codes_of(item.issues));
                }
            }
        } catch (const boost::system::system_error& e) {
            st.fail(last - first, e.code().message());
        }
    }
}

asio::awaitable<void> print_token(client::session& s)
{
    const auto res = co_await s.async_send(protocol::token_request(), asio::use_awaitable);
    const auto token = protocol::read_token(res);
    if (!token) {
        throw std::runtime_error("aikom_bench_client: the token request failed (HTTP " +
                                 std::to_string(res.result_int()) + ")");
    }
    std::cout << token->access_token << '\n';
}

} // namespace

int main(int argc, char** argv)
{
    arguments a;
    if (!parse(argc, argv, a)) {
        std::cerr << usage;
        return 2;
    }
    const char* secret = std::getenv("AIKOM_CLIENT_SECRET");
    if (secret == nullptr) {
        std::cerr << "aikom_bench_client: AIKOM_CLIENT_SECRET is not set\n";
        return 2;
    }
    try {
        asio::io_context io;
        client::client_options options{
            .base_url = a.server,
            .credentials = {.client_id = a.client_id, .client_secret = secret},
            .pool_size = a.connections,
            .tls = {.ca_file = a.ca},
        };
        client::session session(io.get_executor(), options);
        const auto rethrow = [](const std::exception_ptr& e) {
            if (e) {
                std::rethrow_exception(e);
            }
        };
        if (a.mode == "token") {
            asio::co_spawn(io, print_token(session), rethrow);
            io.run();
            return 0;
        }

        const auto records = make_records(*a.reference_date, a.offset, a.records);
        run_state st{.records = &records, .batch = a.batch};
        if (a.mode == "batch" && st.batch == 0) {
            // The server's limit, as aikom-sync does; discovery is not timed.
            asio::co_spawn(
                io,
                [&]() -> asio::awaitable<void> {
                    const auto d = co_await session.async_discover(asio::use_awaitable);
                    st.batch = d.limits.max_batch_items;
                },
                rethrow);
            io.run();
            io.restart();
        }
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < a.connections; ++i) {
            if (a.mode == "put") {
                asio::co_spawn(io, put_worker(session, st), rethrow);
            } else {
                asio::co_spawn(io, batch_worker(session, st), rethrow);
            }
        }
        io.run();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto stats = session.stats();
        std::printf("{\"records\":%zu,\"seconds\":%.6f,\"requests\":%llu,\"connections\":%llu,"
                    "\"handshakes\":%llu,\"failed\":%zu}\n",
                    records.size(), seconds, static_cast<unsigned long long>(stats.requests),
                    static_cast<unsigned long long>(stats.connections_opened),
                    static_cast<unsigned long long>(stats.handshakes), st.failed);
        if (st.failed != 0) {
            std::cerr << "aikom_bench_client: " << st.failed
                      << " records not written; the first: " << st.first_failure << '\n';
            return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "aikom_bench_client: " << e.what() << '\n';
        return 1;
    }
}
