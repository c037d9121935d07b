// Form 85-К: which records count at `as_of`, and their figures.
#include <aikom/check/form85k.hpp>

#include "check/sorted_find.hpp"

#include <algorithm>
#include <numeric>

namespace aikom::check {

using detail::find_or_insert;

namespace {

// An enum's figure has the enum's wire names, in order, then `unknown`.
template <class E, std::size_t N>
constexpr bool columns_of(const std::string_view (&columns)[N])
{
    const auto& names = model::enum_names<E>::values;
    if (N != std::size(names) + 1 || columns[N - 1] != "unknown") {
        return false;
    }
    return std::equal(std::begin(names), std::end(names), columns);
}
static_assert(columns_of<model::sex>(form85k_columns::by_sex));
static_assert(columns_of<model::group_kind>(form85k_columns::group_kinds));
static_assert(columns_of<model::education_form>(form85k_columns::by_education_form));
static_assert(columns_of<model::displacement_status>(form85k_columns::by_displacement));
static_assert(std::size(form85k_columns::by_age) == age_bucket_count);

void count(form85k_counts& c, const model::child& r, model::date as_of)
{
    ++c.children;
    ++c.by_age[static_cast<std::size_t>(age_bucket_at(r.birth_date, as_of))];
    ++c.by_sex[slot_of(r.sex)];
    const auto* group = r.enrollment && r.enrollment->group ? &*r.enrollment->group : nullptr;
    const auto kind = group ? group->kind : std::nullopt;
    ++c.by_group_kind[slot_of(kind)];
    const auto form = r.education ? std::optional{r.education->form} : std::nullopt;
    ++c.by_education_form[slot_of(form)];
    const auto displacement = r.displacement ? std::optional{r.displacement->status} : std::nullopt;
    ++c.by_displacement[slot_of(displacement)];
    auto& needs = c.special_needs;
    const auto slot = [](special_needs_slot s) { return static_cast<std::size_t>(s); };
    if (!r.special_needs) {
        ++needs[slot(special_needs_slot::unknown)];
    } else if (!r.special_needs->has) {
        ++needs[slot(special_needs_slot::without)];
    } else {
        ++needs[slot(special_needs_slot::with)];
        if (kind == model::group_kind::inclusive) {
            ++needs[slot(special_needs_slot::in_inclusive_groups)];
        } else if (kind == model::group_kind::special) {
            ++needs[slot(special_needs_slot::in_special_groups)];
        }
    }
    if (!group || !group->id) {
        ++c.children_without_group;
    }
}

// `sum += part`, member by member.
void add_to(form85k_counts& sum, const form85k_counts& part)
{
    const auto add = [](auto& s, const auto& p) {
        std::transform(s.begin(), s.end(), p.begin(), s.begin(), std::plus<>{});
    };
    sum.children += part.children;
    add(sum.by_age, part.by_age);
    add(sum.by_sex, part.by_sex);
    add(sum.by_group_kind, part.by_group_kind);
    add(sum.by_education_form, part.by_education_form);
    add(sum.by_displacement, part.by_displacement);
    add(sum.special_needs, part.special_needs);
    add(sum.groups_by_kind, part.groups_by_kind);
    sum.children_without_group += part.children_without_group;
}

} // namespace

std::string_view to_string(age_bucket b) noexcept
{
    return form85k_columns::by_age[static_cast<std::size_t>(b)];
}

age_bucket age_bucket_at(const std::optional<model::date>& birth, model::date as_of) noexcept
{
    if (!birth || !birth->ok() || *birth > as_of) {
        return age_bucket::unknown;
    }
    const int years = model::full_years(*birth, as_of);
    return static_cast<age_bucket>(std::min(years, static_cast<int>(age_bucket::age_7_plus)));
}

std::size_t form85k_counts::groups() const noexcept
{
    return std::accumulate(groups_by_kind.begin(), groups_by_kind.end(), std::size_t{0});
}

form85k_builder::form85k_builder(model::date as_of)
    : as_of_(as_of)
{}

void form85k_builder::add(const model::child& record)
{
    const auto& e = record.enrollment;
    if (e && e->left_on && *e->left_on <= as_of_) {
        ++withdrawn_;
        return;
    }
    if (e && e->enrolled_on && *e->enrolled_on > as_of_) {
        ++not_yet_enrolled_;
        return;
    }
    const std::string code = record.institution ? record.institution->str() : std::string();
    auto& inst = find_or_insert(
        institutions_, code,
        [](const institution_state& i) -> const auto& { return i.figures.edrpou; });
    inst.figures.edrpou = code;
    count(inst.figures.counts, record, as_of_);

    if (!e || !e->group || !e->group->id) {
        return;
    }
    auto& group = find_or_insert(
        inst.groups, *e->group->id, [](const group_seen& g) -> const auto& { return g.id; });
    group.id = *e->group->id;
    if (!group.kind) {
        group.kind = e->group->kind;
    }
}

form85k_report form85k_builder::report() const
{
    form85k_report r;
    r.as_of = as_of_;
    r.withdrawn = withdrawn_;
    r.not_yet_enrolled = not_yet_enrolled_;
    r.unreadable = unreadable_;
    for (const auto& state : institutions_) {
        auto figures = state.figures;
        for (const auto& g : state.groups) {
            ++figures.counts.groups_by_kind[slot_of(g.kind)];
        }
        r.institutions.push_back(std::move(figures));
    }
    for (const auto& inst : r.institutions) {
        add_to(r.total, inst.counts);
    }
    return r;
}

} // namespace aikom::check
