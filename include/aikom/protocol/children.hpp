#ifndef AIKOM_PROTOCOL_CHILDREN_HPP
#define AIKOM_PROTOCOL_CHILDREN_HPP

/// @file
/// The bodies of the children's endpoints (docs/protocol.md §7.2–7.9): write results,
/// withdrawals, batches, validation, pages of records and the change feed. Each has `to_json`
/// (what the sender writes) and `parse_…` (what the receiver reads).
///
/// Records inside a response are decoded by the strict record codec from the very bytes the
/// server sent. When one does not decode, the parser answers `protocol_errc::bad_value` and, if
/// the caller passes `record_issues`, fills it with every decoding error of every such record,
/// each pointer prefixed with the record's place in the body (`/items/3/birth_date`). Nothing
/// here throws on what the other side sent.

#include <aikom/check/issue.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/model/child.hpp>
#include <aikom/model/date.hpp>
#include <aikom/protocol/parsed_body.hpp>
#include <aikom/protocol/session.hpp>
#include <aikom/protocol/status.hpp>

#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::protocol {

// ---- one record -------------------------------------------------------------------------------

/// The answer to `PUT` of one child and to a withdrawal.
struct write_result {
    std::string id{};
    std::string institution{};
    write_status status = write_status::created;
    std::string etag{}; ///< without quotes
    std::vector<check::issue> warnings{};
};

[[nodiscard]] std::string to_json(const write_result& r);
[[nodiscard]] boost::system::result<write_result> parse_write_result(std::string_view json);

/// The body of `POST …/children/{id}/withdrawal`.
struct withdrawal {
    model::date left_on{};              ///< required
    std::optional<std::string> reason{}; ///< at most 500 characters; absent: the stored one stays
};

[[nodiscard]] std::string to_json(const withdrawal& w);

/// Reads a withdrawal as the server does: not a JSON object → `malformed`; otherwise every
/// problem at once → `invalid` (`format.date` at `/left_on`, `format.too_long` or
/// `format.type` at `/reason`, `field.unknown` at each other member).
[[nodiscard]] parsed_body<withdrawal> parse_withdrawal(std::string_view json);

// ---- batches ----------------------------------------------------------------------------------

/// One item's outcome in a batch.
struct batch_item_result {
    std::size_t index = 0;
    std::string id{};
    std::string institution{};
    item_status status = item_status::rejected;
    std::string etag{}; ///< accepted items only
    std::vector<check::issue> issues{};
};

/// The answer of `POST /v1/batches`: one result per item, in the order of the items.
struct batch_result {
    std::vector<batch_item_result> results{};
};

[[nodiscard]] std::string to_json(const batch_result& r);
[[nodiscard]] boost::system::result<batch_result> parse_batch_result(std::string_view json);

/// The body of `POST /v1/batches`: `{"items":[record…]}` in canonical record encoding.
[[nodiscard]] std::string batch_request_json(const std::vector<model::child>& records);

/// One item of a batch as a server reads it: each is decoded on its own, so one bad record
/// spoils nothing but itself.
struct batch_entry {
    std::optional<model::child> record{}; ///< decoded (warnings may remain in `issues`)
    std::vector<check::issue> issues{};   ///< pointers relative to the item's record
};

/// Reads a batch as the server does, streaming the items one at a time: a body that is not
/// `{"items": [...]}` (whitespace allowed) is `malformed` with no issues; a broken array is
/// `malformed` with the issue `json.array`; more than `max_items` items is `too_many_items`.
[[nodiscard]] parsed_body<std::vector<batch_entry>>
parse_batch_request(std::string_view json, const codec::decode_options& record_options = {},
                    std::size_t max_items = limits{}.max_batch_items);

// ---- validation -------------------------------------------------------------------------------

/// The answer of `POST /v1/validate`.
struct validation_result {
    bool valid = false;
    std::vector<check::issue> issues{};
};

[[nodiscard]] std::string to_json(const validation_result& r);
[[nodiscard]] boost::system::result<validation_result> parse_validation_result(std::string_view json);

// ---- reads ------------------------------------------------------------------------------------

/// A page of children: `{"items":[record…],"next_cursor":…|null,"has_more":…}`.
struct child_page {
    std::vector<model::child> items{};
    std::optional<std::string> next_cursor{};
    bool has_more = false;
};

[[nodiscard]] std::string to_json(const child_page& page);
/// The same from records already in canonical JSON (as a server stores them).
[[nodiscard]] std::string child_page_json(const std::vector<std::string>& canonical_records,
                                          const std::optional<std::string>& next_cursor,
                                          bool has_more);
[[nodiscard]] boost::system::result<child_page>
parse_child_page(std::string_view json, std::vector<check::issue>* record_issues = nullptr);

/// One event of the change feed.
struct change {
    std::int64_t seq = 0; ///< 0..INT64_MAX
    change_type type = change_type::upsert;
    std::string institution{};
    std::string id{};
    std::string etag{};                   ///< absent ("") for a delete
    std::optional<model::child> record{}; ///< upserts only
};

/// One event as the feed writes it (docs/protocol.md §7.8):
/// `{"seq","type","institution","id"[,"etag"][,"record"]}`, the record in canonical encoding.
[[nodiscard]] std::string to_json(const change& c);

/// `{"changes":[event…],"next_cursor":"…","has_more":…}`.
struct change_page {
    std::vector<change> changes{};
    std::string next_cursor{};
    bool has_more = false;
};

[[nodiscard]] std::string to_json(const change_page& page);

/// An event for `change_page_json`: the record as canonical JSON (absent for a delete).
struct change_out {
    std::int64_t seq = 0;
    bool deleted = false;
    std::string institution{};
    std::string id{};
    std::string etag{};
    std::optional<std::string> canonical_record{};
};

/// The same as `to_json(change_page)` from records already in canonical JSON.
[[nodiscard]] std::string change_page_json(const std::vector<change_out>& changes,
                                           std::string_view next_cursor, bool has_more);
[[nodiscard]] boost::system::result<change_page>
parse_change_page(std::string_view json, std::vector<check::issue>* record_issues = nullptr);

} // namespace aikom::protocol

#endif
