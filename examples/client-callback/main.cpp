// aikom-example-callback: upserts a synthetic record and reads it back, with completion handlers.
//
//   export AIKOM_CLIENT_SECRET=…   # never on the command line
//   aikom-example-callback --server https://127.0.0.1:8443 --ca tls/ca.pem --client-id zdo-a
//
// Each handler receives `(error_code, result)` and starts the next step; `io.run()` returns when
// no work is left. A failure prints the error, our message, the server's problem details and
// the request id (exit status 1; 2 for a bad command line).

#include <aikom/client/session.hpp>

#include "client_example.hpp"

#include <boost/asio/io_context.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace client = aikom::client;
namespace protocol = aikom::protocol;
using boost::system::error_code;

int main(int argc, char** argv)
{
    const auto options = example::options_from(argc, argv);
    if (!options) {
        return 2;
    }
    client::diagnostics diag; // filled by each call: our message, the server's problem, …
    try {
        asio::io_context io;
        client::session session(io.get_executor(), *options);
        const auto record = example::synthetic_child("kd-example-callback");
        int status = 0;
        auto fail = [&](error_code ec) { status = example::report(ec, diag); };

        // [readme:callback]
        const client::call_options opts{.diag = &diag};
        auto on_read = [&](error_code ec, protocol::fetched_child got) {
            if (ec) {
                return fail(ec);
            }
            std::cout << "read back " << got.record.id << ", etag " << got.etag << '\n';
        };
        auto on_written = [&](error_code ec, protocol::write_result written) {
            if (ec) {
                return fail(ec);
            }
            std::cout << "upserted " << written.id << ": " << protocol::to_string(written.status)
                      << '\n';
            session.async_get(example::institution, written.id, opts, on_read);
        };
        session.async_upsert(example::institution, record, opts, on_written);
        io.run(); // returns when both calls have completed
        // [/readme:callback]
        return status;
    } catch (const boost::system::system_error& e) { // the options cannot work (no CA file, …)
        return example::report(e, diag);
    }
}
