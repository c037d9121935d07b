// The fake server of the client's unit tests: connections over Beast's test streams that
// answer from a script, with a failure injectable at any read or write step. No TEST_CASEs.
#ifndef AIKOM_TESTS_UNIT_CLIENT_FAKE_SERVER_HPP
#define AIKOM_TESTS_UNIT_CLIENT_FAKE_SERVER_HPP

#include <aikom/client/session.hpp>
#include <aikom/codec/json.hpp>

#include "client/support.hpp"
#include "client/transport.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/_experimental/test/fail_count.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace aikom::test::client_fake {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;


inline std::string http_response(unsigned status, std::string_view type, std::string_view body,
                          std::string_view extra_headers = {})
{
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + std::string(type) +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
           std::string(extra_headers) + "\r\n" + std::string(body);
}

inline const std::string token_ok = http_response(
    200, "application/json",
    R"({"access_token":"tok-1","token_type":"Bearer","expires_in":3600,"scope":"children:read"})");
inline const std::string token_ok_2 = http_response(
    200, "application/json",
    R"({"access_token":"tok-2","token_type":"Bearer","expires_in":3600,"scope":"children:read"})");
inline const std::string write_ok = http_response(
    201, "application/json",
    R"({"id":"kd-1","institution":"32855961","status":"created","etag":"e1","warnings":[]})",
    "ETag: \"e1\"\r\n");

inline std::string problem_response(unsigned status, std::string_view name, std::string_view extra = {})
{
    return http_response(status, "application/problem+json",
                         R"({"type":"urn:aikom:problem:)" + std::string(name) +
                             R"(","title":"t","status":)" + std::to_string(status) +
                             R"(,"request_id":"req-1","retryable":false,"errors":[]})",
                         extra);
}

// The server side of the fake: answers by request, records what it saw.
struct script {
    // Answers for the token endpoint and for everything else, used in order; the last repeats.
    std::deque<std::string> token{token_ok};
    std::deque<std::string> other{write_ok};
    std::vector<protocol::http_request> seen;
    std::chrono::milliseconds delay{0};

    std::string answer(const protocol::http_request& req)
    {
        seen.push_back(req);
        auto& q = req.target() == "/v1/oauth/token" ? token : other;
        std::string a = q.front();
        if (q.size() > 1) {
            q.pop_front();
        }
        return a;
    }
};

class fake_connection final : public client::detail::connection {
public:
    // Single-threaded tests: the streams run on the io_context itself, not on the strand.
    fake_connection(asio::io_context& io, script& s, std::optional<std::size_t> fail_at)
        : script_(s), fc_(fail_at.value_or(1'000'000)), client_(io, fc_), server_(io.get_executor())
    {
        client_.connect(server_);
        client_.read_size(7); // many small reads: every step of the parser is a read
        client_.write_size(11);
    }

    asio::awaitable<boost::system::error_code> exchange(const protocol::http_request& req,
                                                        protocol::http_response& out,
                                                        client::detail::exchange_context& ctx) override
    {
        if (script_.delay.count() > 0) { // a slow server: the answer comes after a while
            asio::steady_timer t(co_await asio::this_coro::executor, script_.delay);
            boost::system::error_code ec;
            co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                co_return ec;
            }
        }
        client_.append(script_.answer(req));
        co_return co_await client::detail::exchange_on(client_, buffer_, req, out, ctx);
    }

    void close() noexcept override { client_.close(); }

private:
    script& script_;
    beast::test::fail_count fc_;
    beast::test::stream client_;
    beast::test::stream server_;
    beast::flat_buffer buffer_;
};

class fake_connector final : public client::detail::connector {
public:
    fake_connector(asio::io_context& io, script& s) : io_(io), script_(s) {}

    asio::awaitable<std::unique_ptr<client::detail::connection>>
    connect(client::detail::connect_context& ctx, boost::system::error_code&) override
    {
        ctx.stats.connections_opened.fetch_add(1);
        std::optional<std::size_t> fail;
        if (next_fails.has_value()) {
            fail = next_fails;
            next_fails.reset(); // only the first connection fails: the pool must recover
        }
        co_return std::make_unique<fake_connection>(io_, script_, fail);
    }

    std::optional<std::size_t> next_fails;

private:
    asio::io_context& io_;
    script& script_;
};

inline client::client_options fake_options()
{
    client::client_options o;
    o.base_url = "https://sandbox.test";
    o.credentials = {.client_id = "zdo-a", .client_secret = "zdo-a-secret"};
    o.pool_size = 2;
    o.retry.base_delay = 1ms;
    o.retry.max_delay = 2ms;
    return o;
}

inline model::child record()
{
    model::child c;
    c.id = "kd-1";
    c.institution = model::edrpou("32855961");
    return c;
}

template <class Future>
boost::system::error_code code_of_future(asio::io_context& io, Future& f)
{
    io.restart();
    io.run();
    try {
        f.get();
    } catch (const boost::system::system_error& e) {
        return e.code();
    }
    return {};
}

template <class Future>
auto run(asio::io_context& io, Future f)
{
    io.restart();
    io.run();
    return f.get();
}


} // namespace aikom::test::client_fake

#endif
