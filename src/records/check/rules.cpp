// The record rules. One pass over the record in field order; each rule belongs to the profile
// that introduces it (structure ⊂ submission ⊂ readiness).
#include <aikom/check/check_digits.hpp>
#include <aikom/check/identifiers.hpp>
#include <aikom/check/issue_codes.hpp>
#include <aikom/check/rules.hpp>

#include "codec/schema.hpp"

#include <algorithm>

namespace aikom::check {

std::string_view to_string(profile p) noexcept
{
    switch (p) {
    case profile::structure:
        return "structure";
    case profile::submission:
        return "submission";
    case profile::readiness:
        return "readiness";
    }
    return "structure";
}

std::optional<profile> profile_from_string(std::string_view name) noexcept
{
    for (const auto p : {profile::structure, profile::submission, profile::readiness}) {
        if (to_string(p) == name) {
            return p;
        }
    }
    return std::nullopt;
}

bool has_errors(const std::vector<issue>& issues) noexcept
{
    return std::any_of(issues.begin(), issues.end(),
                       [](const issue& i) { return i.severity == severity::error; });
}

namespace {

using model::date;

class checker {
public:
    checker(const model::child& r, profile p, const rule_options& o, std::vector<issue>& out)
        : r_(r)
        , p_(p)
        , o_(o)
        , out_(out)
    {}

    void run()
    {
        institution();
        name(r_.name, "/name", true);
        birth_date();
        if (submission() && !r_.sex) {
            add("required.missing", "/sex");
        }
        country(r_.citizenship, "/citizenship");
        rnokpp();
        unzr();
        document();
        displacement();
        contact();
        if (readiness() && !r_.education) {
            add("education.missing", "/education");
        }
        enrollment();
        residence();
        if (r_.special_needs && r_.special_needs->support_level &&
            (*r_.special_needs->support_level < 1 || *r_.special_needs->support_level > 5)) {
            add("special_needs.support_level", "/special_needs/support_level");
        }
        for (std::size_t i = 0; i < r_.guardians.size(); ++i) {
            guardian(r_.guardians[i], "/guardians/" + std::to_string(i));
        }
    }

private:
    [[nodiscard]] bool submission() const noexcept { return p_ != profile::structure; }
    [[nodiscard]] bool readiness() const noexcept { return p_ == profile::readiness; }

    void add(std::string_view code, std::string pointer,
             std::optional<std::string> suggestion = std::nullopt)
    {
        out_.push_back(make_issue(code, std::move(pointer), {}, std::move(suggestion)));
    }

    void institution()
    {
        if (!r_.institution) {
            if (submission()) {
                add("required.missing", "/institution");
            }
            return;
        }
        switch (validate_edrpou(r_.institution->str())) {
        case id_error::ok:
            break;
        case id_error::check_digit:
            add("institution.check_digit", "/institution");
            break;
        default:
            add("institution.format", "/institution");
        }
    }

    void name(const std::optional<model::person_name>& n, const std::string& base, bool child)
    {
        if (!n) {
            if (child && submission()) {
                add("required.missing", base);
            }
            return;
        }
        name_part(n->last, base + "/last", child);
        name_part(n->first, base + "/first", child);
        name_part(n->patronymic, base + "/patronymic", false);
    }

    void name_part(const std::optional<std::string>& v, std::string pointer, bool required)
    {
        if (!v) {
            if (required && submission()) {
                add("required.missing", std::move(pointer));
            }
            return;
        }
        id_error e = validate_name_part(*v);
        if (e == id_error::ok) {
            return;
        }
        if (auto fixed = normalize_name_part(*v)) {
            e = validate_name_part(*fixed);
            add("name.normalized", pointer, std::move(fixed));
        }
        switch (e) {
        case id_error::ok:
            break;
        case id_error::mixed_script:
            add("name.mixed_script", std::move(pointer));
            break;
        case id_error::latin:
            add("name.latin", std::move(pointer));
            break;
        case id_error::non_ukrainian_letter:
            add("name.non_ukrainian_letter", std::move(pointer));
            break;
        case id_error::character:
            add("name.character", std::move(pointer));
            break;
        default:
            add("name.format", std::move(pointer));
        }
    }

    // A date that must not be in the future nor, when `after_birth`, before the birth date.
    void event_date(const std::optional<date>& d, std::string pointer, bool after_birth = true)
    {
        if (!d || !submission()) {
            return;
        }
        if (*d > o_.as_of) {
            add("date.future", std::move(pointer));
        } else if (after_birth && r_.birth_date && *d < *r_.birth_date) {
            add("date.before_birth", std::move(pointer));
        }
    }

    void birth_date()
    {
        if (!submission()) {
            return;
        }
        if (!r_.birth_date) {
            add("required.missing", "/birth_date");
            return;
        }
        if (*r_.birth_date > o_.as_of) {
            add("date.future", "/birth_date");
            return;
        }
        const int age = model::full_years(*r_.birth_date, o_.as_of);
        if (age >= 8) {
            add("birth_date.age", "/birth_date");
        } else if (age < 1 || age >= 7) {
            add("birth_date.age_unusual", "/birth_date");
        }
    }

    void country(const std::optional<model::country_code>& c, std::string pointer)
    {
        if (c && validate_country_code(c->str()) != id_error::ok) {
            add("country.format", std::move(pointer));
        }
    }

    void katottg(const std::optional<model::katottg>& k, std::string pointer)
    {
        if (k && validate_katottg(k->str()) != id_error::ok) {
            add("katottg.format", std::move(pointer));
        }
    }

    void rnokpp()
    {
        if (!r_.rnokpp) {
            return;
        }
        const auto& text = r_.rnokpp->str();
        switch (validate_rnokpp(text)) {
        case id_error::ok:
            break;
        case id_error::check_digit:
            add("rnokpp.check_digit", "/rnokpp");
            return;
        default:
            add("rnokpp.format", "/rnokpp");
            return;
        }
        if (!readiness()) {
            return;
        }
        if (r_.birth_date && rnokpp_birth_date(text) != r_.birth_date) {
            add("rnokpp.birth_date_mismatch", "/rnokpp");
        }
        if (r_.sex && rnokpp_sex(text) != r_.sex) {
            add("rnokpp.sex_mismatch", "/rnokpp");
        }
    }

    void unzr()
    {
        if (!r_.unzr) {
            return;
        }
        const auto& text = r_.unzr->str();
        switch (validate_unzr(text)) {
        case id_error::ok:
            break;
        case id_error::check_digit:
            add("unzr.check_digit", "/unzr");
            break;
        default:
            add("unzr.format", "/unzr");
            return;
        }
        if (readiness() && r_.birth_date) {
            // The format is valid here, so the first ten characters hold a real date.
            if (model::parse_iso_date(text.substr(0, 4) + "-" + text.substr(4, 2) + "-" +
                                      text.substr(6, 2)) != r_.birth_date) {
                add("unzr.birth_date_mismatch", "/unzr");
            }
        }
    }

    void document()
    {
        if (!r_.document) {
            if (readiness()) {
                add("document.missing", "/document");
            }
            return;
        }
        const auto& d = *r_.document;
        if (d.type == model::document_type::ua_birth_certificate) {
            if (!d.series) {
                if (submission()) {
                    add("required.missing", "/document/series");
                }
            } else if (validate_certificate_series(*d.series) != id_error::ok) {
                if (auto fixed = normalize_certificate_series(*d.series)) {
                    add("document.series.normalized", "/document/series", std::move(fixed));
                } else {
                    add("document.series.format", "/document/series");
                }
            }
            if (!d.number) {
                if (submission()) {
                    add("required.missing", "/document/number");
                }
            } else if (validate_certificate_number(*d.number) != id_error::ok) {
                add("document.number.format", "/document/number");
            }
        } else if (d.type != model::document_type::none && !d.number && readiness()) {
            add("document.number.missing", "/document/number");
        }
        event_date(d.issued_on, "/document/issued_on");
        country(d.country, "/document/country");
    }

    void displacement()
    {
        if (!r_.displacement) {
            if (readiness()) {
                add("displacement.missing", "/displacement");
            }
            return;
        }
        const auto& d = *r_.displacement;
        using model::displacement_status;
        if (readiness() && d.status == displacement_status::internal && !d.since) {
            add("displacement.since.missing", "/displacement/since");
        }
        event_date(d.since, "/displacement/since", false);
        if (d.certificate) {
            if (d.certificate->number &&
                validate_idp_certificate_number(*d.certificate->number) != id_error::ok) {
                add("displacement.certificate.format", "/displacement/certificate/number");
            }
            event_date(d.certificate->issued_on, "/displacement/certificate/issued_on");
            if (readiness() && d.status != displacement_status::internal) {
                add("displacement.certificate_without_internal", "/displacement/certificate");
            }
        }
        katottg(d.from_katottg, "/displacement/from_katottg");
        if (readiness() && d.status == displacement_status::external && !d.country) {
            add("displacement.country.missing", "/displacement/country");
        }
        country(d.country, "/displacement/country");
    }

    void contact()
    {
        if (!r_.contact) {
            if (readiness()) {
                add("contact.missing", "/contact");
            }
            return;
        }
        if (readiness() && r_.contact->status == model::contact_state::lost && !r_.contact->since) {
            add("contact.since.missing", "/contact/since");
        }
        event_date(r_.contact->since, "/contact/since");
    }

    void enrollment()
    {
        if (!r_.enrollment) {
            return;
        }
        const auto& e = *r_.enrollment;
        event_date(e.enrolled_on, "/enrollment/enrolled_on");
        if (submission() && e.left_on && e.enrolled_on && *e.left_on < *e.enrolled_on) {
            add("date.order", "/enrollment/left_on");
        } else {
            event_date(e.left_on, "/enrollment/left_on");
        }
    }

    void residence()
    {
        if (!r_.residence) {
            return;
        }
        country(r_.residence->country, "/residence/country");
        katottg(r_.residence->katottg, "/residence/katottg");
    }

    void guardian(const model::guardian& g, const std::string& base)
    {
        name(g.name, base + "/name", false);
        if (!g.phone || validate_phone(*g.phone) == id_error::ok) {
            return;
        }
        if (auto fixed = normalize_phone(*g.phone)) {
            add("phone.normalized", base + "/phone", std::move(fixed));
        } else {
            add("phone.format", base + "/phone");
        }
    }

    const model::child& r_;
    profile p_;
    const rule_options& o_;
    std::vector<issue>& out_;
};

} // namespace

void check_record(const model::child& record, profile p, const rule_options& options,
                  std::vector<issue>& out)
{
    checker(record, p, options, out).run();
}

std::vector<issue> check_record(const model::child& record, profile p, const rule_options& options)
{
    std::vector<issue> out;
    check_record(record, p, options, out);
    return out;
}

std::size_t apply_fixes(model::child& record, const std::vector<issue>& issues)
{
    std::size_t applied = 0;
    for (const auto& i : issues) {
        if (i.severity == severity::fix && i.suggestion &&
            codec::detail::assign_text_at(record, i.pointer, *i.suggestion)) {
            ++applied;
        }
    }
    return applied;
}

} // namespace aikom::check
