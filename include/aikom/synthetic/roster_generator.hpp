#ifndef AIKOM_SYNTHETIC_ROSTER_GENERATOR_HPP
#define AIKOM_SYNTHETIC_ROSTER_GENERATOR_HPP

/// @file
/// A deterministic generator of realistic synthetic child records, for tests, benchmarks,
/// demonstrations and the `aikom-gen` example. Nothing it produces belongs to a real person:
/// names, dates and identifiers are drawn at random from built-in lists and ranges.
///
/// Output depends only on `roster_options`: the generator uses its own pseudo-random engine
/// and its own range reduction (no `std::*_distribution`, no `std::rand`), so the same options
/// give byte-identical records with every compiler and standard library.
///
/// With `defect_rate == 0` every record is well formed: the four indicators (document,
/// displacement, contact, education) are present, РНОКПП, УНЗР and ЄДРПОУ have valid check digits
/// (РНОКПП and УНЗР agree with the birth date and sex), certificate series are canonical
/// (`II-БК`), phones are `+380XXXXXXXXX`, names use the ASCII apostrophe, and dates are in order.
/// With a positive rate a share of the records receive one or two of the mistakes real rosters
/// contain (`defect_kind`).

#include <aikom/model/child.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace aikom::synthetic {

/// A mistake the generator can put into a record on purpose. Each defective record gets one
/// or two distinct kinds; a kind is only chosen when the record has the field it spoils.
enum class defect_kind {
    series_look_alike,           ///< `І`, `Х`, `С` or `1` in the Roman part, or a Latin letter
                                 ///< in the Cyrillic part (`I-KB` for `I-КВ`)
    series_dash,                 ///< en dash `–` instead of the hyphen
    series_lower_case,           ///< series in lower case, wholly or its letter part
    series_spaces,               ///< spaces around or instead of the hyphen
    rnokpp_check_digit,          ///< РНОКПП with a wrong check digit
    unzr_check_digit,            ///< УНЗР with a wrong check digit
    document_missing,            ///< indicator 1 absent
    displacement_missing,        ///< indicator 2 absent
    contact_missing,             ///< indicator 3 absent
    education_missing,           ///< indicator 4 absent
    enrolled_before_birth,       ///< `enrollment.enrolled_on` before `birth_date`
    left_before_enrolled,        ///< `enrollment.left_on` before `enrollment.enrolled_on`
    phone_format,                ///< a guardian's phone as `0XXXXXXXXX` or with spaces
    name_typographic_apostrophe, ///< `’` or `ʼ` instead of `'` in a name
    name_mixed_script,           ///< a Latin look-alike letter inside a Cyrillic name
};

/// Every `defect_kind`, in declaration order.
inline constexpr std::array<defect_kind, 15> all_defect_kinds{
    defect_kind::series_look_alike,     defect_kind::series_dash,
    defect_kind::series_lower_case,     defect_kind::series_spaces,
    defect_kind::rnokpp_check_digit,    defect_kind::unzr_check_digit,
    defect_kind::document_missing,      defect_kind::displacement_missing,
    defect_kind::contact_missing,       defect_kind::education_missing,
    defect_kind::enrolled_before_birth, defect_kind::left_before_enrolled,
    defect_kind::phone_format,          defect_kind::name_typographic_apostrophe,
    defect_kind::name_mixed_script,
};

/// A stable snake_case name of `kind`, e.g. `"series_dash"`.
[[nodiscard]] std::string_view to_string(defect_kind kind) noexcept;

struct roster_options {
    /// Number of distinct institutions (ЄДРПОУ codes with valid check digits); records are
    /// spread over them at random. Must be in 1..100000.
    std::size_t institutions = 1;
    /// Seed of the pseudo-random engine. Equal options give equal records.
    std::uint64_t seed = 1;
    /// Share of records, 0..1, that receive one or two defects (`defect_kind`).
    double defect_rate = 0.0;
    /// "Today" for ages, enrollment and displacement dates. Fixed so that output does not depend
    /// on the clock. Must be a valid date in the years 1910..2170 (an РНОКПП encodes births up
    /// to 2173).
    model::date reference_date{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};
};

/// Generates child records one at a time.
///
/// Record *n* (1-based, id `kd-00000n`) depends only on the options and *n*; in particular its
/// defect-free content does not depend on `defect_rate`, so a record generated with defects can
/// be compared with the same record generated without. Children are 1 to 6 full years old at
/// the reference date and sit in the group of their age band.
///
/// A regular value type: copying a generator forks the sequence. Not thread-safe; use one per
/// thread (with different seeds, or the same seed to get the same records).
class roster_generator {
public:
    /// Throws `std::invalid_argument` if an option is outside its documented range.
    explicit roster_generator(roster_options options = {});
    ~roster_generator();
    roster_generator(const roster_generator&);
    roster_generator(roster_generator&&) noexcept;
    roster_generator& operator=(const roster_generator&);
    roster_generator& operator=(roster_generator&&) noexcept;

    /// The next record; ids are `kd-000001`, `kd-000002`, … (more digits after 999999).
    [[nodiscard]] model::child next();

    /// The defects put into the record the last `next()` returned, in the order they were
    /// applied; empty before the first call and for a clean record.
    [[nodiscard]] const std::vector<defect_kind>& last_defects() const noexcept;

    /// The institutions' ЄДРПОУ codes, `options().institutions` of them, distinct.
    [[nodiscard]] const std::vector<model::edrpou>& institutions() const noexcept;

    [[nodiscard]] const roster_options& options() const noexcept;

private:
    struct site; // an institution's settlement and groups, defined in the .cpp

    roster_options options_;
    std::uint64_t count_ = 0;
    std::vector<model::edrpou> institutions_;
    std::vector<site> sites_;
    std::vector<defect_kind> last_defects_;
};

} // namespace aikom::synthetic

#endif
