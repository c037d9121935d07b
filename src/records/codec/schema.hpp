// Private: the record format as data. One table per object type names its fields, their JSON
// kinds, limits and how to reach them in the model. The JSON decoder, the encoder and the CSV
// reader and writer all walk these tables, so the wire names live in exactly one place
// (schema.cpp) and `docs/records.md` describes that file.
#ifndef AIKOM_SRC_CODEC_SCHEMA_HPP
#define AIKOM_SRC_CODEC_SCHEMA_HPP

#include <aikom/check/issue.hpp>
#include <aikom/model/child.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::codec::detail {

enum class value_kind : std::uint8_t { string, date, enumeration, boolean, integer, object, array };

/// Extra rule applied to a string's text.
enum class text_rule : std::uint8_t { none, record_id };

struct object_schema;

/// Type-erased operations on one C++ member type (`std::optional<std::string>`, `bool`, …).
/// `m` is always a pointer to the member itself.
struct value_ops {
    value_kind kind;
    bool nullable; ///< an optional: JSON `null` means absent
    bool (*present)(const void* m);
    bool (*set_text)(void* m, std::string_view text); ///< string, date, enumeration
    void (*set_bool)(void* m, bool value);
    void (*set_integer)(void* m, std::int32_t value);
    void* (*enter)(void* m); ///< object: emplace, array: append; returns the new struct
    void (*encode)(const void* m, std::string& out); ///< leaf kinds: as JSON
    void (*to_text)(const void* m, std::string& out); ///< leaf kinds: as plain text (CSV)
    const void* (*object)(const void* m);            ///< object: the struct (present)
    std::size_t (*size)(const void* m);              ///< array
    const void* (*at)(const void* m, std::size_t i); ///< array
    void (*pop)(void* m);                            ///< array: drop the last element
    std::span<const std::string_view> enum_names;    ///< enumeration
};

struct field_schema {
    std::string_view name;
    const value_ops* ops;
    void* (*member)(void* object);
    const object_schema* nested = nullptr; ///< object and array kinds
    bool required = false;
    std::uint32_t max_chars = 0; ///< text kinds: most Unicode characters accepted
    text_rule rule = text_rule::none;

    [[nodiscard]] value_kind kind() const noexcept { return ops->kind; }
    [[nodiscard]] const void* member_of(const void* object) const noexcept
    {
        return member(const_cast<void*>(object));
    }
};

struct object_schema {
    std::span<const field_schema> fields;
    std::uint64_t required_mask; ///< bit i set: fields[i] is required

    /// Index of the field named `name`, or -1.
    [[nodiscard]] int find(std::string_view name) const noexcept;
};

/// The schema of the whole record (`model::child`).
[[nodiscard]] const object_schema& child_schema() noexcept;

// ---- messages shared by every reader of the format -------------------------------------------

/// Appends an issue with both messages to `out`.
void add_issue(std::vector<check::issue>& out, std::string pointer, std::string_view code,
               check::severity severity, std::string message_en, std::string message_uk);

/// Adds the issue for a record larger than `max_bytes`.
void add_too_large(std::vector<check::issue>& out, std::size_t max_bytes);

/// Adds the issue for a field the format does not define (an error or, lenient, a warning).
void add_unknown_field(std::vector<check::issue>& out, std::string pointer, bool strict);

/// What a field expects, in English and Ukrainian ("a string" / "рядок").
[[nodiscard]] std::string expected_en(const field_schema& field);
[[nodiscard]] std::string expected_uk(const field_schema& field);

/// Number of Unicode characters in valid UTF-8 `text`.
[[nodiscard]] std::size_t utf8_length(std::string_view text) noexcept;

/// Where a value sits, as a JSON Pointer built only when an issue needs it.
class pointer_source {
public:
    [[nodiscard]] virtual std::string pointer() const = 0;

protected:
    ~pointer_source() = default;
};

/// Sets a text-valued leaf (string, date or enumeration) from `text`, checking its length, its
/// rule and its value; on failure adds an issue at `where` and leaves the member unchanged.
/// Returns whether the value was set.
bool set_text_leaf(const field_schema& field, void* member, std::string_view text,
                   const pointer_source& where, std::vector<check::issue>& issues);

/// Writes `text` as a JSON string literal (with quotes), escaping what JSON requires.
void write_json_string(std::string& out, std::string_view text);

} // namespace aikom::codec::detail

#endif
