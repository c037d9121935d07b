#ifndef AIKOM_CODEC_JSON_HPP
#define AIKOM_CODEC_JSON_HPP

/// @file
/// The strict JSON codec for child records (format: `docs/records.md`).
///
/// Decoding is driven by the parser's events (no DOM is built) and reports *every* problem of
/// a record at once, each with an RFC 6901 JSON Pointer and what was expected: unknown fields,
/// duplicate keys, wrong types, values outside an enumeration, dates that do not exist,
/// over-long strings, missing required fields, nesting deeper than allowed, input larger than
/// allowed and syntax errors. Decoding never throws on bad input and never crashes on it.
///
/// Encoding is canonical: keys in the fixed order of `docs/records.md`, absent values omitted,
/// no insignificant whitespace, so equal records always encode to equal bytes.

#include <aikom/check/issue.hpp>
#include <aikom/model/child.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::codec {

/// What to do with a field the format does not define.
enum class unknown_field_policy {
    reject, ///< strict (default): an error, the record is refused
    warn,   ///< lenient: a warning, the field is skipped and the record is accepted
};

struct decode_options {
    unknown_field_policy unknown_fields = unknown_field_policy::reject;
    /// Largest accepted record, in bytes of JSON text.
    std::size_t max_record_bytes = 64 * 1024;
    /// Deepest accepted nesting of arrays and objects (the format itself needs 4).
    std::size_t max_depth = 16;
    /// Decoding stops after this many issues (the rest of the record is not examined).
    std::size_t max_issues = 100;
};

struct decode_result {
    /// The record, present exactly when no issue has severity `error`.
    std::optional<model::child> record{};
    /// Every problem found, in document order. Warnings may accompany a decoded record.
    std::vector<check::issue> issues{};
    /// Byte offset of a syntax error in the input (also reported as an issue), or `npos`.
    std::size_t syntax_error_offset = npos;

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    [[nodiscard]] bool ok() const noexcept { return record.has_value(); }
};

/// The outcome of `record_decoder::decode_into`.
struct decode_status {
    /// No issue of severity `error`: the target holds the decoded record.
    bool ok = false;
    /// Byte offset of a syntax error in the input, or `decode_result::npos`.
    std::size_t syntax_error_offset = decode_result::npos;
};

/// A reusable decoder. Reusing one across records avoids re-allocating its buffers.
/// Not thread-safe: use one per thread.
class record_decoder {
public:
    explicit record_decoder(decode_options options = {});
    ~record_decoder();
    record_decoder(record_decoder&&) noexcept;
    record_decoder& operator=(record_decoder&&) noexcept;

    /// Decodes one record from `json` (one JSON object, optionally surrounded by whitespace).
    [[nodiscard]] decode_result decode(std::string_view json);

    /// Decodes one record into `out`, reusing the storage `out` already holds: decoding a
    /// stream of records into the same object allocates almost nothing once its strings have
    /// grown. On success `out` is exactly the decoded record (fields the input does not mention
    /// are absent); otherwise its content is unspecified. `issues` is cleared first.
    decode_status decode_into(std::string_view json, model::child& out,
                              std::vector<check::issue>& issues);

    [[nodiscard]] const decode_options& options() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Decodes one record with a temporary decoder.
[[nodiscard]] decode_result decode_child(std::string_view json, const decode_options& options = {});

/// Appends the canonical JSON of `record` to `out`. Strings must be valid UTF-8. Throws
/// `std::invalid_argument` for a date that is not a real day in the years 1000..9999 (the
/// decoder never produces one): writing another day instead would be worse.
void encode(const model::child& record, std::string& out);

/// The canonical JSON of `record`.
[[nodiscard]] std::string encode(const model::child& record);

} // namespace aikom::codec

#endif
