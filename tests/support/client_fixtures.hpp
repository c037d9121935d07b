// Test helpers shared by the integration tests that drive the client and the sync engine against
// the in-process reference server: an io_context on background threads, a client's options for
// one of the synthetic test clients, a blocking call's error code, a synthetic roster and a record
// source over it.
#ifndef AIKOM_TESTS_CLIENT_FIXTURES_HPP
#define AIKOM_TESTS_CLIENT_FIXTURES_HPP

#include <aikom/client/session.hpp>
#include <aikom/model/date.hpp>
#include <aikom/sync/push.hpp>
#include <aikom/synthetic/roster_generator.hpp>

#include "fixtures.hpp"
#include "running_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace aikom::test {

/// An io_context running on `threads` background threads for as long as the object lives.
struct io_threads {
    explicit io_threads(std::size_t threads = 1) : work(boost::asio::make_work_guard(io))
    {
        for (std::size_t i = 0; i < threads; ++i) {
            pool.emplace_back([this] { io.run(); });
        }
    }
    ~io_threads()
    {
        work.reset();
        io.stop();
        for (auto& t : pool) {
            t.join();
        }
    }
    io_threads(const io_threads&) = delete;
    io_threads& operator=(const io_threads&) = delete;

    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
    std::vector<std::thread> pool;
};

/// Options of a client that reaches `s` directly as the synthetic test client `client_id`
/// (its secret is "<id>-secret", see test_clients()), trusting the server's CA.
inline client::client_options client_options_for(const running_server& s, std::string client_id,
                                                 std::chrono::milliseconds retry_base_delay)
{
    client::client_options o;
    o.base_url = s.url();
    o.credentials = {.client_id = client_id, .client_secret = client_id + "-secret"};
    o.tls.ca_pem = s.srv.ca_pem();
    o.retry.base_delay = retry_base_delay;
    return o;
}

/// Runs a blocking call that throws system_error and returns its code (success if it returns).
template <class F>
boost::system::error_code code_of(F&& f)
{
    try {
        std::forward<F>(f)();
    } catch (const boost::system::system_error& e) {
        return e.code();
    }
    return {};
}

/// A synthetic roster at a fixed seed, spread in turn over institution_a and institution_b (the
/// ones the "platform" test client writes). Its reference date is today, the day the checks
/// (local and the server's) are made for.
inline std::vector<model::child> platform_roster(std::size_t n, std::uint64_t seed)
{
    synthetic::roster_generator gen(
        {.institutions = 2, .seed = seed, .reference_date = model::today_utc()});
    std::vector<model::child> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto c = gen.next();
        c.institution = model::edrpou(std::string(i % 2 == 0 ? institution_a : institution_b));
        out.push_back(std::move(c));
    }
    return out;
}

/// A push's record source over `records` (which must outlive it); positions read "roster:<n>",
/// n counted from 1.
inline sync::record_source source_of(const std::vector<model::child>& records)
{
    auto next = std::make_shared<std::size_t>(0);
    return {[&records, next](codec::read_item& item) {
                if (*next >= records.size()) {
                    return false;
                }
                item = {};
                item.index = *next;
                item.line = *next + 1;
                item.record = records[(*next)++];
                return true;
            },
            [](const codec::read_item& item) { return "roster:" + std::to_string(item.line); }};
}

} // namespace aikom::test

#endif
