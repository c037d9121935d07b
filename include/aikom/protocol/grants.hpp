#ifndef AIKOM_PROTOCOL_GRANTS_HPP
#define AIKOM_PROTOCOL_GRANTS_HPP

/// @file
/// The bodies of the grant endpoints (protocol v1.1): an authority (or admin) lets a client of
/// role `institution` or `platform` act for one institution. `GET …/grants` lists the grants,
/// `PUT …/grants/{client_id}` grants (body `grant_request`), `DELETE` revokes,
/// `GET …/grant-history` reads the audit trail. Each body has `to_json` and `parse_…`; the
/// request body, which a server reads, reports every problem at once (`parsed_body`).
/// Timestamps are RFC 3339 (`timestamp.hpp`).

#include <aikom/protocol/parsed_body.hpp>
#include <aikom/protocol/status.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::protocol {

/// One client's access to one institution.
struct grant {
    std::string institution{}; ///< ЄДРПОУ
    std::string client_id{};
    grant_role role = grant_role::institution; ///< the client's role
    std::string note{};                        ///< "" when none was given
    /// Who granted it; nullopt (`null` on the wire) for a grant seeded from the clients file.
    std::optional<std::string> granted_by{};
    std::chrono::sys_seconds granted_at{};

    friend bool operator==(const grant&, const grant&) = default;
};

[[nodiscard]] std::string to_json(const grant& g);
[[nodiscard]] boost::system::result<grant> parse_grant(std::string_view json);

/// `GET /v1/institutions/{edrpou}/grants`: `{"items":[grant…]}`, sorted by client id.
struct grant_list {
    std::vector<grant> items{};
};

[[nodiscard]] std::string to_json(const grant_list& l);
[[nodiscard]] boost::system::result<grant_list> parse_grant_list(std::string_view json);

/// One entry of an institution's grant trail.
struct grant_event {
    std::chrono::sys_seconds at{};
    std::optional<std::string> actor{}; ///< the client id that acted; nullopt for seeding
    grant_action action = grant_action::create;
    std::string client_id{}; ///< whose grant
    std::string note{};

    friend bool operator==(const grant_event&, const grant_event&) = default;
};

/// `GET /v1/institutions/{edrpou}/grant-history`: `{"items":[event…]}`, oldest first, the
/// newest 1000 at most.
struct grant_history {
    std::vector<grant_event> items{};
};

[[nodiscard]] std::string to_json(const grant_history& h);
[[nodiscard]] boost::system::result<grant_history> parse_grant_history(std::string_view json);

/// The body of `PUT …/grants/{client_id}`: `{"note":"…"}`, or no body at all.
struct grant_request {
    std::optional<std::string> note{}; ///< at most 500 characters
};

/// `{"note":"…"}`, or `{}` without a note (a client sends no body then: see `put_grant_request`).
[[nodiscard]] std::string to_json(const grant_request& r);

/// Reads the body as the server does: an empty body is a grant without a note; otherwise not a
/// JSON object is `malformed`, and `invalid` lists together `format.type` (a note that is not a
/// string), `format.too_long` (over 500 characters) and `field.unknown` (any other member).
[[nodiscard]] parsed_body<grant_request> parse_grant_request(std::string_view json);

} // namespace aikom::protocol

#endif
