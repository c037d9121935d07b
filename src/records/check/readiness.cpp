// Readiness: the four indicators of one record, and the counters of a whole roster.
#include <aikom/check/readiness.hpp>

#include "check/sorted_find.hpp"

#include <algorithm>

namespace aikom::check {

using detail::find_or_insert;

namespace {

// The part of the record each indicator covers.
constexpr std::string_view indicator_roots[indicator_count] = {"/document", "/displacement",
                                                               "/contact", "/education"};
constexpr std::string_view missing_codes[indicator_count] = {
    "document.missing", "displacement.missing", "contact.missing", "education.missing"};

bool under(std::string_view pointer, std::string_view root) noexcept
{
    return pointer.starts_with(root) &&
           (pointer.size() == root.size() || pointer[root.size()] == '/');
}

void count(readiness_counts& c, const std::array<indicator_state, indicator_count>& states,
           bool ready, bool non_ukrainian)
{
    ++c.children;
    c.ready += ready ? 1 : 0;
    c.non_ukrainian_document += non_ukrainian ? 1 : 0;
    for (std::size_t i = 0; i < indicator_count; ++i) {
        switch (states[i]) {
        case indicator_state::filled:
            ++c.indicators[i].filled;
            break;
        case indicator_state::missing:
            ++c.indicators[i].missing;
            break;
        case indicator_state::invalid:
            ++c.indicators[i].invalid;
            break;
        }
    }
}

} // namespace

std::array<indicator_state, indicator_count>
evaluate_indicators(const model::child&, const std::vector<issue>& readiness_issues)
{
    std::array<indicator_state, indicator_count> states{};
    states.fill(indicator_state::filled);
    for (const auto& i : readiness_issues) {
        if (i.severity == severity::warning) {
            continue; // warnings do not make an indicator wrong
        }
        for (std::size_t k = 0; k < indicator_count; ++k) {
            if (i.code == missing_codes[k]) {
                states[k] = indicator_state::missing;
            } else if (under(i.pointer, indicator_roots[k]) &&
                       states[k] != indicator_state::missing) {
                states[k] = indicator_state::invalid; // an error, or a fix still to apply
            }
        }
    }
    return states;
}

readiness_builder::readiness_builder(readiness_options options)
    : options_(std::move(options))
{}

void readiness_builder::add(const model::child& record, std::string_view position)
{
    if (record.enrollment && record.enrollment->left_on &&
        *record.enrollment->left_on <= options_.as_of) {
        ++withdrawn_;
        return;
    }
    scratch_.clear();
    check_record(record, profile::readiness, rule_options{.as_of = options_.as_of}, scratch_);
    const auto states = evaluate_indicators(record, scratch_);
    const bool ready = !has_errors(scratch_) &&
                       std::all_of(states.begin(), states.end(),
                                   [](indicator_state s) { return s == indicator_state::filled; });
    const bool non_ukrainian =
        record.document && record.document->type != model::document_type::ua_birth_certificate;

    const std::string code = record.institution ? record.institution->str() : std::string();
    const std::string group_id =
        record.enrollment && record.enrollment->group && record.enrollment->group->id
            ? *record.enrollment->group->id
            : std::string();

    auto& inst = find_or_insert(
        institutions_, code,
        [](const institution_readiness& i) -> const std::string& { return i.edrpou; });
    inst.edrpou = code;
    auto& grp = find_or_insert(inst.groups, group_id,
                               [](const group_readiness& g) -> const std::string& { return g.id; });
    grp.id = group_id;
    if (grp.name.empty() && record.enrollment && record.enrollment->group &&
        record.enrollment->group->name) {
        grp.name = *record.enrollment->group->name;
    }
    count(inst.counts, states, ready, non_ukrainian);
    count(grp.counts, states, ready, non_ukrainian);
    count(total_, states, ready, non_ukrainian);

    if (ready) {
        return;
    }
    ++to_fix_total_;
    if (to_fix_.size() >= options_.max_listed) {
        return;
    }
    record_to_fix fix;
    fix.id = record.id;
    fix.institution = code;
    fix.group = group_id;
    fix.position = std::string(position);
    fix.indicators = states;
    for (const auto& i : scratch_) {
        if (i.severity != severity::warning &&
            std::find(fix.codes.begin(), fix.codes.end(), i.code) == fix.codes.end()) {
            fix.codes.push_back(i.code);
        }
    }
    if (options_.include_names && record.name) {
        std::string n = record.name->last.value_or("");
        if (record.name->first) {
            n += (n.empty() ? "" : " ") + *record.name->first;
        }
        fix.name = std::move(n);
    }
    to_fix_.push_back(std::move(fix));
}

readiness_report readiness_builder::report() const
{
    readiness_report r;
    r.as_of = options_.as_of;
    r.deadline = options_.deadline;
    r.institutions = institutions_;
    r.total = total_;
    r.withdrawn = withdrawn_;
    r.unreadable = unreadable_;
    r.to_fix = to_fix_;
    r.to_fix_total = to_fix_total_;
    r.names_included = options_.include_names;
    return r;
}

} // namespace aikom::check
