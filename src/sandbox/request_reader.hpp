// Private: how the server reads one request off a connection: the header and body limits,
// `Expect: 100-continue`, and what each way of failing means. A template over the stream, so the
// server reads through it over TLS and the request fuzzer over a test stream; the caller answers
// (the service's response, 413 or 400) and closes as the outcome says. The caller sets the read
// deadline.
#ifndef AIKOM_SRC_SANDBOX_REQUEST_READER_HPP
#define AIKOM_SRC_SANDBOX_REQUEST_READER_HPP

#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace aikom::sandbox::detail {

/// The most a request's start line and header fields may take, in bytes.
inline constexpr std::uint32_t request_header_limit = 16 * 1024;

enum class read_outcome {
    request,   ///< a complete request is in the parser: answer it
    ended,     ///< the connection ended between requests (closed, idle timeout, cancelled)
    lost,      ///< the stream failed before a request began: close, nothing to answer
    too_large, ///< the declared or streamed body is over the limit: answer 413 and close
    malformed, ///< not HTTP (`error` says why): answer 400 and close
    failed,    ///< the stream failed within a request (`step` and `error` say where): close
};

struct read_result {
    read_outcome outcome = read_outcome::request;
    boost::system::error_code error{};
    std::string_view step{}; ///< for the log: "reading a request header", …
};

/// Reads the next request of a connection into `parser` (a fresh one: it is configured here),
/// with bodies up to `max_body` bytes. Calls `on_header()` once the header has been read (or
/// failed to be). Answers `Expect: 100-continue` before reading the body.
template <class Stream, class OnHeader>
boost::asio::awaitable<read_result>
read_request(Stream& stream, boost::beast::flat_buffer& buffer,
             boost::beast::http::request_parser<boost::beast::http::string_body>& parser,
             std::size_t max_body, OnHeader on_header)
{
    namespace asio = boost::asio;
    namespace beast = boost::beast;
    namespace http = beast::http;
    const auto& http_category = http::make_error_code(http::error::bad_method).category();

    parser.header_limit(request_header_limit);
    parser.body_limit(std::uint64_t{max_body});
    boost::system::error_code ec;
    co_await http::async_read_header(stream, buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
    on_header();
    if (ec == http::error::body_limit) { // the declared Content-Length is too large
        co_return read_result{.outcome = read_outcome::too_large};
    }
    if (ec && !parser.got_some()) {
        // Between requests: the client closed, the idle timeout passed, or we are stopping.
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted) {
            co_return read_result{.outcome = read_outcome::ended, .error = ec};
        }
        co_return read_result{.outcome = read_outcome::lost, .error = ec};
    }
    if (ec) {
        co_return read_result{.outcome = ec.category() == http_category ? read_outcome::malformed
                                                                         : read_outcome::failed,
                              .error = ec,
                              .step = "reading a request header"};
    }
    if (const auto declared = parser.content_length(); declared && *declared > max_body) {
        co_return read_result{.outcome = read_outcome::too_large}; // normally body_limit above
    }
    if (parser.is_done()) {
        co_return read_result{};
    }
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
        co_await http::async_write(stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            co_return read_result{
                .outcome = read_outcome::failed, .error = ec, .step = "writing 100 Continue"};
        }
    }
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::body_limit) { // a chunked body grew past the limit
        co_return read_result{.outcome = read_outcome::too_large};
    }
    if (ec) {
        co_return read_result{.outcome = ec.category() == http_category ? read_outcome::malformed
                                                                         : read_outcome::failed,
                              .error = ec,
                              .step = "reading a request body"};
    }
    co_return read_result{};
}

} // namespace aikom::sandbox::detail

#endif
