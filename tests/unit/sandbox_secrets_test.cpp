// How the sandbox keeps and checks its clients' secrets: a PBKDF2-HMAC-SHA256 key with a salt of
// its own per client, never the plain text nor a plain SHA-256, and one KDF run for every token
// request whether or not the client exists. Checked by structure (what is stored, how many KDF
// runs a request costs), never by measuring time.
#include "sandbox/auth.hpp"
#include "sandbox/client_secret.hpp"

#include <aikom/codec/content_hash.hpp>

#include "protocol_driver.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <array>
#include <string>

using namespace aikom;
using namespace aikom::sandbox::detail; // authority, client_secret, token_grant, …

namespace {

std::array<unsigned char, client_secret::key_size> pbkdf2_sha256(const std::string& secret,
                                                                 const client_secret& stored)
{
    std::array<unsigned char, client_secret::key_size> key{};
    REQUIRE(PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()), stored.salt().data(),
                              static_cast<int>(stored.salt().size()),
                              static_cast<int>(stored.iterations()), EVP_sha256(),
                              static_cast<int>(key.size()), key.data()) == 1);
    return key;
}

std::string hex(const unsigned char* p, std::size_t n)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(digits[p[i] >> 4]);
        out.push_back(digits[p[i] & 0xF]);
    }
    return out;
}

} // namespace

TEST_CASE("sandbox secrets: the stored form is PBKDF2-HMAC-SHA256 with a salt per client")
{
    const auto iterations = sandbox::server_options{}.secret_kdf_iterations; // the default
    authority auth(test::test_clients(), std::chrono::seconds(60), iterations);
    const auto* a = auth.stored_secret("zdo-a");
    const auto* b = auth.stored_secret("zdo-b");
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    CHECK(auth.stored_secret("nobody") == nullptr);
    CHECK(a->iterations() == iterations);
    CHECK(iterations >= 100'000);

    // The key is what an independent PBKDF2 computes from the secret and the stored salt.
    CHECK(pbkdf2_sha256("zdo-a-secret", *a) == a->key());
    CHECK(pbkdf2_sha256("zdo-b-secret", *b) == b->key());
    // It is not the former salted SHA-256 form, in either order of salt and secret.
    const std::string salt = hex(a->salt().data(), a->salt().size());
    const std::string key = hex(a->key().data(), a->key().size());
    CHECK(key != codec::sha256(salt + ":zdo-a-secret").to_hex());
    CHECK(key != codec::sha256("zdo-a-secret").to_hex());
    CHECK(key != codec::sha256("zdo-a-secret:" + salt).to_hex());
    // Salts are random: two clients, and two derivations of one secret, differ.
    CHECK(a->salt() != b->salt());
    const auto once = client_secret::derive("same", test::test_kdf_iterations);
    const auto twice = client_secret::derive("same", test::test_kdf_iterations);
    CHECK(once.salt() != twice.salt());
    CHECK(once.key() != twice.key());
    CHECK(once.matches("same"));
    CHECK(twice.matches("same"));
    CHECK_FALSE(once.matches("Same"));
    CHECK_FALSE(once.matches(""));
    // Fewer iterations than NIST SP 800-132's minimum are refused, not used.
    CHECK_THROWS_AS((void)client_secret::derive("same", 999), std::invalid_argument);
    sandbox::server_options weak;
    weak.clients = test::test_clients();
    weak.secret_kdf_iterations = 10;
    CHECK_THROWS_AS(authority(weak.clients, std::chrono::seconds(60), weak.secret_kdf_iterations),
                    std::invalid_argument);
}

TEST_CASE("sandbox secrets: the right secret is accepted, a wrong one or an unknown client refused, "
          "each for one KDF run")
{
    authority auth(test::test_clients(), std::chrono::seconds(60), test::test_kdf_iterations);
    token_grant grant;
    auto runs_of = [&](std::string_view client, std::string_view secret, token_refusal expected) {
        const auto before = secret_kdf_runs();
        CHECK(auth.issue(client, secret, "", grant) == expected);
        return secret_kdf_runs() - before;
    };
    CHECK(runs_of("zdo-a", "zdo-a-secret", token_refusal::none) == 1);
    CHECK_FALSE(grant.access_token.empty());
    CHECK(auth.authenticate(grant.access_token).has_value());

    CHECK(runs_of("zdo-a", "zdo-b-secret", token_refusal::invalid_client) == 1);
    CHECK(runs_of("zdo-a", "zdo-a-secreT", token_refusal::invalid_client) == 1);
    CHECK(runs_of("zdo-a", "", token_refusal::invalid_client) == 1);
    // An unknown client pays the same KDF run (against a dummy record), so that a refusal
    // does not tell by its timing whether the id exists.
    CHECK(runs_of("no-such-client", "zdo-a-secret", token_refusal::invalid_client) == 1);
    CHECK(runs_of("", "", token_refusal::invalid_client) == 1);
    // Another client's secret is not this client's.
    CHECK(runs_of("zdo-b", "zdo-a-secret", token_refusal::invalid_client) == 1);
    CHECK(runs_of("zdo-b", "zdo-b-secret", token_refusal::none) == 1);
}
