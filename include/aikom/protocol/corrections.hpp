#ifndef AIKOM_PROTOCOL_CORRECTIONS_HPP
#define AIKOM_PROTOCOL_CORRECTIONS_HPP

/// @file
/// The bodies of correction requests (docs/protocol.md §7.10–7.13, v1.1): the draft an
/// institution sends, the request as the server returns it (summary and full object), a page of
/// the list and the reviewer's body. Each has `to_json` and `parse_…`; the parsers of the bodies
/// a server reads (draft, review) report every problem at once (`parsed_body`). Timestamps are
/// RFC 3339 (`timestamp.hpp`).
///
/// A record inside a response is decoded strictly from the bytes the server sent; when it does
/// not decode the parser answers `protocol_errc::bad_value` and, if given, fills
/// `record_issues` with its decoding errors, pointers into the whole body
/// (`/record/birth_date`, `/items/2/record/sex`).

#include <aikom/check/issue.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/model/child.hpp>
#include <aikom/protocol/parsed_body.hpp>
#include <aikom/protocol/status.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::protocol {

/// The body of `POST /v1/correction-requests`.
struct correction_draft {
    std::string institution{}; ///< ЄДРПОУ of the record's institution
    std::string child_id{};    ///< the record id: 1..64 of `A-Z a-z 0-9 . _ : -`
    model::child record{};     ///< the proposed record (it needs its own `id` to decode)
    std::string reason{};      ///< why, at most 500 characters; no personal data
    /// The "red fields": JSON Pointers into the record that the normal path cannot save (each
    /// starting with `/`, at most 256 characters, at most 100, no duplicates). Empty: the
    /// server fills them from the record's `submission` errors. Not sent when empty.
    std::vector<std::string> fields{};
    /// The ETag (unquoted) of the stored record the request was made against; nullopt for a
    /// new record (the server then takes the current ETag if a record exists). Not sent when
    /// nullopt.
    std::optional<std::string> base_etag{};
};

[[nodiscard]] std::string to_json(const correction_draft& d);

/// Reads a draft as the server does, stage by stage (docs/protocol.md §7.10):
/// - not a JSON object: `malformed`;
/// - `institution`, `child_id` or `reason` missing, empty or not a string, `record` missing or
///   not an object, `reason` over 500 characters, unknown members, `fields` not an array or
///   `base_etag` not a non-empty string (`format.type`), an entry of `fields` that is not a
///   string starting with `/` of at most 256 characters, repeats an earlier one or is the
///   101st (`format.pointer` at `/fields/N`): `invalid`, all listed;
/// - `child_id` not a record id: `invalid_id` (`format.record_id` at `/child_id`);
/// - the record does not decode under `record_options`: `invalid_record`, pointers under
///   `/record`. `value` then holds every other member, so that the server can check the
///   caller's access to `institution` before it reports the record's errors.
/// On success `value.record` is the record as decoded (its `id` and `institution` as sent).
[[nodiscard]] parsed_body<correction_draft>
parse_correction_draft(std::string_view json, const codec::decode_options& record_options = {});

/// One entry of a correction request's audit history.
struct correction_event {
    std::chrono::sys_seconds at{}; ///< RFC 3339 on the wire
    std::string actor{};           ///< a client id
    std::string action{};          ///< `correction.create`, `correction.apply`, `correction.reject`
    std::string detail{};          ///< `<institution>/<child_id>`
};

/// A correction request: the summary (in the list) or, with `record` and `history`, the full
/// object (`GET /v1/correction-requests/{id}`, and the answers of create, apply and reject).
/// `to_json` writes every member; the optional ones as `null` when absent.
struct correction_request {
    std::string id{}; ///< `cr-<n>`, assigned by the server
    std::string institution{};
    std::string child_id{};
    correction_status status = correction_status::pending;
    std::string reason{};
    std::vector<std::string> fields{};      ///< the red fields (JSON Pointers into the record)
    std::optional<std::string> base_etag{}; ///< the record's ETag when asked; null: a new record
    /// The `submission` profile's issues of the proposed record at creation, all severities.
    std::vector<check::issue> issues{};
    std::optional<std::string> etag{}; ///< the ETag of the record `apply` wrote; null otherwise
    std::string created_by{};
    std::chrono::sys_seconds created_at{};
    /// Set once the request was applied or rejected (`null` while pending).
    std::optional<std::string> reviewed_by{};
    std::optional<std::chrono::sys_seconds> reviewed_at{};
    std::optional<std::string> review_note{};
    /// The full object only: the proposed record and the audit history, oldest first.
    /// `to_json` writes both exactly when `record` is set.
    std::optional<model::child> record{};
    std::vector<correction_event> history{};
};

[[nodiscard]] std::string to_json(const correction_request& c);
[[nodiscard]] boost::system::result<correction_request>
parse_correction_request(std::string_view json, std::vector<check::issue>* record_issues = nullptr);

/// A page of `GET /v1/correction-requests`: `{"items":[summary…],"next_cursor":…|null,
/// "has_more":…}`, oldest first. A v1.0 body without the paging members reads as the only page.
struct correction_page {
    std::vector<correction_request> items{};
    std::optional<std::string> next_cursor{};
    bool has_more = false;
};

/// The name of v1.0, when the list was not paged.
using correction_list = correction_page;

[[nodiscard]] std::string to_json(const correction_page& p);
[[nodiscard]] boost::system::result<correction_page>
parse_correction_page(std::string_view json, std::vector<check::issue>* record_issues = nullptr);
/// The name of v1.0: `parse_correction_page`.
[[nodiscard]] boost::system::result<correction_page>
parse_correction_list(std::string_view json, std::vector<check::issue>* record_issues = nullptr);

/// The body of `…/apply` and `…/reject`: `{"note":"…"}` or `{}`.
struct review {
    std::optional<std::string> note{}; ///< at most 500 characters; required for a reject
};

[[nodiscard]] std::string to_json(const review& r);

/// Reads a review as the server does: an empty body is a review without a note; otherwise
/// not a JSON object is `malformed`, and `invalid` lists together `format.type` (a note that
/// is not a string), `field.unknown` (any other member), `required.missing` (no or an empty
/// note when `note_required`, i.e. for a reject) and `format.too_long` (over 500 characters).
[[nodiscard]] parsed_body<review> parse_review(std::string_view json, bool note_required = false);

/// The members of the answer of `…/apply` (with the stored record's `etag`) and `…/reject` that
/// v1.0 servers sent. A v1.1 server answers with the full `correction_request`, which has the
/// same members: `parse_review_result` reads either.
struct review_result {
    std::string id{};
    correction_status status = correction_status::applied;
    std::optional<std::string> etag{}; ///< apply only
};

[[nodiscard]] std::string to_json(const review_result& r);
[[nodiscard]] boost::system::result<review_result> parse_review_result(std::string_view json);

} // namespace aikom::protocol

#endif
