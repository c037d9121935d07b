#include <aikom/check/identifiers.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>

// Check-digit vectors: the examples in python-stdnum 1.18's docstrings and values worked out by
// hand from DOMAIN.md (the arithmetic is in check_digits_test.cpp). Everything else is
// synthetic. The validators are also compared with python-stdnum on 240,000+ inputs by
// tests/differential/stdnum_diff.cpp.

using aikom::check::id_error;
using namespace aikom::check;

namespace {

using opt = std::optional<std::string>;

} // namespace

TEST_SUITE("identifiers")
{
    TEST_CASE("id_error names")
    {
        CHECK(to_string(id_error::ok) == "ok");
        CHECK(to_string(id_error::empty) == "empty");
        CHECK(to_string(id_error::length) == "length");
        CHECK(to_string(id_error::character) == "character");
        CHECK(to_string(id_error::format) == "format");
        CHECK(to_string(id_error::check_digit) == "check_digit");
        CHECK(to_string(id_error::date) == "date");
        CHECK(to_string(id_error::sequence) == "sequence");
        CHECK(to_string(id_error::mixed_script) == "mixed_script");
        CHECK(to_string(id_error::latin) == "latin");
        CHECK(to_string(id_error::non_ukrainian_letter) == "non_ukrainian_letter");
    }

    TEST_CASE("РНОКПП")
    {
        CHECK(validate_rnokpp("1759013776") == id_error::ok); // stdnum's example
        CHECK(validate_rnokpp("1759013770") == id_error::check_digit);
        // Negative weighted sums: S = -9 → 2; S = -1 → 10 → 0; S = -3 → 8.
        CHECK(validate_rnokpp("9000000002") == id_error::ok);
        CHECK(validate_rnokpp("9000000009") == id_error::check_digit);
        CHECK(validate_rnokpp("1000000000") == id_error::ok);
        CHECK(validate_rnokpp("3000000008") == id_error::ok);
        // Leading zeros are digits, not padding.
        CHECK(validate_rnokpp("0123456781") == id_error::ok);
        CHECK(validate_rnokpp("0000000000") == id_error::ok);
        CHECK(validate_rnokpp("123456781") == id_error::length);

        CHECK(validate_rnokpp("") == id_error::empty);
        CHECK(validate_rnokpp("175901377") == id_error::length);
        CHECK(validate_rnokpp("17590137766") == id_error::length);
        CHECK(validate_rnokpp("175901377a") == id_error::character);
        CHECK(validate_rnokpp(" 1759013776") == id_error::character); // validators don't trim
        CHECK(validate_rnokpp("1759 013776") == id_error::character);
        CHECK(validate_rnokpp("１７５９０１３７７６") == id_error::character); // full-width
    }

    TEST_CASE("ЄДРПОУ")
    {
        // stdnum's example; 30000000..59999999 uses the weights 7,1,2,3,4,5,6.
        CHECK(validate_edrpou("32855961") == id_error::ok);
        CHECK(validate_edrpou("32855968") == id_error::check_digit);
        // Weights 1..7, leading zeros.
        CHECK(validate_edrpou("00000017") == id_error::ok);
        CHECK(validate_edrpou("00000010") == id_error::check_digit);
        // The weight sets switch exactly at 30000000 and 60000000.
        CHECK(validate_edrpou("29999993") == id_error::ok);
        CHECK(validate_edrpou("30000005") == id_error::ok);
        CHECK(validate_edrpou("59999994") == id_error::ok);
        CHECK(validate_edrpou("60000006") == id_error::ok);
        CHECK(validate_edrpou("30000003") == id_error::check_digit); // the 1..7 digit
        // Second pass (weights + 2), with both weight sets.
        CHECK(validate_edrpou("00019941") == id_error::ok);
        CHECK(validate_edrpou("30049582") == id_error::ok);
        // Remainder 10 on both passes: the check digit is 0 (python-stdnum rejects these).
        CHECK(validate_edrpou("00428710") == id_error::ok);
        CHECK(validate_edrpou("00428711") == id_error::check_digit);
        CHECK(validate_edrpou("30298830") == id_error::ok);

        CHECK(validate_edrpou("") == id_error::empty);
        CHECK(validate_edrpou("3285596") == id_error::length);
        CHECK(validate_edrpou("328559610") == id_error::length);
        CHECK(validate_edrpou("3285596 1") == id_error::character);
        CHECK(validate_edrpou("UA328559") == id_error::character);
    }

    TEST_CASE("УНЗР")
    {
        // 7-3-1 over 201901010001 = 83 → 3.
        CHECK(validate_unzr("20190101-00013") == id_error::ok);
        CHECK(validate_unzr("20190101-00014") == id_error::check_digit);
        CHECK(validate_unzr("20231231-99994") == id_error::ok);
        CHECK(validate_unzr("20240229-00018") == id_error::ok); // leap day

        // The date must exist (checked before the check digit, which is right for each).
        CHECK(validate_unzr("20230229-00011") == id_error::date);
        CHECK(validate_unzr("20231301-00017") == id_error::date);
        CHECK(validate_unzr("20190431-00017") == id_error::date);
        CHECK(validate_unzr("20190132-00017") == id_error::date);
        CHECK(validate_unzr("20190001-00018") == id_error::date);
        CHECK(validate_unzr("09990101-00014") == id_error::date); // years 1000..9999

        // Sequence 0001..9999; 0000 is out of range whatever the check digit.
        CHECK(validate_unzr("20190101-00002") == id_error::sequence);
        CHECK(validate_unzr("20190101-00009") == id_error::sequence);

        CHECK(validate_unzr("") == id_error::empty);
        CHECK(validate_unzr("20190101-0001") == id_error::length);
        CHECK(validate_unzr("20190101-000134") == id_error::length);
        CHECK(validate_unzr("2019010100013") == id_error::format);     // hyphen missing
        CHECK(validate_unzr("201901010-0013") == id_error::format);    // hyphen misplaced
        CHECK(validate_unzr("20190101--00013") == id_error::format);   // doubled
        CHECK(validate_unzr("20190101–00013") == id_error::character); // en dash
        CHECK(validate_unzr("2019O101-00013") == id_error::character); // letter O
        CHECK(validate_unzr("20190101 00013") == id_error::character);
    }

    TEST_CASE("КАТОТТГ")
    {
        CHECK(validate_katottg("UA80000000000093317") == id_error::ok);
        CHECK(validate_katottg("UA00000000000000000") == id_error::ok);

        CHECK(validate_katottg("") == id_error::empty);
        CHECK(validate_katottg("ua80000000000093317") == id_error::format);
        CHECK(validate_katottg("80000000000093317") == id_error::format); // no prefix
        CHECK(validate_katottg("UK80000000000093317") == id_error::format);
        CHECK(validate_katottg("UA8000000000009331") == id_error::length);
        CHECK(validate_katottg("UA800000000000933170") == id_error::length);
        CHECK(validate_katottg("UA") == id_error::length);
        CHECK(validate_katottg("UA 80000000000093317") == id_error::character);
        CHECK(validate_katottg("UA8000000000009331X") == id_error::character);
        CHECK(validate_katottg("УА80000000000093317") == id_error::character); // Cyrillic
    }

    TEST_CASE("country code")
    {
        CHECK(validate_country_code("UA") == id_error::ok);
        CHECK(validate_country_code("PL") == id_error::ok);

        CHECK(validate_country_code("") == id_error::empty);
        CHECK(validate_country_code("ua") == id_error::format);
        CHECK(validate_country_code("Ua") == id_error::format);
        CHECK(validate_country_code("UKR") == id_error::length);
        CHECK(validate_country_code("U") == id_error::length);
        CHECK(validate_country_code("U1") == id_error::character);
        CHECK(validate_country_code("УК") == id_error::character);
        CHECK(validate_country_code(" UA") == id_error::character);
    }

    TEST_CASE("certificate series: valid")
    {
        CHECK(validate_certificate_series("I-КВ") == id_error::ok);
        CHECK(validate_certificate_series("II-БК") == id_error::ok);
        CHECK(validate_certificate_series("IV-ЄЇ") == id_error::ok);
        CHECK(validate_certificate_series("IX-ІҐ") == id_error::ok);
        CHECK(validate_certificate_series("XII-БК") == id_error::ok);
        CHECK(validate_certificate_series("XIV-АЯ") == id_error::ok);
        CHECK(validate_certificate_series("XXXIX-ЯА") == id_error::ok);
        // Every numeral 1..39 in standard form, and nothing else of the same letters.
        const char* numerals[] = {"I",    "II",     "III", "IV",    "V",       "VI",   "VII",
                                  "VIII", "IX",     "X",   "XI",    "XIV",     "XIX",  "XX",
                                  "XXIV", "XXVIII", "XXX", "XXXIV", "XXXVIII", "XXXIX"};
        for (const char* n : numerals) {
            CAPTURE(n);
            CHECK(validate_certificate_series(std::string{n} + "-КВ") == id_error::ok);
        }
    }

    TEST_CASE("certificate series: invalid")
    {
        CHECK(validate_certificate_series("") == id_error::empty);
        // Not standard Roman numerals 1..39.
        CHECK(validate_certificate_series("IIII-КВ") == id_error::format);
        CHECK(validate_certificate_series("VV-КВ") == id_error::format);
        CHECK(validate_certificate_series("VX-КВ") == id_error::format);
        CHECK(validate_certificate_series("IIV-КВ") == id_error::format);
        CHECK(validate_certificate_series("XXXX-КВ") == id_error::format);
        CHECK(validate_certificate_series("IXI-КВ") == id_error::format);
        CHECK(validate_certificate_series("IC-КВ") == id_error::character); // C is never used
        CHECK(validate_certificate_series("XL-КВ") == id_error::character);
        // Hyphen missing, doubled or a dash.
        CHECK(validate_certificate_series("IIБК") == id_error::format);
        CHECK(validate_certificate_series("I--КВ") == id_error::format);
        CHECK(validate_certificate_series("-КВ") == id_error::format);
        CHECK(validate_certificate_series("II–БК") == id_error::character);
        CHECK(validate_certificate_series("I-КВ ") == id_error::character);
        // Letter part: exactly two Cyrillic capitals of А..Я, Є, І, Ї, Ґ.
        CHECK(validate_certificate_series("I-К") == id_error::length);
        CHECK(validate_certificate_series("I-КВК") == id_error::length);
        CHECK(validate_certificate_series("I-") == id_error::length);
        CHECK(validate_certificate_series("I-кв") == id_error::character);
        CHECK(validate_certificate_series("I-KB") == id_error::character); // Latin
        CHECK(validate_certificate_series("I-IК") == id_error::character); // Latin I
        CHECK(validate_certificate_series("I-ЁК") == id_error::character);
        CHECK(validate_certificate_series("I-1В") == id_error::character);
        // Look-alikes in the Roman part.
        CHECK(validate_certificate_series("І-КВ") == id_error::character); // Cyrillic І
        CHECK(validate_certificate_series("Х-КВ") == id_error::character); // Cyrillic Х
        CHECK(validate_certificate_series("i-КВ") == id_error::character);
        CHECK(validate_certificate_series("1-КВ") == id_error::character);
        CHECK(validate_certificate_series("Ⅱ-БК") == id_error::character);
        CHECK(validate_certificate_series("I-К\xFF") == id_error::character); // bad UTF-8
    }

    TEST_CASE("certificate series: normalisation")
    {
        CHECK(normalize_certificate_series("i-кв") == opt{"I-КВ"});
        CHECK(normalize_certificate_series("І-КВ") == opt{"I-КВ"}); // Cyrillic І
        CHECK(normalize_certificate_series("і-КВ") == opt{"I-КВ"});
        CHECK(normalize_certificate_series("Х-КВ") == opt{"X-КВ"}); // Cyrillic Х
        CHECK(normalize_certificate_series("ХІ-КВ") == opt{"XI-КВ"});
        CHECK(normalize_certificate_series("1-КВ") == opt{"I-КВ"});
        CHECK(normalize_certificate_series("1I-КВ") == opt{"II-КВ"});
        CHECK(normalize_certificate_series("111-КВ") == opt{"III-КВ"});
        CHECK(normalize_certificate_series("II–БК") == opt{"II-БК"});   // en dash
        CHECK(normalize_certificate_series("II—БК") == opt{"II-БК"});   // em dash
        CHECK(normalize_certificate_series("II − БК") == opt{"II-БК"}); // minus sign
        CHECK(normalize_certificate_series("II‑БК") == opt{"II-БК"});   // non-breaking hyphen
        CHECK(normalize_certificate_series("II — БК") == opt{"II-БК"});
        CHECK(normalize_certificate_series("ІІ-БK") == opt{"II-БК"}); // Cyrillic ІІ, Latin K
        CHECK(normalize_certificate_series("Ⅱ-БК") == opt{"II-БК"});  // U+2161
        CHECK(normalize_certificate_series("ⅻ-аб") == opt{"XII-АБ"}); // U+217B
        CHECK(normalize_certificate_series("XⅡ-БК") == opt{"XII-БК"});
        CHECK(normalize_certificate_series("IIБК") == opt{"II-БК"});
        CHECK(normalize_certificate_series("II БК") == opt{"II-БК"});
        CHECK(normalize_certificate_series("XIVАХ") == opt{"XIV-АХ"});
        CHECK(normalize_certificate_series(" I - КВ ") == opt{"I-КВ"});
        CHECK(normalize_certificate_series("I\u00A0-\u00A0КВ") == opt{"I-КВ"}); // no-break
        CHECK(normalize_certificate_series("x-ab") == opt{"X-АВ"});
        CHECK(normalize_certificate_series("I-HT") == opt{"I-НТ"});
        CHECK(normalize_certificate_series("I-єї") == opt{"I-ЄЇ"});
        CHECK(normalize_certificate_series("I-ґі") == opt{"I-ҐІ"});
        CHECK(normalize_certificate_series("XXXIX-ям") == opt{"XXXIX-ЯМ"});
    }

    TEST_CASE("certificate series: normalisation refuses what it cannot be sure of")
    {
        CHECK(normalize_certificate_series("I-КВ") == std::nullopt); // already canonical
        CHECK(normalize_certificate_series("XII-БК") == std::nullopt);
        CHECK(normalize_certificate_series("") == std::nullopt);
        CHECK(normalize_certificate_series("Z-КВ") == std::nullopt);
        CHECK(normalize_certificate_series("I-КВК") == std::nullopt);
        CHECK(normalize_certificate_series("I-К") == std::nullopt);
        CHECK(normalize_certificate_series("I-1В") == std::nullopt); // 1 → I only in the numeral
        CHECK(normalize_certificate_series("I-ZB") == std::nullopt);
        CHECK(normalize_certificate_series("IIII-КВ") == std::nullopt);
        CHECK(normalize_certificate_series("iiii-кв") == std::nullopt);
        CHECK(normalize_certificate_series("L-КВ") == std::nullopt); // 50 is out of range
        CHECK(normalize_certificate_series("С-КВ") == std::nullopt); // Cyrillic С → C = 100
        CHECK(normalize_certificate_series("ⅩⅩⅩⅩ-КВ") == std::nullopt);
        CHECK(normalize_certificate_series("2-КВ") == std::nullopt);  // Arabic numbers stay
        CHECK(normalize_certificate_series("11-КВ") == std::nullopt); // II or eleven?
        CHECK(normalize_certificate_series("I-ёж") == std::nullopt);  // Ё is not allowed
        CHECK(normalize_certificate_series("I--КВ") == std::nullopt);
        CHECK(normalize_certificate_series("I-К-В") == std::nullopt);
        // Without a hyphen the split must be unambiguous.
        CHECK(normalize_certificate_series("IIІК") == std::nullopt); // II-ІК or III-К?
        CHECK(normalize_certificate_series("IIК") == std::nullopt);
        CHECK(normalize_certificate_series("IК") == std::nullopt);
        CHECK(normalize_certificate_series("I-К\xFF") == std::nullopt); // bad UTF-8
    }

    TEST_CASE("certificate number")
    {
        CHECK(validate_certificate_number("123456") == id_error::ok);
        CHECK(validate_certificate_number("000001") == id_error::ok);
        CHECK(validate_certificate_number("") == id_error::empty);
        CHECK(validate_certificate_number("12345") == id_error::length);
        CHECK(validate_certificate_number("1234567") == id_error::length);
        CHECK(validate_certificate_number("12345a") == id_error::character);
        CHECK(validate_certificate_number("123 456") == id_error::character);
        CHECK(validate_certificate_number("№123456") == id_error::character);
    }

    TEST_CASE("IDP certificate number")
    {
        CHECK(validate_idp_certificate_number("1234-5678901234") == id_error::ok);
        CHECK(validate_idp_certificate_number("0000001234") == id_error::ok);
        CHECK(validate_idp_certificate_number("АБ/123") == id_error::ok);
        CHECK(validate_idp_certificate_number("ab-12/3") == id_error::ok);
        CHECK(validate_idp_certificate_number("ЇҐ7") == id_error::ok);
        CHECK(validate_idp_certificate_number("7") == id_error::ok);
        // 32 characters is the limit, counted in characters, not bytes.
        CHECK(validate_idp_certificate_number(std::string(32, '1')) == id_error::ok);
        CHECK(validate_idp_certificate_number(std::string(33, '1')) == id_error::length);
        std::string cyrillic = "1";
        for (int i = 0; i < 31; ++i) {
            cyrillic += "Д";
        }
        CHECK(validate_idp_certificate_number(cyrillic) == id_error::ok);
        CHECK(validate_idp_certificate_number(cyrillic + "Д") == id_error::length);

        CHECK(validate_idp_certificate_number("") == id_error::empty);
        CHECK(validate_idp_certificate_number("ВПО") == id_error::format); // no digit
        CHECK(validate_idp_certificate_number("--/") == id_error::format);
        CHECK(validate_idp_certificate_number("12 34") == id_error::character);
        CHECK(validate_idp_certificate_number("№1234") == id_error::character);
        CHECK(validate_idp_certificate_number("12.34") == id_error::character);
        CHECK(validate_idp_certificate_number("12\xFF") == id_error::character);
    }

    TEST_CASE("phone: validation")
    {
        CHECK(validate_phone("+380501234567") == id_error::ok);
        CHECK(validate_phone("+48123456789") == id_error::ok);
        CHECK(validate_phone("+1234567") == id_error::ok);         // 7 digits
        CHECK(validate_phone("+123456789012345") == id_error::ok); // 15 digits

        CHECK(validate_phone("") == id_error::empty);
        CHECK(validate_phone("+123456") == id_error::length);
        CHECK(validate_phone("+1234567890123456") == id_error::length);
        CHECK(validate_phone("+") == id_error::length);
        CHECK(validate_phone("+0123456789") == id_error::format);
        CHECK(validate_phone("+380012345678") == id_error::format); // 0 after +380
        // +380 numbers must be Ukrainian numbers, not "foreign" ones of another length.
        CHECK(validate_phone("+38050123456") == id_error::length);
        CHECK(validate_phone("+3805012345678") == id_error::length);
        CHECK(validate_phone("0501234567") == id_error::format);
        CHECK(validate_phone("380501234567") == id_error::format);
        CHECK(validate_phone("38+0501234567") == id_error::format);
        CHECK(validate_phone("+38 050 123 45 67") == id_error::character);
        CHECK(validate_phone("+38(050)1234567") == id_error::character);
    }

    TEST_CASE("phone: normalisation")
    {
        CHECK(normalize_phone("0501234567") == opt{"+380501234567"});
        CHECK(normalize_phone("380501234567") == opt{"+380501234567"});
        CHECK(normalize_phone("+38 (050) 123-45-67") == opt{"+380501234567"});
        CHECK(normalize_phone("+48 123 456 789") == opt{"+48123456789"});
        CHECK(normalize_phone("(050) 123.45.67") == opt{"+380501234567"});
        CHECK(normalize_phone("050\u00A0123\u00A045\u00A067") == opt{"+380501234567"});
        CHECK(normalize_phone("38 050 123 45 67") == opt{"+380501234567"});

        CHECK(normalize_phone("+380501234567") == std::nullopt); // already canonical
        CHECK(normalize_phone("050123456") == std::nullopt);     // too short
        CHECK(normalize_phone("05012345678") == std::nullopt);   // too long
        CHECK(normalize_phone("501234567") == std::nullopt);     // national 0 missing
        CHECK(normalize_phone("80501234567") == std::nullopt);
        CHECK(normalize_phone("+380 050 123 45 67") == std::nullopt); // +3800…: 13 digits
        CHECK(normalize_phone("+0 123 4567") == std::nullopt);
        CHECK(normalize_phone("+12 34") == std::nullopt);
        CHECK(normalize_phone("tel. 0501234567") == std::nullopt);
        CHECK(normalize_phone("050-123-45-67 доп. 2") == std::nullopt);
        CHECK(normalize_phone("") == std::nullopt);
        CHECK(normalize_phone("050\xFF"
                              "1234567") == std::nullopt);
    }

    TEST_CASE("name part: validation")
    {
        CHECK(validate_name_part("Шевченко") == id_error::ok);
        CHECK(validate_name_part("Ірина") == id_error::ok);
        CHECK(validate_name_part("Ґудзь") == id_error::ok);
        CHECK(validate_name_part("Їжакевич") == id_error::ok);
        CHECK(validate_name_part("Єва") == id_error::ok);
        CHECK(validate_name_part("Мар'яна") == id_error::ok);
        CHECK(validate_name_part("Марія-Олена") == id_error::ok);
        CHECK(validate_name_part("Анна Марія") == id_error::ok);
        CHECK(validate_name_part("ЩУР") == id_error::ok);
        CHECK(validate_name_part("я") == id_error::ok);

        CHECK(validate_name_part("") == id_error::empty);

        CHECK(validate_name_part("Ольга1") == id_error::character);
        CHECK(validate_name_part("Ольга!") == id_error::character);
        CHECK(validate_name_part("Ольга.") == id_error::character);
        CHECK(validate_name_part("Мар’яна") == id_error::character); // U+2019: normalise first
        CHECK(validate_name_part("Ольга\tМарія") == id_error::character);
        CHECK(validate_name_part("Анна\u00A0Марія") == id_error::character);
        CHECK(validate_name_part("Ольга\xFF") == id_error::character);
        CHECK(validate_name_part("Марія–Олена") == id_error::character); // en dash
        CHECK(validate_name_part("Ольга1 ") == id_error::character);     // character comes first

        CHECK(validate_name_part(" Ольга") == id_error::format);
        CHECK(validate_name_part("Ольга ") == id_error::format);
        CHECK(validate_name_part("Анна  Марія") == id_error::format);
        CHECK(validate_name_part("Марія--Олена") == id_error::format);
        CHECK(validate_name_part("Марія- Олена") == id_error::format);
        CHECK(validate_name_part("-Ольга") == id_error::format);
        CHECK(validate_name_part("Ольга-") == id_error::format);
        CHECK(validate_name_part("'Ольга") == id_error::format);
        CHECK(validate_name_part("Ольга'") == id_error::format);
        CHECK(validate_name_part("Мар''яна") == id_error::format);
        CHECK(validate_name_part("Мар'-яна") == id_error::format);
        CHECK(validate_name_part("-") == id_error::format);
        CHECK(validate_name_part(" ") == id_error::format);
        CHECK(validate_name_part("Ольгa ") == id_error::format); // format before mixed script

        CHECK(validate_name_part("Ольгa") == id_error::mixed_script); // Latin a
        CHECK(validate_name_part("Iван") == id_error::mixed_script);  // Latin I
        CHECK(validate_name_part("Sвітлана") == id_error::mixed_script);
        CHECK(validate_name_part("Анна Марiя") == id_error::mixed_script);
        CHECK(validate_name_part("Мüller") == id_error::mixed_script);

        CHECK(validate_name_part("Olga") == id_error::latin);
        CHECK(validate_name_part("O'Brien") == id_error::latin);
        CHECK(validate_name_part("Anna-Maria") == id_error::latin);
        CHECK(validate_name_part("Müller") == id_error::latin);
        CHECK(validate_name_part("Łukasz") == id_error::latin);
        // A Latin word beside a Cyrillic one is not mixed inside a word: a warning, not an error.
        CHECK(validate_name_part("Anna Марія") == id_error::latin);

        CHECK(validate_name_part("Пётр") == id_error::non_ukrainian_letter);
        CHECK(validate_name_part("Эмма") == id_error::non_ukrainian_letter);
        CHECK(validate_name_part("Добрынин") == id_error::non_ukrainian_letter);
        CHECK(validate_name_part("Подъячев") == id_error::non_ukrainian_letter);
        CHECK(validate_name_part("Саўка") == id_error::non_ukrainian_letter); // Belarusian ў
    }

    TEST_CASE("name part: normalisation")
    {
        CHECK(normalize_name_part("  Ольга  ") == opt{"Ольга"});
        CHECK(normalize_name_part("Анна   Марія") == opt{"Анна Марія"});
        CHECK(normalize_name_part("\tАнна\u00A0Марія ") == opt{"Анна Марія"});
        CHECK(normalize_name_part("Мар’яна") == opt{"Мар'яна"}); // U+2019
        CHECK(normalize_name_part("Марʼяна") == opt{"Мар'яна"}); // U+02BC
        CHECK(normalize_name_part("Мар‘яна") == opt{"Мар'яна"}); // U+2018
        CHECK(normalize_name_part("Мар`яна") == opt{"Мар'яна"});
        CHECK(normalize_name_part("Мар´яна") == opt{"Мар'яна"}); // U+00B4
        CHECK(normalize_name_part("Ольгa") == opt{"Ольга"});     // Latin a
        CHECK(normalize_name_part("Iван") == opt{"Іван"});       // Latin I → Cyrillic І
        CHECK(normalize_name_part("iрина") == opt{"ірина"});     // case kept
        CHECK(normalize_name_part("Hаталія") == opt{"Наталія"});
        CHECK(normalize_name_part("Пeтpeнкo") == opt{"Петренко"});
        CHECK(normalize_name_part("ТKАЧ") == opt{"ТКАЧ"});
        CHECK(normalize_name_part("Юpчyк") == opt{"Юрчук"});
        CHECK(normalize_name_part("Kpaвчeнкo") == opt{"Кравченко"});
        CHECK(normalize_name_part("Mар’янa") == opt{"Мар'яна"});
        CHECK(normalize_name_part("Марія-Oлена") == opt{"Марія-Олена"});
        // Only the mixed word changes; a word wholly in Latin letters is never touched.
        CHECK(normalize_name_part("Anna-Марiя") == opt{"Anna-Марія"});
        CHECK(normalize_name_part("Olga  Ivanova") == opt{"Olga Ivanova"});
        // A fix that leaves another problem is still a fix.
        CHECK(normalize_name_part(" Ольга1") == opt{"Ольга1"});

        CHECK(normalize_name_part("Ольга") == std::nullopt); // already canonical
        CHECK(normalize_name_part("Olga") == std::nullopt);
        CHECK(normalize_name_part("COXA") == std::nullopt);     // Latin only, even with twins
        CHECK(normalize_name_part("Sвітлана") == std::nullopt); // S has no Cyrillic twin
        CHECK(normalize_name_part("Ivanoв") == std::nullopt);   // neither has v
        CHECK(normalize_name_part("Ibан") == std::nullopt);     // b is not in the table
        CHECK(normalize_name_part("Oл1га") == std::nullopt);    // a digit: not sure
        CHECK(normalize_name_part("Пётр") == std::nullopt);
        CHECK(normalize_name_part("Ольга1") == std::nullopt);
        CHECK(normalize_name_part("Марія - Олена") == std::nullopt);
        CHECK(normalize_name_part("") == std::nullopt);
        CHECK(normalize_name_part("   ") == std::nullopt);
        CHECK(normalize_name_part("Ольгa\xFF") == std::nullopt);
    }

    TEST_CASE("normalisers' results pass the validators")
    {
        for (const char* series : {"i-кв", "ІІ-БK", "Ⅱ-БК", "IIБК", " I - КВ ", "x-ab"}) {
            CAPTURE(series);
            const auto fixed = normalize_certificate_series(series);
            REQUIRE(fixed);
            CHECK(validate_certificate_series(*fixed) == id_error::ok);
        }
        for (const char* phone : {"0501234567", "380501234567", "+48 123 456 789"}) {
            CAPTURE(phone);
            const auto fixed = normalize_phone(phone);
            REQUIRE(fixed);
            CHECK(validate_phone(*fixed) == id_error::ok);
        }
        for (const char* name : {" Мар’яна ", "Пeтpeнкo", "Анна  Марiя"}) {
            CAPTURE(name);
            const auto fixed = normalize_name_part(name);
            REQUIRE(fixed);
            CHECK(validate_name_part(*fixed) == id_error::ok);
        }
    }
}

TEST_CASE("series letters are Ukrainian: Ъ, Ы, Э are refused")
{
    using aikom::check::id_error;
    CHECK(aikom::check::validate_certificate_series("I-ЫЭ") == id_error::character);
    CHECK(aikom::check::validate_certificate_series("I-КЪ") == id_error::character);
    CHECK(aikom::check::validate_certificate_series("I-ЇҐ") == id_error::ok);
}
