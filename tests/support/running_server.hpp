// Test helper: the reference server in-process on port 0 with a throwaway TLS directory and the
// synthetic test clients, started on construction and stopped on destruction.
#ifndef AIKOM_TESTS_RUNNING_SERVER_HPP
#define AIKOM_TESTS_RUNNING_SERVER_HPP

#include <aikom/sandbox/server.hpp>

#include "fixtures.hpp"
#include "protocol_driver.hpp"

#include <string>
#include <string_view>

namespace aikom::test {

struct running_server {
    explicit running_server(sandbox::server_options o = {}) : srv(prepare(std::move(o), dir))
    {
        srv.start();
    }
    ~running_server() { srv.stop(); }
    running_server(const running_server&) = delete;
    running_server& operator=(const running_server&) = delete;

    static sandbox::server_options prepare(sandbox::server_options o, const temp_dir& d)
    {
        o.tls_dir = d.path() / "tls";
        if (o.clients.empty()) {
            o.clients = test_clients();
            o.secret_kdf_iterations = test_kdf_iterations;
        }
        return o;
    }

    /// `https://<host>:<port>` of the server.
    [[nodiscard]] std::string url(std::string_view host = "127.0.0.1") const
    {
        return "https://" + std::string(host) + ":" + std::to_string(srv.port());
    }

    temp_dir dir;
    sandbox::server srv;
};

} // namespace aikom::test

#endif
