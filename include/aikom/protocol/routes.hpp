#ifndef AIKOM_PROTOCOL_ROUTES_HPP
#define AIKOM_PROTOCOL_ROUTES_HPP

/// @file
/// The endpoints of protocol v1 as data: matching a request path to an endpoint, building
/// request targets, and the opaque cursors of paging and the change feed. Pure functions.

#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aikom::protocol {

enum class endpoint {
    discovery,           ///< GET /v1
    token,               ///< POST /v1/oauth/token
    children,            ///< GET /v1/institutions/{edrpou}/children
    child,               ///< GET|PUT|DELETE /v1/institutions/{edrpou}/children/{id}
    withdrawal,          ///< POST /v1/institutions/{edrpou}/children/{id}/withdrawal
    batches,             ///< POST /v1/batches
    changes,             ///< GET /v1/changes
    validate,            ///< POST /v1/validate
    corrections,         ///< GET|POST /v1/correction-requests
    correction,          ///< GET /v1/correction-requests/{id}
    correction_apply,    ///< POST /v1/correction-requests/{id}/apply
    correction_reject,   ///< POST /v1/correction-requests/{id}/reject
    completeness_report, ///< GET /v1/reports/completeness
    admin_faults,        ///< GET|PUT /v1/admin/faults
    grants,              ///< GET /v1/institutions/{edrpou}/grants
    grant,               ///< GET|PUT|DELETE /v1/institutions/{edrpou}/grants/{client_id}
    grant_history,       ///< GET /v1/institutions/{edrpou}/grant-history
    progress_report,     ///< GET /v1/reports/progress
    form85k_report,      ///< GET /v1/reports/form-85k
    openapi,             ///< GET /v1/openapi.json (no authentication)
};

struct route {
    protocol::endpoint endpoint = protocol::endpoint::discovery;
    std::string institution{};   ///< {edrpou}, percent-decoded
    std::string child_id{};      ///< {id}, percent-decoded
    std::string correction_id{}; ///< {id} of a correction request
    std::string client_id{};     ///< {client_id} of a grant, percent-decoded
};

/// The endpoint a path (without query) names, or nullopt. Path parameters are percent-decoded
/// but not validated: that is the server's job.
[[nodiscard]] std::optional<route> match_route(std::string_view path);

/// A request target split into its path and decoded query parameters.
struct target {
    std::string path{};
    std::vector<std::pair<std::string, std::string>> query{};

    /// The first value of query parameter `name`.
    [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const noexcept;
};

/// Parses an origin-form target (`/v1/changes?cursor=…`). Error: `protocol_errc::bad_target`.
[[nodiscard]] boost::system::result<target> parse_target(std::string_view text);

// ---- targets a client sends ---------------------------------------------------------------------

[[nodiscard]] std::string child_target(std::string_view institution, std::string_view id);
[[nodiscard]] std::string withdrawal_target(std::string_view institution, std::string_view id);
[[nodiscard]] std::string children_target(std::string_view institution, std::size_t limit = 0,
                                          std::string_view cursor = {});
[[nodiscard]] std::string correction_target(std::string_view id, std::string_view action = {});
[[nodiscard]] std::string grants_target(std::string_view institution);
[[nodiscard]] std::string grant_target(std::string_view institution, std::string_view client_id);
[[nodiscard]] std::string grant_history_target(std::string_view institution);

/// The query targets: empty values (and a `limit` of 0) are left out, the others
/// percent-encoded. Dates are `YYYY-MM-DD`.
[[nodiscard]] std::string validate_target(std::string_view profile);
/// `institutions` filter the feed, one `institution=` each (none: the caller's whole scope).
[[nodiscard]] std::string changes_target(std::string_view cursor = {}, std::size_t limit = 0,
                                         std::span<const std::string> institutions = {});
[[nodiscard]] std::string corrections_target(std::string_view status = {},
                                             std::string_view institution = {},
                                             std::size_t limit = 0, std::string_view cursor = {});
[[nodiscard]] std::string completeness_target(std::string_view institution = {},
                                              std::string_view as_of = {},
                                              std::string_view deadline = {});
[[nodiscard]] std::string progress_target(std::string_view from = {}, std::string_view to = {},
                                          std::string_view deadline = {},
                                          std::string_view institution = {});
[[nodiscard]] std::string form85k_target(std::string_view as_of = {},
                                         std::string_view institution = {});

// ---- cursors ----------------------------------------------------------------------------------

/// An opaque cursor: base64url (no padding) of `kind:value`. Clients must not look inside.
[[nodiscard]] std::string encode_cursor(std::string_view kind, std::string_view value);

/// The value of a cursor of `kind`, or nullopt for anything else.
[[nodiscard]] std::optional<std::string> decode_cursor(std::string_view cursor,
                                                       std::string_view kind);

/// Where a change-feed cursor points: after event `seq` of the feed whose database was created
/// with `epoch` (a random name written once per database, so that a cursor of another
/// database is recognised rather than followed).
struct change_position {
    std::string epoch{}; ///< 1..64 visible ASCII characters (`!`..`~`)
    std::int64_t seq = 0; ///< 0..INT64_MAX

    friend bool operator==(const change_position&, const change_position&) = default;
};

/// The change feed's cursor for event `seq` of the feed of `epoch` (which must be 1..64 visible
/// ASCII characters; the cursor of another epoch does not parse back) and back. A cursor in
/// the format of earlier versions (without an epoch), of another kind or damaged: nullopt.
[[nodiscard]] std::string change_cursor(std::string_view epoch, std::int64_t seq);
[[nodiscard]] std::optional<change_position> parse_change_cursor(std::string_view cursor);

} // namespace aikom::protocol

#endif
