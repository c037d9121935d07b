// The one test translation unit that instantiates Asio/Beast/SSL client code.
#include "tls_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace aikom::test {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct tls_client::impl {
    impl(std::uint16_t p, std::string ca) : port(p), ctx(ssl::context::tls_client)
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
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;
};

tls_client::tls_client(std::uint16_t port, std::string ca_pem)
    : impl_(std::make_unique<impl>(port, std::move(ca_pem)))
{
}

tls_client::~tls_client()
{
    if (impl_->stream) {
        beast::error_code ec;
        beast::get_lowest_layer(*impl_->stream).socket().shutdown(tcp::socket::shutdown_both, ec);
    }
}

response tls_client::send(request req)
{
    req.set(beast::http::field::host, "localhost");
    req.keep_alive(true);
    req.prepare_payload();
    for (int attempt = 0;; ++attempt) {
        if (!impl_->stream) {
            impl_->stream = impl_->connect();
        }
        beast::error_code ec;
        beast::get_lowest_layer(*impl_->stream).expires_after(std::chrono::seconds(60));
        beast::http::write(*impl_->stream, req, ec);
        response res;
        if (!ec) {
            beast::flat_buffer buffer;
            beast::http::read(*impl_->stream, buffer, res, ec);
        }
        if (!ec) {
            if (!res.keep_alive()) {
                impl_->stream.reset();
            }
            return res;
        }
        impl_->stream.reset();
        if (attempt == 1) {
            throw boost::system::system_error(ec);
        }
    }
}

transport tls_client::as_transport()
{
    return [this](request req) { return send(std::move(req)); };
}

std::string tls_client::raw_exchange(const std::string& bytes)
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
            break; // closed (eof, stream truncated or reset): what we have is the answer
        }
    }
    return out;
}

void tls_client::handshake_only()
{
    (void)impl_->connect();
}

} // namespace aikom::test
