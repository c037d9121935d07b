// libFuzzer target: the client's response handling. The input is what a server sends back; it is
// read by the client's own exchange step (`exchange_on`: the Beast parser with the client's
// header and body limits, chunked bodies, over a test stream instead of TLS), then interpreted as
// the session does (status, problem details, Retry-After, the retry decision) and by every
// reader of the protocol layer (token, write, batch, pages, ...). Each input is read twice: with
// the client's default body limit in one piece, and with a small limit in 7-byte reads.
//
// Invariants beyond "no crash, no exception": a body over the limit is never kept; a Retry-After
// value is within [0, retry_after_max]; a retry waits within the budget and "give up" waits
// nothing; a reader succeeds only for a 2xx status, and a failure carries the HTTP status (and
// problem details only when the response had them).
#include "client/support.hpp"
#include "client/transport.hpp"

#include <aikom/client/options.hpp>
#include <aikom/client/retry.hpp>
#include <aikom/protocol/responses.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string_view>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace aikom;

// A fixed "now" for HTTP-date values, so that every run of an input decides the same.
const auto fixed_now = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1} + std::chrono::hours{12};

void check(bool ok)
{
    if (!ok) {
        std::abort();
    }
}

template <class T>
void check_reader(const protocol::response_result<T>& r, const protocol::http_response& res)
{
    const unsigned status = res.result_int();
    if (r) {
        check(status >= 200 && status < 300);
        return;
    }
    const auto& f = r.error();
    check(static_cast<bool>(f.code));
    check(f.status == status);
    check(!f.message.empty());
    if (f.problem) { // only from a response that said it carries problem details
        check(status < 200 || status >= 300);
        check(protocol::media_type(res) == protocol::problem_content_type);
    }
}

void interpret(const protocol::http_response& res)
{
    // What the session reads for its retry decision.
    client::attempt_outcome outcome;
    // The attempt number and the time spent so far vary with the input, deterministically.
    outcome.attempt = 1 + static_cast<unsigned>(res.body().size() % 4);
    outcome.replayable = true;
    outcome.elapsed = std::chrono::milliseconds{static_cast<std::int64_t>(res.body().size() % 40'000)};
    client::detail::note_response(res, outcome);
    check(outcome.status == res.result_int());

    if (const auto d = client::parse_retry_after(outcome.retry_after, fixed_now)) {
        check(d->count() >= 0 && *d <= client::retry_after_max);
    }
    const client::retry_policy policy;
    const client::retry_environment env{.uniform = [] { return 0.5; },
                                        .now = [] { return std::chrono::system_clock::time_point{fixed_now}; }};
    const auto decision = client::decide_retry(policy, outcome, env);
    if (decision.retry) {
        check(decision.delay.count() >= 0);
        check(outcome.elapsed + decision.delay <= policy.budget);
    } else {
        check(decision.delay.count() == 0);
    }
    check(!decision.reason.empty());

    // What each operation reads.
    check(protocol::read_any(res).has_value()); // whatever the status
    check_reader(protocol::read_discovery(res), res);
    const auto token = protocol::read_token(res);
    check_reader(token, res);
    if (token) { // what the session keeps and when it renews it
        check(!token->access_token.empty());
        check(token->expires_in.count() >= 0 && token->expires_in <= std::chrono::years{200});
    }
    check_reader(protocol::read_write(res), res);
    check_reader(protocol::read_child(res), res);
    check_reader(protocol::read_deleted(res), res);
    check_reader(protocol::read_child_page(res), res);
    check_reader(protocol::read_batch(res), res);
    check_reader(protocol::read_change_page(res), res);
    check_reader(protocol::read_validation(res), res);
    check_reader(protocol::read_correction(res), res);
    check_reader(protocol::read_corrections(res), res);
    check_reader(protocol::read_review(res), res);
    check_reader(protocol::read_completeness(res), res);
    check_reader(protocol::read_grant(res), res);
    check_reader(protocol::read_grants(res), res);
    check_reader(protocol::read_grant_history(res), res);
    check_reader(protocol::read_progress_report(res), res);
    check_reader(protocol::read_form85k_report(res), res);
    check_reader(protocol::read_openapi(res), res);
}

void read_once(asio::io_context& io, std::string_view bytes, std::size_t max_body,
               std::size_t read_size)
{
    beast::test::stream client_end(io);
    beast::test::stream server_end(io);
    client_end.connect(server_end);
    client_end.read_size(read_size);
    client_end.append(bytes);
    server_end.close(); // the server sends `bytes`, then closes

    beast::flat_buffer buffer;
    const protocol::http_request req{http::verb::get, "/v1", 11};
    protocol::http_response res;
    client::detail::exchange_context ctx{.deadline = client::detail::steady_clock::now(),
                                         .max_body = max_body};
    bool done = false;
    boost::system::error_code read_ec;
    asio::co_spawn(io, client::detail::exchange_on(client_end, buffer, req, res, ctx),
                   [&](std::exception_ptr e, boost::system::error_code ec) {
                       if (e) {
                           std::rethrow_exception(e); // nothing a server sends may throw
                       }
                       read_ec = ec;
                       done = true;
                   });
    io.restart();
    io.run();
    check(done);
    if (read_ec) {
        check(res.body().empty()); // a refused response is never handed over, even in part
        return;
    }
    check(res.body().size() <= max_body);
    interpret(res);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static asio::io_context io;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    read_once(io, bytes, client::client_options{}.max_response_body, bytes.size() + 1);
    read_once(io, bytes, 256, 7);
    return 0;
}
