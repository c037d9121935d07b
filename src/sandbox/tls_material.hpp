// Private: the sandbox's TLS key and certificates (OpenSSL 3 EVP/X509 only, no Asio).
//
// A directory holds `server.key`, `server.pem` (the server certificate followed by its chain)
// and `ca.pem` (what clients trust). When the key and the certificate are both missing, a local
// CA (EC P-256, self-signed, CA:TRUE, keyCertSign) and a server certificate for localhost,
// 127.0.0.1 and ::1 signed by it are created and written there; otherwise they are loaded.
#ifndef AIKOM_SRC_SANDBOX_TLS_MATERIAL_HPP
#define AIKOM_SRC_SANDBOX_TLS_MATERIAL_HPP

#include <chrono>
#include <filesystem>
#include <string>

namespace aikom::sandbox::detail {

struct tls_material {
    std::string certificate_chain_pem{}; ///< server certificate, then the CA (the chain)
    std::string private_key_pem{};       ///< PKCS#8, unencrypted
    std::string ca_pem{};                ///< what clients must trust
    bool generated = false;              ///< created by this call, not loaded
};

/// When the certificates are valid, relative to now: from an hour ago for ten years unless a
/// test asks for another window (e.g. one wholly in the past, for an expired certificate).
struct certificate_validity {
    std::chrono::seconds not_before = std::chrono::hours(-1);
    std::chrono::seconds not_after = std::chrono::hours(24 * 3650);
};

/// Creates a fresh local CA and a server certificate signed by it, in memory; the server
/// certificate is valid for `validity` (the CA for the default window). Throws
/// `std::runtime_error` if OpenSSL fails.
[[nodiscard]] tls_material generate_tls_material(const certificate_validity& validity = {});

/// Loads `dir/server.key` and `dir/server.pem` (and `dir/ca.pem` when present; otherwise the
/// CA is the last certificate of `server.pem`). When both the key and the certificate are
/// missing, generates them (creating `dir` if needed) and writes `ca.pem`, `server.pem` and
/// `server.key` (mode 0600). Throws `std::runtime_error` naming the file when one of the pair
/// is missing, a file cannot be read or written, or the key does not match the certificate.
[[nodiscard]] tls_material load_or_create_tls_material(const std::filesystem::path& dir);

} // namespace aikom::sandbox::detail

#endif
