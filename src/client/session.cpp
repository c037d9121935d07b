// The client's I/O: the only translation unit of aikom::client that instantiates Asio, Beast and
// OpenSSL code (slow to compile). Every operation is a C++20 coroutine on the session's strand;
// the public templates in session.hpp type-erase the caller's handler and land here.
//
// Shape of one call: `do_call` → `execute` (the retry loop: token, request, response, decision)
// → `attempt` (one request on one pooled connection) → `exchange` (write, read). The decisions
// (request building, response classification, retry) are the pure functions of the protocol
// layer and retry.hpp; this file only performs the waits and the reads and writes they ask for.

#include <aikom/client/session.hpp>

#include "client/support.hpp"
#include "client/transport.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <random>

namespace aikom::client {
namespace detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;

// ---- the pieces of state --------------------------------------------------------------------

/// A coroutine waiting for a pooled connection or for a token refresh.
struct waiter {
    explicit waiter(const strand_type& ex) : timer(ex) {}
    asio::steady_timer timer;
    bool woken = false;
};

struct call_state {
    call_options opts;
    clock::time_point started = clock::now();
    std::optional<clock::time_point> deadline;
    std::string request_id;
    std::string idempotency_key;
    diagnostics diag;
    unsigned resent = 0; // requests sent again at once on another connection (see `attempt`)
};

// Where a list or the feed stands, and what it reads.
struct page_state {
    std::size_t limit = 0;
    std::string cursor;
    bool done = false;
    std::string institution;                           // children, corrections
    std::optional<protocol::correction_status> status; // corrections
    std::vector<std::string> institutions;             // the change feed
};


namespace {

awaitable<bool> cancelled()
{
    auto cs = co_await asio::this_coro::cancellation_state;
    co_return cs.cancelled() != asio::cancellation_type::none;
}

std::string ms_since(clock::time_point t)
{
    return std::to_string(
               std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t).count()) +
           " ms";
}

// A transport error of one phase in the client's own terms.
error_code transport_error(const error_code& ec, client_errc fallback)
{
    if (ec == asio::error::operation_aborted) {
        return ec;
    }
    if (ec == beast::error::timeout) {
        return client_errc::timeout;
    }
    if (ec == http::error::body_limit || ec == http::error::buffer_overflow ||
        ec == http::error::header_limit) {
        return client_errc::response_too_large;
    }
    if (ec.category() == make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream) {
        return client_errc::bad_response; // the parser refused what the server sent
    }
    return fallback;
}

// Which limit a response broke: the header's (ours, fixed) or the body's (the options').
std::string too_large(const error_code& ec, std::size_t max_body)
{
    if (ec == http::error::header_limit) {
        return "the response header is larger than " +
               std::to_string(max_response_header / 1024) + " KiB";
    }
    return "the response is larger than max_response_body (" + std::to_string(max_body) +
           " bytes)";
}

std::string describe(const error_code& ec)
{
    return ec.message() + " [" + ec.category().name() + ":" + std::to_string(ec.value()) + "]";
}

} // namespace

// ---- the TLS transport ------------------------------------------------------------------------

class tls_connection final : public connection {
public:
    tls_connection(const strand_type& ex, ssl::context& ctx, SSL_SESSION*& resume)
        : stream(ex, ctx), resume_(resume)
    {
    }

    awaitable<error_code> exchange(const protocol::http_request& req, protocol::http_response& out,
                                   exchange_context& ctx) override
    {
        beast::get_lowest_layer(stream).expires_at(ctx.deadline);
        const auto ec = co_await exchange_on(stream, buffer, req, out, ctx);
        beast::get_lowest_layer(stream).expires_never();
        if (!ec) {
            // Keep the (possibly ticket-bearing) TLS session for the next new connection.
            if (SSL_SESSION* s = SSL_get1_session(stream.native_handle()); s != nullptr) {
                if (SSL_SESSION_is_resumable(s) == 1) {
                    if (resume_ != nullptr) {
                        SSL_SESSION_free(resume_);
                    }
                    resume_ = s;
                } else {
                    SSL_SESSION_free(s);
                }
            }
        }
        co_return ec;
    }

    void close() noexcept override
    {
        error_code ignored;
        auto& socket = beast::get_lowest_layer(stream).socket();
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
    }

    beast::ssl_stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;

private:
    SSL_SESSION*& resume_;
};

class tls_connector final : public connector {
public:
    tls_connector(ssl::context& tls, server_address server) : tls_(tls), server_(std::move(server))
    {
    }
    ~tls_connector() override
    {
        if (resume_ != nullptr) {
            SSL_SESSION_free(resume_);
        }
    }
    tls_connector(const tls_connector&) = delete;
    tls_connector& operator=(const tls_connector&) = delete;

    awaitable<std::unique_ptr<connection>> connect(connect_context& ctx, error_code& ec) override;

private:
    ssl::context& tls_;
    server_address server_;
    SSL_SESSION* resume_ = nullptr; // used on the strand only
};

awaitable<std::unique_ptr<connection>> tls_connector::connect(connect_context& ctx, error_code& ec)
{
    // Resolve, bounded by a timer that cancels the resolver (resolution has no timeout of its own).
    auto resolver = std::make_shared<tcp::resolver>(ctx.strand);
    asio::steady_timer guard(ctx.strand);
    guard.expires_at(expiry(ctx.options.timeouts.resolve, ctx.deadline));
    auto expired = std::make_shared<bool>(false);
    guard.async_wait([resolver, expired](const error_code& e) {
        if (!e) {
            *expired = true;
            resolver->cancel();
        }
    });
    auto endpoints = co_await resolver->async_resolve(server_.host, server_.port,
                                                      redirect_error(use_awaitable, ec));
    guard.cancel();
    if (ec) {
        const bool aborted = ec == asio::error::operation_aborted && !*expired;
        ctx.message = aborted ? "cancelled while resolving the server's host name"
                              : "cannot resolve '" + server_.host + "': " + ec.message();
        ec = aborted ? ec : *expired ? make_error_code(client_errc::timeout)
                                     : make_error_code(client_errc::resolve_failed);
        co_return nullptr;
    }

    auto c = std::make_unique<tls_connection>(ctx.strand, tls_, resume_);
    SSL* ssl = c->stream.native_handle();
    if (ctx.options.tls.insecure_skip_verification) {
        SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
    } else {
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
        if (server_.ip_literal) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_.host.c_str());
        } else {
            SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            SSL_set1_host(ssl, server_.host.c_str());
        }
    }
    if (!server_.ip_literal) {
        SSL_set_tlsext_host_name(ssl, const_cast<char*>(server_.host.c_str())); // SNI
    }
    if (resume_ != nullptr) {
        SSL_set_session(ssl, resume_);
    }

    auto& lowest = beast::get_lowest_layer(c->stream);
    lowest.expires_at(expiry(ctx.options.timeouts.connect, ctx.deadline));
    co_await lowest.async_connect(endpoints, redirect_error(use_awaitable, ec));
    if (ec) {
        ctx.message = ec == asio::error::operation_aborted
                          ? "cancelled while connecting"
                          : "cannot connect to " + server_.host_header + ": " + ec.message();
        ec = transport_error(ec, client_errc::connect_failed);
        co_return nullptr;
    }
    ctx.stats.connections_opened.fetch_add(1, std::memory_order_relaxed);
    // A request goes out in more than one write (TLS records of the header and of the body):
    // with Nagle's algorithm the last one waits for the server's delayed ACK (up to 40 ms on
    // Linux) before it leaves. Every request is complete when written, so nothing is gained.
    boost::system::error_code ignored;
    lowest.socket().set_option(asio::ip::tcp::no_delay(true), ignored);

    lowest.expires_at(expiry(ctx.options.timeouts.handshake, ctx.deadline));
    co_await c->stream.async_handshake(ssl::stream_base::client, redirect_error(use_awaitable, ec));
    lowest.expires_never();
    if (ec) {
        const long verify = SSL_get_verify_result(ssl);
        if (ec == asio::error::operation_aborted) {
            ctx.message = "cancelled during the TLS handshake";
        } else if (ec == beast::error::timeout) {
            ctx.message = "the TLS handshake with " + server_.host_header + " timed out";
            ec = client_errc::timeout;
        } else if (verify == X509_V_ERR_HOSTNAME_MISMATCH ||
                   verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
            ctx.message = "TLS: the server's certificate is not valid for '" + server_.host +
                          "' (" + X509_verify_cert_error_string(verify) + ")";
            ec = client_errc::tls_host_mismatch;
        } else if (verify != X509_V_OK) {
            ctx.message = std::string("TLS: the server's certificate is not trusted (") +
                          X509_verify_cert_error_string(verify) + "; checked against " +
                          (!ctx.options.tls.ca_file.empty()
                               ? "'" + ctx.options.tls.ca_file + "'"
                           : !ctx.options.tls.ca_pem.empty() ? std::string("tls.ca_pem")
                                                             : std::string("the system's CA store")) +
                          ")";
            ec = client_errc::tls_untrusted_certificate;
        } else if (ec.category() == asio::error::get_ssl_category()) {
            // The peers do not agree (versions, ciphers) or it is not a TLS server: final.
            ctx.message = "the TLS handshake with " + server_.host_header + " failed: " +
                          ec.message();
            ec = client_errc::tls_handshake_failed;
        } else {
            ctx.message = "the connection broke during the TLS handshake with " +
                          server_.host_header + ": " + ec.message();
            ec = client_errc::connection_lost;
        }
        co_return nullptr;
    }
    ctx.stats.handshakes.fetch_add(1, std::memory_order_relaxed);
    if (SSL_session_reused(ssl) == 1) {
        ctx.stats.resumed_handshakes.fetch_add(1, std::memory_order_relaxed);
    }
    co_return c;
}

// ---- the session's state ----------------------------------------------------------------------

class session_impl : public std::enable_shared_from_this<session_impl> {
public:
    session_impl(asio::any_io_executor ex, ssl::context* external, client_options o,
                 std::shared_ptr<connector> transport);

    strand_type strand;
    client_options opts;
    server_address server;
    std::unique_ptr<ssl::context> own_tls;
    std::shared_ptr<connector> transport;
    std::string basic; // Basic credentials for the token endpoint
    stats_counters stats;
    retry_environment retry_env = default_retry_environment();
    std::mt19937_64 rng{std::random_device{}()};

    // The pool: idle connections, how many exist in all, who waits for one.
    std::vector<std::unique_ptr<connection>> idle;
    std::size_t open = 0;
    std::list<waiter*> pool_waiters;
    std::uint64_t next_connection_id = 1;
    bool closed = false;

    // The token shared by every call; at most one refresh in flight.
    std::string token;
    clock::time_point token_renew_at{};
    bool refreshing = false;
    std::list<waiter*> token_waiters;

    bool logs(log_level l) const noexcept
    {
        return opts.log.sink && opts.log.level != log_level::off && l >= opts.log.level;
    }
    void log(log_level l, std::string_view message) const
    {
        if (logs(l)) {
            opts.log.sink(l, message);
        }
    }

    call_state begin_call(const protocol::request_spec& spec, call_options o);
    void finish_call(call_state& call, const error_code& ec, std::string_view what);

    awaitable<error_code> execute(const protocol::request_spec& spec, call_state& call,
                                  protocol::http_response& out);
    awaitable<error_code> attempt(const protocol::http_request& req, call_state& call,
                                  protocol::http_response& out, bool replayable);
    awaitable<std::unique_ptr<connection>> acquire(call_state& call, error_code& ec);
    awaitable<std::unique_ptr<connection>> connect(call_state& call, error_code& ec);
    void release(std::unique_ptr<connection> c);
    void discard(std::unique_ptr<connection> c);
    awaitable<error_code> ensure_token(call_state& call);
    awaitable<error_code> fetch_token(call_state& call);
    awaitable<error_code> wait_in(std::list<waiter*>& queue, call_state& call);
    static void wake_one(std::list<waiter*>& queue);
    static void wake_all(std::list<waiter*>& queue);
    void close();
};

// ---- construction -----------------------------------------------------------------------------

session_impl::session_impl(asio::any_io_executor ex, ssl::context* external, client_options o,
                           std::shared_ptr<connector> t)
    : strand(asio::make_strand(std::move(ex))), opts(std::move(o)), transport(std::move(t))
{
    std::string why;
    auto addr = parse_base_url(opts.base_url, why);
    if (!addr) {
        throw boost::system::system_error(addr.error(), why);
    }
    server = std::move(*addr);
    if (opts.pool_size == 0) {
        throw boost::system::system_error(client_errc::invalid_options,
                                          "pool_size must be at least 1");
    }
    if (!transport) {
        ssl::context* tls = external;
        if (tls == nullptr) {
            own_tls = std::make_unique<ssl::context>(ssl::context::tls_client);
            tls = own_tls.get();
            tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                             ssl::context::no_tlsv1_1 | ssl::context::no_compression);
            SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
            if (!opts.tls.insecure_skip_verification) {
                error_code ec;
                tls->set_verify_mode(ssl::verify_peer);
                if (opts.tls.ca_file.empty() && opts.tls.ca_pem.empty()) {
                    tls->set_default_verify_paths(ec);
                    if (ec) {
                        throw boost::system::system_error(
                            client_errc::invalid_options, "cannot load the system's CA store");
                    }
                }
                if (!opts.tls.ca_file.empty()) {
                    tls->load_verify_file(opts.tls.ca_file, ec);
                    if (ec) {
                        throw boost::system::system_error(
                            client_errc::invalid_options,
                            "cannot load CA certificates from '" + opts.tls.ca_file +
                                "' (a readable PEM file is expected)");
                    }
                }
                if (!opts.tls.ca_pem.empty()) {
                    tls->add_certificate_authority(asio::buffer(opts.tls.ca_pem), ec);
                    if (ec) {
                        throw boost::system::system_error(
                            client_errc::invalid_options,
                            "tls.ca_pem holds no usable PEM certificate");
                    }
                }
            }
        }
        transport = std::make_shared<tls_connector>(*tls, server);
    }
    if (!opts.credentials.client_id.empty()) {
        basic = protocol::basic_credentials(opts.credentials.client_id,
                                            opts.credentials.client_secret);
    }
    if (opts.tls.insecure_skip_verification && opts.log.sink && opts.log.level != log_level::off) {
        opts.log.sink(log_level::warning,
                      "TLS VERIFICATION IS OFF (insecure_skip_verification): the server's "
                      "identity is not checked and anyone on the path can read and change the "
                      "traffic. For tests only.");
    }
}

void session_impl::close()
{
    closed = true;
    for (auto& c : idle) {
        c->close();
    }
    open -= idle.size();
    idle.clear();
    wake_all(pool_waiters);
    wake_all(token_waiters);
}

// ---- waiting ------------------------------------------------------------------------------------

void session_impl::wake_one(std::list<waiter*>& queue)
{
    if (!queue.empty()) {
        auto* w = queue.front();
        queue.pop_front();
        w->woken = true;
        w->timer.cancel();
    }
}

void session_impl::wake_all(std::list<waiter*>& queue)
{
    while (!queue.empty()) {
        wake_one(queue);
    }
}

// Waits until woken, cancelled (operation_aborted) or the call's deadline (timeout).
awaitable<error_code> session_impl::wait_in(std::list<waiter*>& queue, call_state& call)
{
    waiter w(strand);
    w.timer.expires_at(call.deadline ? *call.deadline : clock::time_point::max());
    auto pos = queue.insert(queue.end(), &w);
    error_code ec;
    co_await w.timer.async_wait(redirect_error(use_awaitable, ec));
    if (w.woken) {
        co_return error_code{};
    }
    queue.erase(pos);
    if (ec == asio::error::operation_aborted) {
        call.diag.message = "cancelled while waiting for a connection or a token";
        co_return ec;
    }
    call.diag.message = "the deadline passed while waiting for a connection or a token";
    co_return make_error_code(client_errc::timeout);
}

// ---- the pool -----------------------------------------------------------------------------------

awaitable<std::unique_ptr<connection>> session_impl::acquire(call_state& call, error_code& ec)
{
    for (;;) {
        if (closed) {
            ec = client_errc::session_closed;
            co_return nullptr;
        }
        if (!idle.empty()) {
            auto c = std::move(idle.back());
            idle.pop_back();
            co_return c;
        }
        if (open < opts.pool_size) {
            ++open;
            auto c = co_await connect(call, ec);
            if (ec) {
                --open;
                wake_one(pool_waiters);
                co_return nullptr;
            }
            co_return c;
        }
        ec = co_await wait_in(pool_waiters, call);
        if (ec) {
            co_return nullptr;
        }
    }
}

void session_impl::release(std::unique_ptr<connection> c)
{
    if (closed) {
        discard(std::move(c));
        return;
    }
    idle.push_back(std::move(c));
    wake_one(pool_waiters);
}

void session_impl::discard(std::unique_ptr<connection> c)
{
    c->close();
    c.reset();
    --open;
    wake_one(pool_waiters);
}

awaitable<std::unique_ptr<connection>> session_impl::connect(call_state& call, error_code& ec)
{
    const auto started = clock::now();
    connect_context ctx{.strand = strand,
                        .deadline = call.deadline,
                        .stats = stats,
                        .message = call.diag.message,
                        .options = opts};
    auto c = co_await transport->connect(ctx, ec);
    if (ec) {
        co_return nullptr;
    }
    c->id = next_connection_id++;
    if (logs(log_level::debug)) {
        log(log_level::debug, "connection " + std::to_string(c->id) + " to " +
                                  server.host_header + " open in " + ms_since(started));
    }
    co_return c;
}

// ---- one request on one connection --------------------------------------------------------

awaitable<error_code> session_impl::attempt(const protocol::http_request& req, call_state& call,
                                            protocol::http_response& out, bool replayable)
{
    // A kept-alive connection may have been closed by the server while idle; such a failure
    // (nothing read back) is retried at once on another connection, a bounded number of times.
    for (std::size_t stale = 0;; ++stale) {
        error_code ec;
        auto c = co_await acquire(call, ec);
        if (ec) {
            co_return ec;
        }
        const bool reused = c->uses > 0;
        const auto id = c->id;
        const auto started = clock::now();
        if (logs(log_level::debug)) {
            log(log_level::debug, "-> " + std::string(req.method_string()) + " " +
                                      loggable_target(req.target()) + " request-id " +
                                      call.request_id + " on connection " + std::to_string(id));
        }
        exchange_context ectx{.deadline = expiry(opts.timeouts.request, call.deadline),
                              .max_body = opts.max_response_body};
        stats.requests.fetch_add(1, std::memory_order_relaxed);
        ++c->uses;
        ec = co_await c->exchange(req, out, ectx);
        const bool got_some = ectx.got_some;
        if (!ec) {
            if (logs(log_level::debug)) {
                std::string line = "<- " + std::to_string(out.result_int()) + " " +
                                   std::string(req.method_string()) + " " +
                                   loggable_target(req.target()) + " in " + ms_since(started);
                for (const auto& f : out) {
                    if (loggable_header(f.name_string())) {
                        line += "; " + std::string(f.name_string()) + ": " +
                                std::string(f.value());
                    }
                }
                log(log_level::debug, line);
            }
            if (out.keep_alive()) {
                release(std::move(c));
            } else {
                discard(std::move(c));
            }
            co_return error_code{};
        }
        discard(std::move(c));
        if (ec == asio::error::operation_aborted) {
            call.diag.message = "cancelled while waiting for the response";
            co_return ec;
        }
        const bool stale_connection = reused && !got_some && ec != beast::error::timeout;
        if (stale_connection && replayable && stale < opts.pool_size) {
            // The server may have read the request before the connection broke: what is sent
            // again is one more request of the call, in its diagnostics and the statistics.
            ++call.resent;
            ++call.diag.attempts;
            stats.retries.fetch_add(1, std::memory_order_relaxed);
            log(log_level::debug, "connection " + std::to_string(id) +
                                      " was closed by the server while idle; sending again on "
                                      "another connection");
            continue;
        }
        const auto mapped = transport_error(ec, client_errc::connection_lost);
        call.diag.message = mapped == client_errc::response_too_large
                                ? too_large(ec, opts.max_response_body)
                            : mapped == client_errc::timeout
                                ? "no complete response within the request timeout"
                                : "the connection broke before a complete response: " +
                                      describe(ec);
        co_return mapped;
    }
}

// ---- the retry loop -----------------------------------------------------------------------

awaitable<error_code> session_impl::execute(const protocol::request_spec& spec, call_state& call,
                                            protocol::http_response& out)
{
    const bool replayable = protocol::is_idempotent(spec.method) || spec.takes_idempotency_key ||
                            spec.client_credentials; // the token request
    bool renewed_after_401 = false;
    for (unsigned attempt_no = 1;; ++attempt_no) {
        if (co_await cancelled()) {
            call.diag.message = "cancelled";
            co_return asio::error::operation_aborted;
        }
        std::string bearer;
        if (spec.authenticated) {
            if (auto ec = co_await ensure_token(call)) {
                co_return ec;
            }
            bearer = token;
        }
        const auto req = protocol::build_request(
            spec, {.host = server.host_header,
                   .user_agent = opts.user_agent,
                   .bearer_token = bearer,
                   .basic = spec.client_credentials ? std::string_view(basic) : std::string_view{},
                   .request_id = call.request_id,
                   .idempotency_key = call.idempotency_key,
                   .if_match = call.opts.if_match});
        if (attempt_no > 1) {
            stats.retries.fetch_add(1, std::memory_order_relaxed);
        }
        call.diag.attempts = attempt_no + call.resent;
        out = {};
        const auto ec = co_await attempt(req, call, out, replayable);
        if (ec == asio::error::operation_aborted || ec == client_errc::response_too_large ||
            ec == client_errc::session_closed || ec == client_errc::tls_host_mismatch ||
            ec == client_errc::tls_untrusted_certificate || ec == client_errc::tls_handshake_failed ||
            ec == client_errc::resolve_failed) {
            co_return ec;
        }

        attempt_outcome outcome;
        outcome.attempt = attempt_no;
        outcome.replayable = replayable;
        outcome.elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - call.started);
        if (ec) {
            outcome.transport_failure = true;
        } else {
            note_response(out, outcome); // `out` stays as it is until the decision is made
            call.diag.http_status = outcome.status;
            if (const auto rid = out["X-Request-Id"]; !rid.empty()) {
                call.diag.request_id = std::string(rid);
            }
            if (outcome.status == 401 && spec.authenticated && !renewed_after_401) {
                // The token may have expired or been forgotten: renew it once, repeat once.
                renewed_after_401 = true;
                if (token == bearer) {
                    token.clear();
                }
                log(log_level::info, "401 on " + loggable_target(req.target()) +
                                         ": renewing the token and repeating the request once");
                continue;
            }
        }
        const auto decision = decide_retry(opts.retry, outcome, retry_env);
        if (!decision.retry) {
            co_return ec;
        }
        if (call.deadline && clock::now() + decision.delay > *call.deadline) {
            if (ec) {
                co_return ec;
            }
            co_return error_code{}; // the caller reads the last response as the answer
        }
        if (logs(log_level::info)) {
            log(log_level::info,
                "retrying " + std::string(req.method_string()) + " " +
                    loggable_target(req.target()) + " in " +
                    std::to_string(decision.delay.count()) + " ms (attempt " +
                    std::to_string(attempt_no + 1) + " of " +
                    std::to_string(opts.retry.max_attempts) + "): " + std::string(decision.reason) +
                    (ec ? " after " + describe(ec)
                        : " after HTTP " + std::to_string(outcome.status)));
        }
        asio::steady_timer wait(strand);
        wait.expires_after(decision.delay);
        error_code wec;
        co_await wait.async_wait(redirect_error(use_awaitable, wec));
        if (wec == asio::error::operation_aborted) {
            call.diag.message = "cancelled while waiting to retry";
            co_return wec;
        }
    }
}

// ---- the token ------------------------------------------------------------------------------

awaitable<error_code> session_impl::ensure_token(call_state& call)
{
    for (;;) {
        if (!token.empty() && clock::now() < token_renew_at) {
            co_return error_code{};
        }
        if (opts.credentials.client_id.empty()) {
            call.diag.message = "this operation needs a token: set credentials.client_id";
            co_return make_error_code(client_errc::no_credentials);
        }
        if (closed) {
            co_return make_error_code(client_errc::session_closed);
        }
        if (refreshing) {
            if (auto ec = co_await wait_in(token_waiters, call)) {
                co_return ec;
            }
            continue;
        }
        refreshing = true;
        struct refresh_done { // resets the flag and wakes the waiters even if the fetch throws
            session_impl& s;
            ~refresh_done()
            {
                s.refreshing = false;
                wake_all(s.token_waiters);
            }
        };
        error_code ec;
        {
            refresh_done done{*this};
            ec = co_await fetch_token(call);
        }
        if (ec) {
            co_return ec;
        }
    }
}

awaitable<error_code> session_impl::fetch_token(call_state& call)
{
    stats.token_requests.fetch_add(1, std::memory_order_relaxed);
    const auto spec =
        protocol::token_request(opts.credentials.token_url, opts.credentials.scope);
    protocol::http_response res;
    // The token request shares the call's deadline and request id but not its idempotency key.
    if (auto ec = co_await execute(spec, call, res)) {
        co_return ec;
    }
    auto t = protocol::read_token(res);
    if (!t) {
        call.diag.message = t.error().message;
        call.diag.problem = t.error().problem;
        call.diag.http_status = t.error().status;
        co_return t.error().code;
    }
    const auto lifetime = t->expires_in.count() > 0 ? std::chrono::seconds(t->expires_in)
                                                    : std::chrono::seconds(300);
    const auto margin = std::min<std::chrono::seconds>(opts.credentials.refresh_margin, lifetime / 2);
    token = std::move(t->access_token);
    token_renew_at = clock::now() + lifetime - margin;
    log(log_level::debug, "token obtained for client '" + opts.credentials.client_id +
                              "', valid " + std::to_string(lifetime.count()) + " s");
    co_return error_code{};
}

// ---- calls ----------------------------------------------------------------------------------

call_state session_impl::begin_call(const protocol::request_spec& spec, call_options o)
{
    call_state call;
    call.opts = std::move(o);
    const auto timeout = call.opts.timeout.count() > 0 ? call.opts.timeout : opts.timeouts.call;
    if (timeout.count() > 0) {
        call.deadline = call.started + timeout;
    }
    call.request_id = call.opts.request_id.empty() ? make_request_id(rng) : call.opts.request_id;
    call.diag.request_id = call.request_id;
    if (spec.takes_idempotency_key) {
        call.idempotency_key = call.opts.idempotency_key.empty() ? make_idempotency_key(rng)
                                                                 : call.opts.idempotency_key;
    }
    return call;
}

void session_impl::finish_call(call_state& call, const error_code& ec, std::string_view what)
{
    if (ec && call.diag.message.empty()) {
        call.diag.message = ec.message();
    }
    // A refusal the caller can act on (404, 412, 422, …) is information; the rest is a warning.
    const auto level = ec && ec.category() == protocol::problem_category() &&
                               call.diag.http_status < 500
                           ? log_level::info
                           : log_level::warning;
    if (ec && logs(level)) {
        log(level, std::string(what) + " failed after " +
                                    std::to_string(call.diag.attempts) + " attempt(s) in " +
                                    ms_since(call.started) + ", request-id " +
                                    call.diag.request_id + ": " + call.diag.message);
    }
    if (call.opts.diag != nullptr) {
        *call.opts.diag = std::move(call.diag);
    }
}

namespace {

template <class T>
using outcome = std::pair<error_code, T>;

// Runs `op` on the session's strand with the caller's cancellation slot; completes the caller's
// handler through its associated executor.
template <class Handler, class Op, class Complete>
void launch(const std::shared_ptr<session_impl>& impl, Handler h, Op op, Complete complete)
{
    auto slot = asio::get_associated_cancellation_slot(h);
    auto ex = asio::get_associated_executor(h, impl->strand.get_inner_executor());
    asio::co_spawn(
        impl->strand, std::move(op),
        asio::bind_cancellation_slot(
            slot, [h = std::move(h), ex, complete](std::exception_ptr e, auto result) mutable {
                if (e) {
                    try {
                        std::rethrow_exception(e);
                    } catch (const boost::system::system_error& x) {
                        result.first = x.code();
                    } catch (const std::bad_alloc&) {
                        result.first = make_error_code(boost::system::errc::not_enough_memory);
                    } catch (...) {
                        result.first = make_error_code(client_errc::bad_response);
                    }
                }
                asio::dispatch(ex, [handler = std::move(h), complete,
                                    r = std::move(result)]() mutable {
                    complete(handler, std::move(r));
                });
            }));
}

std::string what_of(const protocol::request_spec& spec)
{
    return std::string(http::to_string(spec.method)) + " " + loggable_target(spec.target);
}

template <class T>
awaitable<outcome<T>> do_call(std::shared_ptr<session_impl> self, protocol::request_spec spec,
                              call_options opts, reader<T> read)
{
    // Cancellation is observed as error codes (operation_aborted) and by explicit checks, never
    // as an exception thrown out of a co_await: that would skip the bookkeeping of the pool and
    // the token (a refresh flag left set would stall every later call).
    co_await asio::this_coro::throw_if_cancelled(false);
    auto call = self->begin_call(spec, std::move(opts));
    protocol::http_response res;
    auto ec = co_await self->execute(spec, call, res);
    T value{};
    if (!ec) {
        auto r = read(res);
        if (r) {
            value = std::move(*r);
        } else {
            ec = r.error().code;
            call.diag.message = r.error().message;
            call.diag.problem = r.error().problem;
        }
    }
    self->finish_call(call, ec, what_of(spec));
    // Named, not a braced temporary in the co_return: GCC 12 places that temporary where it
    // overruns the coroutine's stack once T is large (the discovery document with its caps).
    outcome<T> out{ec, std::move(value)};
    co_return out;
}

awaitable<outcome<bool>> do_void_call(std::shared_ptr<session_impl> self,
                                      protocol::request_spec spec, call_options opts)
{
    // Cancellation is observed as error codes (operation_aborted) and by explicit checks, never
    // as an exception thrown out of a co_await: that would skip the bookkeeping of the pool and
    // the token (a refresh flag left set would stall every later call).
    co_await asio::this_coro::throw_if_cancelled(false);
    auto call = self->begin_call(spec, std::move(opts));
    protocol::http_response res;
    auto ec = co_await self->execute(spec, call, res);
    if (!ec) {
        if (auto r = protocol::read_deleted(res); !r) {
            ec = r.error().code;
            call.diag.message = r.error().message;
            call.diag.problem = r.error().problem;
        }
    }
    self->finish_call(call, ec, what_of(spec));
    co_return outcome<bool>{ec, !ec};
}

// The request for the next page of `s`, and its reader.
template <class Page>
protocol::request_spec page_request(const page_state& s)
{
    if constexpr (std::is_same_v<Page, protocol::change_page>) {
        return protocol::changes_request(s.cursor, s.limit, s.institutions);
    } else if constexpr (std::is_same_v<Page, protocol::child_page>) {
        return protocol::children_request(s.institution, s.limit, s.cursor);
    } else {
        return protocol::corrections_request(s.status, s.institution, s.limit, s.cursor);
    }
}

template <class Page>
constexpr reader<Page> page_reader() noexcept
{
    if constexpr (std::is_same_v<Page, protocol::change_page>) {
        return &protocol::read_change_page;
    } else if constexpr (std::is_same_v<Page, protocol::child_page>) {
        return &protocol::read_child_page;
    } else {
        return &protocol::read_corrections;
    }
}

template <class Page>
awaitable<outcome<Page>> do_page(std::shared_ptr<session_impl> self,
                                 std::shared_ptr<page_state> state, call_options opts)
{
    co_await asio::this_coro::throw_if_cancelled(false); // see do_call
    auto r = co_await do_call<Page>(self, page_request<Page>(*state), std::move(opts),
                                    page_reader<Page>());
    if (r.first) {
        co_return r;
    }
    if constexpr (std::is_same_v<Page, protocol::change_page>) {
        // The feed never ends: it keeps its place and is polled again later.
        if (!r.second.next_cursor.empty()) {
            state->cursor = r.second.next_cursor;
        }
        state->done = !r.second.has_more;
    } else {
        state->done = !r.second.has_more || !r.second.next_cursor;
        state->cursor = state->done ? std::string() : *r.second.next_cursor;
    }
    co_return r;
}

} // namespace

template <class T>
void run(const std::shared_ptr<session_impl>& impl, protocol::request_spec spec, call_options opts,
         reader<T> read, handler<T> h)
{
    launch(impl, std::move(h), do_call<T>(impl, std::move(spec), std::move(opts), read),
           [](handler<T>& done, outcome<T> r) { std::move(done)(r.first, std::move(r.second)); });
}

void run_void(const std::shared_ptr<session_impl>& impl, protocol::request_spec spec,
              call_options opts, asio::any_completion_handler<void(error_code)> h)
{
    launch(impl, std::move(h), do_void_call(impl, std::move(spec), std::move(opts)),
           [](asio::any_completion_handler<void(error_code)>& done, outcome<bool> r) {
               std::move(done)(r.first);
           });
}

template <class Page>
void run_page(const std::shared_ptr<session_impl>& impl, const std::shared_ptr<page_state>& state,
              call_options opts, handler<Page> h)
{
    launch(impl, std::move(h), do_page<Page>(impl, state, std::move(opts)),
           [](handler<Page>& done, outcome<Page> r) {
               std::move(done)(r.first, std::move(r.second));
           });
}

// The operations session.hpp declares, compiled here once for each result type.
#define AIKOM_CLIENT_INSTANTIATE(T)                                                                \
    template void run<T>(const std::shared_ptr<session_impl>&, protocol::request_spec,            \
                         call_options, reader<T>, handler<T>);
AIKOM_CLIENT_INSTANTIATE(protocol::discovery)
AIKOM_CLIENT_INSTANTIATE(protocol::write_result)
AIKOM_CLIENT_INSTANTIATE(protocol::fetched_child)
AIKOM_CLIENT_INSTANTIATE(protocol::batch_result)
AIKOM_CLIENT_INSTANTIATE(protocol::validation_result)
AIKOM_CLIENT_INSTANTIATE(protocol::correction_request)
AIKOM_CLIENT_INSTANTIATE(protocol::correction_page)
AIKOM_CLIENT_INSTANTIATE(protocol::review_result)
AIKOM_CLIENT_INSTANTIATE(protocol::completeness_report)
AIKOM_CLIENT_INSTANTIATE(check::progress_report)
AIKOM_CLIENT_INSTANTIATE(check::form85k_report)
AIKOM_CLIENT_INSTANTIATE(protocol::grant)
AIKOM_CLIENT_INSTANTIATE(protocol::grant_list)
AIKOM_CLIENT_INSTANTIATE(protocol::grant_history)
AIKOM_CLIENT_INSTANTIATE(protocol::http_response)
AIKOM_CLIENT_INSTANTIATE(std::string)
#undef AIKOM_CLIENT_INSTANTIATE
#define AIKOM_CLIENT_INSTANTIATE_PAGE(Page)                                                        \
    template void run_page<Page>(const std::shared_ptr<session_impl>&,                            \
                                 const std::shared_ptr<page_state>&, call_options, handler<Page>);
AIKOM_CLIENT_INSTANTIATE_PAGE(protocol::child_page)
AIKOM_CLIENT_INSTANTIATE_PAGE(protocol::correction_page)
AIKOM_CLIENT_INSTANTIATE_PAGE(protocol::change_page)
#undef AIKOM_CLIENT_INSTANTIATE_PAGE

} // namespace detail

// ---- the public objects ---------------------------------------------------------------------

session::session(executor_type ex, client_options options)
    : impl_(std::make_shared<detail::session_impl>(std::move(ex), nullptr, std::move(options),
                                                   nullptr))
{
}

session::session(executor_type ex, asio::ssl::context& tls, client_options options)
    : impl_(std::make_shared<detail::session_impl>(std::move(ex), &tls, std::move(options),
                                                   nullptr))
{
}

session::session(std::shared_ptr<detail::session_impl> impl) : impl_(std::move(impl)) {}

session detail::make_session(asio::any_io_executor ex, client_options options,
                             std::shared_ptr<connector> transport)
{
    return session(std::make_shared<session_impl>(std::move(ex), nullptr, std::move(options),
                                                  std::move(transport)));
}

session::~session()
{
    if (impl_) {
        asio::post(impl_->strand, [impl = impl_] { impl->close(); });
    }
}

session::session(session&&) noexcept = default;
session& session::operator=(session&& other) noexcept
{
    if (this != &other) {
        if (impl_) {
            asio::post(impl_->strand, [impl = impl_] { impl->close(); });
        }
        impl_ = std::move(other.impl_);
    }
    return *this;
}

session::executor_type session::get_executor() const noexcept
{
    return impl_->strand.get_inner_executor();
}

session_stats session::stats() const noexcept
{
    const auto& s = impl_->stats;
    return {.requests = s.requests.load(),
            .connections_opened = s.connections_opened.load(),
            .handshakes = s.handshakes.load(),
            .resumed_handshakes = s.resumed_handshakes.load(),
            .retries = s.retries.load(),
            .token_requests = s.token_requests.load()};
}

const client_options& session::options() const noexcept
{
    return impl_->opts;
}

child_pages session::list_children(std::string_view institution, std::size_t page_size)
{
    auto state = std::make_shared<detail::page_state>();
    state->institution = std::string(institution);
    state->limit = page_size;
    return child_pages(impl_, std::move(state));
}

correction_pages session::list_corrections(std::optional<protocol::correction_status> status,
                                            std::string_view institution, std::size_t page_size)
{
    auto state = std::make_shared<detail::page_state>();
    state->status = status;
    state->institution = std::string(institution);
    state->limit = page_size;
    return correction_pages(impl_, std::move(state));
}

change_feed session::changes(std::string cursor, std::size_t limit,
                             std::vector<std::string> institutions)
{
    auto state = std::make_shared<detail::page_state>();
    state->cursor = std::move(cursor);
    state->limit = limit;
    state->institutions = std::move(institutions);
    return change_feed(impl_, std::move(state));
}

template <class Page>
pages<Page>::pages(std::shared_ptr<detail::session_impl> impl,
                   std::shared_ptr<detail::page_state> s)
    : impl_(std::move(impl)), state_(std::move(s))
{
}

template <class Page>
bool pages<Page>::done() const noexcept
{
    return state_->done;
}

template <class Page>
const std::string& pages<Page>::cursor() const noexcept
{
    return state_->cursor;
}

template class pages<protocol::child_page>;
template class pages<protocol::correction_page>;

change_feed::change_feed(std::shared_ptr<detail::session_impl> impl,
                         std::shared_ptr<detail::page_state> s)
    : impl_(std::move(impl)), state_(std::move(s))
{
}

const std::string& change_feed::cursor() const noexcept
{
    return state_->cursor;
}

bool change_feed::drained() const noexcept
{
    return state_->done;
}

} // namespace aikom::client
