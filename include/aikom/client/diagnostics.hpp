#ifndef AIKOM_CLIENT_DIAGNOSTICS_HPP
#define AIKOM_CLIENT_DIAGNOSTICS_HPP

/// @file
/// What a failed (or retried) call knows beyond its `error_code`: our own message, apart from the
/// server's problem details and the request id to quote when asking the server's operators.
/// Pass one through `call_options::diag`; it is filled when the operation completes, whatever
/// the outcome. It never holds a token, a secret or a record.

#include <aikom/protocol/problem.hpp>

#include <boost/system/error_code.hpp>

#include <optional>
#include <string>

namespace aikom::client {

struct diagnostics {
    /// Our words: what failed and what to do ("the server's certificate is not trusted: …").
    std::string message{};
    /// The server's problem details (RFC 9457) of the last response, when it sent them; its
    /// `errors` list every problem of the request with a JSON Pointer and both languages.
    std::optional<protocol::problem> problem{};
    /// `X-Request-Id` of the last attempt (the server's echo when it answered).
    std::string request_id{};
    unsigned http_status = 0; ///< status of the last response, 0 when none was read
    unsigned attempts = 0;    ///< requests sent for this call, retries included

    void clear() { *this = diagnostics{}; }
};

/// One line for a person: our message (or `ec`'s), the server's problem title and detail unless
/// the message already quotes it, and the request id. No line breaks.
[[nodiscard]] std::string one_line(const boost::system::error_code& ec, const diagnostics& diag);

} // namespace aikom::client

#endif
