#ifndef AIKOM_MODEL_CHILD_HPP
#define AIKOM_MODEL_CHILD_HPP

/// @file
/// The child record: plain value types that mirror the JSON format in `docs/records.md`.
///
/// Every field that may be unknown is a `std::optional`; an absent value is *unknown*, never a
/// silent default (an absent `displacement` does not mean "not displaced"). A sub-object that is
/// present always carries its discriminating field (`document.type`, `displacement.status`,
/// `contact.status`, `education.form`, `special_needs.has`), so those are not optional inside it.
/// All types are regular: copyable, movable, comparable with `==`. They hold no invariants a
/// setter would protect; the validators in `aikom/check/` say whether a record is acceptable.
/// Every member has a default initialiser, so designated initialisers may name only what they
/// set: `displacement{.status = displacement_status::internal, .since = …}`.

#include <aikom/model/date.hpp>
#include <aikom/model/enums.hpp>
#include <aikom/model/identifiers.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aikom::model {

/// Last name, first name and patronymic (the patronymic may legitimately be absent).
struct person_name {
    std::optional<std::string> last{};
    std::optional<std::string> first{};
    std::optional<std::string> patronymic{};

    friend bool operator==(const person_name&, const person_name&) = default;
};

/// The child's identity document. For a Ukrainian birth certificate, `series` looks like `I-КВ`
/// and `number` has 6 digits.
struct identity_document {
    document_type type{};
    std::optional<std::string> series{};
    std::optional<std::string> number{};
    std::optional<date> issued_on{};
    std::optional<std::string> issuer{};
    std::optional<country_code> country{};

    friend bool operator==(const identity_document&, const identity_document&) = default;
};

/// The certificate of registration of an internally displaced person (довідка ВПО).
struct idp_certificate {
    std::optional<std::string> number{};
    std::optional<date> issued_on{};

    friend bool operator==(const idp_certificate&, const idp_certificate&) = default;
};

/// Forced displacement, the second indicator of the readiness check.
struct displacement {
    displacement_status status{};
    std::optional<date> since{};
    std::optional<idp_certificate> certificate{};
    std::optional<katottg> from_katottg{}; ///< where an internally displaced child came from
    std::optional<country_code> country{}; ///< where an externally displaced child is now

    friend bool operator==(const displacement&, const displacement&) = default;
};

/// Contact with the child and its representatives, the third indicator.
struct contact_status {
    contact_state status{};
    std::optional<date> since{};
    std::optional<contact_scope> with{};

    friend bool operator==(const contact_status&, const contact_status&) = default;
};

/// Form of education, the fourth indicator.
struct education {
    education_form form{};

    friend bool operator==(const education&, const education&) = default;
};

/// A group of the institution.
struct group {
    std::optional<std::string> id{};
    std::optional<std::string> name{};
    std::optional<model::age_band> age_band{};
    std::optional<group_kind> kind{};

    friend bool operator==(const group&, const group&) = default;
};

/// Enrollment in the institution and, when the child has left, the withdrawal.
struct enrollment {
    std::optional<model::group> group{};
    std::optional<date> enrolled_on{};
    std::optional<std::string> order{}; ///< number of the enrollment order, e.g. `15-к`
    std::optional<date> left_on{};
    std::optional<std::string> leave_reason{};

    friend bool operator==(const enrollment&, const enrollment&) = default;
};

/// Actual place of residence. In Ukraine a КАТОТТГ code and an address text.
struct residence {
    std::optional<country_code> country{};
    std::optional<model::katottg> katottg{};
    std::optional<std::string> address{};

    friend bool operator==(const residence&, const residence&) = default;
};

/// Special educational needs, with a support level 1..5 when known.
struct special_needs {
    bool has = false;
    std::optional<std::int32_t> support_level{};

    friend bool operator==(const special_needs&, const special_needs&) = default;
};

/// A legal representative of the child.
struct guardian {
    std::optional<person_name> name{};
    std::optional<guardian_relation> relation{};
    std::optional<std::string> phone{};

    friend bool operator==(const guardian&, const guardian&) = default;
};

/// One child's record. `id` is the caller's stable identifier (1..64 characters of
/// `[A-Za-z0-9._:-]`); it is the only field a record cannot be without.
struct child {
    std::string id{};
    std::optional<edrpou> institution{};
    std::optional<person_name> name{};
    std::optional<date> birth_date{};
    std::optional<model::sex> sex{};
    std::optional<country_code> citizenship{};
    std::optional<model::rnokpp> rnokpp{};
    std::optional<model::unzr> unzr{};
    std::optional<identity_document> document{};
    std::optional<model::displacement> displacement{};
    std::optional<contact_status> contact{};
    std::optional<model::education> education{};
    std::optional<model::enrollment> enrollment{};
    std::optional<model::residence> residence{};
    std::optional<model::special_needs> special_needs{};
    std::optional<bool> free_meals{};
    /// Legal representatives. An empty list means none is known (the format does not tell an
    /// empty list from an absent one: both encode as an absent `guardians`).
    std::vector<guardian> guardians{};

    friend bool operator==(const child&, const child&) = default;
};

} // namespace aikom::model

#endif
