// Private: how the sandbox keeps its clients' secrets. Never the plain text: a key derived with
// PBKDF2-HMAC-SHA256 (RFC 8018) from the secret and a random 16-byte salt of its own, checked in
// constant time.
#ifndef AIKOM_SRC_SANDBOX_CLIENT_SECRET_HPP
#define AIKOM_SRC_SANDBOX_CLIENT_SECRET_HPP

#include <array>
#include <cstdint>
#include <string_view>

namespace aikom::sandbox::detail {

/// The fewest PBKDF2 iterations accepted (NIST SP 800-132's minimum). The default, and why it
/// is what it is, is `server_options::secret_kdf_iterations`.
inline constexpr std::uint32_t min_secret_kdf_iterations = 1000;

class client_secret {
public:
    static constexpr std::size_t salt_size = 16;
    static constexpr std::size_t key_size = 32; ///< SHA-256's output

    /// Derives the key of `secret` under a fresh random salt (one KDF run). Throws
    /// `std::invalid_argument` for fewer than `min_secret_kdf_iterations`, `std::runtime_error`
    /// if OpenSSL's generator or KDF fails.
    [[nodiscard]] static client_secret derive(std::string_view secret, std::uint32_t iterations);

    /// Runs the KDF over `candidate` with this record's salt and iterations (always: there is no
    /// shortcut) and compares the keys in constant time.
    [[nodiscard]] bool matches(std::string_view candidate) const;

    [[nodiscard]] const std::array<unsigned char, salt_size>& salt() const noexcept { return salt_; }
    [[nodiscard]] const std::array<unsigned char, key_size>& key() const noexcept { return key_; }
    [[nodiscard]] std::uint32_t iterations() const noexcept { return iterations_; }

private:
    std::array<unsigned char, salt_size> salt_{};
    std::array<unsigned char, key_size> key_{};
    std::uint32_t iterations_ = min_secret_kdf_iterations;
};

/// KDF runs in this process so far (each `derive` and each `matches` is one), so that a test can
/// see which paths pay for one without measuring time.
[[nodiscard]] std::uint64_t secret_kdf_runs() noexcept;

} // namespace aikom::sandbox::detail

#endif
