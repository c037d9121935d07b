#ifndef AIKOM_CHECK_ISSUE_HPP
#define AIKOM_CHECK_ISSUE_HPP

/// @file
/// `issue`: one problem found in a record, by the decoder or by a validator.
///
/// Issues point at the exact field with an RFC 6901 JSON Pointer into the record's JSON form
/// (`/guardians/0/phone`; the empty string is the whole record), carry a stable dotted code
/// (`json.unknown_field`, `document.series.format`, …, all listed in `docs/issue-codes.md`)
/// and a message in English and in Ukrainian. Messages never contain the record's personal
/// data (names, document numbers, identifiers, phones, addresses): they describe what was
/// expected, and the pointer says where.

#include <optional>
#include <string>
#include <string_view>

namespace aikom::check {

enum class severity {
    error,   ///< the record is not acceptable as it is
    warning, ///< probably wrong, or not checkable with certainty; the record is still accepted
    fix,     ///< a normaliser changed the value; `suggestion` holds the new value
};

[[nodiscard]] constexpr std::string_view to_string(severity s) noexcept
{
    switch (s) {
    case severity::error:
        return "error";
    case severity::warning:
        return "warning";
    case severity::fix:
        return "fix";
    }
    return "error";
}

struct issue {
    std::string pointer{}; ///< RFC 6901 JSON Pointer to the field
    std::string code{};    ///< stable dotted code, see docs/issue-codes.md
    check::severity severity = check::severity::error;
    std::string message_en{};                ///< English, for integrators
    std::string message_uk{};                ///< Ukrainian, for the institution's staff
    std::optional<std::string> suggestion{}; ///< a corrected value, when one is known
    /// Protocol errors about something outside a body (docs/protocol.md §8.3): the path or
    /// query parameter, or the header, at fault; `pointer` is then empty. Issues of records
    /// never set them.
    std::optional<std::string> parameter{};
    std::optional<std::string> header{};

    friend bool operator==(const issue&, const issue&) = default;
};

/// Appends `token` to `pointer` as one RFC 6901 reference token (`~` → `~0`, `/` → `~1`).
void append_pointer_token(std::string& pointer, std::string_view token);

} // namespace aikom::check

#endif
