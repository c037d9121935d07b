#ifndef AIKOM_CHECK_RULES_HPP
#define AIKOM_CHECK_RULES_HPP

/// @file
/// Record rules and the profiles that group them.
///
/// - `structure`: what any record must satisfy: identifiers, codes, names and phones in their
///   formats, values in range. Also the normalisers' fixes.
/// - `submission`: `structure` plus what AIKOM needs to save the card (its errors are the
///   "fields highlighted red"): name, birth date, sex, institution, a document consistent with
///   its type, dates in order and not in the future, an age plausible for preschool.
/// - `readiness`: `submission` plus the four indicators of the ministry's letter present and
///   consistent, and cross-checks (РНОКПП and УНЗР against birth date and sex, an IDP
///   certificate without internal displacement) as warnings.
///
/// Every issue carries a stable code from `issue_codes.hpp` (documented in
/// `docs/issue-codes.md`). Checking never throws on bad data and never changes the record;
/// `apply_fixes` applies the `fix` issues' suggestions when the caller decides to.

#include <aikom/check/issue.hpp>
#include <aikom/model/child.hpp>

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace aikom::check {

enum class profile { structure, submission, readiness };

/// `structure`, `submission`, `readiness`.
[[nodiscard]] std::string_view to_string(profile p) noexcept;
[[nodiscard]] std::optional<profile> profile_from_string(std::string_view name) noexcept;

struct rule_options {
    /// "Today": dates after it are in the future; ages are computed at it. Defaults to the
    /// current UTC date; pass it explicitly for reproducible results.
    model::date as_of = model::today_utc();
};

/// Appends the issues of `record` under profile `p` to `out`, in the order of the record's
/// fields. Thread-safe (no shared state).
void check_record(const model::child& record, profile p, const rule_options& options,
                  std::vector<issue>& out);

/// The issues of `record` under profile `p`.
[[nodiscard]] std::vector<issue> check_record(const model::child& record, profile p,
                                              const rule_options& options);

/// Applies the suggestion of every issue of severity `fix` to `record` (at the issue's pointer)
/// and returns how many were applied. Issues of other severities are ignored.
std::size_t apply_fixes(model::child& record, const std::vector<issue>& issues);

/// Whether `issues` holds an issue of severity `error`.
[[nodiscard]] bool has_errors(const std::vector<issue>& issues) noexcept;

} // namespace aikom::check

#endif
