// aikom-example-future: upserts a synthetic record and reads it back from a plain thread, with
// futures, while the session's I/O runs on a thread of its own.
//
//   export AIKOM_CLIENT_SECRET=…   # never on the command line
//   aikom-example-future --server https://127.0.0.1:8443 --ca tls/ca.pem --client-id zdo-a
//
// `asio::use_future` turns each call into a `std::future`; `get()` waits and throws
// `boost::system::system_error` on failure, and the `diagnostics` say more (exit status 1; 2 for
// a bad command line). Never call `get()` on the thread that runs the io_context.

#include <aikom/client/session.hpp>

#include "client_example.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>
#include <thread>

namespace asio = boost::asio;
namespace client = aikom::client;
namespace protocol = aikom::protocol;

int main(int argc, char** argv)
{
    const auto options = example::options_from(argc, argv);
    if (!options) {
        return 2;
    }
    asio::io_context io;
    auto work = asio::make_work_guard(io); // keeps io.run() going between calls
    std::thread io_thread([&io] { io.run(); });
    client::diagnostics diag;
    int status = 0;
    try {
        client::session session(io.get_executor(), *options);
        const auto record = example::synthetic_child("kd-example-future");

        // [readme:future]
        const client::call_options opts{.diag = &diag};
        const auto written =
            session.async_upsert(example::institution, record, opts, asio::use_future).get();
        std::cout << "upserted " << written.id << ": " << protocol::to_string(written.status)
                  << '\n';

        const auto got =
            session.async_get(example::institution, written.id, opts, asio::use_future).get();
        std::cout << "read back " << got.record.id << ", etag " << got.etag << '\n';
        // [/readme:future]
    } catch (const boost::system::system_error& e) {
        status = example::report(e, diag);
    }
    work.reset();
    io_thread.join();
    return status;
}
