// A small blocking HTTPS client for the integration tests: one keep-alive TLS connection to
// 127.0.0.1, verifying the server certificate against a given CA and the name "localhost".
// Deliberately independent of the library's own (future) client. Not thread-safe; use one per
// thread.
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

    /// Sends `req` and reads the response, reconnecting once if the kept-alive connection was
    /// closed by the server. Throws boost::system::system_error on failure.
    response send(request req);

    /// A transport for protocol_driver.
    [[nodiscard]] transport as_transport();

    /// Sends raw bytes on a fresh connection and returns whatever the server answers until it
    /// closes (for tests of framing and limits). `bytes` is written as given.
    std::string raw_exchange(const std::string& bytes);

    /// Completes a TLS handshake and nothing else; throws if it fails (e.g. untrusted CA).
    void handshake_only();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace aikom::test

#endif
