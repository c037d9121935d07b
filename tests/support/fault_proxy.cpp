// The fault-injecting proxy and the answering server (fault_proxy.hpp). One translation unit of
// coroutines on one io_context per object: everything that touches a socket runs on that
// object's thread; what the tests read or change (rules, counts) is behind a mutex.
#include "fault_proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace aikom::test {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using boost::system::error_code;

namespace {

constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// Follows the TLS record layer of one direction (RFC 8446 §5.1: a type byte, two version
// bytes, a two-byte length, then the record), to tell application data from the handshake.
class record_scanner {
public:
    // Calls `on_record(type)` for each record that starts within the `n` bytes at `p`.
    template <class F>
    void feed(const char* p, std::size_t n, F&& on_record)
    {
        while (n > 0) {
            if (remaining_ > 0) {
                const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, n));
                remaining_ -= k;
                p += k;
                n -= k;
                continue;
            }
            header_[have_++] = static_cast<unsigned char>(*p++);
            --n;
            if (have_ == 1) {
                on_record(header_[0]);
            }
            if (have_ == header_.size()) {
                remaining_ = static_cast<std::uint64_t>(header_[3]) << 8 | header_[4];
                have_ = 0;
            }
        }
    }

private:
    std::array<unsigned char, 5> header_{};
    std::size_t have_ = 0;
    std::uint64_t remaining_ = 0;
};

constexpr unsigned char tls_application_data = 23;

bool covers(flow f, bool upstream) noexcept
{
    return f == flow::both || (f == flow::upstream) == upstream;
}

// What to do with the bytes a pump has just read: forward `forward` of them (one byte per
// write when `sliced`), then `action` if any.
struct step {
    std::size_t forward = 0;
    bool sliced = false;
    std::optional<fault> action{};
    std::chrono::milliseconds delay{0};
};

// Writes `n` bytes at `p` to `to`, in 1-byte writes when `sliced`. False when the write failed.
awaitable<bool> forward_bytes(tcp::socket& to, const char* p, std::size_t n, bool sliced)
{
    const std::size_t piece = sliced ? 1 : std::max<std::size_t>(n, 1);
    for (std::size_t at = 0; at < n; at += piece) {
        auto [ec, written] = co_await asio::async_write(
            to, asio::buffer(p + at, std::min(piece, n - at)), as_tuple_awaitable);
        if (ec) {
            co_return false;
        }
    }
    co_return true;
}

// Accepts connections until the acceptor is closed, handing each socket to `take`.
template <class Take>
awaitable<void> accept_each(tcp::acceptor& acceptor, Take take)
{
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(as_tuple_awaitable);
        if (ec) {
            if (!acceptor.is_open()) {
                co_return;
            }
            continue;
        }
        take(std::move(socket));
    }
}

} // namespace

// ---- fault_proxy ------------------------------------------------------------------------------

struct fault_proxy::impl {
    // One proxied connection: the client's socket and ours to the server.
    struct relay {
        relay(const asio::any_io_executor& ex, std::size_t n)
            : index(n), client(ex), server(ex), timer(ex)
        {
        }
        const std::size_t index;
        tcp::socket client;
        tcp::socket server;
        asio::steady_timer timer; // a delay's wait
        // On the proxy's thread only:
        bool stalled = false;
        bool closed = false;
        int pumps = 2;
        // Behind the mutex:
        wire_counts counts{};
        std::array<record_scanner, 2> scanners{}; // upstream, downstream
        enum class side { none, up, down } last_application_data = side::none;
        std::set<std::uint64_t> fired{}; // ids of the rules that fired here
    };

    explicit impl(std::uint16_t target_port)
        : work(asio::make_work_guard(io)),
          acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          port(acceptor.local_endpoint().port()),
          target(asio::ip::make_address("127.0.0.1"), target_port)
    {
        asio::co_spawn(io, accept_loop(), asio::detached);
        thread = std::thread([this] { io.run(); });
    }

    ~impl()
    {
        asio::post(io, [this] {
            error_code ignored;
            acceptor.close(ignored);
            std::vector<std::shared_ptr<relay>> all;
            {
                std::lock_guard lock(mutex);
                all = links;
            }
            for (const auto& l : all) {
                cut(*l, false);
            }
        });
        work.reset();
        thread.join();
    }

    awaitable<void> accept_loop()
    {
        return accept_each(acceptor, [this](tcp::socket socket) {
            std::shared_ptr<relay> l;
            {
                std::lock_guard lock(mutex);
                l = std::make_shared<relay>(io.get_executor(), links.size() + 1);
                links.push_back(l);
            }
            l->client = std::move(socket);
            asio::co_spawn(io, open(l), asio::detached);
        });
    }

    awaitable<void> open(std::shared_ptr<relay> l)
    {
        auto [ec] = co_await l->server.async_connect(target, as_tuple_awaitable);
        if (ec || l->closed) {
            cut(*l, true);
            co_return;
        }
        // Each write its own segment, so that a 1-byte write arrives as one byte.
        error_code ignored;
        l->client.set_option(tcp::no_delay(true), ignored);
        l->server.set_option(tcp::no_delay(true), ignored);
        asio::co_spawn(io, pump(l, true), asio::detached);
        asio::co_spawn(io, pump(l, false), asio::detached);
    }

    // Forwards one direction until it ends, applying the rules.
    awaitable<void> pump(std::shared_ptr<relay> l, bool upstream)
    {
        auto& from = upstream ? l->client : l->server;
        auto& to = upstream ? l->server : l->client;
        std::vector<char> buffer(16 * 1024);
        for (bool going = true; going;) {
            auto [ec, n] = co_await from.async_read_some(asio::buffer(buffer), as_tuple_awaitable);
            if (l->stalled || l->closed) {
                break;
            }
            if (ec == asio::error::eof) {
                error_code ignored; // pass the FIN on; the other direction may go on
                to.shutdown(tcp::socket::shutdown_send, ignored);
                break;
            }
            if (ec) {
                cut(*l, true); // a reset passes on as a reset
                break;
            }
            for (std::size_t at = 0; at < n && going;) {
                const auto s = plan(*l, upstream, buffer.data() + at, n - at);
                if (!co_await forward_bytes(to, buffer.data() + at, s.forward, s.sliced)) {
                    cut(*l, true);
                    going = false;
                    break;
                }
                at += s.forward;
                going = co_await act(*l, s);
            }
        }
        if (--l->pumps == 0 && !l->stalled) {
            cut(*l, false);
        }
    }

    // Carries out a step's action; false when the connection is not forwarded any more.
    awaitable<bool> act(relay& l, const step& s)
    {
        if (!s.action) {
            co_return true;
        }
        switch (*s.action) {
        case fault::delay: {
            l.timer.expires_after(s.delay);
            co_await l.timer.async_wait(as_tuple_awaitable); // cancelled when the relay is cut
            co_return !l.closed;
        }
        case fault::reset:
            cut(l, true);
            co_return false;
        case fault::fin:
            cut(l, false);
            co_return false;
        case fault::stall:
            l.stalled = true; // both pumps stop at their next read; the sockets stay open
            co_return false;
        case fault::slice:
            break;
        }
        co_return true;
    }

    // The rules applied to `n` bytes just read: the first one-shot rule whose threshold falls
    // within them decides how many are forwarded before it acts. The bytes to be forwarded are
    // counted here, before they are written, so that a client that has read them finds them
    // counted.
    step plan(relay& l, bool upstream, const char* p, std::size_t n)
    {
        std::lock_guard lock(mutex);
        const auto done = upstream ? l.counts.upstream : l.counts.downstream;
        step s{.forward = n};
        std::optional<std::uint64_t> chosen;
        for (const auto& [id, r] : rules) {
            if ((r.connection != 0 && r.connection != l.index) || !covers(r.direction, upstream) ||
                done + n <= r.after_bytes) {
                continue;
            }
            if (r.action == fault::slice) {
                s.sliced = true;
                continue;
            }
            if (l.fired.contains(id)) {
                continue;
            }
            const auto before =
                static_cast<std::size_t>(r.after_bytes > done ? r.after_bytes - done : 0);
            if (!chosen || before < s.forward) {
                s.forward = before;
                s.action = r.action;
                s.delay = r.delay;
                chosen = id;
            }
        }
        if (chosen) {
            l.fired.insert(*chosen);
        }
        account(l, upstream, p, s.forward);
        l.counts.writes += s.sliced ? s.forward : s.forward > 0 ? 1 : 0;
        return s;
    }

    // Behind the mutex: counts forwarded bytes, and requests (see wire_counts::requests).
    static void account(relay& l, bool upstream, const char* p, std::size_t n)
    {
        (upstream ? l.counts.upstream : l.counts.downstream) += n;
        l.scanners[upstream ? 0 : 1].feed(p, n, [&](unsigned char type) {
            if (type != tls_application_data) {
                return;
            }
            using side = relay::side;
            if (upstream && l.last_application_data != side::up) {
                ++l.counts.requests;
            }
            l.last_application_data = upstream ? side::up : side::down;
        });
    }

    // Closes both sockets, with RST (`reset`) or FIN; stops a delay. Once per relay.
    static void cut(relay& l, bool reset)
    {
        if (l.closed) {
            return;
        }
        l.closed = true;
        for (auto* s : {&l.client, &l.server}) {
            error_code ignored;
            if (reset) {
                s->set_option(tcp::socket::linger(true, 0), ignored);
            } else {
                s->shutdown(tcp::socket::shutdown_both, ignored);
            }
            s->close(ignored);
        }
        l.timer.cancel();
    }

    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    tcp::acceptor acceptor;
    const std::uint16_t port; // read by other threads: not asked of the acceptor
    tcp::endpoint target;
    std::thread thread;

    mutable std::mutex mutex;
    std::vector<std::shared_ptr<relay>> links;  // every relay ever accepted, in order
    std::map<std::uint64_t, fault_rule> rules; // by id, in the order added
    std::uint64_t next_rule = 1;
};

fault_proxy::fault_proxy(std::uint16_t target_port) : impl_(std::make_unique<impl>(target_port))
{
}

fault_proxy::~fault_proxy() = default;

std::uint16_t fault_proxy::port() const noexcept
{
    return impl_->port;
}

std::string fault_proxy::url() const
{
    return "https://127.0.0.1:" + std::to_string(port());
}

void fault_proxy::add(const fault_rule& rule)
{
    std::lock_guard lock(impl_->mutex);
    impl_->rules.emplace(impl_->next_rule++, rule);
}

void fault_proxy::clear()
{
    std::lock_guard lock(impl_->mutex);
    impl_->rules.clear();
}

std::size_t fault_proxy::connections() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->links.size();
}

wire_counts fault_proxy::counts(std::size_t n) const
{
    std::lock_guard lock(impl_->mutex);
    return n >= 1 && n <= impl_->links.size() ? impl_->links[n - 1]->counts : wire_counts{};
}

wire_counts fault_proxy::totals() const
{
    std::lock_guard lock(impl_->mutex);
    wire_counts all;
    for (const auto& l : impl_->links) {
        all.upstream += l->counts.upstream;
        all.downstream += l->counts.downstream;
        all.requests += l->counts.requests;
        all.writes += l->counts.writes;
    }
    return all;
}

// ---- answering_server ---------------------------------------------------------------------

struct answering_server::impl {
    // One client: its socket, and the TLS stream over it when the server speaks TLS.
    struct peer {
        explicit peer(tcp::socket s) : socket(std::move(s)) {}
        tcp::socket socket;
        std::optional<ssl::stream<tcp::socket&>> tls;
    };

    explicit impl(script sc)
        : s(std::move(sc)), work(asio::make_work_guard(io)),
          acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          port(acceptor.local_endpoint().port())
    {
        if (!s.certificate_chain_pem.empty()) {
            tls.emplace(ssl::context::tls_server);
            tls->use_certificate_chain(asio::buffer(s.certificate_chain_pem));
            tls->use_private_key(asio::buffer(s.private_key_pem), ssl::context::pem);
        }
        asio::co_spawn(io, accept_loop(), asio::detached);
        thread = std::thread([this] { io.run(); });
    }

    ~impl()
    {
        asio::post(io, [this] {
            error_code ignored;
            acceptor.close(ignored);
            for (const auto& w : peers) {
                if (auto p = w.lock()) {
                    p->socket.close(ignored);
                }
            }
        });
        work.reset();
        thread.join();
    }

    awaitable<void> accept_loop()
    {
        return accept_each(acceptor, [this](tcp::socket socket) {
            ++connections;
            auto p = std::make_shared<peer>(std::move(socket));
            peers.push_back(p);
            asio::co_spawn(io, serve(p), asio::detached);
        });
    }

    awaitable<void> serve(std::shared_ptr<peer> p)
    {
        if (tls) {
            p->tls.emplace(p->socket, *tls);
            auto [ec] = co_await p->tls->async_handshake(ssl::stream_base::server,
                                                         as_tuple_awaitable);
            if (!ec) {
                co_await answer(*p->tls);
            }
        } else {
            co_await answer(p->socket);
        }
        error_code ignored;
        p->socket.close(ignored);
        ++finished;
    }

    template <class Stream>
    awaitable<void> answer(Stream& stream)
    {
        // The first bytes of the request are enough (a plain-text server gets a TLS hello,
        // which has no end of header to wait for).
        std::array<char, 4096> request{};
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(request), as_tuple_awaitable);
        if (ec) {
            co_return;
        }
        if (!co_await put(stream, s.reply)) {
            co_return;
        }
        std::string pattern(16 * 1024, '7');
        for (std::uint64_t sent = 0; sent < s.filler_bytes;) {
            const auto k =
                static_cast<std::size_t>(std::min<std::uint64_t>(pattern.size(), s.filler_bytes - sent));
            if (!co_await put(stream, std::string_view(pattern).substr(0, k))) {
                co_return;
            }
            sent += k;
        }
    }

    template <class Stream>
    awaitable<bool> put(Stream& stream, std::string_view bytes)
    {
        auto [ec, n] = co_await asio::async_write(stream, asio::buffer(bytes), as_tuple_awaitable);
        written += n;
        co_return !ec;
    }

    script s;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    tcp::acceptor acceptor;
    const std::uint16_t port;
    std::optional<ssl::context> tls;
    std::vector<std::weak_ptr<peer>> peers; // on the server's thread only
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> finished{0};
    std::atomic<std::uint64_t> written{0};
    std::thread thread;
};

answering_server::answering_server(script s) : impl_(std::make_unique<impl>(std::move(s))) {}

answering_server::~answering_server() = default;

std::uint16_t answering_server::port() const noexcept
{
    return impl_->port;
}

std::size_t answering_server::connections() const
{
    return impl_->connections.load();
}

std::uint64_t answering_server::bytes_written() const
{
    return impl_->written.load();
}

std::size_t answering_server::finished() const
{
    return impl_->finished.load();
}

} // namespace aikom::test
