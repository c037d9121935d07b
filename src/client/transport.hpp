// Private: the seam between the session (pool, token, retries) and the connections it uses.
// The session talks to `connection`s made by a `connector`; the real one opens TLS connections
// (session.cpp), tests plug in connections over Beast's test streams with injected failures.
#ifndef AIKOM_SRC_CLIENT_TRANSPORT_HPP
#define AIKOM_SRC_CLIENT_TRANSPORT_HPP

#include <aikom/client/session.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace aikom::client::detail {

using steady_clock = std::chrono::steady_clock;
using strand_type = asio::strand<asio::any_io_executor>;

struct stats_counters {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> connections_opened{0};
    std::atomic<std::uint64_t> handshakes{0};
    std::atomic<std::uint64_t> resumed_handshakes{0};
    std::atomic<std::uint64_t> retries{0};
    std::atomic<std::uint64_t> token_requests{0};
};

/// When a phase of `length` starting now must end: the call's `deadline` may come first.
[[nodiscard]] inline steady_clock::time_point
expiry(std::chrono::milliseconds length, const std::optional<steady_clock::time_point>& deadline)
{
    const auto t = steady_clock::now() + length;
    return deadline && *deadline < t ? *deadline : t;
}

/// What a connector needs to open one connection.
struct connect_context {
    strand_type strand;
    std::optional<steady_clock::time_point> deadline; ///< of the whole call
    stats_counters& stats;
    std::string& message; ///< our words when it fails
    const client_options& options;
};

/// One request/response on an open connection.
struct exchange_context {
    steady_clock::time_point deadline; ///< write and read together
    std::size_t max_body = 0;
    bool got_some = false;             ///< out: some of a response was read
};

class connection {
public:
    virtual ~connection() = default;
    /// Writes `req`, reads the response into `out`. Errors are the stream's or Beast's codes.
    virtual asio::awaitable<error_code> exchange(const protocol::http_request& req,
                                                 protocol::http_response& out,
                                                 exchange_context& ctx) = 0;
    /// Closes at once (no TLS close_notify): the connection is not used again.
    virtual void close() noexcept = 0;

    std::uint64_t id = 0;
    std::uint64_t uses = 0;
};

class connector {
public:
    virtual ~connector() = default;
    virtual asio::awaitable<std::unique_ptr<connection>> connect(connect_context& ctx,
                                                                 error_code& ec) = 0;
};

/// A response header larger than this fails the exchange (`http::error::header_limit`).
inline constexpr std::size_t max_response_header = 64 * 1024;

/// The HTTP/1.1 exchange on any stream, shared by the TLS connection and the tests' fakes.
template <class Stream>
asio::awaitable<error_code> exchange_on(Stream& stream, boost::beast::flat_buffer& buffer,
                                        const protocol::http_request& req,
                                        protocol::http_response& out, exchange_context& ctx)
{
    namespace http = boost::beast::http;
    error_code ec;
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        co_return ec;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(ctx.max_body);
    parser.header_limit(max_response_header);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    ctx.got_some = parser.got_some();
    if (ec) {
        co_return ec;
    }
    out = parser.release();
    co_return error_code{};
}

/// A session over `transport` instead of TLS connections (tests).
session make_session(asio::any_io_executor ex, client_options options,
                     std::shared_ptr<connector> transport);

} // namespace aikom::client::detail

#endif
