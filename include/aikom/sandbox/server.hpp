#ifndef AIKOM_SANDBOX_SERVER_HPP
#define AIKOM_SANDBOX_SERVER_HPP

/// @file
/// The reference server ("sandbox") of protocol v1 (docs/protocol.md): HTTPS (TLS 1.2+) on
/// Boost.Beast, I/O threads for TLS and HTTP and a pool of workers for the answers, SQLite
/// storage in WAL mode, the library's own validators, roles and scopes, caps on what one client
/// may hold (`server_caps`), and fault-injection knobs for tests. Embeddable: start it on port 0,
/// read the port and the CA certificate, talk to it, stop it.
///
/// ```
/// aikom::sandbox::server srv({.tls_dir = dir, .clients = {{.id = "zdo", .secret = "s",
///                              .role = aikom::sandbox::role::institution,
///                              .institutions = {"32855961"}}}});
/// srv.start();
/// auto port = srv.port();          // trust srv.ca_pem() and connect to https://127.0.0.1:port
/// srv.stop();                      // finishes in-flight requests
/// ```
/// Thread safety: `start`, `stop` and `wait` from one controlling thread; the getters from any.

#include <aikom/protocol/faults.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::sandbox {

enum class role { admin, authority, institution, platform, reviewer };

/// A client allowed to obtain tokens. The server keeps only a key derived from `secret`
/// (PBKDF2-HMAC-SHA256, see `server_options::secret_kdf_iterations`); `server::start` wipes the
/// plain text from the options it holds.
struct client_entry {
    std::string id{};
    std::string secret{};
    sandbox::role role = sandbox::role::institution;
    std::vector<std::string> institutions{}; ///< ЄДРПОУ codes in its scope
};

/// Reads a clients file: `{"clients": [{"id", "secret", "role", "institutions": [...]}]}`.
/// Throws `std::runtime_error` naming the file and the JSON Pointer of the first problem.
[[nodiscard]] std::vector<client_entry> load_clients_file(const std::filesystem::path& path);

/// What one client, one address or everyone together may hold of the server at once
/// (docs/security.md, "A server that stays up"). Every cap is at least 1; the three a client
/// can plan for are in discovery's `limits`.
struct server_caps {
    /// Connections open at once, counted from `accept` to close. One more is closed at once,
    /// before its TLS handshake, and logged.
    std::size_t connections_total = 2048;
    std::size_t connections_per_address = 256;
    /// Unexpired tokens of one client: a new one revokes the client's oldest (a client that
    /// restarts and forgets its token is not locked out for the token's lifetime).
    std::size_t tokens_per_client = 20;
    /// Idempotency keys (with their stored answers) one client holds within
    /// `idempotency_retention`. A new key beyond them is a 429 `rate-limited` whose
    /// `Retry-After` is the time until the client's oldest key expires; no stored answer is
    /// dropped early, since its retry would then run twice.
    std::size_t idempotency_keys_per_client = 10'000;
    /// Refusals (`access.denied`) kept in the audit trail, pruned by housekeeping: the newest
    /// this many, none older than `refusal_retention`. The other entries (grants, reviews,
    /// faults) are kept whatever their age.
    std::size_t refusals_kept = 100'000;
    std::chrono::seconds refusal_retention{90 * 24 * 3600};
};

/// Test knobs, all off by default (docs/protocol.md §12). Never enable them in front of real
/// clients. The type and its JSON belong to the protocol layer, which also reads it for
/// `PUT /v1/admin/faults`.
using fault_settings = protocol::fault_settings;

struct server_options {
    std::string listen_address = "127.0.0.1";
    std::uint16_t port = 0; ///< 0: any free port, see `server::port()`
    /// SQLite database file, or ":memory:" for a throwaway one.
    std::string database = ":memory:";
    /// Holds `server.key`, `server.pem` (and `ca.pem`). When the key and certificate are
    /// missing, a local CA and a server certificate for localhost/127.0.0.1 are created and
    /// `ca.pem` is written for clients to trust.
    std::filesystem::path tls_dir{};
    std::vector<client_entry> clients{};
    /// I/O threads: TLS and HTTP only.
    std::size_t threads = 2;
    /// Threads that answer requests (storage, validation, reports, the token endpoint's KDF),
    /// so that slow work never holds up the I/O threads; also the most read transactions that
    /// run at once on a file database.
    std::size_t workers = 4;
    std::size_t max_body_bytes = 1024 * 1024;      ///< larger bodies: 413, not read whole
    std::chrono::seconds token_lifetime{3600};
    /// PBKDF2-HMAC-SHA256 iterations for the clients' secrets (at least 1,000). Each client
    /// costs one derivation at `start` and each token request one more, on a worker; an
    /// unknown client costs one too. 100,000 takes about 50 ms of one core of a 2-core test
    /// machine (the 9 test clients: about 0.5 s at start): OWASP's 600,000 would make a token
    /// request 0.3 s, a flood of them a cheap way to occupy the server and a clients file of a
    /// thousand institutions a five-minute start. Client secrets are meant to be long random
    /// strings, which a fast hash would already protect; the iterations are for weak ones.
    std::uint32_t secret_kdf_iterations = 100'000;
    std::chrono::seconds change_retention{7 * 24 * 3600};
    std::chrono::seconds idempotency_retention{24 * 3600};
    std::chrono::seconds read_timeout{30}; ///< per request, header and body
    /// How often expired tokens, change events, idempotency keys and old refusals in the
    /// audit trail are pruned.
    std::chrono::milliseconds housekeeping_interval{60'000};
    server_caps caps{};
    fault_settings faults{};
    /// Test seam, never set outside tests: called on the worker that is about to answer a
    /// request, with its target; whatever it waits for holds up that worker only.
    std::function<void(std::string_view target)> test_before_handling{};
};

class server {
public:
    explicit server(server_options options);
    ~server(); ///< stops the server if running
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds, listens and starts the worker threads. Throws `std::system_error` if the
    /// address cannot be bound, `std::runtime_error` for TLS or storage problems.
    void start();

    /// Stops accepting, lets in-flight requests finish (up to `grace`), then stops the threads.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

    /// Blocks until the server has stopped (after `stop()` from another thread or a signal
    /// handler of the caller's).
    void wait();

    [[nodiscard]] std::uint16_t port() const noexcept;

    /// The PEM of the CA that signed the server certificate (what clients must trust).
    [[nodiscard]] std::string ca_pem() const;

    /// Current fault settings; changes take effect for the next request.
    [[nodiscard]] fault_settings faults() const;
    void set_faults(const fault_settings& f);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace aikom::sandbox

#endif
