#ifndef AIKOM_CLIENT_ERROR_HPP
#define AIKOM_CLIENT_ERROR_HPP

/// @file
/// Error codes of the client (category `aikom.client`). A failed operation completes with one of
/// these, with a `protocol::problem_kind` (the server refused the request with problem details,
/// e.g. `problem_kind::resync_required` for a change-feed cursor that is too old), with a
/// `protocol::protocol_errc` (the answer is not what the protocol documents), or with
/// `boost::asio::error::operation_aborted` (the operation was cancelled). The `diagnostics`
/// object of the call says more.

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <type_traits>

namespace aikom::client {

enum class client_errc {
    ok = 0,
    invalid_options = 1,       ///< the options cannot work (base URL, pool size, CA file, …)
    resolve_failed,            ///< the server's host name does not resolve
    connect_failed,            ///< no TCP connection to any of the server's addresses
    tls_untrusted_certificate, ///< the server's certificate does not chain to a trusted CA
    tls_host_mismatch,         ///< the certificate is not for the host name of the base URL
    tls_handshake_failed,      ///< the TLS handshake failed for another reason
    connection_lost,           ///< the connection broke before a complete response arrived
    timeout,                   ///< a phase timeout or the call's deadline passed
    response_too_large,        ///< the response body is larger than `max_response_body`
    bad_response,              ///< the response is not valid HTTP/1.1
    no_credentials,            ///< an operation needs a token and the options have no client id
    session_closed,            ///< the session was destroyed while the operation waited
};

[[nodiscard]] const boost::system::error_category& client_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(client_errc e) noexcept
{
    return {static_cast<int>(e), client_category()};
}

} // namespace aikom::client

template <>
struct boost::system::is_error_code_enum<aikom::client::client_errc> : std::true_type {};

#endif
