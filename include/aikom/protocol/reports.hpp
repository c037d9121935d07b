#ifndef AIKOM_PROTOCOL_REPORTS_HPP
#define AIKOM_PROTOCOL_REPORTS_HPP

/// @file
/// The bodies of the report endpoints, each the very type the records layer builds and its
/// JSON writer (`check::render_json`):
/// - `GET /v1/reports/completeness` (docs/protocol.md §7.14): the readiness report of
///   docs/readiness-report.md (`check::readiness_report`);
/// - `GET /v1/reports/progress`: the progress report (`check::progress_report`) and
/// - `GET /v1/reports/form-85k`: form 85-К's figures (`check::form85k_report`), both of
///   docs/authority-reports.md.
///
/// The parsers never throw on bad input (only `std::bad_alloc`): a body that is not JSON is
/// `malformed_json`, a required member that is absent `missing_field`, anything else wrong
/// `bad_value`. Unknown members are ignored (members may be added within a version).

#include <aikom/check/form85k.hpp>
#include <aikom/check/progress.hpp>
#include <aikom/check/readiness.hpp>

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace aikom::protocol {

using completeness_report = check::readiness_report;
using progress_report = check::progress_report;
using form85k_report = check::form85k_report;

/// `check::render_json(r)`.
[[nodiscard]] std::string to_json(const completeness_report& r);

/// Reads a report back into the typed report, every member of docs/readiness-report.md:
/// `format` must be `aikom.readiness` and `version` 1 (else `bad_value`); counts are
/// non-negative integers; the derived members (`not_ready`, `percent_ready`) are checked for
/// their type and range, not stored; `name` is read only when `names_included` is true.
/// Unknown members are ignored (fields may be added within a version).
[[nodiscard]] boost::system::result<completeness_report>
parse_completeness_report(std::string_view json);

/// `check::render_json(r)`.
[[nodiscard]] std::string to_json(const progress_report& r);

/// Reads a progress report (`format` `aikom.progress`, `version` 1): `from` ≤ `to`, `deadline`
/// a date or null; per institution and in `total.days`, days with strictly ascending dates
/// within `from`..`to` and `ready` ≤ `active` ≤ `records`; `on_track` true, false or null
/// (read as sent, not judged again).
[[nodiscard]] boost::system::result<progress_report> parse_progress_report(std::string_view json);

/// `check::render_json(r)`.
[[nodiscard]] std::string to_json(const form85k_report& r);

/// Reads form 85-К's figures (`format` `aikom.form-85k`, `version` 1), every member of
/// docs/authority-reports.md, and checks that they agree: each figure of children adds up to
/// `children` (special needs: `with` + `without` + `unknown`; of `with`, those in inclusive and
/// in special groups at most `with`), and `children_without_group` ≤ `children`.
[[nodiscard]] boost::system::result<form85k_report> parse_form85k_report(std::string_view json);

} // namespace aikom::protocol

#endif
