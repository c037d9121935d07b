#ifndef AIKOM_PROTOCOL_SESSION_HPP
#define AIKOM_PROTOCOL_SESSION_HPP

/// @file
/// The bodies a client needs before its first request (docs/protocol.md §5 and §7.1): the
/// discovery document, the token response and the OAuth2 error. Each has `to_json` (what the
/// server writes) and `parse_…` (what the client reads). Readers ignore members they do not
/// know (the protocol only grows) and refuse, without throwing, a member of the wrong type or
/// out of range (`protocol_errc::bad_value`) and a missing required one (`missing_field`).

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::protocol {

/// The server's limits (docs/protocol.md §11). Absent members keep these defaults.
struct limits {
    std::size_t max_body_bytes = 1024 * 1024; ///< 1.. ; any request body
    std::size_t max_record_bytes = 64 * 1024; ///< 1.. ; one record's JSON
    std::size_t max_batch_items = 500;        ///< 1..
    std::size_t page_size_default = 100;      ///< 1..
    std::size_t page_size_max = 1000;         ///< 1..
    /// What one client may hold of a server at once; absent when the server states none.
    std::optional<std::size_t> connections_per_address{}; ///< 1.. ; open connections of one IP
    std::optional<std::size_t> tokens_per_client{};       ///< 1.. ; a new one revokes the oldest
    std::optional<std::size_t> idempotency_keys_per_client{}; ///< 1.. ; a new one beyond: 429
};

/// `GET /v1`.
struct discovery {
    std::string protocol = "aikom-exchange";
    std::string version = "1";
    int record_schema = 1; ///< 1..INT_MAX
    std::string token_url = "/v1/oauth/token";
    protocol::limits limits{};
    std::chrono::seconds change_feed_retention{7 * 24 * 3600}; ///< 0..about a century
    std::chrono::seconds idempotency_retention{24 * 3600};     ///< 0..about a century
    std::vector<std::string> scopes{};
    std::vector<std::string> roles{};
};

[[nodiscard]] std::string to_json(const discovery& d);
/// `protocol` and `version` are required.
[[nodiscard]] boost::system::result<discovery> parse_discovery(std::string_view json);

/// The answer of `POST /v1/oauth/token` (RFC 6749 §5.1).
struct token_response {
    std::string access_token{};
    std::string token_type = "Bearer";
    std::chrono::seconds expires_in{0}; ///< 0..about a century; absent: 0 (unknown)
    std::string scope{};
};

[[nodiscard]] std::string to_json(const token_response& t);
/// `access_token` and `token_type` are required.
[[nodiscard]] boost::system::result<token_response> parse_token_response(std::string_view json);

/// An OAuth2 error body (RFC 6749 §5.2).
struct oauth_error {
    std::string error{}; ///< invalid_request, invalid_client, unsupported_grant_type, …
    std::string error_description{};
};

[[nodiscard]] std::string to_json(const oauth_error& e);
/// `error` is required.
[[nodiscard]] boost::system::result<oauth_error> parse_oauth_error(std::string_view json);

} // namespace aikom::protocol

#endif
