#include <aikom/synthetic/roster_generator.hpp>

#include <aikom/check/check_digits.hpp>

#include "synthetic/random_source.hpp"
#include "synthetic/word_lists.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

// Defects the generator puts into records (roster_options::defect_rate), and what each does.
// A defective record gets one or two distinct kinds, each chosen only if the record has the
// field it spoils; at most one per certificate (the series kinds and document_missing exclude
// each other) and one per enrollment (enrolled_before_birth and left_before_enrolled).
//
// | defect_kind                 | change                                                          |
// |-----------------------------|-----------------------------------------------------------------|
// | series_look_alike           | Roman part: I → Cyrillic І or digit 1, X → Х, C → С; or letter  |
// |                             | part: a Cyrillic capital → its Latin twin (A B C E H I K M O P  |
// |                             | T X). One character.                                            |
// | series_dash                 | `-` → en dash `–`                                               |
// | series_lower_case           | whole series, or only its letter part, in lower case            |
// | series_spaces               | `I -КВ`, `I- КВ`, `I - КВ` or `I КВ`                            |
// | rnokpp_check_digit          | last digit of the РНОКПП changed                                |
// | unzr_check_digit            | last digit of the УНЗР changed                                  |
// | document_missing            | `document` absent (indicator 1)                                 |
// | displacement_missing        | `displacement` absent (indicator 2)                             |
// | contact_missing             | `contact` absent (indicator 3)                                  |
// | education_missing           | `education` absent (indicator 4)                                |
// | enrolled_before_birth       | `enrolled_on` = birth − 1..400 days                             |
// | left_before_enrolled        | `left_on` = enrolled_on − 1..200 days (a reason is added)       |
// | phone_format                | one guardian's `+380XXXXXXXXX` as `0XXXXXXXXX`,                 |
// |                             | `+380 XX XXX XX XX` or `0XX XXX XX XX`                          |
// | name_typographic_apostrophe | every `'` of one name part → `’` (U+2019) or `ʼ` (U+02BC)       |
// | name_mixed_script           | one Cyrillic letter of one name part → its Latin look-alike     |

namespace aikom::synthetic {

namespace {

using namespace detail;

/// The independent streams of one seed: institutions, then per record its content and its defects.
enum stream_purpose : std::uint64_t {
    institutions_stream = 0,
    record_stream = 1,
    defect_stream = 2,
};

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

using std::chrono::sys_days;

model::date add_days(model::date d, int n)
{
    return model::date{sys_days{d} + std::chrono::days{n}};
}

/// `to − from` in days.
int days_between(model::date from, model::date to)
{
    return static_cast<int>((sys_days{to} - sys_days{from}).count());
}

/// Uniform in [lo, hi]; `lo` when hi < lo.
model::date random_date(random_source& rng, model::date lo, model::date hi)
{
    const int span = days_between(lo, hi);
    return span <= 0 ? lo : add_days(lo, rng.between(0, span));
}

/// The same day `years` earlier; 29 February becomes 28 February in a common year.
model::date years_before(model::date d, int years)
{
    const std::chrono::year_month_day shifted{d.year() - std::chrono::years{years}, d.month(),
                                              d.day()};
    if (shifted.ok()) {
        return shifted;
    }
    return model::date{shifted.year() / shifted.month() / std::chrono::last};
}

model::date later_of(model::date a, model::date b)
{
    return a < b ? b : a;
}
model::date earlier_of(model::date a, model::date b)
{
    return a < b ? a : b;
}

/// Appends `value` in decimal, zero-padded to at least `width` digits.
void append_number(std::string& out, std::uint64_t value, std::size_t width)
{
    char buffer[24];
    std::size_t n = 0;
    do {
        buffer[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    for (std::size_t i = n; i < width; ++i) {
        out.push_back('0');
    }
    while (n > 0) {
        out.push_back(buffer[--n]);
    }
}

/// `count` random decimal digits.
void append_random_digits(std::string& out, random_source& rng, std::size_t count)
{
    for (std::size_t i = 0; i < count; ++i) {
        out.push_back(static_cast<char>('0' + rng.below(10)));
    }
}

std::string concat(std::initializer_list<std::string_view> parts)
{
    std::string out;
    for (auto part : parts) {
        out += part;
    }
    return out;
}

/// Lower-cases the Cyrillic capitals U+0400..U+042F and Ґ, and ASCII letters, in UTF-8 text.
std::string to_lower(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 'A' && c <= 'Z') {
            out.push_back(static_cast<char>(c - 'A' + 'a'));
        } else if ((c == 0xD0 || c == 0xD2) && i + 1 < text.size()) {
            const auto c2 = static_cast<unsigned char>(text[i + 1]);
            char32_t cp = (char32_t{c} & 0x1FU) << 6 | (char32_t{c2} & 0x3FU);
            if (cp >= 0x400 && cp <= 0x40F) {
                cp += 0x50;
            } else if (cp >= 0x410 && cp <= 0x42F) {
                cp += 0x20;
            } else if (cp == 0x490) {
                cp = 0x491;
            }
            out.push_back(static_cast<char>(0xC0U | (cp >> 6)));
            out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
            ++i;
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

/// A place in a text where a look-alike can be substituted.
struct substitution {
    std::size_t position;
    std::size_t length;
    std::string_view replacement;
};

/// Every occurrence in `text[begin, end)` of a Cyrillic letter from `table`.
void find_look_alikes(std::string_view text, std::size_t begin, std::size_t end,
                      std::span<const look_alike> table, std::vector<substitution>& found)
{
    for (const auto& pair : table) {
        for (auto pos = text.find(pair.cyrillic, begin);
             pos != std::string_view::npos && pos + pair.cyrillic.size() <= end;
             pos = text.find(pair.cyrillic, pos + pair.cyrillic.size())) {
            found.push_back({pos, pair.cyrillic.size(), pair.latin});
        }
    }
    // By position, so that the choice does not depend on the order of the table.
    std::sort(found.begin(), found.end(),
              [](const substitution& a, const substitution& b) { return a.position < b.position; });
}

std::vector<substitution> mixed_script_candidates(std::string_view name)
{
    std::vector<substitution> found;
    find_look_alikes(name, 0, name.size(), all(capital_look_alikes), found);
    std::vector<substitution> lower;
    find_look_alikes(name, 0, name.size(), all(lower_look_alikes), lower);
    found.insert(found.end(), lower.begin(), lower.end());
    std::sort(found.begin(), found.end(),
              [](const substitution& a, const substitution& b) { return a.position < b.position; });
    return found;
}

/// Where the series `ROMAN-LETTERS` can take a look-alike: I/X/C in the Roman part, a capital
/// with a Latin twin in the letter part.
std::vector<substitution> series_look_alike_candidates(std::string_view series)
{
    std::vector<substitution> found;
    const auto hyphen = series.find('-');
    if (hyphen == std::string_view::npos) {
        return found;
    }
    for (std::size_t i = 0; i < hyphen; ++i) {
        switch (series[i]) {
        case 'I':
            found.push_back({i, 1, "І"});
            found.push_back({i, 1, "1"});
            break;
        case 'X':
            found.push_back({i, 1, "Х"});
            break;
        case 'C':
            found.push_back({i, 1, "С"});
            break;
        default:
            break;
        }
    }
    std::vector<substitution> letters;
    find_look_alikes(series, hyphen + 1, series.size(), all(capital_look_alikes), letters);
    found.insert(found.end(), letters.begin(), letters.end());
    return found;
}

std::string make_phone(random_source& rng)
{
    std::string phone = concat({"+380", rng.pick(all(operator_codes))});
    append_random_digits(phone, rng, 7);
    return phone;
}

bool is_canonical_phone(const std::optional<std::string>& phone)
{
    return phone && phone->size() == 13 && phone->starts_with("+380");
}

/// Calls `f(std::string&)` (or `const std::string&`) for every present name part of the child
/// and of its guardians.
template <class Child, class F>
void for_each_name_part(Child& record, F&& f)
{
    auto visit = [&f](auto& name) {
        if (!name) {
            return;
        }
        for (auto* part : {&name->last, &name->first, &name->patronymic}) {
            if (*part) {
                f(**part);
            }
        }
    };
    visit(record.name);
    for (auto& g : record.guardians) {
        visit(g.name);
    }
}

model::age_band band_for_age(int age)
{
    if (age <= 2) {
        return model::age_band::early;
    }
    if (age == 3) {
        return model::age_band::junior;
    }
    if (age == 4) {
        return model::age_band::middle;
    }
    return model::age_band::senior;
}

constexpr model::date full_scale_invasion{std::chrono::year{2022}, std::chrono::February,
                                          std::chrono::day{24}};
constexpr model::date anti_terrorist_operation{std::chrono::year{2014}, std::chrono::April,
                                               std::chrono::day{14}};

} // namespace

// ---------------------------------------------------------------------------------------------
// Institutions
// ---------------------------------------------------------------------------------------------

struct roster_generator::site {
    std::string settlement; ///< "UA" + oblast, raion, hromada, settlement: 12 characters
    std::vector<model::group> groups;
};

namespace {

std::vector<model::group> make_groups(random_source& rng)
{
    using model::age_band;
    std::vector<age_band> bands{age_band::early, age_band::junior, age_band::middle,
                                age_band::senior};
    if (rng.chance(0.5)) {
        bands.push_back(age_band::early);
    }
    if (rng.chance(0.4)) {
        bands.push_back(age_band::senior);
    }
    if (rng.chance(0.3)) {
        bands.push_back(age_band::mixed);
    }
    std::sort(bands.begin(), bands.end());

    // Distinct names: a partial Fisher–Yates shuffle of the list's indices.
    std::vector<std::size_t> names(std::size(group_names));
    for (std::size_t i = 0; i < names.size(); ++i) {
        names[i] = i;
    }
    std::vector<model::group> groups;
    for (std::size_t i = 0; i < bands.size(); ++i) {
        std::swap(names[i], names[i + rng.below(names.size() - i)]);
        static constexpr model::group_kind kinds[] = {
            model::group_kind::general, model::group_kind::inclusive, model::group_kind::special,
            model::group_kind::sanatorium};
        model::group g;
        g.id = "g-" + std::to_string(i + 1);
        g.name = std::string{group_names[names[i]]};
        g.age_band = bands[i];
        g.kind = kinds[rng.weighted({82, 15, 2, 1})];
        groups.push_back(std::move(g));
    }
    return groups;
}

} // namespace

roster_generator::roster_generator(roster_options options)
    : options_(options)
{
    if (options_.institutions < 1 || options_.institutions > 100000) {
        throw std::invalid_argument("roster_options::institutions must be in 1..100000");
    }
    if (!(options_.defect_rate >= 0.0 && options_.defect_rate <= 1.0)) {
        throw std::invalid_argument("roster_options::defect_rate must be in 0..1");
    }
    const int year = static_cast<int>(options_.reference_date.year());
    if (!options_.reference_date.ok() || year < 1910 || year > 2170) {
        throw std::invalid_argument(
            "roster_options::reference_date must be a valid date in the years 1910..2170");
    }

    auto rng = random_source::stream(options_.seed, 0, institutions_stream);
    std::unordered_set<int> taken;
    institutions_.reserve(options_.institutions);
    sites_.reserve(options_.institutions);
    while (institutions_.size() < options_.institutions) {
        // Both weight sets of the ЄДРПОУ method occur: 20000000..29999999 and 30000000..44999999.
        const int first7 = rng.between(2000000, 4499999);
        if (!taken.insert(first7).second) {
            continue;
        }
        std::string code;
        append_number(code, static_cast<std::uint64_t>(first7), 7);
        code.push_back(static_cast<char>('0' + *check::edrpou_check_digit(code)));
        institutions_.emplace_back(std::move(code));

        site s;
        s.settlement = concat({"UA", rng.pick(all(oblast_codes))});
        append_number(s.settlement, static_cast<std::uint64_t>(rng.between(1, 9) * 2), 2);
        append_number(s.settlement, static_cast<std::uint64_t>(rng.between(1, 399)), 3);
        append_number(s.settlement, static_cast<std::uint64_t>(rng.between(1, 60)), 3);
        s.groups = make_groups(rng);
        sites_.push_back(std::move(s));
    }
}

roster_generator::~roster_generator() = default;
roster_generator::roster_generator(const roster_generator&) = default;
roster_generator::roster_generator(roster_generator&&) noexcept = default;
roster_generator& roster_generator::operator=(const roster_generator&) = default;
roster_generator& roster_generator::operator=(roster_generator&&) noexcept = default;

const std::vector<defect_kind>& roster_generator::last_defects() const noexcept
{
    return last_defects_;
}

const std::vector<model::edrpou>& roster_generator::institutions() const noexcept
{
    return institutions_;
}

const roster_options& roster_generator::options() const noexcept
{
    return options_;
}

// ---------------------------------------------------------------------------------------------
// A clean record
// ---------------------------------------------------------------------------------------------
namespace {

std::string make_katottg(random_source& rng, std::string_view settlement)
{
    std::string code{settlement};
    code += "00";
    append_random_digits(code, rng, 5);
    return code;
}

model::katottg make_residence_katottg(random_source& rng, std::string_view settlement)
{
    if (rng.chance(0.85)) {
        return model::katottg{make_katottg(rng, settlement)};
    }
    // Another settlement of the same hromada ("UA" + oblast 2 + raion 2 + hromada 3).
    std::string other{settlement.substr(0, 9)};
    append_number(other, static_cast<std::uint64_t>(rng.between(1, 60)), 3);
    return model::katottg{make_katottg(rng, other)};
}

model::identity_document make_document(random_source& rng, model::date birth, model::date today)
{
    model::identity_document doc;
    switch (rng.weighted({88, 6, 3, 3})) {
    case 0: {
        doc.type = model::document_type::ua_birth_certificate;
        const auto numeral = roman_numerals[rng.weighted({30, 25, 15, 8, 6, 4, 3, 2, 2, 2, 2, 1})];
        doc.series = concat({numeral, "-", rng.pick(all(series_letters))});
        std::string number;
        append_number(number, static_cast<std::uint64_t>(rng.between(1, 999999)), 6);
        doc.number = std::move(number);
        doc.issued_on = earlier_of(add_days(birth, rng.between(1, 45)), today);
        if (rng.chance(0.5)) {
            doc.issuer = std::string{rng.pick(all(registry_offices))};
        }
        doc.country = model::country_code{"UA"};
        break;
    }
    case 1: {
        doc.type = model::document_type::foreign_birth_certificate;
        std::string number;
        append_random_digits(number, rng, 9);
        doc.number = std::move(number);
        doc.issued_on = earlier_of(add_days(birth, rng.between(1, 60)), today);
        doc.country = model::country_code{rng.pick(all(foreign_countries))};
        break;
    }
    case 2: {
        doc.type = model::document_type::other;
        std::string number{rng.chance(0.5) ? "FA" : "FX"};
        append_random_digits(number, rng, 6);
        doc.number = std::move(number);
        doc.issued_on = random_date(rng, birth, today);
        doc.country = model::country_code{"UA"};
        break;
    }
    default:
        doc.type = model::document_type::none;
        break;
    }
    return doc;
}

model::person_name make_adult_name(random_source& rng, model::sex sex)
{
    const auto& last = rng.pick(all(last_names));
    const auto& father = rng.pick(all(father_names));
    model::person_name name;
    if (sex == model::sex::male) {
        name.last = std::string{last.male};
        name.first = std::string{rng.pick(all(father_names)).name};
        name.patronymic = std::string{father.son};
    } else {
        name.last = std::string{last.female};
        name.first = std::string{rng.pick(all(women_names))};
        name.patronymic = std::string{father.daughter};
    }
    return name;
}

model::child make_clean_record(random_source& rng, std::uint64_t ordinal, const model::edrpou& code,
                               std::string_view settlement, const std::vector<model::group>& groups,
                               model::date today)
{
    model::child c;
    c.id = "kd-";
    append_number(c.id, ordinal, 6);
    c.institution = code;

    // Who the child is.
    const auto sex = rng.chance(0.5) ? model::sex::male : model::sex::female;
    const bool boy = sex == model::sex::male;
    const auto& family = rng.pick(all(last_names));
    const auto& father = rng.pick(all(father_names));
    model::person_name name;
    name.last = std::string{boy ? family.male : family.female};
    name.first = std::string{boy ? rng.pick(all(boys_names)) : rng.pick(all(girls_names))};
    if (rng.chance(0.93)) {
        name.patronymic = std::string{boy ? father.son : father.daughter};
    }
    c.name = std::move(name);
    c.sex = sex;

    // Full age 1..6 at `today`: born in (today − 7 years, today − 1 year].
    const model::date birth =
        random_date(rng, add_days(years_before(today, 7), 1), years_before(today, 1));
    c.birth_date = birth;
    c.citizenship = model::country_code{rng.chance(0.97) ? std::string_view{"UA"}
                                                         : rng.pick(all(other_citizenships))};

    // Displacement first: it decides where the child lives and how it learns.
    model::displacement displacement;
    switch (rng.weighted({83, 12, 5})) {
    case 1: {
        displacement.status = model::displacement_status::internal;
        const auto anchor = rng.chance(0.8) ? full_scale_invasion : anti_terrorist_operation;
        const auto lo = later_of(birth, anchor);
        displacement.since = random_date(rng, lo <= today ? lo : birth, today);
        std::string from = concat({"UA", rng.pick(all(displaced_from_codes))});
        append_random_digits(from, rng, 15);
        displacement.from_katottg = model::katottg{std::move(from)};
        if (rng.chance(0.9)) {
            model::idp_certificate certificate;
            std::string number;
            append_random_digits(number, rng, 4);
            number += '-';
            append_random_digits(number, rng, 10);
            certificate.number = std::move(number);
            certificate.issued_on = random_date(
                rng, *displacement.since, earlier_of(add_days(*displacement.since, 60), today));
            displacement.certificate = std::move(certificate);
        }
        break;
    }
    case 2: {
        displacement.status = model::displacement_status::external;
        const auto lo = later_of(birth, full_scale_invasion);
        displacement.since = random_date(rng, lo <= today ? lo : birth, today);
        displacement.country = model::country_code{rng.pick(all(foreign_countries))};
        break;
    }
    default:
        displacement.status = model::displacement_status::none;
        break;
    }
    const bool abroad = displacement.status == model::displacement_status::external;
    const bool idp = displacement.status == model::displacement_status::internal;

    c.document = make_document(rng, birth, today);

    if (rng.chance(0.6)) {
        c.rnokpp = model::rnokpp{*check::make_rnokpp(birth, sex, rng.between(0, 4999))};
    }
    if (rng.chance(0.15)) {
        std::string unzr;
        append_number(unzr, static_cast<std::uint64_t>(static_cast<int>(birth.year())), 4);
        append_number(unzr, static_cast<unsigned>(birth.month()), 2);
        append_number(unzr, static_cast<unsigned>(birth.day()), 2);
        append_number(unzr, static_cast<std::uint64_t>(rng.between(1, 9999)), 4);
        const int check = *check::unzr_check_digit(unzr);
        unzr.insert(8, 1, '-');
        unzr.push_back(static_cast<char>('0' + check));
        c.unzr = model::unzr{std::move(unzr)};
    }

    // Residence.
    model::residence residence;
    if (abroad) {
        residence.country = displacement.country;
    } else {
        residence.country = model::country_code{"UA"};
        residence.katottg = make_residence_katottg(rng, settlement);
        std::string address{rng.pick(all(streets))};
        address += ", ";
        address += std::to_string(rng.between(1, 150));
        if (rng.chance(0.4)) {
            address += ", кв. ";
            address += std::to_string(rng.between(1, 200));
        }
        residence.address = std::move(address);
    }

    // Enrollment: at least a year old, at most five years ago, after arriving if displaced.
    model::enrollment enrollment;
    {
        auto lo = later_of(add_days(birth, 365), years_before(today, 5));
        if (idp) {
            lo = later_of(lo, *displacement.since);
        }
        const auto enrolled = random_date(rng, earlier_of(lo, today), today);
        enrollment.enrolled_on = enrolled;
        std::string order = std::to_string(rng.between(1, 250));
        order += "-к";
        enrollment.order = std::move(order);
        if (enrolled < today && rng.chance(0.03)) {
            enrollment.left_on = random_date(rng, add_days(enrolled, 1), today);
            enrollment.leave_reason = std::string{rng.pick(all(leave_reasons))};
        }

        const int age = model::full_years(birth, today);
        auto band = band_for_age(age);
        const bool has_mixed = std::any_of(groups.begin(), groups.end(), [](const model::group& g) {
            return g.age_band == model::age_band::mixed;
        });
        if (has_mixed && rng.chance(0.1)) {
            band = model::age_band::mixed;
        }
        std::vector<const model::group*> fitting;
        for (const auto& g : groups) {
            if (g.age_band == band) {
                fitting.push_back(&g);
            }
        }
        enrollment.group = *fitting[rng.below(fitting.size())];
    }

    // Contact.
    model::contact_status contact;
    if (rng.chance(0.04)) {
        contact.status = model::contact_state::lost;
        contact.since = random_date(rng, *enrollment.enrolled_on, today);
        static constexpr model::contact_scope scopes[] = {
            model::contact_scope::child, model::contact_scope::representatives,
            model::contact_scope::child_and_representatives};
        contact.with = rng.pick(all(scopes));
    } else {
        contact.status = model::contact_state::in_contact;
    }

    // Form of education.
    static constexpr model::education_form forms[] = {model::education_form::in_person,
                                                      model::education_form::distance,
                                                      model::education_form::mixed};
    model::education education;
    education.form = abroad ? forms[1 + rng.weighted({70, 30})] : forms[rng.weighted({80, 10, 10})];

    model::special_needs needs;
    if (rng.chance(0.05)) {
        needs.has = true;
        needs.support_level = rng.between(1, 5);
    }
    if (rng.chance(0.95)) {
        c.free_meals = rng.chance(idp || needs.has ? 0.8 : 0.2);
    }

    // Guardians: mother, father, or both; sometimes a guardian or another relative.
    auto parent = [&](model::sex parent_sex) {
        model::guardian g;
        model::person_name n = make_adult_name(rng, parent_sex);
        if (parent_sex == model::sex::male) {
            n.last = std::string{family.male};
            n.first = std::string{father.name};
            g.relation = model::guardian_relation::father;
        } else {
            if (rng.chance(0.9)) {
                n.last = std::string{family.female};
            }
            g.relation = model::guardian_relation::mother;
        }
        g.name = std::move(n);
        g.phone = make_phone(rng);
        return g;
    };
    auto other_adult = [&](model::guardian_relation relation) {
        model::guardian g;
        g.name = make_adult_name(rng, rng.chance(0.7) ? model::sex::female : model::sex::male);
        g.relation = relation;
        g.phone = make_phone(rng);
        return g;
    };
    switch (rng.weighted({55, 30, 6, 5, 2, 2})) {
    case 0:
        c.guardians.push_back(parent(model::sex::female));
        break;
    case 1:
        c.guardians.push_back(parent(model::sex::female));
        c.guardians.push_back(parent(model::sex::male));
        break;
    case 2:
        c.guardians.push_back(parent(model::sex::male));
        break;
    case 3:
        c.guardians.push_back(other_adult(model::guardian_relation::guardian));
        break;
    case 4:
        c.guardians.push_back(other_adult(model::guardian_relation::other));
        break;
    default:
        c.guardians.push_back(parent(model::sex::female));
        c.guardians.push_back(other_adult(model::guardian_relation::other));
        break;
    }
    if (c.guardians.size() == 2 && rng.chance(0.1)) {
        c.guardians[1].phone.reset();
    }

    c.displacement = std::move(displacement);
    c.contact = contact;
    c.education = education;
    c.enrollment = std::move(enrollment);
    c.residence = std::move(residence);
    c.special_needs = needs;
    return c;
}

// ---------------------------------------------------------------------------------------------
// Defects
// ---------------------------------------------------------------------------------------------

bool is_series_defect(defect_kind kind)
{
    return kind == defect_kind::series_look_alike || kind == defect_kind::series_dash ||
           kind == defect_kind::series_lower_case || kind == defect_kind::series_spaces;
}

/// The canonical Ukrainian certificate series, when the record has one untouched.
const std::string* clean_series(const model::child& c)
{
    if (!c.document || c.document->type != model::document_type::ua_birth_certificate ||
        !c.document->series) {
        return nullptr;
    }
    return &*c.document->series;
}

bool defect_applicable(defect_kind kind, const model::child& c,
                       const std::vector<defect_kind>& applied)
{
    if (std::find(applied.begin(), applied.end(), kind) != applied.end()) {
        return false;
    }
    const bool certificate_touched = std::any_of(applied.begin(), applied.end(), [](defect_kind k) {
        return is_series_defect(k) || k == defect_kind::document_missing;
    });
    switch (kind) {
    case defect_kind::series_look_alike:
        return !certificate_touched && clean_series(c) &&
               !series_look_alike_candidates(*clean_series(c)).empty();
    case defect_kind::series_dash:
    case defect_kind::series_lower_case:
    case defect_kind::series_spaces:
        return !certificate_touched && clean_series(c);
    case defect_kind::document_missing:
        return !certificate_touched && c.document.has_value();
    case defect_kind::rnokpp_check_digit:
        return c.rnokpp.has_value();
    case defect_kind::unzr_check_digit:
        return c.unzr.has_value();
    case defect_kind::displacement_missing:
        return c.displacement.has_value();
    case defect_kind::contact_missing:
        return c.contact.has_value();
    case defect_kind::education_missing:
        return c.education.has_value();
    case defect_kind::enrolled_before_birth:
    case defect_kind::left_before_enrolled: {
        // One date defect per record: the second would move the date the first is relative to.
        const bool dates_touched = std::any_of(applied.begin(), applied.end(), [](defect_kind k) {
            return k == defect_kind::enrolled_before_birth ||
                   k == defect_kind::left_before_enrolled;
        });
        return !dates_touched && c.birth_date && c.enrollment && c.enrollment->enrolled_on;
    }
    case defect_kind::phone_format:
        return std::any_of(c.guardians.begin(), c.guardians.end(),
                           [](const model::guardian& g) { return is_canonical_phone(g.phone); });
    case defect_kind::name_typographic_apostrophe: {
        bool found = false;
        for_each_name_part(c, [&found](const std::string& part) {
            found = found || part.find('\'') != std::string::npos;
        });
        return found;
    }
    case defect_kind::name_mixed_script: {
        bool found = false;
        for_each_name_part(c, [&found](const std::string& part) {
            found = found || !mixed_script_candidates(part).empty();
        });
        return found;
    }
    }
    return false;
}

void spoil_last_digit(random_source& rng, std::string& text)
{
    const int digit = text.back() - '0';
    text.back() = static_cast<char>('0' + (digit + rng.between(1, 9)) % 10);
}

void apply_defect(defect_kind kind, model::child& c, random_source& rng)
{
    switch (kind) {
    case defect_kind::series_look_alike: {
        auto& series = *c.document->series;
        const auto candidates = series_look_alike_candidates(series);
        const auto& s = candidates[rng.below(candidates.size())];
        series.replace(s.position, s.length, s.replacement);
        break;
    }
    case defect_kind::series_dash: {
        auto& series = *c.document->series;
        series.replace(series.find('-'), 1, "–");
        break;
    }
    case defect_kind::series_lower_case: {
        auto& series = *c.document->series;
        if (rng.chance(0.5)) {
            series = to_lower(series);
        } else {
            const auto letters = series.find('-') + 1;
            series = series.substr(0, letters) + to_lower(std::string_view{series}.substr(letters));
        }
        break;
    }
    case defect_kind::series_spaces: {
        auto& series = *c.document->series;
        static constexpr std::string_view separators[] = {" -", "- ", " - ", " "};
        series.replace(series.find('-'), 1, rng.pick(all(separators)));
        break;
    }
    case defect_kind::rnokpp_check_digit: {
        std::string text = c.rnokpp->str();
        spoil_last_digit(rng, text);
        c.rnokpp = model::rnokpp{std::move(text)};
        break;
    }
    case defect_kind::unzr_check_digit: {
        std::string text = c.unzr->str();
        spoil_last_digit(rng, text);
        c.unzr = model::unzr{std::move(text)};
        break;
    }
    case defect_kind::document_missing:
        c.document.reset();
        break;
    case defect_kind::displacement_missing:
        c.displacement.reset();
        break;
    case defect_kind::contact_missing:
        c.contact.reset();
        break;
    case defect_kind::education_missing:
        c.education.reset();
        break;
    case defect_kind::enrolled_before_birth:
        c.enrollment->enrolled_on = add_days(*c.birth_date, -rng.between(1, 400));
        break;
    case defect_kind::left_before_enrolled:
        c.enrollment->left_on = add_days(*c.enrollment->enrolled_on, -rng.between(1, 200));
        if (!c.enrollment->leave_reason) {
            c.enrollment->leave_reason = std::string{rng.pick(all(leave_reasons))};
        }
        break;
    case defect_kind::phone_format: {
        std::vector<std::string*> phones;
        for (auto& g : c.guardians) {
            if (is_canonical_phone(g.phone)) {
                phones.push_back(&*g.phone);
            }
        }
        std::string& phone = *phones[rng.below(phones.size())];
        const std::string_view national = std::string_view{phone}.substr(3); // 0XXXXXXXXX
        switch (rng.below(3)) {
        case 0:
            phone = std::string{national};
            break;
        case 1: // +380 XX XXX XX XX
            phone = concat({"+380 ", national.substr(1, 2), " ", national.substr(3, 3), " ",
                            national.substr(6, 2), " ", national.substr(8, 2)});
            break;
        default: // 0XX XXX XX XX
            phone = concat({national.substr(0, 3), " ", national.substr(3, 3), " ",
                            national.substr(6, 2), " ", national.substr(8, 2)});
            break;
        }
        break;
    }
    case defect_kind::name_typographic_apostrophe: {
        std::vector<std::string*> parts;
        for_each_name_part(c, [&parts](std::string& part) {
            if (part.find('\'') != std::string::npos) {
                parts.push_back(&part);
            }
        });
        std::string& part = *parts[rng.below(parts.size())];
        const std::string_view apostrophe = rng.chance(0.5) ? "’" : "ʼ";
        for (auto pos = part.find('\''); pos != std::string::npos; pos = part.find('\'', pos)) {
            part.replace(pos, 1, apostrophe);
            pos += apostrophe.size();
        }
        break;
    }
    case defect_kind::name_mixed_script: {
        std::vector<std::string*> parts;
        for_each_name_part(c, [&parts](std::string& part) {
            if (!mixed_script_candidates(part).empty()) {
                parts.push_back(&part);
            }
        });
        std::string& part = *parts[rng.below(parts.size())];
        const auto candidates = mixed_script_candidates(part);
        const auto& s = candidates[rng.below(candidates.size())];
        part.replace(s.position, s.length, s.replacement);
        break;
    }
    }
}

} // namespace

model::child roster_generator::next()
{
    ++count_;
    auto rng = random_source::stream(options_.seed, count_, record_stream);
    const std::size_t at = rng.below(institutions_.size());
    model::child record = make_clean_record(rng, count_, institutions_[at], sites_[at].settlement,
                                            sites_[at].groups, options_.reference_date);

    last_defects_.clear();
    auto defects = random_source::stream(options_.seed, count_, defect_stream);
    if (defects.chance(options_.defect_rate)) {
        const int wanted = defects.chance(0.3) ? 2 : 1;
        for (int i = 0; i < wanted; ++i) {
            std::vector<defect_kind> candidates;
            for (auto kind : all_defect_kinds) {
                if (defect_applicable(kind, record, last_defects_)) {
                    candidates.push_back(kind);
                }
            }
            if (candidates.empty()) {
                break;
            }
            const auto kind = candidates[defects.below(candidates.size())];
            apply_defect(kind, record, defects);
            last_defects_.push_back(kind);
        }
    }
    return record;
}

std::string_view to_string(defect_kind kind) noexcept
{
    switch (kind) {
    case defect_kind::series_look_alike:
        return "series_look_alike";
    case defect_kind::series_dash:
        return "series_dash";
    case defect_kind::series_lower_case:
        return "series_lower_case";
    case defect_kind::series_spaces:
        return "series_spaces";
    case defect_kind::rnokpp_check_digit:
        return "rnokpp_check_digit";
    case defect_kind::unzr_check_digit:
        return "unzr_check_digit";
    case defect_kind::document_missing:
        return "document_missing";
    case defect_kind::displacement_missing:
        return "displacement_missing";
    case defect_kind::contact_missing:
        return "contact_missing";
    case defect_kind::education_missing:
        return "education_missing";
    case defect_kind::enrolled_before_birth:
        return "enrolled_before_birth";
    case defect_kind::left_before_enrolled:
        return "left_before_enrolled";
    case defect_kind::phone_format:
        return "phone_format";
    case defect_kind::name_typographic_apostrophe:
        return "name_typographic_apostrophe";
    case defect_kind::name_mixed_script:
        return "name_mixed_script";
    }
    return "unknown";
}

} // namespace aikom::synthetic
