#ifndef AIKOM_PROTOCOL_TYPES_HPP
#define AIKOM_PROTOCOL_TYPES_HPP

/// @file
/// The bodies of protocol v1 (docs/protocol.md) as types, each with `to_json` (what the server
/// writes) and `parse_…` (what the client reads). Records inside them use the strict record
/// codec; everything else is read leniently about unknown fields (the protocol only grows).

#include <aikom/check/issue.hpp>
#include <aikom/model/child.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::protocol {

// ---- discovery ----------------------------------------------------------------------------------

struct limits {
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_record_bytes = 64 * 1024;
    std::size_t max_batch_items = 500;
    std::size_t page_size_default = 100;
    std::size_t page_size_max = 1000;
};

struct discovery {
    std::string protocol = "aikom-exchange";
    std::string version = "1";
    int record_schema = 1;
    std::string token_url = "/v1/oauth/token";
    protocol::limits limits{};
    std::chrono::seconds change_feed_retention{7 * 24 * 3600};
    std::chrono::seconds idempotency_retention{24 * 3600};
    std::vector<std::string> scopes{};
    std::vector<std::string> roles{};
};

[[nodiscard]] std::string to_json(const discovery& d);
[[nodiscard]] boost::system::result<discovery> parse_discovery(std::string_view json);

// ---- token ------------------------------------------------------------------------------------

struct token_response {
    std::string access_token{};
    std::string token_type = "Bearer";
    std::chrono::seconds expires_in{0};
    std::string scope{};
};

[[nodiscard]] std::string to_json(const token_response& t);
[[nodiscard]] boost::system::result<token_response> parse_token_response(std::string_view json);

/// An OAuth2 error body (RFC 6749 §5.2).
struct oauth_error {
    std::string error{}; ///< invalid_request, invalid_client, unsupported_grant_type, …
    std::string error_description{};
};

[[nodiscard]] std::string to_json(const oauth_error& e);
[[nodiscard]] boost::system::result<oauth_error> parse_oauth_error(std::string_view json);

// ---- writes -----------------------------------------------------------------------------------

/// The answer to PUT of one child and to a withdrawal.
struct write_result {
    std::string id{};
    std::string institution{};
    std::string status{}; ///< created, updated, unchanged
    std::string etag{};   ///< without quotes
    std::vector<check::issue> warnings{};
};

[[nodiscard]] std::string to_json(const write_result& r);
[[nodiscard]] boost::system::result<write_result> parse_write_result(std::string_view json);

/// One item's outcome in a batch.
struct batch_item_result {
    std::size_t index = 0;
    std::string id{};
    std::string institution{};
    std::string status{}; ///< created, updated, unchanged, rejected, forbidden
    std::string etag{};
    std::vector<check::issue> issues{};
};

[[nodiscard]] std::string batch_results_to_json(const std::vector<batch_item_result>& results);
[[nodiscard]] boost::system::result<std::vector<batch_item_result>>
parse_batch_results(std::string_view json);

/// The body of POST /v1/batches: `{"items":[record…]}` from canonical record encodings.
[[nodiscard]] std::string batch_request_json(const std::vector<model::child>& records);

/// The answer of POST /v1/validate.
struct validation_result {
    bool valid = false;
    std::vector<check::issue> issues{};
};

[[nodiscard]] std::string to_json(const validation_result& r);
[[nodiscard]] boost::system::result<validation_result> parse_validation_result(std::string_view json);

// ---- reads ------------------------------------------------------------------------------------

/// A page of children: `{"items":[record…],"next_cursor":…,"has_more":…}`.
struct child_page {
    std::vector<model::child> items{};
    std::optional<std::string> next_cursor{};
    bool has_more = false;
};

/// Writes a page from records already in canonical JSON (as the server stores them).
[[nodiscard]] std::string child_page_json(const std::vector<std::string>& canonical_records,
                                          const std::optional<std::string>& next_cursor,
                                          bool has_more);
[[nodiscard]] boost::system::result<child_page> parse_child_page(std::string_view json);

/// One event of the change feed.
struct change {
    std::int64_t seq = 0;
    bool deleted = false;
    std::string institution{};
    std::string id{};
    std::string etag{};
    std::optional<model::child> record{}; ///< upserts only
};

struct change_page {
    std::vector<change> changes{};
    std::string next_cursor{};
    bool has_more = false;
};

/// An event for `change_page_json`: the record as canonical JSON (absent for a delete).
struct change_out {
    std::int64_t seq = 0;
    bool deleted = false;
    std::string institution{};
    std::string id{};
    std::string etag{};
    std::optional<std::string> canonical_record{};
};

[[nodiscard]] std::string change_page_json(const std::vector<change_out>& changes,
                                           std::string_view next_cursor, bool has_more);
[[nodiscard]] boost::system::result<change_page> parse_change_page(std::string_view json);

} // namespace aikom::protocol

#endif
