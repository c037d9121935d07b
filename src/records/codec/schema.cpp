#include "codec/schema.hpp"

#include <aikom/check/issue_codes.hpp>

#include <aikom/model/date.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <type_traits>

namespace aikom::codec::detail {
namespace {

using model::basic_identifier;
using model::date;

// ---- leaf types: parsing from text and encoding -----------------------------------------------

template <class U>
struct leaf;

template <>
struct leaf<std::string> {
    static constexpr value_kind kind = value_kind::string;
    static std::optional<std::string> parse(std::string_view t) { return std::string(t); }
    static void text(const std::string& v, std::string& out) { out.append(v); }
    static void encode(const std::string& v, std::string& out) { write_json_string(out, v); }
};

template <class Tag>
struct leaf<basic_identifier<Tag>> {
    static constexpr value_kind kind = value_kind::string;
    static std::optional<basic_identifier<Tag>> parse(std::string_view t)
    {
        return basic_identifier<Tag>(t);
    }
    static void encode(const basic_identifier<Tag>& v, std::string& out)
    {
        write_json_string(out, v.str());
    }
    static void text(const basic_identifier<Tag>& v, std::string& out) { out.append(v.str()); }
};

// A date the format can write: a real day in the years 1000..9999.
void require_writable(const date& d)
{
    const int y = static_cast<int>(d.year());
    if (!d.ok() || y < 1000 || y > 9999) {
        throw std::invalid_argument("aikom::codec: a date in the record is not a real day in the "
                                    "years 1000..9999 and cannot be written");
    }
}

template <>
struct leaf<date> {
    static constexpr value_kind kind = value_kind::date;
    static std::optional<date> parse(std::string_view t) { return model::parse_iso_date(t); }
    static void encode(const date& v, std::string& out)
    {
        require_writable(v);
        char buf[12];
        buf[0] = '"';
        model::format_iso_date(v, buf + 1);
        buf[11] = '"';
        out.append(buf, sizeof buf);
    }
    static void text(const date& v, std::string& out)
    {
        require_writable(v);
        char buf[10];
        model::format_iso_date(v, buf);
        out.append(buf, sizeof buf);
    }
};

template <class E>
requires std::is_enum_v<E>
struct leaf<E> {
    static constexpr value_kind kind = value_kind::enumeration;
    static std::optional<E> parse(std::string_view t) { return model::enum_from_string<E>(t); }
    static void encode(E v, std::string& out)
    {
        out.push_back('"');
        out.append(model::to_string(v)); // enum names need no escaping
        out.push_back('"');
    }
    static void text(E v, std::string& out) { out.append(model::to_string(v)); }
};

template <>
struct leaf<bool> {
    static constexpr value_kind kind = value_kind::boolean;
    static void encode(bool v, std::string& out) { out.append(v ? "true" : "false"); }
    static void text(bool v, std::string& out) { encode(v, out); }
};

template <>
struct leaf<std::int32_t> {
    static constexpr value_kind kind = value_kind::integer;
    static void encode(std::int32_t v, std::string& out)
    {
        char buf[12];
        char* end = buf + sizeof buf;
        char* p = end;
        auto u = static_cast<std::uint32_t>(v);
        if (v < 0) {
            u = 0u - u;
        }
        do {
            *--p = static_cast<char>('0' + u % 10);
            u /= 10;
        } while (u != 0);
        if (v < 0) {
            *--p = '-';
        }
        out.append(p, end);
    }
    static void text(std::int32_t v, std::string& out) { encode(v, out); }
};

// ---- value_ops for each member type ----------------------------------------------------------

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
constexpr bool is_leaf = requires
{
    leaf<T>::kind;
};

template <class U>
constexpr std::span<const std::string_view> names_of()
{
    if constexpr (std::is_enum_v<U>) {
        return std::span<const std::string_view>(model::enum_names<U>::values);
    } else {
        return {};
    }
}

// Operations on a member of type T that holds a U directly (T == U) or as std::optional<U>.
template <class T, class U>
constexpr value_ops leaf_ops()
{
    constexpr bool opt = !std::is_same_v<T, U>;
    value_ops ops{};
    ops.kind = leaf<U>::kind;
    ops.nullable = opt;
    ops.present = [](const void* m) {
        if constexpr (opt) {
            return static_cast<const T*>(m)->has_value();
        } else {
            return true;
        }
    };
    ops.encode = [](const void* m, std::string& out) {
        if constexpr (opt) {
            leaf<U>::encode(**static_cast<const T*>(m), out);
        } else {
            leaf<U>::encode(*static_cast<const T*>(m), out);
        }
    };
    ops.to_text = [](const void* m, std::string& out) {
        if constexpr (opt) {
            leaf<U>::text(**static_cast<const T*>(m), out);
        } else {
            leaf<U>::text(*static_cast<const T*>(m), out);
        }
    };
    ops.reset = [](void* m) {
        if constexpr (opt) {
            static_cast<T*>(m)->reset();
        }
    };
    if constexpr (std::is_same_v<U, std::string> ||
                  requires(U & u) { u.assign(std::string_view()); }) {
        // Assign in place, so that a record decoded again keeps its strings' storage.
        ops.set_text = [](void* m, std::string_view t) {
            auto& v = *static_cast<T*>(m);
            if constexpr (opt) {
                if (v) {
                    v->assign(t);
                } else {
                    v.emplace(t);
                }
            } else {
                v.assign(t);
            }
            return true;
        };
    } else if constexpr (requires(std::string_view t) { leaf<U>::parse(t); }) {
        ops.set_text = [](void* m, std::string_view t) {
            auto v = leaf<U>::parse(t);
            if (!v) {
                return false;
            }
            *static_cast<T*>(m) = std::move(*v);
            return true;
        };
    }
    if constexpr (std::is_same_v<U, bool>) {
        ops.set_bool = [](void* m, bool v) { *static_cast<T*>(m) = v; };
    }
    if constexpr (std::is_same_v<U, std::int32_t>) {
        ops.set_integer = [](void* m, std::int32_t v) { *static_cast<T*>(m) = v; };
    }
    ops.enum_names = names_of<U>();
    return ops;
}

template <class S>
constexpr value_ops object_ops()
{
    using T = std::optional<S>;
    value_ops ops{};
    ops.kind = value_kind::object;
    ops.nullable = true;
    ops.present = [](const void* m) { return static_cast<const T*>(m)->has_value(); };
    ops.reset = [](void* m) { static_cast<T*>(m)->reset(); };
    ops.enter = [](void* m, std::size_t) -> void* {
        auto& v = *static_cast<T*>(m);
        if (!v) {
            v.emplace();
        }
        return &*v;
    };
    ops.object = [](const void* m) -> const void* { return &**static_cast<const T*>(m); };
    return ops;
}

template <class S>
constexpr value_ops array_ops()
{
    using T = std::vector<S>;
    value_ops ops{};
    ops.kind = value_kind::array;
    ops.nullable = true;
    ops.present = [](const void* m) { return !static_cast<const T*>(m)->empty(); };
    ops.reset = [](void* m) { static_cast<T*>(m)->clear(); };
    ops.enter = [](void* m, std::size_t i) -> void* {
        auto& v = *static_cast<T*>(m);
        if (i < v.size()) {
            return &v[i];
        }
        return &v.emplace_back();
    };
    ops.truncate = [](void* m, std::size_t n) {
        auto& v = *static_cast<T*>(m);
        if (n < v.size()) {
            v.erase(v.begin() + static_cast<std::ptrdiff_t>(n), v.end());
        }
    };
    ops.size = [](const void* m) { return static_cast<const T*>(m)->size(); };
    ops.at = [](const void* m, std::size_t i) -> const void* {
        return &(*static_cast<const T*>(m))[i];
    };
    return ops;
}

template <class T>
constexpr value_ops make_ops()
{
    if constexpr (is_vector<T>::value) {
        return array_ops<typename T::value_type>();
    } else if constexpr (is_optional<T>::value) {
        using U = typename T::value_type;
        if constexpr (is_leaf<U>) {
            return leaf_ops<T, U>();
        } else {
            return object_ops<U>();
        }
    } else {
        return leaf_ops<T, T>();
    }
}

template <class T>
constexpr value_ops ops_for = make_ops<T>();

// ---- fields -----------------------------------------------------------------------------------

template <auto M>
struct member_info;
template <class C, class T, T C::*M>
struct member_info<M> {
    using owner = C;
    using type = T;
};

template <auto M>
void* access(void* object)
{
    using info = member_info<M>;
    return &(static_cast<typename info::owner*>(object)->*M);
}

struct field_limits {
    std::uint32_t max_chars = 0;
    bool required = false;
    const object_schema* nested = nullptr;
    text_rule rule = text_rule::none;
};

// A string literal as a template argument, so that each field's `"name":` token is built at
// compile time.
template <std::size_t N>
struct fixed_string {
    char chars[N]{};
    constexpr fixed_string(const char (&s)[N])
    {
        for (std::size_t i = 0; i < N; ++i) {
            chars[i] = s[i];
        }
    }
    [[nodiscard]] constexpr std::size_t size() const { return N - 1; }
};

template <fixed_string Name>
struct json_key_token {
    static constexpr auto value = [] {
        std::array<char, Name.size() + 3> token{};
        token[0] = '"';
        for (std::size_t i = 0; i < Name.size(); ++i) {
            token[i + 1] = Name.chars[i];
        }
        token[Name.size() + 1] = '"';
        token[Name.size() + 2] = ':';
        return token;
    }();
};

template <auto M, fixed_string Name>
constexpr field_schema field(field_limits limits = {})
{
    constexpr const auto& token = json_key_token<Name>::value;
    return field_schema{std::string_view(Name.chars, Name.size()),
                        std::string_view(token.data(), token.size()),
                        &ops_for<typename member_info<M>::type>,
                        &access<M>,
                        limits.nested,
                        limits.required,
                        limits.max_chars,
                        limits.rule};
}

template <std::size_t N>
constexpr std::uint64_t required_mask(const field_schema (&fields)[N])
{
    static_assert(N <= 64, "duplicate detection keeps one bit per field");
    std::uint64_t mask = 0;
    for (std::size_t i = 0; i < N; ++i) {
        if (fields[i].required) {
            mask |= std::uint64_t{1} << i;
        }
    }
    return mask;
}

template <std::size_t N>
constexpr std::uint64_t field_mask(const field_schema (&)[N])
{
    return N == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << N) - 1;
}

// Tries multipliers until the fields' keys land in distinct slots. Fails to compile (a throw in
// a constant expression) if none does: then widen key_index.
template <std::size_t N>
constexpr key_index make_key_index(const field_schema (&fields)[N])
{
    static_assert(N < key_index::slots / 2, "a key_index this full rarely has a perfect hash");
    for (std::uint32_t k = 1; k < 100000; ++k) {
        key_index index;
        index.multiplier = (k * 0x9E3779B9u) | 1u;
        bool distinct = true;
        for (std::size_t i = 0; i < N && distinct; ++i) {
            if (fields[i].name.empty()) {
                throw std::logic_error("a field without a name");
            }
            auto& slot = index.field[index.slot(fields[i].name)];
            distinct = slot == 0;
            slot = static_cast<std::uint8_t>(i + 1);
        }
        if (distinct) {
            return index;
        }
    }
    throw std::logic_error("no multiplier separates these keys");
}

#define AIKOM_OBJECT_SCHEMA(var, fields_array)                                                     \
    constexpr object_schema var                                                                    \
    {                                                                                              \
        std::span<const field_schema>(fields_array), required_mask(fields_array),                  \
            field_mask(fields_array), make_key_index(fields_array)                                 \
    }

// Length limits, in Unicode characters. Generous for real data, tight enough to refuse junk.
constexpr std::uint32_t name_chars = 100;
constexpr std::uint32_t code_chars = 32; // identifiers and codes; their shape is checked later
constexpr std::uint32_t short_chars = 64;
constexpr std::uint32_t text_chars = 500;

using namespace aikom::model;

constexpr field_schema person_name_fields[] = {
    field<&person_name::last, "last">({.max_chars = name_chars}),
    field<&person_name::first, "first">({.max_chars = name_chars}),
    field<&person_name::patronymic, "patronymic">({.max_chars = name_chars}),
};
AIKOM_OBJECT_SCHEMA(person_name_schema, person_name_fields);

constexpr field_schema document_fields[] = {
    field<&identity_document::type, "type">({.required = true}),
    field<&identity_document::series, "series">({.max_chars = code_chars}),
    field<&identity_document::number, "number">({.max_chars = code_chars}),
    field<&identity_document::issued_on, "issued_on">(),
    field<&identity_document::issuer, "issuer">({.max_chars = text_chars}),
    field<&identity_document::country, "country">({.max_chars = code_chars}),
};
AIKOM_OBJECT_SCHEMA(document_schema, document_fields);

constexpr field_schema idp_certificate_fields[] = {
    field<&idp_certificate::number, "number">({.max_chars = code_chars}),
    field<&idp_certificate::issued_on, "issued_on">(),
};
AIKOM_OBJECT_SCHEMA(idp_certificate_schema, idp_certificate_fields);

constexpr field_schema displacement_fields[] = {
    field<&displacement::status, "status">({.required = true}),
    field<&displacement::since, "since">(),
    field<&displacement::certificate, "certificate">({.nested = &idp_certificate_schema}),
    field<&displacement::from_katottg, "from_katottg">({.max_chars = code_chars}),
    field<&displacement::country, "country">({.max_chars = code_chars}),
};
AIKOM_OBJECT_SCHEMA(displacement_schema, displacement_fields);

constexpr field_schema contact_fields[] = {
    field<&contact_status::status, "status">({.required = true}),
    field<&contact_status::since, "since">(),
    field<&contact_status::with, "with">(),
};
AIKOM_OBJECT_SCHEMA(contact_schema, contact_fields);

constexpr field_schema education_fields[] = {
    field<&education::form, "form">({.required = true}),
};
AIKOM_OBJECT_SCHEMA(education_schema, education_fields);

constexpr field_schema group_fields[] = {
    field<&group::id, "id">({.max_chars = short_chars}),
    field<&group::name, "name">({.max_chars = name_chars}),
    field<&group::age_band, "age_band">(),
    field<&group::kind, "kind">(),
};
AIKOM_OBJECT_SCHEMA(group_schema, group_fields);

constexpr field_schema enrollment_fields[] = {
    field<&enrollment::group, "group">({.nested = &group_schema}),
    field<&enrollment::enrolled_on, "enrolled_on">(),
    field<&enrollment::order, "order">({.max_chars = short_chars}),
    field<&enrollment::left_on, "left_on">(),
    field<&enrollment::leave_reason, "leave_reason">({.max_chars = text_chars}),
};
AIKOM_OBJECT_SCHEMA(enrollment_schema, enrollment_fields);

constexpr field_schema residence_fields[] = {
    field<&residence::country, "country">({.max_chars = code_chars}),
    field<&residence::katottg, "katottg">({.max_chars = code_chars}),
    field<&residence::address, "address">({.max_chars = text_chars}),
};
AIKOM_OBJECT_SCHEMA(residence_schema, residence_fields);

constexpr field_schema special_needs_fields[] = {
    field<&special_needs::has, "has">({.required = true}),
    field<&special_needs::support_level, "support_level">(),
};
AIKOM_OBJECT_SCHEMA(special_needs_schema, special_needs_fields);

constexpr field_schema guardian_fields[] = {
    field<&guardian::name, "name">({.nested = &person_name_schema}),
    field<&guardian::relation, "relation">(),
    field<&guardian::phone, "phone">({.max_chars = code_chars}),
};
AIKOM_OBJECT_SCHEMA(guardian_schema, guardian_fields);

// The order here is the canonical key order of the encoding.
constexpr field_schema child_fields[] = {
    field<&child::id, "id">({.max_chars = 64, .required = true, .rule = text_rule::record_id}),
    field<&child::institution, "institution">({.max_chars = code_chars}),
    field<&child::name, "name">({.nested = &person_name_schema}),
    field<&child::birth_date, "birth_date">(),
    field<&child::sex, "sex">(),
    field<&child::citizenship, "citizenship">({.max_chars = code_chars}),
    field<&child::rnokpp, "rnokpp">({.max_chars = code_chars}),
    field<&child::unzr, "unzr">({.max_chars = code_chars}),
    field<&child::document, "document">({.nested = &document_schema}),
    field<&child::displacement, "displacement">({.nested = &displacement_schema}),
    field<&child::contact, "contact">({.nested = &contact_schema}),
    field<&child::education, "education">({.nested = &education_schema}),
    field<&child::enrollment, "enrollment">({.nested = &enrollment_schema}),
    field<&child::residence, "residence">({.nested = &residence_schema}),
    field<&child::special_needs, "special_needs">({.nested = &special_needs_schema}),
    field<&child::free_meals, "free_meals">(),
    field<&child::guardians, "guardians">({.nested = &guardian_schema}),
};
AIKOM_OBJECT_SCHEMA(child_schema_value, child_fields);

#undef AIKOM_OBJECT_SCHEMA

bool is_record_id(std::string_view id) noexcept
{
    if (id.empty() || id.size() > 64) {
        return false;
    }
    for (char c : id) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::string join_names(std::span<const std::string_view> names)
{
    std::string out;
    for (auto n : names) {
        if (!out.empty()) {
            out += ", ";
        }
        out += n;
    }
    return out;
}

} // namespace

const object_schema& child_schema() noexcept
{
    return child_schema_value;
}

void add_too_large(std::vector<check::issue>& out, std::size_t max_bytes)
{
    const auto max = std::to_string(max_bytes);
    out.push_back(check::make_issue("json.too_large", std::string(), {{"max", max, max}}));
}

void add_unknown_field(std::vector<check::issue>& out, std::string pointer, bool strict)
{
    out.push_back(check::make_issue("field.unknown", std::move(pointer)));
    if (!strict) {
        out.back().severity = check::severity::warning;
    }
}

std::string expected_en(const field_schema& field)
{
    switch (field.kind()) {
    case value_kind::string:
        return "a string";
    case value_kind::date:
        return "a date as a string YYYY-MM-DD";
    case value_kind::enumeration:
        return "one of: " + join_names(field.ops->enum_names);
    case value_kind::boolean:
        return "true or false";
    case value_kind::integer:
        return "an integer";
    case value_kind::object:
        return "an object";
    case value_kind::array:
        return "an array";
    }
    return "a value";
}

std::string expected_uk(const field_schema& field)
{
    switch (field.kind()) {
    case value_kind::string:
        return "рядок";
    case value_kind::date:
        return "дата у форматі РРРР-ММ-ДД";
    case value_kind::enumeration:
        return "одне зі значень: " + join_names(field.ops->enum_names);
    case value_kind::boolean:
        return "true або false";
    case value_kind::integer:
        return "ціле число";
    case value_kind::object:
        return "об’єкт";
    case value_kind::array:
        return "масив";
    }
    return "значення";
}

std::size_t utf8_length(std::string_view text) noexcept
{
    std::size_t n = 0;
    for (unsigned char c : text) {
        n += (c & 0xC0u) != 0x80u;
    }
    return n;
}

namespace {

// Byte length bounds the character count from above, so the count is rarely needed.
bool too_long(const field_schema& field, std::string_view text) noexcept
{
    return field.max_chars != 0 && text.size() > field.max_chars &&
           utf8_length(text) > field.max_chars;
}

} // namespace

bool set_text_leaf_quiet(const field_schema& field, void* member, std::string_view text)
{
    if (too_long(field, text) || (field.rule == text_rule::record_id && !is_record_id(text))) {
        return false;
    }
    return field.ops->set_text(member, text);
}

bool set_text_leaf_slow(const field_schema& field, void* member, std::string_view text,
                        const pointer_source& where, std::vector<check::issue>& issues)
{
    if (too_long(field, text)) {
        const auto max = std::to_string(field.max_chars);
        issues.push_back(
            check::make_issue("format.too_long", where.pointer(), {{"max", max, max}}));
        return false;
    }
    if (field.rule == text_rule::record_id && !is_record_id(text)) {
        issues.push_back(check::make_issue("format.record_id", where.pointer()));
        return false;
    }
    if (field.ops->set_text(member, text)) {
        return true;
    }
    if (field.kind() == value_kind::date) {
        issues.push_back(check::make_issue("format.date", where.pointer()));
    } else {
        const auto en = expected_en(field);
        const auto uk = expected_uk(field);
        issues.push_back(check::make_issue("format.enum", where.pointer(), {{"expected", en, uk}}));
    }
    return false;
}

bool assign_text_at(model::child& record, std::string_view pointer, std::string_view text)
{
    const object_schema* schema = &child_schema();
    void* object = &record;
    std::string token;
    // Reads the next reference token, unescaping ~1 and ~0; false at the end.
    auto next_token = [&]() {
        if (pointer.empty() || pointer.front() != '/') {
            return false;
        }
        pointer.remove_prefix(1);
        const auto end = pointer.find('/');
        const auto raw = pointer.substr(0, end);
        pointer.remove_prefix(end == std::string_view::npos ? pointer.size() : end);
        token.clear();
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
                token.push_back(raw[i + 1] == '0' ? '~' : '/');
                ++i;
            } else {
                token.push_back(raw[i]);
            }
        }
        return true;
    };
    while (next_token()) {
        const int i = schema->find(token);
        if (i < 0) {
            return false;
        }
        const field_schema& f = schema->fields[static_cast<std::size_t>(i)];
        void* m = f.member(object);
        switch (f.kind()) {
        case value_kind::object:
            if (!f.ops->present(m)) {
                return false;
            }
            object = f.ops->enter(m, 0);
            schema = f.nested;
            break;
        case value_kind::array: {
            if (!next_token() || token.empty() || token.size() > 6 ||
                !std::all_of(token.begin(), token.end(),
                             [](char c) { return c >= '0' && c <= '9'; })) {
                return false;
            }
            const auto index = static_cast<std::size_t>(std::stoul(token));
            if (index >= f.ops->size(m)) {
                return false;
            }
            object = f.ops->enter(m, index);
            schema = f.nested;
            break;
        }
        case value_kind::string:
        case value_kind::date:
        case value_kind::enumeration:
            return pointer.empty() && f.ops->present(m) && f.ops->set_text(m, text);
        default:
            return false;
        }
    }
    return false;
}

void write_json_string(std::string& out, std::string_view text)
{
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    const char* p = text.data();
    const char* const end = p + text.size();
    const char* run = p;
    // Skip eight bytes at a time while none of them needs escaping.
    while (end - p >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        if (json_special_bytes(w) != 0) {
            break;
        }
        p += 8;
    }
    for (; p != end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(run, p);
        run = p + 1;
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        default: {
            const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            out.append(esc, sizeof esc);
        }
        }
    }
    out.append(run, end);
    out.push_back('"');
}

} // namespace aikom::codec::detail
