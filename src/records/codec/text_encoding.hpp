// Private: UTF-8 validation and Windows-1251 conversion for the CSV reader and writer.
#ifndef AIKOM_SRC_CODEC_TEXT_ENCODING_HPP
#define AIKOM_SRC_CODEC_TEXT_ENCODING_HPP

#include <string>
#include <string_view>

namespace aikom::codec::detail {

/// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

/// Whether every byte of `text` is ASCII.
[[nodiscard]] bool is_ascii(std::string_view text) noexcept;

/// Appends `text`, read as Windows-1251, to `out` as UTF-8. The one unassigned byte (0x98)
/// becomes U+FFFD.
void append_cp1251_as_utf8(std::string_view text, std::string& out);

/// Appends valid UTF-8 `text` to `out` as Windows-1251. Returns 0 on success, or the first code
/// point that Windows-1251 cannot represent (nothing is appended after it).
[[nodiscard]] char32_t append_utf8_as_cp1251(std::string_view text, std::string& out);

} // namespace aikom::codec::detail

#endif
