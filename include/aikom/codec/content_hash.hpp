#ifndef AIKOM_CODEC_CONTENT_HASH_HPP
#define AIKOM_CODEC_CONTENT_HASH_HPP

/// @file
/// A stable content hash of a record, for change detection: the SHA-256 of the record's
/// canonical JSON encoding. Equal records hash equal whatever the key order or whitespace of
/// the JSON they were read from; the value is stable across platforms and library versions
/// that keep the same format version.

#include <aikom/model/child.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace aikom::codec {

struct content_digest {
    std::array<std::uint8_t, 32> bytes{};

    /// Lower-case hexadecimal, 64 characters.
    [[nodiscard]] std::string to_hex() const;

    friend bool operator==(const content_digest&, const content_digest&) = default;
};

/// SHA-256 of arbitrary bytes (FIPS 180-4).
[[nodiscard]] content_digest sha256(std::string_view bytes) noexcept;

/// The content hash of `record`: `sha256(encode(record))`.
[[nodiscard]] content_digest content_hash(const model::child& record);

} // namespace aikom::codec

#endif
