// libFuzzer target: the server's request handling. The input is what a client sends on one
// connection; it is read by the server's own request reader (request_reader.hpp: the header and
// body limits, chunked bodies, Expect: 100-continue, over a test stream instead of TLS) and
// answered as the server answers: the service's response to a request, 413 for a body over the
// limit, 400 for malformed HTTP. Each input gets a fresh service with in-memory storage and four
// clients; `@admin@`, `@authority@`, `@platform@` and `@reviewer@` in the input are replaced by a
// token of that client, so that seeds reach every route as an authenticated caller.
//
// Invariants beyond "no crash, no exception": every answer serialises to an HTTP response that
// parses back, with a status in 200..599 and never 500 or 503 (an internal error or a storage
// failure is a bug here); it carries X-Request-Id; a problem+json body parses, and its status
// and request id are those of the response.
#include "sandbox/request_reader.hpp"
#include "sandbox/service.hpp"
#include "sandbox/storage.hpp"

#include <aikom/protocol/problem.hpp>
#include <aikom/protocol/responses.hpp>
#include <aikom/protocol/session.hpp>
#include <aikom/protocol/types.hpp>
#include <aikom/sandbox/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace aikom;

void expect(bool ok)
{
    if (!ok) {
        std::abort();
    }
}

const sandbox::server_options& options()
{
    static const sandbox::server_options o = [] {
        sandbox::server_options s;
        // Made-up clients of made-up institutions (valid ЄДРПОУ check digits).
        s.clients = {{"admin", "admin-secret", sandbox::role::admin, {}},
                     {"authority", "authority-secret", sandbox::role::authority, {"32855961"}},
                     {"platform", "platform-secret", sandbox::role::platform,
                      {"32855961", "21560766"}},
                     {"reviewer", "reviewer-secret", sandbox::role::reviewer, {"*"}}};
        s.secret_kdf_iterations = 1000; // the fewest the sandbox accepts
        s.max_body_bytes = 8 * 1024;    // small, so that small inputs reach the limit
        return s;
    }();
    return o;
}

std::string token_of(sandbox::detail::service& svc, const std::string& client)
{
    sandbox::detail::request req{http::verb::post, "/v1/oauth/token", 11};
    req.set(http::field::host, "sandbox.test");
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.body() = "grant_type=client_credentials&client_id=" + client + "&client_secret=" + client +
                 "-secret";
    req.prepare_payload();
    const auto t = protocol::parse_token_response(svc.handle(req, "fuzz").body());
    expect(t.has_value());
    return t->access_token;
}

void replace_all(std::string& s, std::string_view what, const std::string& with)
{
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size())) {
        s.replace(at, what.size(), with);
    }
}

// The answer as the client would read it, checked.
void check_answer(sandbox::detail::response res, bool keep_alive)
{
    res.keep_alive(keep_alive && res.keep_alive());
    const unsigned status = res.result_int();
    expect(status >= 200 && status <= 599);
    expect(status != 500 && status != 503);
    const auto request_id = std::string(res["X-Request-Id"]);
    expect(!request_id.empty());

    std::ostringstream wire;
    wire << res;
    const std::string bytes = wire.str();
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(bytes.size());
    boost::system::error_code ec;
    const auto used = parser.put(asio::buffer(bytes), ec);
    expect(!ec && used == bytes.size());
    if (!parser.is_done()) {
        parser.put_eof(ec);
        expect(!ec);
    }
    const auto& back = parser.get();
    expect(back.result_int() == status);
    expect(back.body() == res.body());
    expect(back["X-Request-Id"] == request_id);

    if (protocol::media_type(back) == protocol::problem_content_type) {
        const auto p = protocol::parse_problem(back.body());
        expect(p.has_value());
        expect(p->status == status);
        expect(p->request_id == request_id);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static asio::io_context io;
    sandbox::detail::storage store{":memory:"};
    sandbox::detail::service svc{options(), store};

    std::string bytes(reinterpret_cast<const char*>(data), size);
    if (bytes.find('@') != std::string::npos) {
        for (const auto& c : options().clients) {
            const std::string placeholder = "@" + c.id + "@";
            if (bytes.find(placeholder) != std::string::npos) {
                replace_all(bytes, placeholder, token_of(svc, c.id));
            }
        }
    }

    beast::test::stream server_end(io);
    beast::test::stream client_end(io);
    server_end.connect(client_end);
    server_end.append(bytes);
    client_end.close(); // the client sends `bytes`, then closes its side

    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    std::optional<sandbox::detail::read_result> read;
    asio::co_spawn(io,
                   sandbox::detail::read_request(server_end, buffer, parser,
                                                 options().max_body_bytes, [] {}),
                   [&](std::exception_ptr e, sandbox::detail::read_result r) {
                       if (e) {
                           std::rethrow_exception(e); // nothing a client sends may throw
                       }
                       read = r;
                   });
    io.restart();
    io.run();
    expect(read.has_value());

    using sandbox::detail::read_outcome;
    switch (read->outcome) {
    case read_outcome::request: {
        const sandbox::detail::request req = parser.release();
        check_answer(svc.handle(req, "fuzz"), req.keep_alive());
        break;
    }
    case read_outcome::too_large:
        check_answer(svc.payload_too_large(parser.get()), false);
        break;
    case read_outcome::malformed:
        expect(static_cast<bool>(read->error));
        check_answer(svc.bad_request(read->error.message()), false);
        break;
    case read_outcome::ended:
    case read_outcome::lost:
    case read_outcome::failed:
        break; // nothing to answer
    }
    return 0;
}
