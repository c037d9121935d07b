#ifndef AIKOM_PROTOCOL_TIMESTAMP_HPP
#define AIKOM_PROTOCOL_TIMESTAMP_HPP

/// @file
/// The timestamps of protocol v1.1 bodies: RFC 3339 in UTC with whole seconds and `Z`, exactly
/// `YYYY-MM-DDTHH:MM:SSZ` (`2025-06-02T09:20:11Z`). Pure functions; nothing throws.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace aikom::protocol {

/// The earliest and latest instants a timestamp can name (years 0000 to 9999).
inline constexpr std::chrono::sys_seconds min_timestamp{std::chrono::seconds(-62'167'219'200)};
inline constexpr std::chrono::sys_seconds max_timestamp{std::chrono::seconds(253'402'300'799)};

/// `t` as `YYYY-MM-DDTHH:MM:SSZ`; clamped to [`min_timestamp`, `max_timestamp`].
[[nodiscard]] std::string format_timestamp(std::chrono::sys_seconds t);

/// Reads exactly `YYYY-MM-DDTHH:MM:SSZ`: upper-case `T` and `Z`, a day that exists, hours
/// 00–23, minutes and seconds 00–59 (no leap second, no fraction, no offset other than `Z`).
/// Anything else: nullopt.
[[nodiscard]] std::optional<std::chrono::sys_seconds> parse_timestamp(std::string_view text) noexcept;

} // namespace aikom::protocol

#endif
