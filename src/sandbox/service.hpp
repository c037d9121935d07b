// Private: the sandbox's protocol logic as a function from request to response (sans-I/O).
// The network layer (server.cpp) reads a request, asks `plan_faults`, waits/drops/fails as told,
// and otherwise writes what `handle` returns. Tests drive `handle` directly, without sockets.
#ifndef AIKOM_SRC_SANDBOX_SERVICE_HPP
#define AIKOM_SRC_SANDBOX_SERVICE_HPP

#include <aikom/sandbox/server.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <memory>
#include <string_view>

namespace aikom::sandbox::detail {

namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

class storage;

/// What fault injection decided for one request.
struct fault_plan {
    std::chrono::milliseconds delay{0}; ///< wait this long (on a timer) before answering
    bool fail = false;                  ///< answer `service::fault_response` instead
    bool drop = false;                  ///< close the connection without answering
};

class service {
public:
    /// `store` must outlive the service. Thread-safe after construction.
    service(const server_options& options, storage& store);
    ~service();
    service(const service&) = delete;
    service& operator=(const service&) = delete;

    /// Answers one complete request. Never throws: internal failures become 500 problems.
    /// `peer` is for the log only.
    [[nodiscard]] response handle(const request& req, std::string_view peer);

    /// The 413 answer for a request whose declared or streamed body exceeds the limit; the
    /// caller sends it and closes the connection without reading the body.
    [[nodiscard]] response payload_too_large(const request& header_only) const;

    /// The 400 answer for a request that could not be parsed at all.
    [[nodiscard]] response bad_request(std::string_view what) const;

    /// The faults for `req`. The admin endpoint is always spared, so the knobs can be turned
    /// off over HTTP whatever they are set to.
    [[nodiscard]] fault_plan plan_faults(const request& req);
    [[nodiscard]] response fault_response(const request& req) const;
    [[nodiscard]] fault_settings faults() const;
    void set_faults(const fault_settings& f);

    /// Prunes expired change events, idempotency keys and tokens. Call now and then.
    void housekeeping();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace aikom::sandbox::detail

#endif
