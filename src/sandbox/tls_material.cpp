#include "tls_material.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace aikom::sandbox::detail {
namespace {

namespace fs = std::filesystem;

struct openssl_free {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
    void operator()(X509* p) const noexcept { X509_free(p); }
    void operator()(BIO* p) const noexcept { BIO_free(p); }
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
    void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_free>;
using x509_ptr = std::unique_ptr<X509, openssl_free>;
using bio_ptr = std::unique_ptr<BIO, openssl_free>;
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_free>;
using extension_ptr = std::unique_ptr<X509_EXTENSION, openssl_free>;

/// Throws with `what` and the oldest queued OpenSSL error (the queue is cleared).
[[noreturn]] void fail(std::string_view what)
{
    std::string message = "TLS: " + std::string{what};
    if (const unsigned long code = ERR_get_error(); code != 0) {
        char text[256] = {};
        ERR_error_string_n(code, text, sizeof text);
        message += ": ";
        message += text;
    }
    ERR_clear_error();
    throw std::runtime_error(message);
}

void check(int result, std::string_view what)
{
    if (result != 1) {
        fail(what);
    }
}

pkey_ptr make_p256_key()
{
    pkey_ptr key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
    if (!key) {
        fail("cannot generate an EC P-256 key");
    }
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    extension_ptr ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)};
    if (!ext) {
        fail(std::string{"cannot build the extension "} + OBJ_nid2sn(nid) + " = " + value);
    }
    check(X509_add_ext(cert, ext.get(), -1), "cannot add a certificate extension");
}

void set_name(X509_NAME* name, const char* common_name)
{
    const auto add = [name](const char* field, const char* value) {
        check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>(value), -1, -1, 0),
              "cannot set a certificate name");
    };
    add("O", "aikom-exchange sandbox");
    add("CN", common_name);
}

/// A certificate for `key`'s public half, valid for `validity`, not yet signed.
x509_ptr new_certificate(EVP_PKEY* key, const char* common_name,
                         const certificate_validity& validity)
{
    x509_ptr cert{X509_new()};
    if (!cert) {
        fail("cannot allocate a certificate");
    }
    check(X509_set_version(cert.get(), X509_VERSION_3), "cannot set the certificate version");

    // A random positive 127-bit serial (RFC 5280: at most 20 octets, unique per issuer).
    bignum_ptr serial{BN_new()};
    if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
        fail("cannot set the certificate serial number");
    }

    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), validity.not_before.count()) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity.not_after.count()) == nullptr) {
        fail("cannot set the certificate validity");
    }
    set_name(X509_get_subject_name(cert.get()), common_name);
    check(X509_set_pubkey(cert.get(), key), "cannot set the certificate key");
    return cert;
}

void sign(X509* cert, EVP_PKEY* issuer_key)
{
    if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) {
        fail("cannot sign the certificate");
    }
}

std::string to_pem(X509* cert)
{
    bio_ptr bio{BIO_new(BIO_s_mem())};
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
        fail("cannot encode a certificate as PEM");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string to_pem(EVP_PKEY* key)
{
    bio_ptr bio{BIO_new(BIO_s_mem())};
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        fail("cannot encode the private key as PEM");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

bio_ptr read_only_bio(const std::string& text)
{
    bio_ptr bio{BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))};
    if (!bio) {
        fail("cannot allocate a memory BIO");
    }
    return bio;
}

/// Every certificate of a PEM text, in order.
std::vector<x509_ptr> parse_certificates(const std::string& pem, const fs::path& file)
{
    auto bio = read_only_bio(pem);
    std::vector<x509_ptr> certs;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        certs.emplace_back(cert);
    }
    ERR_clear_error(); // the end of the input is reported as an error
    if (certs.empty()) {
        throw std::runtime_error("TLS: " + file.string() + " holds no PEM certificate");
    }
    return certs;
}

pkey_ptr parse_private_key(const std::string& pem, const fs::path& file)
{
    auto bio = read_only_bio(pem);
    pkey_ptr key{PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)};
    if (!key) {
        fail(file.string() + " holds no unencrypted PEM private key");
    }
    return key;
}

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (!in || !(text << in.rdbuf())) {
        throw std::runtime_error("TLS: cannot read " + path.string());
    }
    return std::move(text).str();
}

/// Writes through a temporary file renamed into place, so a reader never sees half a file.
void write_file(const fs::path& path, std::string_view content, mode_t mode)
{
    fs::path temporary = path;
    temporary += ".tmp-" + std::to_string(::getpid());
    const auto error = [&](const char* what) {
        const int code = errno;
        ::unlink(temporary.c_str());
        throw std::runtime_error("TLS: cannot " + std::string{what} + " " + path.string() + ": " +
                                 std::generic_category().message(code));
    };
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        error("create");
    }
    bool ok = ::fchmod(fd, mode) == 0;
    const char* data = content.data();
    std::size_t left = content.size();
    while (ok && left > 0) {
        const ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        ok = n > 0;
        if (ok) {
            data += n;
            left -= static_cast<std::size_t>(n);
        }
    }
    ok = ok && ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    errno = saved;
    if (!ok) {
        error("write");
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        error("rename into");
    }
}

} // namespace

tls_material generate_tls_material(const certificate_validity& validity)
{
    const auto ca_key = make_p256_key();
    const auto ca = new_certificate(ca_key.get(), "aikom sandbox local CA", {});
    check(X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get())),
          "cannot set the CA issuer");
    add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_extension(ca.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    sign(ca.get(), ca_key.get());

    const auto server_key = make_p256_key();
    const auto server = new_certificate(server_key.get(), "localhost", validity);
    check(X509_set_issuer_name(server.get(), X509_get_subject_name(ca.get())),
          "cannot set the server certificate issuer");
    add_extension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    add_extension(server.get(), ca.get(), NID_subject_alt_name,
                  "DNS:localhost,IP:127.0.0.1,IP:::1");
    add_extension(server.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_extension(server.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    sign(server.get(), ca_key.get());

    tls_material material;
    material.ca_pem = to_pem(ca.get());
    material.certificate_chain_pem = to_pem(server.get()) + material.ca_pem;
    material.private_key_pem = to_pem(server_key.get());
    material.generated = true;
    return material;
}

tls_material load_or_create_tls_material(const fs::path& dir)
{
    const fs::path key_file = dir / "server.key";
    const fs::path cert_file = dir / "server.pem";
    const fs::path ca_file = dir / "ca.pem";

    std::error_code ec;
    const bool have_key = fs::exists(key_file, ec);
    const bool have_cert = fs::exists(cert_file, ec);

    if (!have_key && !have_cert) {
        fs::create_directories(dir, ec);
        if (ec) {
            throw std::runtime_error("TLS: cannot create the directory " + dir.string() + ": " +
                                     ec.message());
        }
        tls_material material = generate_tls_material();
        write_file(ca_file, material.ca_pem, 0644);
        write_file(cert_file, material.certificate_chain_pem, 0644);
        write_file(key_file, material.private_key_pem, 0600); // last: its presence means done
        return material;
    }
    if (have_key != have_cert) {
        throw std::runtime_error("TLS: " + (have_key ? cert_file : key_file).string() +
                                 " is missing while " + (have_key ? key_file : cert_file).string() +
                                 " exists; provide both, or delete both to have a new local CA "
                                 "and server certificate generated");
    }

    tls_material material;
    material.certificate_chain_pem = read_file(cert_file);
    material.private_key_pem = read_file(key_file);
    const auto chain = parse_certificates(material.certificate_chain_pem, cert_file);
    const auto key = parse_private_key(material.private_key_pem, key_file);
    if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
        ERR_clear_error();
        throw std::runtime_error("TLS: the private key in " + key_file.string() +
                                 " does not match the first certificate in " + cert_file.string());
    }
    if (fs::exists(ca_file, ec)) {
        material.ca_pem = read_file(ca_file);
        (void)parse_certificates(material.ca_pem, ca_file);
    } else {
        material.ca_pem = to_pem(chain.back().get());
    }
    return material;
}

} // namespace aikom::sandbox::detail
