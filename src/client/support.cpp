#include "client/support.hpp"

#include <aikom/client/diagnostics.hpp>
#include <aikom/client/error.hpp>
#include <aikom/protocol/responses.hpp>

#include <boost/beast/http/field.hpp>

#include <boost/url/parse.hpp>

#include <array>
#include <cctype>

namespace aikom::client {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "aikom.client"; }

    std::string message(int ev) const override
    {
        switch (static_cast<client_errc>(ev)) {
        case client_errc::ok:
            return "no error";
        case client_errc::invalid_options:
            return "the client options cannot work: check the base URL, the CA file and the pool "
                   "size";
        case client_errc::resolve_failed:
            return "the server's host name does not resolve: check the base URL and the DNS";
        case client_errc::connect_failed:
            return "cannot connect to the server: check the address, the port and the firewall";
        case client_errc::tls_untrusted_certificate:
            return "the server's TLS certificate is not trusted: give the CA that signed it "
                   "(--ca / tls.ca_file), or check that this is the right server";
        case client_errc::tls_host_mismatch:
            return "the server's TLS certificate is not valid for this host name: use the name "
                   "the certificate was issued for";
        case client_errc::tls_handshake_failed:
            return "the TLS handshake failed (protocol version or cipher mismatch, or not a TLS "
                   "server)";
        case client_errc::connection_lost:
            return "the connection closed before a complete response arrived";
        case client_errc::timeout:
            return "the operation timed out: the server is slow or unreachable, or the deadline "
                   "is too short";
        case client_errc::response_too_large:
            return "the response is larger than max_response_body: raise the limit or ask for "
                   "smaller pages";
        case client_errc::bad_response:
            return "the server's answer is not valid HTTP/1.1";
        case client_errc::no_credentials:
            return "this operation needs a token: set credentials.client_id and client_secret";
        case client_errc::session_closed:
            return "the session was closed while the operation waited";
        }
        return "unknown aikom.client error";
    }
};

} // namespace

const boost::system::error_category& client_category() noexcept
{
    static const category instance;
    return instance;
}

std::string one_line(const boost::system::error_code& ec, const diagnostics& diag)
{
    std::string line = diag.message.empty() ? ec.message() : diag.message;
    if (diag.problem && line.find(diag.problem->detail) == std::string::npos) {
        line += "; server: " + diag.problem->title;
        if (!diag.problem->detail.empty()) {
            line += ": " + diag.problem->detail;
        }
    }
    if (!diag.request_id.empty()) {
        line += " (request id " + diag.request_id + ")";
    }
    for (auto& c : line) {
        c = c == '\n' || c == '\r' ? ' ' : c;
    }
    return line;
}

std::string_view to_string(log_level l) noexcept
{
    switch (l) {
    case log_level::trace:
        return "trace";
    case log_level::debug:
        return "debug";
    case log_level::info:
        return "info";
    case log_level::warning:
        return "warning";
    case log_level::error:
        return "error";
    case log_level::off:
        return "off";
    }
    return "?";
}

namespace detail {

boost::system::result<server_address> parse_base_url(std::string_view url, std::string& why)
{
    auto u = boost::urls::parse_uri(url);
    if (!u) {
        why = "the base URL is not a URL (expected https://host[:port])";
        return make_error_code(client_errc::invalid_options);
    }
    if (u->scheme_id() != boost::urls::scheme::https) {
        why = "the base URL must use https:// (the protocol runs over TLS only)";
        return make_error_code(client_errc::invalid_options);
    }
    if (!u->has_authority() || u->encoded_host().empty()) {
        why = "the base URL has no host";
        return make_error_code(client_errc::invalid_options);
    }
    if (u->has_userinfo()) {
        why = "the base URL must not carry credentials: use client_options::credentials";
        return make_error_code(client_errc::invalid_options);
    }
    server_address a;
    switch (u->host_type()) {
    case boost::urls::host_type::ipv4:
        a.host = u->host_address();
        a.ip_literal = true;
        break;
    case boost::urls::host_type::ipv6:
        a.host = u->host_address();
        a.ip_literal = true;
        break;
    case boost::urls::host_type::name:
        a.host = u->host();
        break;
    default:
        why = "the base URL's host is not a name or an IP address";
        return make_error_code(client_errc::invalid_options);
    }
    a.port = u->has_port() && !u->port().empty() ? std::string(u->port()) : "443";
    a.host_header = std::string(u->encoded_host_and_port());
    if (u->has_port() && u->port() == "443") {
        a.host_header = std::string(u->encoded_host());
    }
    return a;
}

namespace {
std::string hex(std::mt19937_64& rng, std::size_t words)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t w = 0; w < words; ++w) {
        auto v = rng();
        for (int i = 0; i < 16; ++i) {
            out += digits[v & 15];
            v >>= 4;
        }
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}
} // namespace

std::string make_request_id(std::mt19937_64& rng)
{
    return "cl-" + hex(rng, 1);
}

std::string make_idempotency_key(std::mt19937_64& rng)
{
    return "ik-" + hex(rng, 2);
}

void note_response(const protocol::http_response& res, attempt_outcome& outcome)
{
    outcome.status = res.result_int();
    outcome.problem.reset();
    if (outcome.status >= 400 && protocol::media_type(res) == protocol::problem_content_type) {
        if (auto p = protocol::parse_problem(res.body())) {
            outcome.problem = protocol::kind_of(*p);
        }
    }
    outcome.retry_after = res[boost::beast::http::field::retry_after];
}

bool loggable_header(std::string_view name) noexcept
{
    static constexpr std::array<std::string_view, 7> allowed = {
        "Content-Type", "Content-Length", "ETag", "Location", "Retry-After", "X-Request-Id",
        "Idempotent-Replayed"};
    for (auto a : allowed) {
        if (iequals(a, name)) {
            return true;
        }
    }
    return false;
}

std::string loggable_target(std::string_view target)
{
    static constexpr std::array<std::string_view, 9> allowed = {
        "limit", "cursor", "status", "institution", "profile", "as_of", "deadline", "from", "to"};
    const auto q = target.find('?');
    if (q == std::string_view::npos) {
        return std::string(target);
    }
    std::string out(target.substr(0, q + 1));
    std::string_view rest = target.substr(q + 1);
    bool first = true;
    while (!rest.empty() || first) {
        const auto amp = rest.find('&');
        const auto param = rest.substr(0, amp);
        const auto eq = param.find('=');
        const auto name = param.substr(0, eq);
        if (!first) {
            out += '&';
        }
        first = false;
        bool ok = false;
        for (auto a : allowed) {
            ok = ok || a == name;
        }
        out += ok || eq == std::string_view::npos ? std::string(param)
                                                  : std::string(name) + "=***";
        if (amp == std::string_view::npos) {
            break;
        }
        rest = rest.substr(amp + 1);
    }
    return out;
}

} // namespace detail
} // namespace aikom::client
