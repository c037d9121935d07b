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
#include <cstring>
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
    void (*reset)(void* m); ///< make absent: optional → empty, array → no elements
    /// object: the struct, created when absent (an existing one is kept, with its storage);
    /// array: the element at `i`, appended when `i == size` (existing elements are reused).
    void* (*enter)(void* m, std::size_t i);
    void (*truncate)(void* m, std::size_t n);         ///< array: keep the first n elements
    void (*encode)(const void* m, std::string& out);  ///< leaf kinds: as JSON
    void (*to_text)(const void* m, std::string& out); ///< leaf kinds: as plain text (CSV)
    const void* (*object)(const void* m);             ///< object: the struct (present)
    std::size_t (*size)(const void* m);               ///< array
    const void* (*at)(const void* m, std::size_t i);  ///< array
    std::span<const std::string_view> enum_names;     ///< enumeration
};

struct field_schema {
    std::string_view name;
    std::string_view json_key; ///< `"name":`, ready to append
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

    /// Index of the field named `name`, or -1. `hint` is where to look first: records usually
    /// list their keys in the canonical order, so the field after the previous one is likely.
    [[nodiscard]] int find(std::string_view name, std::size_t hint = 0) const noexcept
    {
        const std::size_t n = fields.size();
        if (name.empty()) {
            return -1;
        }
        for (std::size_t k = 0; k < n; ++k) {
            std::size_t i = hint + k;
            if (i >= n) {
                i -= n;
            }
            // Cheap rejections first: most candidates differ in length or first character.
            const std::string_view f = fields[i].name;
            if (f.size() == name.size() && f[0] == name[0] &&
                std::memcmp(f.data(), name.data(), name.size()) == 0) {
                return static_cast<int>(i);
            }
        }
        return -1;
    }
};

/// The schema of the whole record (`model::child`).
[[nodiscard]] const object_schema& child_schema() noexcept;

// ---- messages shared by every reader of the format -------------------------------------------

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
bool set_text_leaf_slow(const field_schema& field, void* member, std::string_view text,
                        const pointer_source& where, std::vector<check::issue>& issues);

inline bool set_text_leaf(const field_schema& field, void* member, std::string_view text,
                          const pointer_source& where, std::vector<check::issue>& issues)
{
    // The common case inline: short enough, no extra rule, a value the member accepts.
    if (field.rule == text_rule::none && (field.max_chars == 0 || text.size() <= field.max_chars) &&
        field.ops->set_text(member, text)) [[likely]] {
        return true;
    }
    return set_text_leaf_slow(field, member, text, where, issues);
}

/// Sets the text leaf (string, date or enumeration) at RFC 6901 `pointer` in `record` to `text`.
/// Every object and array element on the way must be present. Returns false when the pointer
/// names no present text leaf or the text is not acceptable for it; `record` is then unchanged.
bool assign_text_at(model::child& record, std::string_view pointer, std::string_view text);

/// Writes `text` as a JSON string literal (with quotes), escaping what JSON requires.
void write_json_string(std::string& out, std::string_view text);

} // namespace aikom::codec::detail

#endif
