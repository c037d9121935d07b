// Private: the record format as data. One table per object type names its fields, their JSON
// kinds, limits and how to reach them in the model. The JSON decoder, the encoder and the CSV
// reader and writer all walk these tables, so the wire names live in exactly one place
// (schema.cpp) and `docs/records.md` describes that file.
#ifndef AIKOM_SRC_CODEC_SCHEMA_HPP
#define AIKOM_SRC_CODEC_SCHEMA_HPP

#include <aikom/check/issue.hpp>
#include <aikom/model/child.hpp>

#include <bit>
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

/// Whether `a` and `b`, both `n` bytes long, hold the same bytes. Keys are short: up to 16
/// bytes this is a few word compares, inline, instead of a call to memcmp.
[[nodiscard]] inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept
{
    const auto load8 = [](const char* p) {
        std::uint64_t v;
        std::memcpy(&v, p, sizeof v);
        return v;
    };
    const auto load4 = [](const char* p) {
        std::uint32_t v;
        std::memcpy(&v, p, sizeof v);
        return v;
    };
    // Two loads that overlap in the middle cover n bytes without reading past either end.
    if (n >= 8 && n <= 16) {
        return ((load8(a) ^ load8(b)) | (load8(a + n - 8) ^ load8(b + n - 8))) == 0;
    }
    if (n >= 4 && n < 8) {
        return ((load4(a) ^ load4(b)) | (load4(a + n - 4) ^ load4(b + n - 4))) == 0;
    }
    if (n < 4) {
        for (std::size_t i = 0; i < n; ++i) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }
    return std::memcmp(a, b, n) == 0;
}

/// Where to look for a key among an object's fields: a hash of the key's length and of its
/// first, middle and last bytes picks the one field the key can be, which is then compared in
/// full. Built at compile time with a multiplier under which no two fields share a slot, so a
/// lookup costs the same whatever order the keys come in.
struct key_index {
    static constexpr std::size_t slots = 64;
    static constexpr int slot_bits = 6;

    std::uint32_t multiplier = 0;
    std::uint8_t field[slots]{}; ///< the field's index + 1, or 0: no field hashes here

    [[nodiscard]] constexpr std::size_t slot(std::string_view key) const noexcept
    {
        // `key` is not empty.
        const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(key[i]); };
        const std::size_t n = key.size();
        const std::uint32_t mixed = byte(0) | (std::uint32_t{byte(n / 2)} << 8) |
                                    (std::uint32_t{byte(n - 1)} << 16) |
                                    (static_cast<std::uint32_t>(n) << 24);
        return (mixed * multiplier) >> (32 - slot_bits);
    }
};

struct object_schema {
    std::span<const field_schema> fields;
    std::uint64_t required_mask; ///< bit i set: fields[i] is required
    std::uint64_t field_mask;    ///< one bit per field
    key_index keys;

    /// Index of the field named `name`, or -1.
    [[nodiscard]] int find(std::string_view name) const noexcept
    {
        if (name.empty()) {
            return -1;
        }
        const std::uint8_t candidate = keys.field[keys.slot(name)];
        if (candidate == 0) {
            return -1;
        }
        const std::size_t i = candidate - 1u;
        const std::string_view f = fields[i].name;
        if (f.size() != name.size() || !same_bytes(f.data(), name.data(), name.size())) {
            return -1;
        }
        return static_cast<int>(i);
    }
};

/// A record decoded into reused storage: makes absent every field of `object` whose bit is not
/// in `seen`, so that it holds exactly what the input said.
inline void reset_unseen(const object_schema& schema, void* object, std::uint64_t seen)
{
    for (auto unseen = schema.field_mask & ~seen; unseen != 0; unseen &= unseen - 1) {
        const field_schema& f = schema.fields[static_cast<std::size_t>(std::countr_zero(unseen))];
        f.ops->reset(f.member(object));
    }
}

/// Eight bytes of a JSON string at once (SWAR): the high bit of each byte's lane is set in the
/// result when that byte is a control character, a quote or a backslash. A set bit may also
/// appear above a lane that really matches (borrows), never without one.
[[nodiscard]] constexpr std::uint64_t json_special_bytes(std::uint64_t w) noexcept
{
    constexpr std::uint64_t ones = 0x0101010101010101u;
    constexpr std::uint64_t highs = 0x8080808080808080u;
    const std::uint64_t quote = w ^ (ones * '"');
    const std::uint64_t slash = w ^ (ones * '\\');
    return (((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash)) &
           highs;
}

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

/// Sets a text-valued leaf as `set_text_leaf` does, but reports nothing: false when `text` is
/// not acceptable (the member may then be unchanged or not).
bool set_text_leaf_quiet(const field_schema& field, void* member, std::string_view text);

/// Sets the text leaf (string, date or enumeration) at RFC 6901 `pointer` in `record` to `text`.
/// Every object and array element on the way must be present. Returns false when the pointer
/// names no present text leaf or the text is not acceptable for it; `record` is then unchanged.
bool assign_text_at(model::child& record, std::string_view pointer, std::string_view text);

/// Writes `text` as a JSON string literal (with quotes), escaping what JSON requires.
void write_json_string(std::string& out, std::string_view text);

} // namespace aikom::codec::detail

#endif
