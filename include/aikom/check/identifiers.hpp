#ifndef AIKOM_CHECK_IDENTIFIERS_HPP
#define AIKOM_CHECK_IDENTIFIERS_HPP

/// @file
/// Validators and normalisers for the identifiers and names a child record carries.
///
/// Validators are pure functions: they never allocate, never throw and are safe from any
/// thread. Each says whether its input is valid *as written* (the canonical form) and, if not,
/// why (`id_error`). They do not trim or otherwise change their input: that is what the
/// normalisers are for.
///
/// Normalisers return a corrected value only when they are sure of it, and only when it differs
/// from the input. They never invent data: a value they cannot fix with certainty comes back as
/// `std::nullopt`, and the validator's verdict stands. The record rules (`rules.hpp`) turn both
/// into issues: a normaliser's result becomes a `fix` with the old and the new value.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aikom::check {

/// Why a value is not valid.
enum class id_error : std::uint8_t {
    ok,                   ///< valid as written
    empty,                ///< nothing there
    length,               ///< wrong number of characters or digits
    character,            ///< a character that may not appear there
    format,               ///< the parts are there but not in the required shape
    check_digit,          ///< the check digit does not match
    date,                 ///< an embedded date that does not exist
    sequence,             ///< an embedded sequence number out of range (УНЗР 0000)
    mixed_script,         ///< Latin and Cyrillic letters inside one word
    latin,                ///< a name written in Latin letters only
    non_ukrainian_letter, ///< a Cyrillic letter not of the Ukrainian alphabet (ы, э, ъ, ё)
};

[[nodiscard]] std::string_view to_string(id_error e) noexcept;

// ---- identifiers ----------------------------------------------------------------------------

/// РНОКПП: exactly 10 ASCII digits whose last is the check digit (DOMAIN.md).
[[nodiscard]] id_error validate_rnokpp(std::string_view text) noexcept;

/// ЄДРПОУ: exactly 8 ASCII digits whose last is the check digit by the classifier's method
/// (including check digit 0 when the second weight pass leaves remainder 10 again).
[[nodiscard]] id_error validate_edrpou(std::string_view text) noexcept;

/// УНЗР: `YYYYMMDD-NNNNC`, a date that exists, a sequence 0001..9999 and the 7-3-1 check digit.
/// The check-digit method is not confirmed on real numbers: the rules treat `check_digit` as a
/// warning.
[[nodiscard]] id_error validate_unzr(std::string_view text) noexcept;

/// КАТОТТГ: `UA` followed by exactly 17 ASCII digits (no check digit is known).
[[nodiscard]] id_error validate_katottg(std::string_view text) noexcept;

/// ISO 3166-1 alpha-2 shape: two ASCII capital letters.
[[nodiscard]] id_error validate_country_code(std::string_view text) noexcept;

// ---- documents --------------------------------------------------------------------------------

/// Series of a Ukrainian birth certificate in canonical form: a Roman numeral 1..39 in Latin
/// capitals (I, V, X, in standard subtractive form), a hyphen-minus, two capital letters of the
/// Ukrainian alphabet (А..Я without Ъ Ы Э, with Є І Ї Ґ). E.g. `I-КВ`, `XII-БК`. The letter pair
/// is not checked against a list: no public list exists.
[[nodiscard]] id_error validate_certificate_series(std::string_view text) noexcept;

/// Number of a Ukrainian birth certificate: exactly 6 ASCII digits.
[[nodiscard]] id_error validate_certificate_number(std::string_view text) noexcept;

/// Number of an IDP certificate (довідка ВПО). Loose, because its format changed over time:
/// 1..32 characters of ASCII digits, Latin or Cyrillic letters, `-` and `/`, at least one digit.
[[nodiscard]] id_error validate_idp_certificate_number(std::string_view text) noexcept;

/// The canonical series for `text` when it can be derived with certainty and differs from
/// `text`: spaces removed; en dash, em dash, minus sign and other dashes → `-`; a missing hyphen
/// inserted between the Roman and the Cyrillic part; in the Roman part Cyrillic `І`/`Х`/`С`
/// (either case), Latin lower case, the digit `1` and Unicode Roman numerals (Ⅰ..Ⅻ, ⅰ..ⅻ) → Latin
/// capitals; in the letter part Latin look-alikes (A B C E H I K M O P T X, either case) →
/// Cyrillic, lower case → upper case. The result must pass `validate_certificate_series`;
/// otherwise `std::nullopt`.
[[nodiscard]] std::optional<std::string> normalize_certificate_series(std::string_view text);

// ---- phones -----------------------------------------------------------------------------------

/// Canonical phone: `+380` and 9 digits, the first of them not 0 (Ukraine), or `+` and 7..15
/// digits not starting with 0 (a foreign E.164 number, for families abroad). A number that
/// starts with `+380` always follows the Ukrainian rule.
[[nodiscard]] id_error validate_phone(std::string_view text) noexcept;

/// The canonical phone for `text` when certain and different: spaces, `-`, `.`, `(`, `)`
/// removed; `0XXXXXXXXX` (10 digits) and `380XXXXXXXXX` (12 digits) → `+380XXXXXXXXX`;
/// `+…` kept. The result must pass `validate_phone`; otherwise `std::nullopt`.
[[nodiscard]] std::optional<std::string> normalize_phone(std::string_view text);

// ---- names ------------------------------------------------------------------------------------

/// The apostrophe a normalised name uses (ASCII U+0027). Its look-alikes ’ ʼ ‘ ` ´ become it.
inline constexpr std::string_view canonical_apostrophe = "'";

/// One part of a person's name (last, first or patronymic), canonical form: words of Ukrainian
/// letters joined by single hyphens or single spaces, an apostrophe only between two letters,
/// no leading or trailing space. Returns `mixed_script` for a word mixing Latin and Cyrillic,
/// `latin` for a name entirely in Latin letters (allowed, but AIKOM expects Ukrainian spelling;
/// the rules make it a warning), `non_ukrainian_letter` for ы э ъ ё (a warning), `character`
/// for digits and other symbols, `format` for doubled or misplaced separators.
[[nodiscard]] id_error validate_name_part(std::string_view text) noexcept;

/// The canonical name part for `text` when certain and different: leading, trailing and
/// repeated spaces removed; apostrophe look-alikes → `canonical_apostrophe`; a word mixing
/// scripts whose Latin letters all have Cyrillic twins (A a B C c E e H I i K k M O o P p T X x
/// y) and whose other letters are Cyrillic → the Cyrillic spelling. Never changes case and
/// never touches a word written wholly in Latin letters. `std::nullopt` when nothing certain
/// can be done.
[[nodiscard]] std::optional<std::string> normalize_name_part(std::string_view text);

} // namespace aikom::check

#endif
