// aikom-example-coroutine: upserts a synthetic record and reads it back in a C++20 coroutine.
//
//   export AIKOM_CLIENT_SECRET=…   # never on the command line
//   aikom-example-coroutine --server https://127.0.0.1:8443 --ca tls/ca.pem --client-id zdo-a
//
// With `asio::use_awaitable` each call reads like a plain function call; a failure is thrown as
// `boost::system::system_error` and the `diagnostics` passed in `call_options` say more (exit
// status 1; 2 for a bad command line).

#include <aikom/client/session.hpp>

#include "client_example.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <iostream>

namespace asio = boost::asio;
namespace client = aikom::client;
namespace protocol = aikom::protocol;

// [readme:upsert]
asio::awaitable<void> upsert_and_read(client::session& session, const aikom::model::child& record,
                                      client::diagnostics& diag)
{
    const client::call_options opts{.diag = &diag}; // named: GCC 12 frees a temporary twice
    const auto written =
        co_await session.async_upsert(example::institution, record, opts, asio::use_awaitable);
    std::cout << "upserted " << written.id << ": " << protocol::to_string(written.status) << '\n';

    const auto got =
        co_await session.async_get(example::institution, written.id, opts, asio::use_awaitable);
    std::cout << "read back " << got.record.id << ", etag " << got.etag << '\n';
}
// [/readme:upsert]

int main(int argc, char** argv)
{
    const auto options = example::options_from(argc, argv);
    if (!options) {
        return 2;
    }
    client::diagnostics diag;
    try {
        // [readme:connect]
        asio::io_context io;
        client::session session(io.get_executor(), *options);
        // [/readme:connect]
        // The completion handler rethrows what the coroutine threw, out of io.run() below.
        const auto record = example::synthetic_child("kd-example-coroutine");
        asio::co_spawn(io, upsert_and_read(session, record, diag), [](std::exception_ptr e) {
            if (e) {
                std::rethrow_exception(e);
            }
        });
        io.run();
        return 0;
    } catch (const boost::system::system_error& e) {
        return example::report(e, diag);
    }
}
