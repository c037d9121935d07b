// Test helpers for faults on the wire (docs/security.md, "Faults on the wire"):
//
// - `fault_proxy`: a TCP proxy on 127.0.0.1 (port 0) in front of a server, which breaks its
//   connections at exact points of their byte streams: delay, reset (RST), close (FIN), stall,
//   or forward in 1-byte writes. It counts connections, bytes and requests.
// - `answering_server`: a server (TLS or plain TCP) that answers every connection with the same
//   scripted bytes, for what a real server never sends (garbage, bodies over any limit).
//
// Each runs on its own thread and io_context; every member function may be called from any
// thread. Deterministic by construction: a rule fires at a byte count, never at a time.
#ifndef AIKOM_TESTS_FAULT_PROXY_HPP
#define AIKOM_TESTS_FAULT_PROXY_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace aikom::test {

/// Which bytes a rule counts and acts on. Upstream: client → server.
enum class flow { upstream, downstream, both };

enum class fault {
    delay, ///< wait `fault_rule::delay` once, then forward as usual
    reset, ///< close both sockets with RST (SO_LINGER 0): the client reads ECONNRESET
    fin,   ///< close both sockets with FIN; downstream, it truncates the response there
    stall, ///< forward nothing more either way, keep both sockets open until the proxy stops
    slice, ///< from there on, forward in 1-byte writes (TCP_NODELAY: one segment each)
};

/// "On `connection`, once `after_bytes` bytes have been forwarded in `direction` and more
/// arrive: forward exactly `after_bytes` of them, then do `action`." A rule fires at most once
/// per connection (`slice` stays on once reached). The traffic is TLS, so bytes are ciphertext:
/// take thresholds from `fault_proxy::counts` of an idle connection (its handshake is over),
/// e.g. `{.direction = flow::downstream, .connection = 1, .after_bytes = counts(1).downstream}`
/// cuts connection 1 once the server starts to answer its next request.
struct fault_rule {
    fault action = fault::reset;
    flow direction = flow::downstream;
    std::size_t connection = 0;    ///< 1 for the first accepted; 0: every connection
    std::uint64_t after_bytes = 0; ///< counted from the connection's start in `direction`
    std::chrono::milliseconds delay{0}; ///< for `fault::delay`
};

/// What one connection (or all together) carried.
struct wire_counts {
    std::uint64_t upstream = 0;   ///< bytes forwarded client → server
    std::uint64_t downstream = 0; ///< bytes forwarded server → client
    /// Requests that reached the server: runs of upstream TLS application-data records that
    /// follow a downstream one (or none). Exact under TLS 1.2; under TLS 1.3 the encrypted
    /// handshake is application data too, so it may count one more per connection.
    std::uint64_t requests = 0;
    /// Writes made to forward the bytes (with `fault::slice`, one per byte).
    std::uint64_t writes = 0;
};

class fault_proxy {
public:
    /// Forwards to 127.0.0.1:`target_port`.
    explicit fault_proxy(std::uint16_t target_port);
    /// Closes every connection (stalled ones included) and stops the thread.
    ~fault_proxy();
    fault_proxy(const fault_proxy&) = delete;
    fault_proxy& operator=(const fault_proxy&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept;
    /// `https://127.0.0.1:<port>` (the sandbox's certificate names 127.0.0.1).
    [[nodiscard]] std::string url() const;

    /// Applies from the next bytes on, to open connections too.
    void add(const fault_rule& rule);
    /// Removes every rule; what already happened (a stall, slicing reached) stays.
    void clear();

    /// Connections accepted so far.
    [[nodiscard]] std::size_t connections() const;
    /// Of connection `n` (1-based; zeros for one not yet accepted).
    [[nodiscard]] wire_counts counts(std::size_t n) const;
    /// Of every connection together.
    [[nodiscard]] wire_counts totals() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// A server on 127.0.0.1 (port 0) that, for every connection, (completes a TLS handshake when
/// given a certificate,) reads the first bytes of the request, writes `reply`, then up to `filler_bytes`
/// more bytes (a repeated pattern) and closes. It counts connections and what it wrote: a
/// client that stops reading makes the writing stop early.
class answering_server {
public:
    struct script {
        std::string reply{};
        std::uint64_t filler_bytes = 0;
        std::string certificate_chain_pem{}; ///< empty: plain TCP
        std::string private_key_pem{};
    };

    explicit answering_server(script s);
    ~answering_server();
    answering_server(const answering_server&) = delete;
    answering_server& operator=(const answering_server&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept;
    [[nodiscard]] std::size_t connections() const;
    /// Bytes written to every client together (reply and filler).
    [[nodiscard]] std::uint64_t bytes_written() const;
    /// Connections whose writing has ended (all written, or the client went away).
    [[nodiscard]] std::size_t finished() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace aikom::test

#endif
