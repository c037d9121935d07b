// Private: the sandbox's clients, OAuth2 client-credentials tokens, roles and scopes.
#ifndef AIKOM_SRC_SANDBOX_AUTH_HPP
#define AIKOM_SRC_SANDBOX_AUTH_HPP

#include <aikom/sandbox/server.hpp>

#include "sandbox/client_secret.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace aikom::sandbox::detail {

/// The scopes of protocol v1, in the order discovery lists them.
inline constexpr std::string_view all_scopes[] = {
    "children:read",      "children:write", "reports:read", "corrections:create",
    "corrections:review", "grants:write",   "admin"};

[[nodiscard]] std::string_view to_string(role r) noexcept;
[[nodiscard]] std::optional<role> role_from_string(std::string_view s) noexcept;

/// The scopes a role may hold.
[[nodiscard]] std::vector<std::string> scopes_of(role r);

/// Who is calling: the client a validated token names, with the scopes of the token and the
/// institutions the client may reach *now* (filled per request: from the clients file for an
/// authority or a reviewer, from the current grants for an institution or a platform).
struct principal {
    std::string client_id{};
    sandbox::role role = sandbox::role::institution;
    std::set<std::string> institutions{};
    bool national = false; ///< `"*"` in the clients file: every institution
    std::set<std::string> scopes{};

    [[nodiscard]] bool has_scope(std::string_view s) const { return scopes.count(std::string(s)) != 0; }

    /// Whether `institution` is within the caller's reach (admin or national: all; everyone
    /// else: the listed ones — an empty list reaches nothing).
    [[nodiscard]] bool in_scope(std::string_view institution) const;

    /// Every institution is within reach.
    [[nodiscard]] bool unrestricted() const noexcept;
};

/// Outcome of a token request.
struct token_grant {
    std::string access_token{};
    std::chrono::seconds expires_in{0};
    std::string scope{}; ///< space-separated
};

enum class token_refusal { none, invalid_client, invalid_scope };

class authority {
public:
    /// Derives a key for each client's secret with `kdf_iterations` (see client_secret.hpp).
    /// A client holds at most `tokens_per_client` unexpired tokens (at least 1).
    authority(const std::vector<client_entry>& clients, std::chrono::seconds token_lifetime,
              std::uint32_t kdf_iterations,
              std::size_t tokens_per_client = server_caps{}.tokens_per_client);

    /// Checks the client's secret (one KDF run whether or not the client exists, keys compared
    /// in constant time) and issues a token with `requested_scope`
    /// (space-separated; empty: every scope of the role). A client that holds
    /// `tokens_per_client` tokens already loses its oldest.
    token_refusal issue(std::string_view client_id, std::string_view secret,
                        std::string_view requested_scope, token_grant& grant);

    /// The principal of a valid, unexpired token: client id, role, the token's scopes and the
    /// institutions of the clients file (for an institution or a platform the service replaces
    /// them with the current grants).
    [[nodiscard]] std::optional<principal> authenticate(std::string_view token);

    /// The role of a registered client.
    [[nodiscard]] std::optional<sandbox::role> role_of(std::string_view client_id) const;

    /// What is kept of a registered client's secret (null for an unknown client).
    [[nodiscard]] const client_secret* stored_secret(std::string_view client_id) const;

    /// Drops expired tokens.
    void prune();

private:
    struct client_record {
        sandbox::role role = sandbox::role::institution;
        std::set<std::string> institutions{}; ///< without "*"
        bool national = false;
        client_secret secret{};
    };
    struct token_record {
        std::string client_id{};
        std::set<std::string> scopes{};
        std::chrono::steady_clock::time_point expires{};
    };

    void forget(const std::string& token_key);

    std::unordered_map<std::string, client_record> clients_;
    client_secret dummy_; ///< what an unknown client's secret is checked against
    std::chrono::seconds lifetime_;
    std::size_t tokens_per_client_;
    std::mutex mutex_;
    std::unordered_map<std::string, token_record> tokens_; ///< keyed by SHA-256 of the token
    /// Each client's tokens (their keys in `tokens_`), oldest first.
    std::unordered_map<std::string, std::deque<std::string>> issued_;
};

/// An 8-digit ЄДРПОУ code by its form only (the check digit is the record rules' business): the
/// clients file, the router and the `institution=` parameters all check it with this.
[[nodiscard]] bool is_edrpou_code(std::string_view s) noexcept;

/// `n` random bytes from OpenSSL's generator, as lower-case hex.
[[nodiscard]] std::string random_hex(std::size_t n);

} // namespace aikom::sandbox::detail

#endif
