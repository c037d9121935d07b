// Every rule of every profile, with its exact pointer and severity.
#include <aikom/check/check_digits.hpp>
#include <aikom/check/rules.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using namespace aikom;
using namespace std::chrono;
using check::profile;
using check::severity;

namespace {

const check::rule_options opts{.as_of = 2025y / June / 1};

// A synthetic record that satisfies every profile.
model::child ready_child()
{
    using namespace model;
    child c;
    c.id = "kd-000001";
    c.institution = edrpou("32855961");
    c.name = person_name{.last = "Тестенко", .first = "Мар'яна", .patronymic = "Іванівна"};
    c.birth_date = 2021y / March / 14;
    c.sex = sex::female;
    c.citizenship = country_code("UA");
    c.rnokpp = model::rnokpp(*check::make_rnokpp(2021y / March / 14, sex::female, 17));
    c.unzr =
        model::unzr("20210314-0123" + std::to_string(*check::unzr_check_digit("202103140123")));
    c.document = identity_document{.type = document_type::ua_birth_certificate,
                                   .series = "I-КВ",
                                   .number = "123456",
                                   .issued_on = 2021y / March / 20,
                                   .issuer = std::nullopt,
                                   .country = country_code("UA")};
    c.displacement = model::displacement{.status = displacement_status::none};
    c.contact = contact_status{.status = contact_state::in_contact};
    c.education = model::education{.form = education_form::in_person};
    c.enrollment = model::enrollment{.group = group{.id = "g-3", .name = "Сонечко"},
                                     .enrolled_on = 2024y / September / 1,
                                     .order = "15-к"};
    c.residence = model::residence{.country = country_code("UA"),
                                   .katottg = katottg("UA80000000000000000"),
                                   .address = "вул. Тестова, 1"};
    c.special_needs = model::special_needs{.has = false};
    c.guardians = {guardian{.name = person_name{.last = "Тестенко", .first = "Олена"},
                            .relation = guardian_relation::mother,
                            .phone = "+380501234567"}};
    return c;
}

struct expected {
    std::string pointer;
    std::string code;
    severity level = severity::error;
    std::optional<std::string> suggestion = std::nullopt;
};

void expect(const model::child& c, profile p, const std::vector<expected>& want)
{
    const auto got = check::check_record(c, p, opts);
    CAPTURE(check::to_string(p));
    for (const auto& i : got) {
        INFO(i.pointer << " " << i.code);
    }
    REQUIRE(got.size() == want.size());
    for (std::size_t k = 0; k < want.size(); ++k) {
        CAPTURE(k);
        CHECK(got[k].pointer == want[k].pointer);
        CHECK(got[k].code == want[k].code);
        CHECK(got[k].severity == want[k].level);
        if (want[k].suggestion) {
            CHECK(got[k].suggestion == want[k].suggestion);
        }
        CHECK_FALSE(got[k].message_uk.empty());
    }
}

// The same issues under every profile from `from` up.
void expect_from(const model::child& c, profile from, const std::vector<expected>& want)
{
    for (const auto p : {profile::structure, profile::submission, profile::readiness}) {
        if (static_cast<int>(p) >= static_cast<int>(from)) {
            expect(c, p, want);
        } else {
            expect(c, p, {});
        }
    }
}

} // namespace

TEST_CASE("a complete, correct record has no issue under any profile")
{
    expect_from(ready_child(), profile::structure, {});
}

TEST_CASE("structure: identifiers")
{
    auto c = ready_child();
    c.institution = model::edrpou("32855962");
    expect_from(c, profile::structure, {{"/institution", "institution.check_digit"}});
    c.institution = model::edrpou("3285596");
    expect_from(c, profile::structure, {{"/institution", "institution.format"}});

    c = ready_child();
    auto digits = c.rnokpp->str();
    digits.back() = static_cast<char>('0' + (digits.back() - '0' + 1) % 10);
    c.rnokpp = model::rnokpp(digits);
    expect_from(c, profile::structure, {{"/rnokpp", "rnokpp.check_digit"}});
    c.rnokpp = model::rnokpp("12345");
    expect_from(c, profile::structure, {{"/rnokpp", "rnokpp.format"}});

    c = ready_child();
    c.unzr = model::unzr("20210230-01231");
    expect_from(c, profile::structure, {{"/unzr", "unzr.format"}});
    auto unzr = ready_child().unzr->str();
    unzr.back() = static_cast<char>('0' + (unzr.back() - '0' + 1) % 10);
    c.unzr = model::unzr(unzr);
    expect_from(c, profile::structure, {{"/unzr", "unzr.check_digit", severity::warning}});

    c = ready_child();
    c.residence->katottg = model::katottg("UA8000000000000000");
    c.citizenship = model::country_code("ua");
    expect_from(c, profile::structure,
                {{"/citizenship", "country.format"}, {"/residence/katottg", "katottg.format"}});
}

TEST_CASE("structure: names")
{
    auto c = ready_child();
    c.name->first = "Мар’яна";
    expect_from(c, profile::structure,
                {{"/name/first", "name.normalized", severity::fix, "Мар'яна"}});
    c.name->first = "Maрія"; // Latin M inside a Cyrillic word: a certain twin
    expect_from(c, profile::structure,
                {{"/name/first", "name.normalized", severity::fix, "Марія"}});
    c.name->first = "Мар1я";
    expect_from(c, profile::structure, {{"/name/first", "name.character"}});
    c.name->first = "Maria";
    expect_from(c, profile::structure, {{"/name/first", "name.latin", severity::warning}});
    c.name->first = "Мaрьяна"; // a: twin, but ь is fine; mixed → fixed
    const auto issues = check::check_record(c, profile::structure, opts);
    REQUIRE_FALSE(issues.empty());
    CHECK(issues[0].code == "name.normalized");
    c = ready_child();
    c.guardians[0].name->last = "  Тестенко ";
    expect_from(c, profile::structure,
                {{"/guardians/0/name/last", "name.normalized", severity::fix, "Тестенко"}});
}

TEST_CASE("structure: the birth certificate series and number")
{
    auto c = ready_child();
    for (const std::string bad : {"І-КВ", "1-КВ", "I–КВ", "i-кв", "I-KB", "I КВ"}) {
        CAPTURE(bad);
        c.document->series = bad;
        expect_from(c, profile::structure,
                    {{"/document/series", "document.series.normalized", severity::fix, "I-КВ"}});
    }
    c.document->series = "Q-КВ";
    expect_from(c, profile::structure, {{"/document/series", "document.series.format"}});
    c = ready_child();
    c.document->number = "12345";
    expect_from(c, profile::structure, {{"/document/number", "document.number.format"}});
    // A foreign certificate has no Ukrainian series rules.
    c.document = model::identity_document{
        .type = model::document_type::foreign_birth_certificate, .series = "AB", .number = "X-1"};
    expect_from(c, profile::structure, {});
}

TEST_CASE("structure: phones, certificates, support level")
{
    auto c = ready_child();
    c.guardians[0].phone = "050 123 45 67";
    expect_from(c, profile::structure,
                {{"/guardians/0/phone", "phone.normalized", severity::fix, "+380501234567"}});
    c.guardians[0].phone = "12";
    expect_from(c, profile::structure, {{"/guardians/0/phone", "phone.format"}});
    c = ready_child();
    c.special_needs = model::special_needs{.has = true, .support_level = 6};
    expect_from(c, profile::structure,
                {{"/special_needs/support_level", "special_needs.support_level"}});
    c = ready_child();
    c.displacement = model::displacement{.status = model::displacement_status::internal,
                                         .since = 2022y / March / 1,
                                         .certificate = model::idp_certificate{.number = "№?"}};
    expect_from(c, profile::structure,
                {{"/displacement/certificate/number", "displacement.certificate.format"}});
}

TEST_CASE("submission: what AIKOM needs to save the card")
{
    auto c = ready_child();
    c.name.reset();
    c.birth_date.reset();
    c.sex.reset();
    c.institution.reset();
    c.rnokpp.reset(); // its cross-check needs the birth date; not the point here
    c.unzr.reset();
    expect_from(c, profile::submission,
                {{"/institution", "required.missing"},
                 {"/name", "required.missing"},
                 {"/birth_date", "required.missing"},
                 {"/sex", "required.missing"}});

    c = ready_child();
    c.name->first.reset();
    c.name->patronymic.reset(); // may be absent
    c.document->series.reset();
    c.document->number.reset();
    expect_from(c, profile::submission,
                {{"/name/first", "required.missing"},
                 {"/document/series", "required.missing"},
                 {"/document/number", "required.missing"}});

    // `none` and foreign documents are allowed.
    c = ready_child();
    c.document = model::identity_document{.type = model::document_type::none};
    expect_from(c, profile::submission, {});
}

TEST_CASE("submission: dates in order, nothing in the future, a preschool age")
{
    auto c = ready_child();
    c.enrollment->enrolled_on = 2020y / January / 1;
    expect_from(c, profile::submission, {{"/enrollment/enrolled_on", "date.before_birth"}});
    c = ready_child();
    c.enrollment->left_on = 2024y / August / 1;
    expect_from(c, profile::submission, {{"/enrollment/left_on", "date.order"}});
    c = ready_child();
    c.enrollment->enrolled_on = 2025y / June / 2;
    c.document->issued_on = 2026y / January / 1;
    expect_from(
        c, profile::submission,
        {{"/document/issued_on", "date.future"}, {"/enrollment/enrolled_on", "date.future"}});

    c = ready_child();
    c.rnokpp.reset();
    c.unzr.reset();
    c.document->issued_on.reset();
    c.birth_date = 2017y / May / 31; // 8 years old on 2025-06-01
    expect_from(c, profile::submission, {{"/birth_date", "birth_date.age"}});
    c.birth_date = 2018y / May / 31; // 7
    expect_from(c, profile::submission,
                {{"/birth_date", "birth_date.age_unusual", severity::warning}});
    c.birth_date = 2024y / December / 1; // under one year
    c.enrollment->enrolled_on = 2025y / February / 1;
    expect_from(c, profile::submission,
                {{"/birth_date", "birth_date.age_unusual", severity::warning}});
    c.birth_date = 2025y / June / 2;
    c.enrollment->enrolled_on.reset();
    expect_from(c, profile::submission, {{"/birth_date", "date.future"}});
}

TEST_CASE("readiness: the four indicators must be there")
{
    auto c = ready_child();
    c.document.reset();
    c.displacement.reset();
    c.contact.reset();
    c.education.reset();
    expect_from(c, profile::readiness,
                {{"/document", "document.missing"},
                 {"/displacement", "displacement.missing"},
                 {"/contact", "contact.missing"},
                 {"/education", "education.missing"}});
}

TEST_CASE("readiness: each indicator consistent with itself")
{
    auto c = ready_child();
    c.displacement = model::displacement{.status = model::displacement_status::internal};
    expect_from(c, profile::readiness, {{"/displacement/since", "displacement.since.missing"}});
    c.displacement = model::displacement{.status = model::displacement_status::external};
    expect_from(c, profile::readiness, {{"/displacement/country", "displacement.country.missing"}});
    c = ready_child();
    c.contact = model::contact_status{.status = model::contact_state::lost};
    expect_from(c, profile::readiness, {{"/contact/since", "contact.since.missing"}});
    c = ready_child();
    c.document = model::identity_document{.type = model::document_type::foreign_birth_certificate};
    expect_from(c, profile::readiness,
                {{"/document/number", "document.number.missing", severity::warning}});
}

TEST_CASE("readiness: cross-checks are warnings")
{
    auto c = ready_child();
    c.rnokpp = model::rnokpp(*check::make_rnokpp(2021y / March / 15, model::sex::male, 17));
    expect_from(c, profile::readiness,
                {{"/rnokpp", "rnokpp.birth_date_mismatch", severity::warning},
                 {"/rnokpp", "rnokpp.sex_mismatch", severity::warning}});
    c = ready_child();
    c.unzr =
        model::unzr("20210315-0123" + std::to_string(*check::unzr_check_digit("202103150123")));
    expect_from(c, profile::readiness, {{"/unzr", "unzr.birth_date_mismatch", severity::warning}});
    c = ready_child();
    c.displacement->certificate = model::idp_certificate{.number = "1234-5678901234"};
    expect_from(c, profile::readiness,
                {{"/displacement/certificate", "displacement.certificate_without_internal",
                  severity::warning}});
}

TEST_CASE("apply_fixes applies exactly the fixes, and the record then checks clean")
{
    auto c = ready_child();
    c.document->series = "ІІ–бк";
    c.guardians[0].phone = "0501234567";
    c.name->first = "Мар’яна";
    c.sex.reset(); // an error: not fixable, must stay
    const auto issues = check::check_record(c, profile::submission, opts);
    CHECK(check::has_errors(issues));
    CHECK(check::apply_fixes(c, issues) == 3);
    CHECK(c.document->series == "II-БК");
    CHECK(c.guardians[0].phone == "+380501234567");
    CHECK(c.name->first == "Мар'яна");
    CHECK_FALSE(c.sex);
    expect(c, profile::submission, {{"/sex", "required.missing"}});
}

TEST_CASE("structure: the remaining name verdicts")
{
    auto c = ready_child();
    c.name->patronymic = "Іван--івна";
    expect_from(c, profile::structure, {{"/name/patronymic", "name.format"}});
    c.name->patronymic = "Ивановна";
    CHECK(check::check_record(c, profile::structure, opts).empty()); // И is a Ukrainian letter
    c.name->patronymic = "Эдуардовна";
    expect_from(c, profile::structure,
                {{"/name/patronymic", "name.non_ukrainian_letter", severity::warning}});
    c.name->patronymic = "Sвітлана"; // S has no Cyrillic twin: no certain fix
    expect_from(c, profile::structure, {{"/name/patronymic", "name.mixed_script"}});
    c = ready_child();
    c.displacement = model::displacement{.status = model::displacement_status::internal,
                                         .since = 2022y / March / 1,
                                         .from_katottg = model::katottg("UA1")};
    expect_from(c, profile::structure, {{"/displacement/from_katottg", "katottg.format"}});
}
