#ifndef AIKOM_CHECK_ISSUE_CODES_HPP
#define AIKOM_CHECK_ISSUE_CODES_HPP

/// @file
/// The registry of issue codes: every code the library emits, with its usual severity and its
/// message in English and Ukrainian. `docs/issue-codes.md` is the same table for people; a test
/// keeps the two equal. Messages may hold `{name}` placeholders that `make_issue` fills in
/// (limits, expected values) — never values taken from a record.

#include <aikom/check/issue.hpp>

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace aikom::check {

struct issue_code_info {
    std::string_view code{};
    check::severity severity{}; ///< the severity the code is normally raised with
    std::string_view message_en{};
    std::string_view message_uk{};
};

/// Every registered code, grouped by family (`json.`, `field.`, `format.`, `csv.`, then the
/// record rules), sorted within each family.
[[nodiscard]] std::span<const issue_code_info> issue_codes() noexcept;

/// The entry for `code`, or nullptr.
[[nodiscard]] const issue_code_info* find_issue_code(std::string_view code) noexcept;

/// A value for a `{name}` placeholder, in each language.
struct message_arg {
    std::string_view name{};
    std::string_view en{};
    std::string_view uk{};
};

/// An issue with the registered severity and messages of `code`, placeholders filled from
/// `args`. An unregistered code (a programming error) still yields an issue, whose messages name
/// the code.
[[nodiscard]] issue make_issue(std::string_view code, std::string pointer,
                               std::initializer_list<message_arg> args = {},
                               std::optional<std::string> suggestion = std::nullopt);

} // namespace aikom::check

#endif
