// The sandbox's TLS material: a local CA and a server certificate that clients can verify.

#include "sandbox/tls_material.hpp"

#include <doctest/doctest.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

namespace fs = std::filesystem;
using aikom::sandbox::detail::load_or_create_tls_material;

/// A fresh directory under the system temporary directory, removed afterwards.
struct scratch_dir {
    fs::path path;
    scratch_dir()
    {
        static std::atomic<int> counter{0};
        path = fs::temp_directory_path() /
               ("aikom-tls-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path);
    }
    ~scratch_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
};

struct x509_free {
    void operator()(X509* p) const noexcept { X509_free(p); }
    void operator()(X509_STORE* p) const noexcept { X509_STORE_free(p); }
    void operator()(X509_STORE_CTX* p) const noexcept { X509_STORE_CTX_free(p); }
    void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using x509_ptr = std::unique_ptr<X509, x509_free>;

x509_ptr first_certificate(const std::string& pem)
{
    std::unique_ptr<BIO, x509_free> bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
    REQUIRE(bio);
    x509_ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)};
    REQUIRE(cert);
    return cert;
}

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// X509_verify_cert against a store that holds only `ca`, for the TLS server purpose:
/// X509_V_OK or the verification error (see `openssl verify` for the meaning of a number).
int verify(X509* leaf, X509* ca)
{
    std::unique_ptr<X509_STORE, x509_free> store{X509_STORE_new()};
    REQUIRE(store);
    REQUIRE(X509_STORE_add_cert(store.get(), ca) == 1);
    std::unique_ptr<X509_STORE_CTX, x509_free> ctx{X509_STORE_CTX_new()};
    REQUIRE(ctx);
    REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr) == 1);
    REQUIRE(X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER) == 1);
    if (X509_verify_cert(ctx.get()) == 1) {
        return X509_V_OK;
    }
    const int error = X509_STORE_CTX_get_error(ctx.get());
    return error == X509_V_OK ? X509_V_ERR_UNSPECIFIED : error;
}

} // namespace

TEST_CASE("a missing key and certificate are generated: a CA and a server certificate")
{
    scratch_dir dir;
    const auto material = load_or_create_tls_material(dir.path / "nested");
    CHECK(material.generated);

    const auto key_file = dir.path / "nested" / "server.key";
    REQUIRE(fs::exists(key_file));
    REQUIRE(fs::exists(dir.path / "nested" / "server.pem"));
    REQUIRE(fs::exists(dir.path / "nested" / "ca.pem"));

    struct stat info {};
    REQUIRE(::stat(key_file.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);

    CHECK(read_file(dir.path / "nested" / "ca.pem") == material.ca_pem);
    CHECK(read_file(dir.path / "nested" / "server.pem") == material.certificate_chain_pem);
    CHECK(read_file(key_file) == material.private_key_pem);
    CHECK(material.private_key_pem.find("PRIVATE KEY") != std::string::npos);
    // The chain file is the server certificate followed by the CA.
    CHECK(material.certificate_chain_pem.ends_with(material.ca_pem));
    CHECK(material.certificate_chain_pem.size() > material.ca_pem.size());

    const auto leaf = first_certificate(material.certificate_chain_pem);
    const auto ca = first_certificate(material.ca_pem);

    SUBCASE("the server certificate verifies against the CA alone")
    {
        CHECK(verify(leaf.get(), ca.get()) == X509_V_OK);
    }
    SUBCASE("it is for localhost and 127.0.0.1")
    {
        CHECK(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr) == 1);
        CHECK(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0) == 1);
        CHECK(X509_check_host(leaf.get(), "example.org", 0, 0, nullptr) == 0);
        CHECK(X509_check_ip_asc(leaf.get(), "10.0.0.1", 0) == 0);
    }
    SUBCASE("the server certificate is not a CA; the CA is one")
    {
        CHECK(X509_check_ca(leaf.get()) == 0);
        CHECK(X509_check_ca(ca.get()) != 0);
        CHECK((X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN) != 0);
        CHECK((X509_get_extended_key_usage(leaf.get()) & XKU_SSL_SERVER) != 0);
    }
    SUBCASE("another CA does not verify it")
    {
        const auto other = aikom::sandbox::detail::generate_tls_material();
        const auto other_ca = first_certificate(other.ca_pem);
        CHECK(verify(leaf.get(), other_ca.get()) == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    }
}

TEST_CASE("an existing directory is loaded, not regenerated")
{
    scratch_dir dir;
    const auto first = load_or_create_tls_material(dir.path);
    const auto second = load_or_create_tls_material(dir.path);
    CHECK_FALSE(second.generated);
    CHECK(second.ca_pem == first.ca_pem);
    CHECK(second.certificate_chain_pem == first.certificate_chain_pem);
    CHECK(second.private_key_pem == first.private_key_pem);

    SUBCASE("without ca.pem the CA is the last certificate of server.pem")
    {
        fs::remove(dir.path / "ca.pem");
        const auto third = load_or_create_tls_material(dir.path);
        CHECK(third.ca_pem == first.ca_pem);
    }
    SUBCASE("a key without its certificate is an error, not a silent regeneration")
    {
        fs::remove(dir.path / "server.pem");
        CHECK_THROWS_AS((void)load_or_create_tls_material(dir.path), std::runtime_error);
        CHECK(read_file(dir.path / "server.key") == first.private_key_pem);
    }
    SUBCASE("a key that does not match the certificate is refused")
    {
        const auto other = aikom::sandbox::detail::generate_tls_material();
        std::ofstream(dir.path / "server.key", std::ios::binary | std::ios::trunc)
            << other.private_key_pem;
        CHECK_THROWS_AS((void)load_or_create_tls_material(dir.path), std::runtime_error);
    }
}
