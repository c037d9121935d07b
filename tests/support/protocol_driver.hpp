// Test helpers for the protocol: a driver that speaks protocol v1 over any transport (the
// sandbox service called directly, or a real TLS connection), the synthetic clients the tests
// use, and scenarios both test tiers run. No TEST_CASEs here.
#ifndef AIKOM_TESTS_PROTOCOL_DRIVER_HPP
#define AIKOM_TESTS_PROTOCOL_DRIVER_HPP

#include <aikom/model/child.hpp>
#include <aikom/sandbox/server.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::test {

namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;
using transport = std::function<response(request)>;

/// Institutions of the test clients (valid ЄДРПОУ codes).
inline constexpr std::string_view institution_a = "32855961";
inline constexpr std::string_view institution_b = "21560766";

/// PBKDF2 iterations for the test clients' made-up secrets: the fewest the sandbox accepts, so
/// that the suites do not spend their time deriving keys (a server costs one derivation per
/// client). The KDF's own tests use the default.
inline constexpr std::uint32_t test_kdf_iterations = 1000;

/// admin; authority (A); zdo-a (institution A); zdo-b (institution B); platform (A and B);
/// reviewer (all); reviewer-a (A). Each secret is the id + "-secret".
[[nodiscard]] std::vector<sandbox::client_entry> test_clients();

/// A record that passes the `submission` profile, for `institution`.
[[nodiscard]] model::child valid_child(std::string id, std::string_view institution);

class protocol_driver {
public:
    explicit protocol_driver(transport t) : transport_(std::move(t)) {}

    /// A token for a test client (cached per client).
    const std::string& token(const std::string& client);

    /// A new token request with a test client's credentials (nothing cached): the response.
    response request_token(const std::string& client);

    /// One request; `headers` are added as given. JSON bodies get application/json.
    response call(http::verb method, std::string target, const std::string& client = {},
                  std::string body = {},
                  const std::map<std::string, std::string>& headers = {});

    /// PUT of a record by `client`.
    response put(const model::child& c, const std::string& client,
                 const std::map<std::string, std::string>& headers = {});

    /// A request as sent: its method, its path (without the query) and the test client whose
    /// token or credentials it carried (empty: none).
    struct sent_request {
        http::verb method;
        std::string path;
        std::string client;
    };
    /// Every request sent so far, in order.
    [[nodiscard]] const std::vector<sent_request>& sent() const noexcept { return sent_; }

private:
    transport transport_;
    std::map<std::string, std::string> tokens_;
    std::vector<sent_request> sent_;
};

/// The role × route × in/out-of-scope matrix, every cell asserted; every operation of the
/// contract the server serves (GET /v1/openapi.json) has a row for every role.
void run_role_matrix(protocol_driver& d);

} // namespace aikom::test

#endif
