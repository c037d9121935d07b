#ifndef AIKOM_MODEL_ENUMS_HPP
#define AIKOM_MODEL_ENUMS_HPP

/// @file
/// The closed sets of values a child record uses, and their wire names.
///
/// Every enum here maps one-to-one onto the strings of the JSON format (`docs/records.md`):
/// `to_string(sex::female) == "female"`, `enum_from_string<sex>("female") == sex::female`.
/// There is deliberately no "unknown" enumerator: a value that is not known is an absent
/// `std::optional`.

#include <cstddef>
#include <iterator>
#include <optional>
#include <string_view>

namespace aikom::model {

enum class sex { female, male };

/// The kind of identity document a child has.
enum class document_type {
    ua_birth_certificate,      ///< Ukrainian birth certificate (series `I-КВ`, number 6 digits)
    foreign_birth_certificate, ///< birth certificate issued abroad
    other,                     ///< another document
    none,                      ///< no document (e.g. a displaced child enrolled without one)
};

/// Forced displacement: `internal` = within Ukraine (ВПО), `external` = left Ukraine.
enum class displacement_status { none, internal, external };

/// Whether the institution is in contact with the child and its representatives.
enum class contact_state { in_contact, lost };

/// With whom contact was lost.
enum class contact_scope { child, representatives, child_and_representatives };

/// Form of preschool education. Distance and mixed are common under martial law.
enum class education_form { in_person, distance, mixed };

/// Age band of a group: early 1–3, junior 3–4, middle 4–5, senior 5–6, mixed.
enum class age_band { early, junior, middle, senior, mixed };

enum class group_kind { general, inclusive, special, sanatorium };

enum class guardian_relation { mother, father, guardian, other };

/// The wire names of enum `E`, indexed by the enumerator's value. Specialised below.
template <class E>
struct enum_names;

#define AIKOM_DETAIL_ENUM_NAMES(E, ...)                                                            \
    template <>                                                                                    \
    struct enum_names<E> {                                                                         \
        static constexpr std::string_view values[] = {__VA_ARGS__};                                \
    }

AIKOM_DETAIL_ENUM_NAMES(sex, "female", "male");
AIKOM_DETAIL_ENUM_NAMES(document_type, "ua_birth_certificate", "foreign_birth_certificate", "other",
                        "none");
AIKOM_DETAIL_ENUM_NAMES(displacement_status, "none", "internal", "external");
AIKOM_DETAIL_ENUM_NAMES(contact_state, "in_contact", "lost");
AIKOM_DETAIL_ENUM_NAMES(contact_scope, "child", "representatives", "child_and_representatives");
AIKOM_DETAIL_ENUM_NAMES(education_form, "in_person", "distance", "mixed");
AIKOM_DETAIL_ENUM_NAMES(age_band, "early", "junior", "middle", "senior", "mixed");
AIKOM_DETAIL_ENUM_NAMES(group_kind, "general", "inclusive", "special", "sanatorium");
AIKOM_DETAIL_ENUM_NAMES(guardian_relation, "mother", "father", "guardian", "other");

#undef AIKOM_DETAIL_ENUM_NAMES

/// The wire name of `value`.
template <class E>
[[nodiscard]] constexpr std::string_view to_string(E value) noexcept requires requires
{
    enum_names<E>::values;
}
{
    return enum_names<E>::values[static_cast<std::size_t>(value)];
}

/// The enumerator whose wire name is exactly `name` (case-sensitive), or `std::nullopt`.
template <class E>
[[nodiscard]] constexpr std::optional<E> enum_from_string(std::string_view name) noexcept
{
    const auto& names = enum_names<E>::values;
    for (std::size_t i = 0; i < std::size(names); ++i) {
        if (names[i] == name) {
            return static_cast<E>(i);
        }
    }
    return std::nullopt;
}

} // namespace aikom::model

#endif
