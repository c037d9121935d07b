// The one test translation unit that instantiates Asio/Beast/SSL client code. Requests go
// through the library's own client (aikom::client::session::async_send); only the raw framing
// tests and the bare handshake use a TLS stream of their own.
#include "tls_client.hpp"

#include <aikom/client/session.hpp>

#include <boost/asio/use_future.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <boost/json.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>

namespace aikom::test {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct tls_client::impl {
    impl(std::uint16_t p, std::string ca)
        : port(p), ctx(ssl::context::tls_client),
          client(io.get_executor(),
                 {.base_url = "https://localhost:" + std::to_string(p),
                  .retry = {.max_attempts = 1}, // the tests want every answer as it comes
                  .tls = {.ca_pem = ca}})
    {
        ctx.add_certificate_authority(asio::buffer(ca));
        ctx.set_verify_mode(ssl::verify_peer);
        ctx.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1);
    }

    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> connect()
    {
        auto s = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, ctx);
        beast::get_lowest_layer(*s).expires_after(std::chrono::seconds(30));
        beast::get_lowest_layer(*s).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        // SNI and host name verification, as a real client must do.
        if (!SSL_set_tlsext_host_name(s->native_handle(), "localhost")) {
            throw boost::system::system_error(
                beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
        }
        s->set_verify_callback(ssl::host_name_verification("localhost"));
        s->handshake(ssl::stream_base::client);
        return s;
    }

    std::uint16_t port;
    asio::io_context io;
    ssl::context ctx;
    client::session client;
};

tls_client::tls_client(std::uint16_t port, std::string ca_pem)
    : impl_(std::make_unique<impl>(port, std::move(ca_pem)))
{
}

tls_client::~tls_client() = default;

response tls_client::send(request req)
{
    // The request as the test wrote it: its own headers (Authorization included), nothing added
    // but Host, User-Agent, Accept and, when the test sets none, an X-Request-Id.
    protocol::request_spec spec{.method = req.method(),
                                .target = std::string(req.target()),
                                .body = req.body(),
                                .content_type = {},
                                .authenticated = false};
    for (const auto& f : req) {
        const auto name = f.name();
        if (name != beast::http::field::host && name != beast::http::field::content_length) {
            spec.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        }
    }
    auto done = impl_->client.async_send(std::move(spec), asio::use_future);
    impl_->io.restart();
    impl_->io.run();
    auto res = done.get();
    capture(req, res);
    return res;
}

// With AIKOM_CAPTURE_RESPONSES=DIR, every exchange is appended to DIR/responses-<pid>.ndjson
// (method, target, status, headers, body), for the test that checks each response against
// docs/openapi.json (tests/openapi/openapi_test.py captured).
void tls_client::capture(const request& req, const response& res)
{
    const char* dir = std::getenv("AIKOM_CAPTURE_RESPONSES");
    if (dir == nullptr || *dir == '\0') {
        return;
    }
    boost::json::array headers;
    for (const auto& f : res) {
        headers.push_back(boost::json::array{std::string(f.name_string()), std::string(f.value())});
    }
    const boost::json::object line{{"method", std::string(req.method_string())},
                                   {"target", std::string(req.target())},
                                   {"status", res.result_int()},
                                   {"headers", std::move(headers)},
                                   {"body", res.body()}};
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::ofstream out(std::filesystem::path(dir) /
                          ("responses-" + std::to_string(::getpid()) + ".ndjson"),
                      std::ios::app | std::ios::binary);
    out << boost::json::serialize(line) << '\n';
}

transport tls_client::as_transport()
{
    return [this](request req) { return send(std::move(req)); };
}

std::string tls_client::raw_exchange(const std::string& bytes, bool* closed)
{
    auto s = impl_->connect();
    beast::get_lowest_layer(*s).expires_after(std::chrono::seconds(30));
    asio::write(*s, asio::buffer(bytes));
    std::string out;
    char buf[4096];
    for (;;) {
        beast::error_code ec;
        const auto n = s->read_some(asio::buffer(buf), ec);
        out.append(buf, n);
        if (ec) {
            // Closed (eof, stream truncated or reset): what we have is the answer.
            if (closed != nullptr) {
                *closed = ec != beast::error::timeout;
            }
            break;
        }
    }
    return out;
}

void tls_client::handshake_only()
{
    (void)impl_->connect();
}

namespace {

int openssl_version(tls_version v)
{
    return v == tls_version::v1_1 ? TLS1_1_VERSION : TLS1_2_VERSION;
}

/// A context for exactly `version` at security level 0 (Debian's OpenSSL 3 refuses TLS 1.1
/// above it, which would hide what the peer does).
void speak_only(ssl::context& ctx, tls_version version)
{
    SSL_CTX* native = ctx.native_handle();
    SSL_CTX_set_security_level(native, 0);
    if (SSL_CTX_set_min_proto_version(native, openssl_version(version)) != 1 ||
        SSL_CTX_set_max_proto_version(native, openssl_version(version)) != 1 ||
        SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0") != 1) {
        throw std::runtime_error("cannot restrict a test TLS context to one version");
    }
}

} // namespace

std::string handshake_error(std::uint16_t port, const std::string& ca_pem, tls_version version)
{
    asio::io_context io;
    ssl::context ctx(ssl::context::tls_client);
    speak_only(ctx, version);
    ctx.add_certificate_authority(asio::buffer(ca_pem));
    ctx.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> s(io, ctx);
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(15));
    beast::get_lowest_layer(s).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    SSL_set_tlsext_host_name(s.native_handle(), "localhost");
    s.set_verify_callback(ssl::host_name_verification("localhost"));
    beast::error_code ec;
    s.handshake(ssl::stream_base::client, ec);
    return ec ? ec.message() : std::string();
}

struct idle_tls_connection::impl {
    asio::io_context io;
    ssl::context ctx{ssl::context::tls_client};
    beast::ssl_stream<beast::tcp_stream> stream{io, ctx};
};

idle_tls_connection::idle_tls_connection(std::uint16_t port, const std::string& ca_pem,
                                         const std::string& source_address)
    : impl_(std::make_unique<impl>())
{
    auto& ctx = impl_->ctx;
    ctx.add_certificate_authority(asio::buffer(ca_pem));
    ctx.set_verify_mode(ssl::verify_peer);
    auto& s = impl_->stream;
    auto& socket = beast::get_lowest_layer(s).socket();
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(15));
    socket.open(tcp::v4());
    socket.bind(tcp::endpoint(asio::ip::make_address(source_address), 0));
    beast::get_lowest_layer(s).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    SSL_set_tlsext_host_name(s.native_handle(), "localhost");
    s.set_verify_callback(ssl::host_name_verification("localhost"));
    beast::error_code ec;
    s.handshake(ssl::stream_base::client, ec);
    error_ = ec ? ec.message() : std::string();
}

idle_tls_connection::~idle_tls_connection() = default;

dribble_result dribble(std::uint16_t port, const std::string& ca_pem, const std::string& bytes,
                       std::chrono::milliseconds interval)
{
    asio::io_context io;
    ssl::context ctx{ssl::context::tls_client};
    ctx.add_certificate_authority(asio::buffer(ca_pem));
    ctx.set_verify_mode(ssl::verify_peer);
    // TLS 1.2: nothing arrives after the handshake unless the server ends the connection (TLS
    // 1.3 would send session tickets, which the watch below would take for an end).
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    beast::ssl_stream<beast::tcp_stream> s{io, ctx};
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(15));
    beast::get_lowest_layer(s).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    SSL_set_tlsext_host_name(s.native_handle(), "localhost");
    s.set_verify_callback(ssl::host_name_verification("localhost"));
    s.handshake(ssl::stream_base::client);
    beast::get_lowest_layer(s).expires_never();

    dribble_result r;
    const int fd = beast::get_lowest_layer(s).socket().native_handle();
    for (const char byte : bytes) {
        beast::error_code ec;
        asio::write(s, asio::buffer(&byte, 1), ec);
        if (ec) {
            r.ended = true;
            return r;
        }
        ++r.written;
        // Readable (an alert, a close_notify, an answer) or hung up: the server ended it.
        pollfd p{.fd = fd, .events = POLLIN | POLLRDHUP, .revents = 0};
        if (::poll(&p, 1, static_cast<int>(interval.count())) > 0) {
            r.ended = true;
            return r;
        }
    }
    return r;
}

plain_answer plain_exchange(std::uint16_t port, const std::string& bytes)
{
    asio::io_context io;
    beast::tcp_stream s(io);
    s.expires_after(std::chrono::seconds(15));
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    plain_answer out;
    beast::error_code ec;
    asio::write(s.socket(), asio::buffer(bytes), ec);
    char buf[4096];
    while (!ec) {
        const auto n = s.socket().read_some(asio::buffer(buf), ec);
        out.bytes.append(buf, n);
    }
    out.closed = ec == asio::error::eof || ec == asio::error::connection_reset;
    return out;
}

struct legacy_tls_server::impl {
    impl(const std::string& chain_pem, const std::string& key_pem, tls_version version)
        : ctx(ssl::context::tls_server)
        , acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))
    {
        speak_only(ctx, version);
        ctx.use_certificate_chain(asio::buffer(chain_pem));
        ctx.use_private_key(asio::buffer(key_pem), ssl::context::pem);
        port = acceptor.local_endpoint().port();
        accept();
    }

    void accept()
    {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec) {
                return; // closed: the server stops
            }
            auto stream = std::make_shared<ssl::stream<tcp::socket>>(std::move(socket), ctx);
            stream->async_handshake(ssl::stream_base::server,
                                    [stream](beast::error_code) { /* nothing more to say */ });
            accept();
        });
    }

    asio::io_context io;
    ssl::context ctx;
    tcp::acceptor acceptor;
    std::uint16_t port = 0;
};

legacy_tls_server::legacy_tls_server(const std::string& chain_pem, const std::string& key_pem,
                                     tls_version version)
    : impl_(std::make_unique<impl>(chain_pem, key_pem, version))
    , thread_([this] { impl_->io.run(); })
{}

legacy_tls_server::~legacy_tls_server()
{
    impl_->io.stop();
    thread_.join();
}

std::uint16_t legacy_tls_server::port() const noexcept
{
    return impl_->port;
}

} // namespace aikom::test
