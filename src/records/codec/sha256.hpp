// Private: how sha256() runs, for the tests that hold both of its ways to the same answers.
#ifndef AIKOM_SRC_RECORDS_CODEC_SHA256_HPP
#define AIKOM_SRC_RECORDS_CODEC_SHA256_HPP

#include <aikom/codec/content_hash.hpp>

#include <string_view>

namespace aikom::codec::detail {

/// True when this process's sha256() runs on the processor's SHA extensions.
[[nodiscard]] bool sha256_uses_cpu_extensions() noexcept;

/// SHA-256 by the portable code only.
[[nodiscard]] content_digest sha256_portable(std::string_view bytes) noexcept;

} // namespace aikom::codec::detail

#endif
