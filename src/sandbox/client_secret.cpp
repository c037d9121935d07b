#include "sandbox/client_secret.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <atomic>
#include <climits>
#include <stdexcept>
#include <string>

namespace aikom::sandbox::detail {
namespace {

std::atomic<std::uint64_t> kdf_runs{0};

std::array<unsigned char, client_secret::key_size>
pbkdf2(std::string_view secret, const std::array<unsigned char, client_secret::salt_size>& salt,
       std::uint32_t iterations)
{
    ++kdf_runs;
    std::array<unsigned char, client_secret::key_size> key{};
    if (iterations > static_cast<std::uint32_t>(INT32_MAX) ||
        PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()), salt.data(),
                          static_cast<int>(salt.size()), static_cast<int>(iterations),
                          EVP_sha256(), static_cast<int>(key.size()), key.data()) != 1) {
        throw std::runtime_error("aikom::sandbox: PBKDF2 failed");
    }
    return key;
}

} // namespace

client_secret client_secret::derive(std::string_view secret, std::uint32_t iterations)
{
    if (iterations < min_secret_kdf_iterations) {
        throw std::invalid_argument("aikom::sandbox: secret_kdf_iterations must be at least " +
                                    std::to_string(min_secret_kdf_iterations));
    }
    client_secret s;
    if (RAND_bytes(s.salt_.data(), static_cast<int>(s.salt_.size())) != 1) {
        throw std::runtime_error("the random generator failed");
    }
    s.iterations_ = iterations;
    s.key_ = pbkdf2(secret, s.salt_, iterations);
    return s;
}

bool client_secret::matches(std::string_view candidate) const
{
    auto k = pbkdf2(candidate, salt_, iterations_);
    const bool same = CRYPTO_memcmp(k.data(), key_.data(), key_.size()) == 0;
    OPENSSL_cleanse(k.data(), k.size());
    return same;
}

std::uint64_t secret_kdf_runs() noexcept
{
    return kdf_runs.load();
}

} // namespace aikom::sandbox::detail
