#include <aikom/model/child.hpp>

#include <doctest/doctest.h>

using namespace aikom::model;
using namespace std::chrono;

TEST_CASE("ISO dates: only YYYY-MM-DD of a day that exists")
{
    CHECK(parse_iso_date("2021-03-14") == 2021y / March / 14);
    CHECK(parse_iso_date("2024-02-29") == 2024y / February / 29);
    CHECK_FALSE(parse_iso_date("2023-02-29"));
    CHECK_FALSE(parse_iso_date("2021-13-01"));
    CHECK_FALSE(parse_iso_date("2021-00-10"));
    CHECK_FALSE(parse_iso_date("2021-04-31"));
    CHECK_FALSE(parse_iso_date("2021-3-14"));
    CHECK_FALSE(parse_iso_date("2021/03/14"));
    CHECK_FALSE(parse_iso_date("14.03.2021"));
    CHECK_FALSE(parse_iso_date("0999-01-01"));
    CHECK_FALSE(parse_iso_date("2021-03-1a"));
    CHECK_FALSE(parse_iso_date(""));
    CHECK(to_iso_string(2021y / March / 4) == "2021-03-04");
}

TEST_CASE("dotted dates as spreadsheets write them")
{
    CHECK(parse_dotted_date("14.03.2021") == 2021y / March / 14);
    CHECK(parse_dotted_date("4.3.2021") == 2021y / March / 4);
    CHECK_FALSE(parse_dotted_date("31.04.2021"));
    CHECK_FALSE(parse_dotted_date("14.03.21"));
    CHECK_FALSE(parse_dotted_date("14-03-2021"));
    CHECK_FALSE(parse_dotted_date("114.03.2021"));
    CHECK_FALSE(parse_dotted_date(".03.2021"));
}

TEST_CASE("enums map to their wire names both ways")
{
    CHECK(to_string(sex::female) == "female");
    CHECK(to_string(document_type::ua_birth_certificate) == "ua_birth_certificate");
    CHECK(to_string(contact_scope::child_and_representatives) == "child_and_representatives");
    CHECK(enum_from_string<education_form>("distance") == education_form::distance);
    CHECK(enum_from_string<age_band>("senior") == age_band::senior);
    CHECK_FALSE(enum_from_string<sex>("Female"));
    CHECK_FALSE(enum_from_string<sex>(""));
    CHECK_FALSE(enum_from_string<displacement_status>("unknown"));
}

TEST_CASE("identifiers of different kinds are different types")
{
    static_assert(!std::is_convertible_v<rnokpp, edrpou>);
    static_assert(!std::is_convertible_v<std::string, rnokpp>);
    const rnokpp a("1234567890");
    CHECK(a.str() == "1234567890");
    CHECK(a == rnokpp("1234567890"));
    CHECK(a != rnokpp("1234567891"));
}
