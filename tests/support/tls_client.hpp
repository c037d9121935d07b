// A blocking HTTPS client for the integration tests, to https://localhost:<port>, verifying the
// server certificate against a given CA. `send` (and so `as_transport`) goes through the
// library's own client, session::async_send, with the test's request as written and no retries;
// `raw_exchange` and `handshake_only` use a TLS stream of their own, for what no real client
// sends. Not thread-safe; use one per thread. Below it, raw TLS and plain TCP probes and a TLS
// server stuck in the past, for the tests of what both ends refuse.
#ifndef AIKOM_TESTS_TLS_CLIENT_HPP
#define AIKOM_TESTS_TLS_CLIENT_HPP

#include "protocol_driver.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace aikom::test {

class tls_client {
public:
    tls_client(std::uint16_t port, std::string ca_pem);
    ~tls_client();
    tls_client(const tls_client&) = delete;
    tls_client& operator=(const tls_client&) = delete;

    /// Sends `req` (its headers as given) and reads the response over the client's keep-alive
    /// pool. Throws boost::system::system_error on failure.
    response send(request req);

    /// A transport for protocol_driver.
    [[nodiscard]] transport as_transport();

    /// Sends raw bytes on a fresh connection and returns whatever the server answers until it
    /// closes (for tests of framing and limits). `bytes` is written as given. `closed`, when
    /// given, says whether the server ended the connection (false: our 30 s timeout did).
    std::string raw_exchange(const std::string& bytes, bool* closed = nullptr);

    /// Completes a TLS handshake and nothing else; throws if it fails (e.g. untrusted CA).
    void handshake_only();

private:
    static void capture(const request& req, const response& res);

    struct impl;
    std::unique_ptr<impl> impl_;
};

/// The one TLS version a probe or a test server speaks.
enum class tls_version { v1_1, v1_2 };

/// A bare TLS handshake with 127.0.0.1:`port` (SNI and host name localhost, verified against
/// `ca_pem`) speaking only `version`, at OpenSSL's security level 0 so that this end does not
/// rule TLS 1.1 out by itself: empty when it succeeds, otherwise OpenSSL's reason.
[[nodiscard]] std::string handshake_error(std::uint16_t port, const std::string& ca_pem,
                                          tls_version version);

/// A TLS connection from `source_address` (any of 127.0.0.0/8) to 127.0.0.1:`port` that
/// completes its handshake (verified against `ca_pem`) and then sits idle until destroyed: a
/// connection the server holds open and counts.
class idle_tls_connection {
public:
    idle_tls_connection(std::uint16_t port, const std::string& ca_pem,
                        const std::string& source_address);
    ~idle_tls_connection();
    idle_tls_connection(const idle_tls_connection&) = delete;
    idle_tls_connection& operator=(const idle_tls_connection&) = delete;

    /// Empty when the handshake succeeded, otherwise why it failed (e.g. the server closed the
    /// connection at once).
    [[nodiscard]] const std::string& error() const noexcept { return error_; }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::string error_;
};

/// What a client that writes its request a byte at a time saw (see dribble()).
struct dribble_result {
    std::size_t written = 0; ///< bytes written before the server ended the connection
    bool ended = false;      ///< the server closed the connection (or wrote) before the last byte
};

/// Completes a TLS 1.2 handshake with 127.0.0.1:`port` (verified against `ca_pem`), then writes
/// `bytes` one at a time, `interval` apart, watching between bytes for the server ending the
/// connection: a slow-header ("slowloris") client.
[[nodiscard]] dribble_result dribble(std::uint16_t port, const std::string& ca_pem,
                                     const std::string& bytes, std::chrono::milliseconds interval);

/// What a plain-text (no TLS) exchange got back.
struct plain_answer {
    std::string bytes{};
    bool closed = false; ///< the server closed or reset the connection (not our 15 s timeout)
};

/// Writes `bytes` on a plain TCP connection to 127.0.0.1:`port` and reads until the server
/// closes it, or for at most 15 seconds.
[[nodiscard]] plain_answer plain_exchange(std::uint16_t port, const std::string& bytes);

/// A TLS server on 127.0.0.1 (port 0) that speaks only `version` at security level 0, with the
/// given certificate chain and key. It completes or fails handshakes and answers nothing: a
/// peer for the tests of what a client refuses. Stopped on destruction.
class legacy_tls_server {
public:
    legacy_tls_server(const std::string& chain_pem, const std::string& key_pem,
                      tls_version version);
    ~legacy_tls_server();
    legacy_tls_server(const legacy_tls_server&) = delete;
    legacy_tls_server& operator=(const legacy_tls_server&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::thread thread_;
};

} // namespace aikom::test

#endif
