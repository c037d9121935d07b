// Private: the client's small pure helpers (no Asio): base-URL parsing, ids, log redaction,
// what a response means to the retry decision.
#ifndef AIKOM_SRC_CLIENT_SUPPORT_HPP
#define AIKOM_SRC_CLIENT_SUPPORT_HPP

#include <aikom/client/options.hpp>
#include <aikom/protocol/requests.hpp>

#include <boost/system/result.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace aikom::client::detail {

/// The server a base URL names.
struct server_address {
    std::string host;        ///< for DNS and certificate checks, without IPv6 brackets
    std::string port;        ///< "443" when the URL has none
    std::string host_header; ///< `Host` header value
    bool ip_literal = false; ///< an IPv4 or IPv6 address: no SNI, IP-address verification
};

/// `https://host[:port][/…]`. The error message says what is wrong.
boost::system::result<server_address> parse_base_url(std::string_view url, std::string& why);

/// Random hexadecimal ids: `X-Request-Id` (`cl-` + 16 hex) and `Idempotency-Key` (`ik-` + 32).
std::string make_request_id(std::mt19937_64& rng);
std::string make_idempotency_key(std::mt19937_64& rng);

/// Fills in what the retry decision reads of a response: its status, the kind of its problem
/// details (an error status with `application/problem+json` that parses) and its Retry-After
/// (a view into `res`: valid while `res` is).
void note_response(const protocol::http_response& res, attempt_outcome& outcome);

/// True for the response headers a log may show (allow-list).
bool loggable_header(std::string_view name) noexcept;

/// `target` with the values of query parameters outside the allow-list replaced by `***`.
std::string loggable_target(std::string_view target);

} // namespace aikom::client::detail

#endif
