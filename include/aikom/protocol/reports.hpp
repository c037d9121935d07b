#ifndef AIKOM_PROTOCOL_REPORTS_HPP
#define AIKOM_PROTOCOL_REPORTS_HPP

/// @file
/// The body of `GET /v1/reports/completeness` (docs/protocol.md §7.14): the readiness report
/// of docs/readiness-report.md, the very type the records layer builds
/// (`check::readiness_report`) and its JSON writer (`check::render_json`).

#include <aikom/check/readiness.hpp>

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace aikom::protocol {

using completeness_report = check::readiness_report;

/// `check::render_json(r)`.
[[nodiscard]] std::string to_json(const completeness_report& r);

/// Reads a report back into the typed report, every member of docs/readiness-report.md:
/// `format` must be `aikom.readiness` and `version` 1 (else `bad_value`); counts are
/// non-negative integers; the derived members (`not_ready`, `percent_ready`) are checked for
/// their type and range, not stored; `name` is read only when `names_included` is true.
/// Unknown members are ignored (fields may be added within a version).
[[nodiscard]] boost::system::result<completeness_report>
parse_completeness_report(std::string_view json);

} // namespace aikom::protocol

#endif
