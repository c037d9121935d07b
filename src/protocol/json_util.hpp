// Private: the Boost.JSON helpers every body of the protocol is read and written with. Whatever
// the other side sent, nothing here throws (but std::bad_alloc) or aborts: every member read
// goes through a checked accessor that reports a wrong type or a value out of range as
// `protocol_errc::bad_value` and a missing required member as `protocol_errc::missing_field`.
#ifndef AIKOM_SRC_PROTOCOL_JSON_UTIL_HPP
#define AIKOM_SRC_PROTOCOL_JSON_UTIL_HPP

#include <aikom/check/issue.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/protocol/error.hpp>
#include <aikom/protocol/parsed_body.hpp>

#include <boost/json.hpp>
#include <boost/system/result.hpp>

#include <chrono>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace aikom::protocol::detail {

namespace json = boost::json;
using boost::system::error_code;
using boost::system::result;

/// Nesting allowed in a body (a record's own limit, 16, applies inside it).
inline constexpr std::size_t max_depth = 32;

/// Unix seconds up to 9999-12-31T23:59:59Z; durations up to about a century.
inline constexpr std::int64_t max_timestamp = 253'402'300'799;
inline constexpr std::int64_t max_seconds = 3'155'760'000;

/// A reason or a note: at most this many characters.
inline constexpr std::size_t max_note_chars = 500;

// ---- parsing --------------------------------------------------------------------------------

/// Parses `text` as one JSON object (strict JSON, depth at most `max_depth`):
/// `protocol_errc::malformed_json` otherwise.
result<json::object> parse_object(std::string_view text);

/// Whether `text` is exactly one JSON value no deeper than `max_depth`. Builds nothing.
bool valid_json(std::string_view text) noexcept;

/// An object whose members named in `raw_keys` are kept as their JSON text, so that records
/// are decoded by the strict codec from the bytes the other side sent (duplicate keys, sizes
/// and depths included), not from a re-serialised DOM.
struct split_object {
    json::object members{}; ///< every other member, parsed (the last of duplicates wins)
    std::vector<std::pair<std::string, std::string_view>> raw{}; ///< likewise, last wins

    [[nodiscard]] std::optional<std::string_view> raw_member(std::string_view key) const noexcept;
};

/// Splits `text`, which must be valid JSON (`valid_json`); nullopt if it is not an object.
std::optional<split_object> split(std::string_view text,
                                  std::initializer_list<std::string_view> raw_keys);

/// The elements of the JSON array `text` (valid JSON) as texts; nullopt if it is not an array.
std::optional<std::vector<std::string_view>> split_array(std::string_view text);

/// A body `{"<key>": [ … ], …}` whose elements (records, events) are read from their own bytes:
/// the other members parsed, the array's elements as texts.
struct array_body {
    json::object members{};
    std::vector<std::string_view> elements{};
};

/// `malformed_json` when `text` is not a JSON object, `missing_field` without `key`,
/// `bad_value` when `key` is not an array.
result<array_body> split_array_body(std::string_view text, std::string_view key);

/// The first character of the JSON value `text` (after whitespace), or '\0'.
char first_char(std::string_view text) noexcept;

// ---- checked values -------------------------------------------------------------------------

/// An integer in [min, max]: an int64, a uint64 or an integral double. bad_value otherwise.
result<std::uint64_t> as_uint(const json::value& v, std::uint64_t min, std::uint64_t max) noexcept;
result<std::int64_t> as_int(const json::value& v, std::int64_t min, std::int64_t max) noexcept;
/// Any finite number in [min, max].
result<double> as_double(const json::value& v, double min, double max) noexcept;

/// Unicode characters in UTF-8 text (Boost.JSON has already checked that it is valid).
std::size_t utf8_chars(std::string_view s) noexcept;

/// Reads the members of one object. The first problem sticks (`error()`); after it, reads
/// return empty values, so a parser reads everything and checks once at the end.
class member_reader {
public:
    explicit member_reader(const json::object& o) noexcept
        : o_(&o)
    {}

    /// Required members: absent (or null) is `missing_field`, another type `bad_value`.
    std::string string(std::string_view key);
    std::uint64_t uint(std::string_view key, std::uint64_t min, std::uint64_t max);
    std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max);
    double number(std::string_view key, double min, double max);
    bool boolean(std::string_view key);
    const json::object* object(std::string_view key);
    const json::array* array(std::string_view key);

    /// Optional members: absent or null gives nullopt / nullptr / the fallback.
    std::optional<std::string> optional_string(std::string_view key);
    std::string string_or(std::string_view key, std::string fallback = {});
    std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max);
    std::uint64_t uint_or(std::string_view key, std::uint64_t min, std::uint64_t max,
                          std::uint64_t fallback);
    bool boolean_or(std::string_view key, bool fallback);
    const json::object* optional_object(std::string_view key);
    const json::array* optional_array(std::string_view key);
    std::vector<std::string> strings_or_empty(std::string_view key);
    /// RFC 3339 timestamps (`protocol::parse_timestamp`): a string that is not one is
    /// `bad_value`.
    std::chrono::sys_seconds timestamp(std::string_view key);
    std::optional<std::chrono::sys_seconds> optional_timestamp(std::string_view key);
    /// An optional array of issues (`{"pointer","code","severity","message","message_uk"
    /// [,"suggestion"]}`), empty when absent.
    std::vector<check::issue> issues(std::string_view key);

    /// A required string member that must be one of an enum's wire names.
    template <class E, class FromString>
    E enumeration(std::string_view key, FromString from_string)
    {
        const auto s = string(key);
        if (!ok()) {
            return E{};
        }
        const std::optional<E> e = from_string(s);
        if (!e) {
            fail(protocol_errc::bad_value);
            return E{};
        }
        return *e;
    }

    void fail(protocol_errc e) noexcept;
    void fail(const error_code& ec) noexcept;
    [[nodiscard]] bool ok() const noexcept { return !ec_; }
    [[nodiscard]] error_code error() const noexcept { return ec_; }

private:
    // The member at `key`, or nullptr when absent or null (missing_field when `required`).
    const json::value* find(std::string_view key, bool required);
    // The member at `key` through `convert` (value → result), or nullopt when absent, null
    // (missing_field when `required`) or refused by `convert` (its error).
    template <class Convert>
    auto read(std::string_view key, bool required, Convert convert)
        -> std::optional<typename std::invoke_result_t<Convert, const json::value&>::value_type>;

    const json::object* o_;
    error_code ec_{};
};

/// Issues from an array of issue objects; bad_value for anything else.
result<std::vector<check::issue>> parse_issues(const json::array& a);

// ---- request bodies ---------------------------------------------------------------------------

/// A body `{"note":"…"}` (a review, a grant) as a server reads it: an empty body has no note;
/// otherwise not a JSON object is `malformed`, and `invalid` lists together `format.type` (a
/// note that is not a string), `field.unknown` (any other member), `required.missing` (no or an
/// empty note when `note_required`) and `format.too_long` (over `max_note_chars`).
parsed_body<std::optional<std::string>> parse_note_body(std::string_view text, bool note_required);

/// `{"note":"…"}`, or `{}` without a note.
std::string note_body_json(const std::optional<std::string>& note);

/// The pointer to member `key` of the root (`/key`, escaped).
std::string pointer_to(std::string_view key);

// ---- records inside bodies ------------------------------------------------------------------

/// How records inside responses are decoded: strictly (types, enumerations, dates, duplicate
/// keys), but members newer than this library are skipped, as docs/protocol.md §13 asks of
/// clients ("ignore unknown response members"; the record schema may grow within v1).
[[nodiscard]] inline codec::decode_options response_record_options()
{
    return {.unknown_fields = codec::unknown_field_policy::warn};
}

/// Decodes the record whose JSON text is `text`, found at `pointer` of the body (`/items/3`).
/// On failure returns nullopt and, if `issues` is given, appends its decoding issues with their
/// pointers prefixed by `pointer`.
std::optional<model::child> decode_record(codec::record_decoder& decoder, std::string_view text,
                                          std::string_view pointer,
                                          std::vector<check::issue>* issues);

// ---- writing --------------------------------------------------------------------------------

json::object issue_value(const check::issue& i);
json::array issues_value(const std::vector<check::issue>& issues);
json::array strings_value(const std::vector<std::string>& v);
/// A JSON string (`format_timestamp`), or null.
json::value timestamp_value(std::chrono::sys_seconds t);
json::value timestamp_value(const std::optional<std::chrono::sys_seconds>& t);
/// A JSON string, or null.
json::value string_or_null(const std::optional<std::string>& s);

/// `text` as a JSON string literal.
std::string quoted(std::string_view text);

} // namespace aikom::protocol::detail

#endif
