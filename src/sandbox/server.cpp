// The sandbox's network layer: the only translation unit that instantiates Asio, Beast and
// their TLS stream. It accepts connections, performs the TLS handshake, reads requests under
// the limits of server_options, applies the fault plan and writes what the service answers.
// The protocol itself lives in service.cpp (sans-I/O).
//
// Concurrency: one io_context run by `options.threads` threads, which do TLS and HTTP only.
// Every connection is a coroutine on its own strand; the acceptor and the housekeeping timer
// share another strand. What takes time (the service's answer: storage, validation, reports,
// the token endpoint's KDF; and housekeeping) runs on a pool of `options.workers` threads: the
// coroutine hops there and back to its strand, so a slow answer holds up no other connection.
// `stop` reaches sessions only by posting to their strands.

#include <aikom/sandbox/server.hpp>

#include "log.hpp"
#include "request_reader.hpp"
#include "service.hpp"
#include "storage.hpp"
#include "tls_material.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace aikom::sandbox {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

constexpr std::chrono::seconds handshake_timeout{10};
constexpr std::chrono::seconds shutdown_timeout{2};
constexpr std::chrono::milliseconds stopping_shutdown_timeout{250};
/// On `stop`, how long a new connection may take to deliver its first request header.
constexpr std::chrono::milliseconds first_request_allowance{500};
constexpr std::chrono::milliseconds accept_retry_delay{100};
/// After a 413, at most this much of the unread body is discarded before closing, so the
/// client reads the answer instead of a connection reset.
constexpr std::size_t drain_limit = 4 * 1024 * 1024;

/// One line to the log (log.hpp: queued, never waits for stderr). Never pass request bodies or
/// personal data here.
void log_line(std::string_view peer, std::string_view what)
{
    std::string line{peer};
    line += ": ";
    line += what;
    detail::log_line(line);
}

std::string endpoint_text(const tcp::endpoint& ep)
{
    const auto address = ep.address();
    std::string text = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return text + ":" + std::to_string(ep.port());
}

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

struct session;

/// The live sessions, so that `stop` can close the idle ones, and how many there are per peer
/// address, for the caps on connections.
struct session_registry {
    std::mutex mutex;
    std::condition_variable emptied;
    std::unordered_set<session*> sessions;
    std::unordered_map<std::string, std::size_t> per_address;

    /// Whether one more connection from `address` is within the caps; if so it is counted
    /// (the session that gets it uncounts it when it ends).
    bool admit(const std::string& address, const server_caps& caps)
    {
        const std::lock_guard lock(mutex);
        auto& from_address = per_address[address];
        if (sessions.size() >= std::max<std::size_t>(1, caps.connections_total) ||
            from_address >= std::max<std::size_t>(1, caps.connections_per_address)) {
            if (from_address == 0) {
                per_address.erase(address);
            }
            return false;
        }
        ++from_address;
        return true;
    }
};

struct session : std::enable_shared_from_this<session> {
    /// On `stop` (see `on_stop`), a connection that has been answered before and waits for
    /// its next request (`idle`), or is closing, is closed at once. A new connection gets a
    /// moment to deliver its first request header. A request being read, handled or answered
    /// (`busy`) is answered with `Connection: close` within the grace period of `stop`.
    enum class phase { handshake, idle, busy, closing };

    /// `address` was admitted by `reg.admit`.
    session(tcp::socket socket, ssl::context& tls, session_registry& reg, std::string peer_text,
            std::string peer_address)
        : stream(std::move(socket), tls)
        , registry(reg)
        , peer(std::move(peer_text))
        , address(std::move(peer_address))
    {
        const std::lock_guard lock(registry.mutex);
        registry.sessions.insert(this);
    }

    ~session()
    {
        const std::lock_guard lock(registry.mutex);
        registry.sessions.erase(this);
        if (const auto it = registry.per_address.find(address);
            it != registry.per_address.end() && --it->second == 0) {
            registry.per_address.erase(it);
        }
        if (registry.sessions.empty()) {
            registry.emptied.notify_all();
        }
    }

    session(const session&) = delete;
    session& operator=(const session&) = delete;

    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream); }

    tls_stream stream;
    session_registry& registry;
    std::string peer{};
    std::string address{}; ///< the peer's IP address, counted in `registry.per_address`
    phase state = phase::handshake; ///< touched on the session's strand only
    std::size_t answered = 0;       ///< requests answered; touched on the strand only

    [[nodiscard]] bool waiting_for_first_request() const
    {
        return answered == 0 && (state == phase::handshake || state == phase::idle);
    }

    /// Runs on the session's strand when the server stops.
    void on_stop()
    {
        if (state == phase::closing || (state == phase::idle && answered > 0)) {
            lowest().cancel();
        } else if (waiting_for_first_request()) {
            // Its request may be on the way: a client that has just connected expects an
            // answer, and cancelling now would lose a request already sent.
            auto timer = std::make_shared<asio::steady_timer>(stream.get_executor(),
                                                              first_request_allowance);
            timer->async_wait([timer, weak = weak_from_this()](const error_code&) {
                if (const auto live = weak.lock(); live && live->waiting_for_first_request()) {
                    live->lowest().cancel();
                }
            });
        }
    }
};

/// Completion of a detached coroutine: logs what escaped it instead of ending the process.
auto log_failure(std::string who)
{
    return [who = std::move(who)](const std::exception_ptr& failure) {
        if (!failure) {
            return;
        }
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            log_line(who, std::string{"internal error: "} + e.what());
        } catch (...) {
            log_line(who, "internal error");
        }
    };
}

} // namespace

struct server::impl {
    /// What exists only while the server runs: the io_context and the objects bound to it.
    /// Destroying it destroys any session still pending (after the grace period of `stop`).
    struct runtime {
        explicit runtime(std::size_t worker_count) : workers(worker_count) {}

        asio::io_context io;
        /// Joined in `stop` before `io` is destroyed: what it completes is posted to `io`.
        asio::thread_pool workers;
        tcp::acceptor acceptor{asio::make_strand(io)};
        asio::steady_timer housekeeping{acceptor.get_executor()};
        std::vector<std::thread> threads{};
    };

    enum class lifecycle { idle, running, stopped };

    explicit impl(server_options o)
        : options(std::move(o))
    {}

    ~impl() { stop(5000ms); }

    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;

    // Declaration order matters: sessions refer to the service, the TLS context and the
    // registry, so those outlive `rt`.
    server_options options;
    mutable std::mutex faults_mutex; ///< guards `options.faults` and `service` pointer swaps
    std::unique_ptr<detail::storage> storage{};
    std::unique_ptr<detail::service> service{};
    ssl::context tls{ssl::context::tls_server};
    session_registry registry{};
    std::atomic<bool> stopping{false};
    std::atomic<std::uint16_t> bound_port{0};

    mutable std::mutex state_mutex;
    std::condition_variable state_changed;
    lifecycle state = lifecycle::idle;
    bool stop_requested = false;
    std::string ca{};

    std::unique_ptr<runtime> rt{};

    void start();
    void stop(std::chrono::milliseconds grace);
    void wait();

    void configure_tls(const detail::tls_material& material);
    void listen();
    asio::awaitable<void> accept_loop();
    asio::awaitable<void> housekeeping_loop();
    asio::awaitable<void> run_session(std::shared_ptr<session> s);
    asio::awaitable<detail::response> answer(const detail::request& req, const std::string& peer);
    asio::awaitable<void> refuse_too_large(session& s, const detail::request& header);
    asio::awaitable<void> refuse_bad_request(session& s, const error_code& why);
    asio::awaitable<void> close_gracefully(session& s);
    asio::awaitable<void> close_lingering(session& s);
};

void server::impl::configure_tls(const detail::tls_material& material)
{
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                    ssl::context::single_dh_use | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    SSL_CTX* native = tls.native_handle();
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(native, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) {
        throw std::runtime_error("TLS: cannot configure the protocol versions and ciphers");
    }
    try {
        tls.use_certificate_chain(asio::buffer(material.certificate_chain_pem));
        tls.use_private_key(asio::buffer(material.private_key_pem), ssl::context::pem);
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error(std::string{"TLS: cannot use the server key and certificate: "} +
                                 e.what());
    }
}

void server::impl::listen()
{
    error_code ec;
    const std::string& host = options.listen_address;
    const auto address =
        asio::ip::make_address(host == "localhost" ? std::string{"127.0.0.1"} : host, ec);
    if (ec) {
        throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                "listen address is not an IP address: " + host);
    }
    const tcp::endpoint endpoint{address, options.port};
    auto& acceptor = rt->acceptor;
    const auto fail = [&](const char* step) {
        error_code ignored;
        acceptor.close(ignored);
        throw std::system_error(std::error_code(ec.value(), std::system_category()),
                                std::string{"cannot "} + step + " " + endpoint_text(endpoint));
    };
    if (acceptor.open(endpoint.protocol(), ec); ec) {
        fail("open a socket for");
    }
    if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) {
        fail("set SO_REUSEADDR for");
    }
    if (acceptor.bind(endpoint, ec); ec) {
        fail("bind");
    }
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
        fail("listen on");
    }
    const auto local = acceptor.local_endpoint(ec);
    if (ec) {
        fail("read the port of");
    }
    bound_port = local.port();
}

void server::impl::start()
{
    const std::lock_guard state_lock(state_mutex);
    if (state != lifecycle::idle) {
        throw std::logic_error("aikom::sandbox::server::start: a server starts only once");
    }
    const auto material = options.tls_dir.empty()
                              ? detail::generate_tls_material()
                              : detail::load_or_create_tls_material(options.tls_dir);
    configure_tls(material);

    const std::size_t worker_count = std::max<std::size_t>(1, options.workers);
    auto new_storage = std::make_unique<detail::storage>(options.database, worker_count);
    {
        const std::lock_guard lock(faults_mutex);
        service = std::make_unique<detail::service>(options, *new_storage);
        storage = std::move(new_storage);
    }
    // The service keeps derived keys only; the plain-text secrets go now.
    for (auto& c : options.clients) {
        OPENSSL_cleanse(c.secret.data(), c.secret.size());
        c.secret.clear();
    }

    rt = std::make_unique<runtime>(worker_count);
    try {
        listen();
    } catch (...) {
        rt.reset();
        throw;
    }
    ca = material.ca_pem;

    asio::co_spawn(rt->acceptor.get_executor(), accept_loop(), log_failure("listener"));
    asio::co_spawn(rt->housekeeping.get_executor(), housekeeping_loop(),
                   log_failure("housekeeping"));
    const std::size_t count = std::max<std::size_t>(1, options.threads);
    rt->threads.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        rt->threads.emplace_back([this] {
            for (;;) {
                try {
                    rt->io.run();
                    return;
                } catch (const std::exception& e) {
                    log_line("worker", std::string{"internal error: "} + e.what());
                }
            }
        });
    }
    state = lifecycle::running;
}

void server::impl::stop(std::chrono::milliseconds grace)
{
    {
        std::unique_lock lock(state_mutex);
        if (state != lifecycle::running) {
            return;
        }
        if (stop_requested) { // another thread is stopping it: wait for that
            state_changed.wait(lock, [this] { return state != lifecycle::running; });
            return;
        }
        stop_requested = true;
    }
    stopping = true;
    asio::post(rt->acceptor.get_executor(), [this] {
        error_code ignored;
        rt->acceptor.close(ignored);
        rt->housekeeping.cancel();
    });
    {
        std::unique_lock lock(registry.mutex);
        // Idle keep-alive connections are closed now; the others close after their answer
        // (they check `stopping` before reading again). See session::phase.
        for (session* s : registry.sessions) {
            asio::post(s->stream.get_executor(), [weak = s->weak_from_this()] {
                if (const auto live = weak.lock()) {
                    live->on_stop();
                }
            });
        }
        if (!registry.emptied.wait_for(lock, grace, [this] { return registry.sessions.empty(); })) {
            log_line("server", "stopping: " + std::to_string(registry.sessions.size()) +
                                   " connection(s) still busy after the grace period are cut");
        }
    }
    rt->io.stop();
    for (auto& thread : rt->threads) {
        thread.join();
    }
    rt->workers.join(); // answers still being computed finish; their sessions are gone below
    rt.reset(); // destroys what is still pending: connections past the grace period
    // The last lines reach stderr before a program that stops the server exits (unless
    // stderr does not take them).
    (void)detail::server_log().flush(500ms);
    {
        const std::lock_guard lock(state_mutex);
        state = lifecycle::stopped;
    }
    state_changed.notify_all();
}

void server::impl::wait()
{
    std::unique_lock lock(state_mutex);
    state_changed.wait(lock, [this] { return state != lifecycle::running; });
}

asio::awaitable<void> server::impl::accept_loop()
{
    auto& acceptor = rt->acceptor;
    for (;;) {
        tcp::socket socket{asio::make_strand(rt->io)};
        error_code ec;
        co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
        if (stopping || ec == asio::error::operation_aborted || !acceptor.is_open()) {
            co_return;
        }
        if (ec) {
            // Out of descriptors or similar: log, back off briefly, keep listening.
            log_line("listener", "accept failed: " + ec.message());
            asio::steady_timer pause{acceptor.get_executor(), accept_retry_delay};
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        const auto remote = socket.remote_endpoint(ec);
        if (ec) {
            continue; // gone already
        }
        std::string address = remote.address().to_string();
        if (!registry.admit(address, options.caps)) {
            // Before the handshake: a flood of connections costs no TLS work.
            log_line(address, "connection refused: over the cap on open connections");
            socket.close(ec);
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto s = std::make_shared<session>(std::move(socket), tls, registry, endpoint_text(remote),
                                           std::move(address));
        auto executor = s->stream.get_executor();
        std::string peer = s->peer;
        asio::co_spawn(executor, run_session(std::move(s)), log_failure(std::move(peer)));
    }
}

asio::awaitable<void> server::impl::housekeeping_loop()
{
    for (;;) {
        rt->housekeeping.expires_after(options.housekeeping_interval);
        error_code ec;
        co_await rt->housekeeping.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec || stopping) {
            co_return;
        }
        auto work = [this]() -> asio::awaitable<void> {
            service->housekeeping();
            co_return;
        };
        try {
            co_await asio::co_spawn(rt->workers.get_executor(), std::move(work),
                                    asio::use_awaitable);
        } catch (const std::exception& e) {
            log_line("housekeeping", e.what());
        }
    }
}

asio::awaitable<void> server::impl::run_session(std::shared_ptr<session> s)
{
    error_code ec;
    s->lowest().expires_after(
        std::min<std::chrono::steady_clock::duration>(handshake_timeout, options.read_timeout));
    co_await s->stream.async_handshake(ssl::stream_base::server,
                                       asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        if (!(stopping && ec == asio::error::operation_aborted)) {
            log_line(s->peer, "TLS handshake failed: " + ec.message());
        }
        co_return;
    }

    beast::flat_buffer buffer;
    while (!stopping || s->answered == 0) {
        s->state = session::phase::idle;
        http::request_parser<http::string_body> parser;
        s->lowest().expires_after(options.read_timeout);
        const auto read = co_await detail::read_request(
            s->stream, buffer, parser, options.max_body_bytes,
            [&s] { s->state = session::phase::busy; });
        switch (read.outcome) {
        case detail::read_outcome::request:
            break;
        case detail::read_outcome::ended:
            co_await close_gracefully(*s);
            co_return;
        case detail::read_outcome::lost:
            co_return;
        case detail::read_outcome::too_large:
            co_await refuse_too_large(*s, parser.get());
            co_return;
        case detail::read_outcome::malformed:
            co_await refuse_bad_request(*s, read.error);
            co_return;
        case detail::read_outcome::failed:
            log_line(s->peer, std::string(read.step) + " failed: " + read.error.message());
            co_return;
        }
        const detail::request req = parser.release();

        const detail::fault_plan plan = service->plan_faults(req);
        if (plan.delay > 0ms) {
            asio::steady_timer delay{co_await asio::this_coro::executor, plan.delay};
            co_await delay.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        if (plan.drop) {
            log_line(s->peer, "connection dropped by fault injection");
            s->lowest().close();
            co_return;
        }
        // Not a conditional expression around co_await: GCC 12 destroys its operands too early.
        detail::response res;
        if (plan.fail) {
            res = service->fault_response(req);
        } else {
            res = co_await answer(req, s->peer);
        }
        const bool keep_alive = req.keep_alive() && res.keep_alive() && !stopping;
        res.keep_alive(keep_alive);

        s->lowest().expires_after(options.read_timeout);
        co_await http::async_write(s->stream, res, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            log_line(s->peer, "writing a response failed: " + ec.message());
            co_return;
        }
        ++s->answered;
        if (!keep_alive) {
            break;
        }
    }
    co_await close_gracefully(*s);
}

asio::awaitable<detail::response> server::impl::answer(const detail::request& req,
                                                       const std::string& peer)
{
    // On a worker, and back on the session's strand when done (co_spawn's completion runs on
    // the awaiting coroutine's executor).
    auto work = [&]() -> asio::awaitable<detail::response> {
        if (options.test_before_handling) {
            const auto target = req.target();
            options.test_before_handling(std::string_view(target.data(), target.size()));
        }
        co_return service->handle(req, peer);
    };
    auto res = co_await asio::co_spawn(rt->workers.get_executor(), std::move(work),
                                       asio::use_awaitable);
    co_return res;
}

asio::awaitable<void> server::impl::refuse_too_large(session& s, const detail::request& header)
{
    const auto declared = header.find(http::field::content_length) != header.end()
                              ? std::string{header[http::field::content_length]} + " bytes"
                              : std::string{"a chunked body"};
    log_line(s.peer, "refused " + declared + " over the limit of " +
                         std::to_string(options.max_body_bytes) + " bytes (413)");
    detail::response res = service->payload_too_large(header);
    res.keep_alive(false);
    error_code ec;
    s.lowest().expires_after(shutdown_timeout);
    co_await http::async_write(s.stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        s.lowest().close();
        co_return;
    }
    co_await close_lingering(s);
}

asio::awaitable<void> server::impl::refuse_bad_request(session& s, const error_code& why)
{
    log_line(s.peer, "refused a malformed request (400): " + why.message());
    detail::response res = service->bad_request(why.message());
    res.keep_alive(false);
    error_code ec;
    s.lowest().expires_after(shutdown_timeout);
    co_await http::async_write(s.stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        s.lowest().close();
        co_return;
    }
    co_await close_lingering(s);
}

asio::awaitable<void> server::impl::close_gracefully(session& s)
{
    s.state = session::phase::closing;
    error_code ec;
    s.lowest().expires_after(stopping
                                 ? std::chrono::steady_clock::duration{stopping_shutdown_timeout}
                                 : std::chrono::steady_clock::duration{shutdown_timeout});
    co_await s.stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    s.lowest().close();
}

asio::awaitable<void> server::impl::close_lingering(session& s)
{
    // The client may still be sending the body we refused to read. Closing a socket with
    // unread input makes the kernel send a reset, which can destroy our answer before the
    // client reads it; so say close_notify, stop sending, and discard input for a moment.
    s.state = session::phase::closing;
    error_code ec;
    s.lowest().expires_after(shutdown_timeout);
    co_await s.stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    if (s.lowest().socket().is_open()) {
        s.lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
        s.lowest().expires_after(shutdown_timeout);
        std::array<char, 16 * 1024> sink{};
        std::size_t discarded = 0;
        while (discarded < drain_limit) {
            const std::size_t n = co_await s.lowest().async_read_some(
                asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                break;
            }
            discarded += n;
        }
    }
    s.lowest().close();
}

// ---- the public face ---------------------------------------------------------------------

server::server(server_options options)
    : impl_(std::make_unique<impl>(std::move(options)))
{}

server::~server() = default;

void server::start()
{
    impl_->start();
}

void server::stop(std::chrono::milliseconds grace)
{
    impl_->stop(grace);
}

void server::wait()
{
    impl_->wait();
}

std::uint16_t server::port() const noexcept
{
    return impl_->bound_port;
}

std::string server::ca_pem() const
{
    const std::lock_guard lock(impl_->state_mutex);
    return impl_->ca;
}

fault_settings server::faults() const
{
    const std::lock_guard lock(impl_->faults_mutex);
    return impl_->service ? impl_->service->faults() : impl_->options.faults;
}

void server::set_faults(const fault_settings& f)
{
    const std::lock_guard lock(impl_->faults_mutex);
    if (impl_->service) {
        impl_->service->set_faults(f);
    } else {
        impl_->options.faults = f;
    }
}

} // namespace aikom::sandbox
