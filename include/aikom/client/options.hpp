#ifndef AIKOM_CLIENT_OPTIONS_HPP
#define AIKOM_CLIENT_OPTIONS_HPP

/// @file
/// The options of a client session (one aggregate, documented units, sensible defaults) and of
/// one call. Use designated initialisers:
///
/// ```
/// aikom::client::client_options opts{
///     .base_url = "https://sandbox.example:8443",
///     .credentials = {.client_id = "zdo-32855961", .client_secret = secret},
///     .tls = {.ca_file = "sandbox-ca.pem"},
///     .retry = {.max_attempts = 5},
/// };
/// ```

#include <aikom/client/diagnostics.hpp>
#include <aikom/client/retry.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace aikom::client {

using namespace std::chrono_literals;

enum class log_level { trace, debug, info, warning, error, off };

[[nodiscard]] std::string_view to_string(log_level l) noexcept;

/// The logger hook. Messages name the method, the path, the status, the timing, the request id
/// and the allowed headers (Content-Type, Content-Length, ETag, Location, Retry-After,
/// X-Request-Id, Idempotent-Replayed); never a body, a token, a secret or an Authorization
/// header. Called on the session's strand; keep it quick and do not call back into the session.
struct logger {
    log_level level = log_level::warning; ///< messages below this level are not even formatted
    std::function<void(log_level, std::string_view)> sink{};
};

/// OAuth2 client credentials (RFC 6749 §4.4). The secret is sent only to the token endpoint, in
/// a Basic Authorization header, and never logged.
struct credentials {
    std::string client_id{};     ///< empty: no token (only discovery works)
    std::string client_secret{};
    std::string scope{};         ///< space-separated; empty: every scope of the client's role
    std::string token_url = "/v1/oauth/token"; ///< a path on the base URL's server
    /// A token is renewed when less than this is left of its lifetime (or half of a short one).
    std::chrono::seconds refresh_margin = 60s;
};

/// Timeouts of each phase of one attempt, and the default deadline of a whole call.
struct timeouts {
    std::chrono::milliseconds resolve = 10s;   ///< DNS resolution of the host
    std::chrono::milliseconds connect = 10s;   ///< TCP connect (all addresses together)
    std::chrono::milliseconds handshake = 10s; ///< TLS handshake
    std::chrono::milliseconds request = 30s;   ///< writing the request and reading the response
    /// The whole call, retries and waits included (0: bounded only by `retry_policy::budget`).
    std::chrono::milliseconds call = 0ms;
};

struct tls_options {
    /// PEM file of the CA certificates to trust; empty: the system's store (OpenSSL's default
    /// verify paths).
    std::string ca_file{};
    /// PEM text of CA certificates to trust instead (e.g. a sandbox's `ca_pem()`); used when
    /// not empty, together with `ca_file` if both are given.
    std::string ca_pem{};
    /// FOR TESTS ONLY: skips certificate and host-name verification, so anyone in the middle can
    /// read and change the traffic. The session logs a warning when it is set.
    bool insecure_skip_verification = false;
};

struct client_options {
    /// `https://host[:port]` of the server (a path, if any, is ignored: the protocol lives under
    /// `/v1`). Plain `http://` is refused.
    std::string base_url{};
    client::credentials credentials{};
    /// Keep-alive connections kept open at most; one request in flight per connection. Calls
    /// beyond it wait for a free connection (within their deadline).
    std::size_t pool_size = 4;
    client::timeouts timeouts{};
    retry_policy retry{};
    client::tls_options tls{};
    /// A response body larger than this fails the call with `client_errc::response_too_large`
    /// before it is stored.
    std::size_t max_response_body = 16 * 1024 * 1024;
    std::string user_agent = "aikom-exchange/0.1";
    client::logger log{};
};

/// Options of one call; all optional.
struct call_options {
    /// Deadline of this call, retries and waits included; 0: `timeouts::call`.
    std::chrono::milliseconds timeout = 0ms;
    /// Filled when the call completes (must outlive the call).
    diagnostics* diag = nullptr;
    /// For the writes that take one (batch, withdrawal, correction requests, reviews): the
    /// `Idempotency-Key` to send. Empty: the session makes a random one, the same for every retry
    /// of this call. Give your own (persisted before the call) to survive a restart.
    std::string idempotency_key{};
    /// `If-Match` for PUT, DELETE and withdrawal: the ETag (unquoted) of the version to replace.
    std::string if_match{};
    /// `X-Request-Id` to send (1..128 of `A-Z a-z 0-9 . _ : -`); empty: the session makes one.
    std::string request_id{};
};

} // namespace aikom::client

#endif
