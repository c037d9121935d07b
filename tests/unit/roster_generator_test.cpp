#include <aikom/synthetic/roster_generator.hpp>

#include <aikom/check/check_digits.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using namespace aikom;
using synthetic::defect_kind;
using synthetic::roster_generator;
using synthetic::roster_options;

namespace {

constexpr std::size_t sample_size = 2000;

bool all_digits(std::string_view text)
{
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int full_years(model::date birth, model::date today)
{
    int age = static_cast<int>(today.year()) - static_cast<int>(birth.year());
    if (unsigned(today.month()) * 100 + unsigned(today.day()) <
        unsigned(birth.month()) * 100 + unsigned(birth.day())) {
        --age;
    }
    return age;
}

std::string yyyymmdd(model::date d)
{
    std::string out = std::to_string(static_cast<int>(d.year()));
    for (unsigned part : {unsigned(d.month()), unsigned(d.day())}) {
        out += static_cast<char>('0' + part / 10);
        out += static_cast<char>('0' + part % 10);
    }
    return out;
}

/// A capital of the Ukrainian alphabet (U+0400..U+042F, Ґ) encoded in UTF-8 at `text[i]`.
bool is_cyrillic_capital(std::string_view text, std::size_t i)
{
    if (i + 1 >= text.size()) {
        return false;
    }
    const auto b0 = static_cast<unsigned char>(text[i]);
    const auto b1 = static_cast<unsigned char>(text[i + 1]);
    return (b0 == 0xD0 && b1 >= 0x80 && b1 <= 0xAF) || (b0 == 0xD2 && b1 == 0x90);
}

/// `ROMAN-ЛЛ`: Latin I V X L C, an ASCII hyphen, two Cyrillic capitals.
bool is_canonical_series(std::string_view series)
{
    const auto hyphen = series.find('-');
    if (hyphen == 0 || hyphen == std::string_view::npos) {
        return false;
    }
    for (std::size_t i = 0; i < hyphen; ++i) {
        if (std::string_view{"IVXLC"}.find(series[i]) == std::string_view::npos) {
            return false;
        }
    }
    return series.size() == hyphen + 5 && is_cyrillic_capital(series, hyphen + 1) &&
           is_cyrillic_capital(series, hyphen + 3);
}

bool is_canonical_phone(std::string_view phone)
{
    static const std::set<std::string_view> operators{"39", "50", "63", "66", "67", "68",
                                                      "73", "91", "92", "93", "94", "95",
                                                      "96", "97", "98", "99"};
    return phone.size() == 13 && phone.starts_with("+380") &&
           operators.contains(phone.substr(4, 2)) && all_digits(phone.substr(4));
}

std::vector<std::string> name_parts(const model::child& c)
{
    std::vector<std::string> parts;
    auto add = [&parts](const std::optional<model::person_name>& name) {
        if (!name) {
            return;
        }
        for (const auto* part : {&name->last, &name->first, &name->patronymic}) {
            if (*part) {
                parts.push_back(**part);
            }
        }
    };
    add(c.name);
    for (const auto& g : c.guardians) {
        add(g.name);
    }
    return parts;
}

bool has_ascii_letter(std::string_view text)
{
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
}

bool has_typographic_apostrophe(std::string_view text)
{
    return text.find("’") != std::string_view::npos || text.find("ʼ") != std::string_view::npos;
}

std::vector<model::child> generate(roster_options options, std::size_t count)
{
    roster_generator generator{options};
    std::vector<model::child> records;
    for (std::size_t i = 0; i < count; ++i) {
        records.push_back(generator.next());
    }
    return records;
}

} // namespace

TEST_SUITE("roster_generator")
{
    TEST_CASE("same options give the same records, different seeds different ones")
    {
        const roster_options options{.institutions = 3, .seed = 42, .defect_rate = 0.3};
        roster_generator a{options};
        roster_generator b{options};
        for (int i = 0; i < 500; ++i) {
            const auto x = a.next();
            const auto y = b.next();
            REQUIRE(x == y);
            REQUIRE(a.last_defects() == b.last_defects());
        }
        CHECK(a.institutions() == b.institutions());

        roster_options other_seed = options;
        other_seed.seed = 43;
        const auto first = generate(options, 50);
        const auto second = generate(other_seed, 50);
        std::size_t equal_names = 0;
        for (std::size_t i = 0; i < first.size(); ++i) {
            CHECK(first[i] != second[i]);
            equal_names += first[i].name == second[i].name ? 1 : 0;
        }
        CHECK(equal_names < 5);
        CHECK(roster_generator{options}.institutions() !=
              roster_generator{other_seed}.institutions());
    }

    TEST_CASE("a copy continues the same sequence")
    {
        roster_generator a{{.seed = 7}};
        (void)a.next();
        roster_generator b = a;
        CHECK(a.next() == b.next());
        CHECK(a.next() == b.next());
    }

    TEST_CASE("ids are numbered from kd-000001")
    {
        roster_generator generator;
        CHECK(generator.next().id == "kd-000001");
        CHECK(generator.next().id == "kd-000002");
        for (int i = 3; i < 10; ++i) {
            (void)generator.next();
        }
        CHECK(generator.next().id == "kd-000010");
    }

    TEST_CASE("institutions: distinct ЄДРПОУ codes with valid check digits, all used")
    {
        roster_generator generator{{.institutions = 25, .seed = 5}};
        const auto& codes = generator.institutions();
        REQUIRE(codes.size() == 25);
        CHECK(std::set<model::edrpou>(codes.begin(), codes.end()).size() == 25);
        for (const auto& code : codes) {
            CHECK(code.str().size() == 8);
            CHECK(check::edrpou_check_digit_matches(code.str()));
        }
        std::set<model::edrpou> used;
        for (int i = 0; i < 1000; ++i) {
            const auto record = generator.next();
            REQUIRE(record.institution.has_value());
            CHECK(std::find(codes.begin(), codes.end(), *record.institution) != codes.end());
            used.insert(*record.institution);
        }
        CHECK(used.size() == 25);
    }

    TEST_CASE("defect rate 0: every record is well formed")
    {
        const roster_options options{.institutions = 4, .seed = 2025};
        const auto today = options.reference_date;
        roster_generator generator{options};
        std::size_t with_rnokpp = 0;
        std::size_t with_unzr = 0;
        std::size_t with_apostrophe = 0;
        std::size_t internal = 0;
        std::size_t external = 0;
        std::size_t foreign_documents = 0;
        std::size_t two_guardians = 0;
        std::set<int> ages;
        for (std::size_t i = 0; i < sample_size; ++i) {
            const auto c = generator.next();
            CAPTURE(c.id);
            REQUIRE(generator.last_defects().empty());

            // The four indicators.
            REQUIRE(c.document.has_value());
            REQUIRE(c.displacement.has_value());
            REQUIRE(c.contact.has_value());
            REQUIRE(c.education.has_value());

            REQUIRE(c.birth_date.has_value());
            REQUIRE(c.sex.has_value());
            const auto birth = *c.birth_date;
            CHECK(birth.ok());
            const int age = full_years(birth, today);
            CHECK(age >= 1);
            CHECK(age <= 6);
            ages.insert(age);

            if (c.rnokpp) {
                ++with_rnokpp;
                CHECK(check::rnokpp_check_digit_matches(c.rnokpp->str()));
                CHECK(check::rnokpp_birth_date(c.rnokpp->str()) == birth);
                CHECK(check::rnokpp_sex(c.rnokpp->str()) == c.sex);
            }
            if (c.unzr) {
                ++with_unzr;
                CHECK(check::unzr_check_digit_matches(c.unzr->str()));
                CHECK(c.unzr->str().substr(0, 8) == yyyymmdd(birth));
                CHECK(c.unzr->str().substr(9, 4) != "0000");
            }

            const auto& doc = *c.document;
            if (doc.type == model::document_type::ua_birth_certificate) {
                REQUIRE(doc.series.has_value());
                CHECK(is_canonical_series(*doc.series));
                REQUIRE(doc.number.has_value());
                CHECK(doc.number->size() == 6);
                CHECK(all_digits(*doc.number));
            }
            if (doc.type == model::document_type::foreign_birth_certificate) {
                ++foreign_documents;
                REQUIRE(doc.country.has_value());
                CHECK(doc.country->str() != "UA");
            }
            if (doc.issued_on) {
                CHECK(*doc.issued_on >= birth);
                CHECK(*doc.issued_on <= today);
            }

            const auto& enrollment = c.enrollment.value();
            REQUIRE(enrollment.enrolled_on.has_value());
            CHECK(*enrollment.enrolled_on > birth);
            CHECK(*enrollment.enrolled_on <= today);
            if (enrollment.left_on) {
                CHECK(*enrollment.left_on > *enrollment.enrolled_on);
                CHECK(*enrollment.left_on <= today);
                CHECK(enrollment.leave_reason.has_value());
            }
            REQUIRE(enrollment.order.has_value());
            CHECK(enrollment.order->ends_with("-к"));
            const auto band = enrollment.group.value().age_band.value();
            const auto expected = age <= 2   ? model::age_band::early
                                  : age == 3 ? model::age_band::junior
                                  : age == 4 ? model::age_band::middle
                                             : model::age_band::senior;
            CHECK((band == expected || band == model::age_band::mixed));
            CHECK(enrollment.group->id.value().starts_with("g-"));

            const auto& displacement = *c.displacement;
            if (displacement.status != model::displacement_status::none) {
                REQUIRE(displacement.since.has_value());
                CHECK(*displacement.since >= birth);
                CHECK(*displacement.since <= today);
            }
            if (displacement.status == model::displacement_status::internal) {
                ++internal;
                REQUIRE(displacement.from_katottg.has_value());
                CHECK(displacement.from_katottg->str().size() == 19);
                CHECK(enrollment.enrolled_on >= displacement.since);
            }
            if (displacement.status == model::displacement_status::external) {
                ++external;
                CHECK(displacement.country.has_value());
            }

            const auto& residence = c.residence.value();
            if (residence.country == model::country_code{"UA"}) {
                REQUIRE(residence.katottg.has_value());
                const auto& code = residence.katottg->str();
                CHECK(code.size() == 19);
                CHECK(code.starts_with("UA"));
                CHECK(all_digits(std::string_view{code}.substr(2)));
                CHECK(residence.address.has_value());
            }

            if (c.contact->status == model::contact_state::lost) {
                CHECK(c.contact->since.has_value());
                CHECK(c.contact->with.has_value());
            }
            if (c.special_needs && c.special_needs->has) {
                REQUIRE(c.special_needs->support_level.has_value());
                CHECK(*c.special_needs->support_level >= 1);
                CHECK(*c.special_needs->support_level <= 5);
            }

            REQUIRE(!c.guardians.empty());
            CHECK(c.guardians.size() <= 2);
            two_guardians += c.guardians.size() == 2 ? 1 : 0;
            REQUIRE(c.guardians[0].phone.has_value());
            for (const auto& g : c.guardians) {
                CHECK(g.relation.has_value());
                if (g.phone) {
                    CHECK(is_canonical_phone(*g.phone));
                }
            }

            REQUIRE(c.name.has_value());
            CHECK(c.name->last.has_value());
            CHECK(c.name->first.has_value());
            bool apostrophe = false;
            for (const auto& part : name_parts(c)) {
                CHECK_FALSE(has_ascii_letter(part));
                CHECK_FALSE(has_typographic_apostrophe(part));
                apostrophe = apostrophe || part.find('\'') != std::string::npos;
            }
            with_apostrophe += apostrophe ? 1 : 0;
        }

        // Shares stated in the brief, with room for chance.
        CHECK(with_rnokpp > sample_size * 50 / 100);
        CHECK(with_rnokpp < sample_size * 70 / 100);
        CHECK(with_unzr > sample_size * 10 / 100);
        CHECK(with_unzr < sample_size * 20 / 100);
        CHECK(internal > sample_size * 8 / 100);
        CHECK(internal < sample_size * 16 / 100);
        CHECK(external > sample_size * 2 / 100);
        CHECK(external < sample_size * 8 / 100);
        CHECK(foreign_documents > 0);
        CHECK(two_guardians > 0);
        CHECK(with_apostrophe > sample_size / 10);
        CHECK(ages == std::set<int>{1, 2, 3, 4, 5, 6});
    }

    TEST_CASE("defect rate 1: every record gets one or two defects, and each shows")
    {
        const roster_options clean_options{.institutions = 2, .seed = 99};
        roster_options defect_options = clean_options;
        defect_options.defect_rate = 1.0;
        roster_generator clean{clean_options};
        roster_generator spoiled{defect_options};
        std::set<defect_kind> seen;
        std::size_t with_two = 0;
        for (std::size_t i = 0; i < sample_size; ++i) {
            const auto good = clean.next();
            const auto bad = spoiled.next();
            CAPTURE(bad.id);
            const auto& defects = spoiled.last_defects();
            REQUIRE(!defects.empty());
            REQUIRE(defects.size() <= 2);
            with_two += defects.size() == 2 ? 1 : 0;
            CHECK(bad != good);
            CHECK(bad.id == good.id);
            for (const auto kind : defects) {
                CAPTURE(synthetic::to_string(kind));
                seen.insert(kind);
                switch (kind) {
                case defect_kind::series_look_alike:
                case defect_kind::series_dash:
                case defect_kind::series_lower_case:
                case defect_kind::series_spaces:
                    REQUIRE(bad.document.has_value());
                    CHECK(bad.document->series != good.document->series);
                    CHECK_FALSE(is_canonical_series(bad.document->series.value()));
                    break;
                case defect_kind::rnokpp_check_digit:
                    CHECK_FALSE(check::rnokpp_check_digit_matches(bad.rnokpp.value().str()));
                    CHECK(check::rnokpp_birth_date(bad.rnokpp->str()) == bad.birth_date);
                    break;
                case defect_kind::unzr_check_digit:
                    CHECK_FALSE(check::unzr_check_digit_matches(bad.unzr.value().str()));
                    break;
                case defect_kind::document_missing:
                    CHECK_FALSE(bad.document.has_value());
                    break;
                case defect_kind::displacement_missing:
                    CHECK_FALSE(bad.displacement.has_value());
                    break;
                case defect_kind::contact_missing:
                    CHECK_FALSE(bad.contact.has_value());
                    break;
                case defect_kind::education_missing:
                    CHECK_FALSE(bad.education.has_value());
                    break;
                case defect_kind::enrolled_before_birth:
                    CHECK(bad.enrollment.value().enrolled_on.value() < bad.birth_date.value());
                    break;
                case defect_kind::left_before_enrolled:
                    CHECK(bad.enrollment.value().left_on.value() <
                          bad.enrollment->enrolled_on.value());
                    break;
                case defect_kind::phone_format:
                    CHECK(std::any_of(bad.guardians.begin(), bad.guardians.end(),
                                      [](const model::guardian& g) {
                                          return g.phone && !is_canonical_phone(*g.phone);
                                      }));
                    break;
                case defect_kind::name_typographic_apostrophe: {
                    const auto parts = name_parts(bad);
                    CHECK(std::any_of(parts.begin(), parts.end(), [](const std::string& p) {
                        return has_typographic_apostrophe(p);
                    }));
                    break;
                }
                case defect_kind::name_mixed_script: {
                    const auto parts = name_parts(bad);
                    CHECK(std::any_of(parts.begin(), parts.end(),
                                      [](const std::string& p) { return has_ascii_letter(p); }));
                    break;
                }
                }
            }
        }
        CHECK(seen.size() == synthetic::all_defect_kinds.size());
        CHECK(with_two > sample_size / 5);
    }

    TEST_CASE("a defect rate R spoils about R of the records, on top of the same clean records")
    {
        const roster_options clean_options{.seed = 314};
        roster_options defect_options = clean_options;
        defect_options.defect_rate = 0.25;
        roster_generator clean{clean_options};
        roster_generator spoiled{defect_options};
        std::size_t defective = 0;
        for (std::size_t i = 0; i < sample_size; ++i) {
            const auto good = clean.next();
            const auto maybe_bad = spoiled.next();
            if (spoiled.last_defects().empty()) {
                CHECK(maybe_bad == good);
            } else {
                ++defective;
                CHECK(maybe_bad != good);
            }
        }
        CHECK(defective > sample_size * 20 / 100);
        CHECK(defective < sample_size * 30 / 100);
    }

    TEST_CASE("options outside their range are refused")
    {
        CHECK_THROWS_AS(roster_generator{{.institutions = 0}}, std::invalid_argument);
        CHECK_THROWS_AS(roster_generator{{.institutions = 100001}}, std::invalid_argument);
        CHECK_THROWS_AS(roster_generator{{.defect_rate = -0.1}}, std::invalid_argument);
        CHECK_THROWS_AS(roster_generator{{.defect_rate = 1.5}}, std::invalid_argument);
        CHECK_THROWS_AS(roster_generator{{.defect_rate = std::numeric_limits<double>::quiet_NaN()}},
                        std::invalid_argument);
        const model::date not_a_date{std::chrono::year{2023}, std::chrono::February,
                                     std::chrono::day{29}};
        const model::date leap_day{std::chrono::year{2024}, std::chrono::February,
                                   std::chrono::day{29}};
        const model::date too_early{std::chrono::year{1909}, std::chrono::June,
                                    std::chrono::day{1}};
        CHECK_THROWS_AS(roster_generator{{.reference_date = not_a_date}}, std::invalid_argument);
        CHECK_THROWS_AS(roster_generator{{.reference_date = too_early}}, std::invalid_argument);
        CHECK_NOTHROW(roster_generator{{.reference_date = leap_day}});
    }
}
