// A blocking HTTPS client for the integration tests, to https://localhost:<port>, verifying the
// server certificate against a given CA. `send` (and so `as_transport`) goes through the
// library's own client, session::async_send, with the test's request as written and no retries;
// `raw_exchange` and `handshake_only` use a TLS stream of their own, for what no real client
// sends. Not thread-safe; use one per thread.
#ifndef AIKOM_TESTS_TLS_CLIENT_HPP
#define AIKOM_TESTS_TLS_CLIENT_HPP

#include "protocol_driver.hpp"

#include <cstdint>
#include <memory>
#include <string>

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
    /// closes (for tests of framing and limits). `bytes` is written as given.
    std::string raw_exchange(const std::string& bytes);

    /// Completes a TLS handshake and nothing else; throws if it fails (e.g. untrusted CA).
    void handshake_only();

private:
    static void capture(const request& req, const response& res);

    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace aikom::test

#endif
