#include <aikom/check/check_digits.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>

// Reference values: the examples in python-stdnum 1.18's `stdnum.ua.rntrc` and
// `stdnum.ua.edrpou` docstrings, and values computed by hand from DOMAIN.md (the arithmetic is
// written next to them). The implementation was also compared with python-stdnum 1.18 on all
// 10^7 ЄДРПОУ prefixes (equal except for the 82,646 prefixes whose remainder is 10 twice: the
// method gives 0, stdnum accepts no check digit) and on 100,000 random РНОКПП plus all 30
// prefixes whose weighted sum is negative.

using namespace aikom;
using namespace std::chrono;

namespace {

model::date ymd(int y, unsigned m, unsigned d)
{
    return model::date{year{y}, month{m}, day{d}};
}

} // namespace

TEST_SUITE("check_digits")
{
    TEST_CASE("РНОКПП check digit: published example")
    {
        CHECK(check::rnokpp_check_digit("175901377") == 6);
        CHECK(check::rnokpp_check_digit_matches("1759013776"));
        CHECK_FALSE(check::rnokpp_check_digit_matches("1759013770"));
    }

    TEST_CASE("РНОКПП check digit: negative intermediate sums use a non-negative modulo")
    {
        // S = -9 → -9 mod 11 = 2 (C++ `%` would give -9).
        CHECK(check::rnokpp_check_digit("900000000") == 2);
        CHECK(check::rnokpp_check_digit_matches("9000000002"));
        // S = -1 → 10 → 10 mod 10 = 0.
        CHECK(check::rnokpp_check_digit("100000000") == 0);
        // S = -3 → 8.
        CHECK(check::rnokpp_check_digit("300000000") == 8);
        // S = -9 + 4·2 = -1 → 0.
        CHECK(check::rnokpp_check_digit("900020000") == 0);
    }

    TEST_CASE("РНОКПП check digit: leading zeros are digits")
    {
        CHECK(check::rnokpp_check_digit("000000000") == 0);
        // S = 5·1 + 7·2 + 9·3 + 4·4 + 6·5 + 10·6 + 5·7 + 7·8 = 243 = 22·11 + 1 → 1.
        CHECK(check::rnokpp_check_digit("012345678") == 1);
        CHECK(check::rnokpp_check_digit_matches("0123456781"));
    }

    TEST_CASE("РНОКПП check digit: malformed input")
    {
        CHECK_FALSE(check::rnokpp_check_digit("17590137").has_value());
        CHECK_FALSE(check::rnokpp_check_digit("1759013776").has_value());
        CHECK_FALSE(check::rnokpp_check_digit("17590137a").has_value());
        CHECK_FALSE(check::rnokpp_check_digit(" 75901377").has_value());
        CHECK_FALSE(check::rnokpp_check_digit("").has_value());
        CHECK_FALSE(check::rnokpp_check_digit_matches("175901377"));
        CHECK_FALSE(check::rnokpp_check_digit_matches("17590137766"));
        CHECK_FALSE(check::rnokpp_check_digit_matches("175901377 6"));
    }

    TEST_CASE("РНОКПП birth date and sex")
    {
        // 17590 days after 1899-12-31; 9th digit 7 is odd.
        CHECK(check::rnokpp_birth_date("1759013776") == ymd(1948, 2, 28));
        CHECK(check::rnokpp_sex("1759013776") == model::sex::male);
        CHECK(check::rnokpp_birth_date("0000100000") == ymd(1900, 1, 1));
        CHECK(check::rnokpp_sex("0000100000") == model::sex::female);
        // 44931 days: 2023-01-06 (the date does not depend on the check digit).
        CHECK(check::rnokpp_birth_date("4493158222") == ymd(2023, 1, 6));
        CHECK(check::rnokpp_sex("4493158222") == model::sex::female);

        CHECK_FALSE(check::rnokpp_birth_date("0000012345").has_value()); // day 0
        CHECK_FALSE(check::rnokpp_birth_date("449315822").has_value());
        CHECK_FALSE(check::rnokpp_sex("449315822x").has_value());
    }

    TEST_CASE("make_rnokpp is the inverse of the birth date and sex")
    {
        const auto leap_girl = check::make_rnokpp(ymd(2020, 2, 29), model::sex::female, 17);
        REQUIRE(leap_girl.has_value());
        // 43889 days; 2·17 + 0 = 0034.
        CHECK(leap_girl->substr(0, 9) == "438890034");
        CHECK(check::rnokpp_check_digit_matches(*leap_girl));
        CHECK(check::rnokpp_birth_date(*leap_girl) == ymd(2020, 2, 29));
        CHECK(check::rnokpp_sex(*leap_girl) == model::sex::female);

        const auto boy = check::make_rnokpp(ymd(2025, 6, 1), model::sex::male, 4999);
        REQUIRE(boy.has_value());
        CHECK(boy->substr(0, 9) == "458089999");
        CHECK(check::rnokpp_check_digit_matches(*boy));
        CHECK(check::rnokpp_sex(*boy) == model::sex::male);

        CHECK(check::make_rnokpp(ymd(1900, 1, 1), model::sex::male, 0) == "0000100010");
        CHECK(check::make_rnokpp(ymd(2173, 10, 14), model::sex::male, 0).has_value());

        CHECK_FALSE(check::make_rnokpp(ymd(1899, 12, 31), model::sex::male, 0).has_value());
        CHECK_FALSE(check::make_rnokpp(ymd(2173, 10, 15), model::sex::male, 0).has_value());
        CHECK_FALSE(check::make_rnokpp(ymd(2020, 2, 30), model::sex::male, 0).has_value());
        CHECK_FALSE(check::make_rnokpp(ymd(2020, 1, 1), model::sex::male, -1).has_value());
        CHECK_FALSE(check::make_rnokpp(ymd(2020, 1, 1), model::sex::male, 5000).has_value());
    }

    TEST_CASE("ЄДРПОУ check digit: published example, first pass")
    {
        // 32855961 lies in 30000000..59999999: weights 7,1,2,3,4,5,6; S = 155 → 1.
        CHECK(check::edrpou_check_digit("3285596") == 1);
        CHECK(check::edrpou_check_digit_matches("32855961"));
        CHECK_FALSE(check::edrpou_check_digit_matches("32855968"));
    }

    TEST_CASE("ЄДРПОУ check digit: the weights change exactly at 30000000 and 60000000")
    {
        // 2999999x: weights 1..7, S = 245 → 3 (the rotated weights would give 203 mod 11 = 5).
        CHECK(check::edrpou_check_digit("2999999") == 3);
        // 3000000x: weights 7,1,..; S = 21 → 10, second pass 9·3 = 27 → 5
        // (weights 1..7 would give 3).
        CHECK(check::edrpou_check_digit("3000000") == 5);
        // 5999999x: weights 7,1,..; S = 224 → 4 (weights 1..7 would give 248 mod 11 = 6).
        CHECK(check::edrpou_check_digit("5999999") == 4);
        // 6000000x: weights 1..7 again, S = 6 → 6 (the rotated weights would give 9).
        CHECK(check::edrpou_check_digit("6000000") == 6);
        CHECK(check::edrpou_check_digit_matches("59999994"));
        CHECK(check::edrpou_check_digit_matches("60000006"));
    }

    TEST_CASE("ЄДРПОУ check digit: second pass with weights + 2")
    {
        // 0001994: S = 4·1 + 5·9 + 6·9 + 7·4 = 131 = 11·11 + 10 → second pass:
        // 6·1 + 7·9 + 8·9 + 9·4 = 177 = 16·11 + 1 → 1.
        CHECK(check::edrpou_check_digit("0001994") == 1);
        CHECK(check::edrpou_check_digit_matches("00019941"));
        // 3004958 (rotated weights): S = 7·3 + 3·4 + 4·9 + 5·5 + 6·8 = 142 → 10; second pass
        // 9·3 + 5·4 + 6·9 + 7·5 + 8·8 = 200 = 18·11 + 2 → 2.
        CHECK(check::edrpou_check_digit("3004958") == 2);
        CHECK(check::edrpou_check_digit_matches("30049582"));
    }

    TEST_CASE("ЄДРПОУ check digit: remainder 10 twice gives 0 (python-stdnum rejects these)")
    {
        // 0042871: S = 3·4 + 4·2 + 5·8 + 6·7 + 7·1 = 109 → 10; second pass 153 → 10 → 0.
        CHECK(check::edrpou_check_digit("0042871") == 0);
        CHECK(check::edrpou_check_digit_matches("00428710"));
        CHECK_FALSE(check::edrpou_check_digit_matches("00428711"));
        // 3029883 (rotated weights): S = 21 + 4 + 27 + 32 + 40 + 18 = 142 → 10; second pass
        // 27 + 8 + 45 + 48 + 56 + 24 = 208 → 10 → 0.
        CHECK(check::edrpou_check_digit("3029883") == 0);
        CHECK(check::edrpou_check_digit_matches("30298830"));
    }

    TEST_CASE("ЄДРПОУ check digit: leading zeros and malformed input")
    {
        CHECK(check::edrpou_check_digit("0000000") == 0);
        CHECK(check::edrpou_check_digit("0000001") == 7);
        CHECK(check::edrpou_check_digit_matches("00000017"));
        CHECK_FALSE(check::edrpou_check_digit("328559").has_value());
        CHECK_FALSE(check::edrpou_check_digit("32855961").has_value());
        CHECK_FALSE(check::edrpou_check_digit("3285-96").has_value());
        CHECK_FALSE(check::edrpou_check_digit_matches("3285596"));
        CHECK_FALSE(check::edrpou_check_digit_matches("3285596 1"));
        CHECK_FALSE(check::edrpou_check_digit_matches("UA328559"));
    }

    TEST_CASE("УНЗР check digit: 7-3-1 over twelve digits")
    {
        // 2·7 + 0·3 + 1·1 + 9·7 + 0·3 + 1·1 + 0·7 + 1·3 + 0·1 + 0·7 + 0·3 + 1·1 = 83 → 3.
        CHECK(check::unzr_check_digit("201901010001") == 3);
        CHECK(check::unzr_check_digit_matches("20190101-00013"));
        CHECK_FALSE(check::unzr_check_digit_matches("20190101-00014"));
        // 2·7 + 0 + 2·1 + 3·7 + 1·3 + 2·1 + 3·7 + 1·3 + 9·1 + 9·7 + 9·3 + 9·1 = 174 → 4.
        CHECK(check::unzr_check_digit("202312319999") == 4);
        CHECK(check::unzr_check_digit("000000000000") == 0);
    }

    TEST_CASE("УНЗР check digit: malformed input")
    {
        CHECK_FALSE(check::unzr_check_digit("20190101-0001").has_value());
        CHECK_FALSE(check::unzr_check_digit("20190101000").has_value());
        CHECK_FALSE(check::unzr_check_digit("2019010100011").has_value());
        CHECK_FALSE(check::unzr_check_digit_matches("2019010100013"));
        CHECK_FALSE(check::unzr_check_digit_matches("201901010-0013"));
        CHECK_FALSE(check::unzr_check_digit_matches("20190101-0001"));
        CHECK_FALSE(check::unzr_check_digit_matches("20190101–00013")); // en dash
        CHECK_FALSE(check::unzr_check_digit_matches("2019O101-00013")); // letter O
    }
}
