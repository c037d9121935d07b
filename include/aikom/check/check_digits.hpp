#ifndef AIKOM_CHECK_CHECK_DIGITS_HPP
#define AIKOM_CHECK_CHECK_DIGITS_HPP

/// @file
/// Check digits of the Ukrainian identifiers a child record carries: РНОКПП, ЄДРПОУ, УНЗР.
///
/// These are the arithmetic only: pure functions over ASCII digits that never allocate (except
/// `make_rnokpp`, whose result fits the small-string buffer), never throw and are safe to call
/// from any thread. They do not strip spaces or otherwise normalise their input: that, and
/// turning a mismatch into an `issue`, is the validators' job. Input that is not exactly the
/// expected number of ASCII digits gives `std::nullopt` (or `false`).

#include <aikom/model/date.hpp>
#include <aikom/model/enums.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace aikom::check {

/// The РНОКПП check digit (the 10th digit) computed from the first nine digits `first9`:
/// S = −1·d1 + 5·d2 + 7·d3 + 9·d4 + 4·d5 + 6·d6 + 10·d7 + 5·d8 + 7·d9, digit = (S mod 11) mod 10
/// with a non-negative modulo (S is negative when d1 outweighs the rest, e.g. `900000000` → 2).
/// `std::nullopt` unless `first9` is exactly nine ASCII digits.
[[nodiscard]] std::optional<int> rnokpp_check_digit(std::string_view first9) noexcept;

/// True when `rnokpp` is ten ASCII digits and the last one is the check digit of the first nine.
[[nodiscard]] bool rnokpp_check_digit_matches(std::string_view rnokpp) noexcept;

/// The birth date an РНОКПП encodes: its first five digits count days, 00001 being 1900-01-01.
/// Requires ten ASCII digits; does not look at the check digit. `std::nullopt` for malformed
/// input and for 00000 (which would be 1899-12-31, before the register's epoch).
[[nodiscard]] std::optional<model::date> rnokpp_birth_date(std::string_view rnokpp) noexcept;

/// The sex an РНОКПП encodes: the 9th digit is odd for a male, even for a female.
/// Requires ten ASCII digits; does not look at the check digit.
[[nodiscard]] std::optional<model::sex> rnokpp_sex(std::string_view rnokpp) noexcept;

/// Builds a valid РНОКПП: the day count of `birth` (digits 1–5), then the four digits
/// `2·sequence + (sex == male ? 1 : 0)` (digits 6–9, so the 9th digit carries the sex), then
/// the check digit. `sequence` must be in 0..4999; `birth` must be a valid date in
/// 1900-01-01..2173-10-14 (day counts 1..99999). `std::nullopt` otherwise.
/// The inverse of `rnokpp_birth_date` and `rnokpp_sex`; used by the synthetic generator.
[[nodiscard]] std::optional<std::string> make_rnokpp(model::date birth, model::sex sex,
                                                     int sequence);

/// The ЄДРПОУ check digit (the 8th digit) computed from the first seven digits `first7`, by the
/// classifier's published method: weights 1..7, or 7,1,2,3,4,5,6 when `first7` is in
/// 3000000..5999999 (the full code in 30000000..59999999); S = Σ w·d; if S mod 11 < 10 that is
/// the digit, otherwise every weight is increased by 2 and S recomputed; if S mod 11 is 10 again
/// the digit is 0.
///
/// Note: python-stdnum 1.18 (`stdnum.ua.edrpou`) differs in exactly that last case: it treats
/// such codes as having no valid check digit and rejects all of them. `std::nullopt` unless
/// `first7` is exactly seven ASCII digits.
[[nodiscard]] std::optional<int> edrpou_check_digit(std::string_view first7) noexcept;

/// True when `edrpou` is eight ASCII digits and the last one is the check digit of the first seven.
[[nodiscard]] bool edrpou_check_digit_matches(std::string_view edrpou) noexcept;

/// The УНЗР check digit over its twelve leading digits (`YYYYMMDD` followed by `NNNN`, without
/// the hyphen): weights 7, 3, 1 repeating, sum mod 10 (the machine-readable-zone method). The
/// method is believed, not confirmed, to be the register's: treat a mismatch as a warning.
/// Does not check that the date exists. `std::nullopt` unless `first12` is twelve ASCII digits.
[[nodiscard]] std::optional<int> unzr_check_digit(std::string_view first12) noexcept;

/// True when `unzr` has the shape `YYYYMMDD-NNNNC` (8 digits, `-`, 5 digits) and `C` is the check
/// digit of the other twelve digits. Does not check that the date exists.
[[nodiscard]] bool unzr_check_digit_matches(std::string_view unzr) noexcept;

} // namespace aikom::check

#endif
