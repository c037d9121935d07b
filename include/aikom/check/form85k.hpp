#ifndef AIKOM_CHECK_FORM85K_HPP
#define AIKOM_CHECK_FORM85K_HPP

/// @file
/// The figures of form 85-К (the annual report of a preschool institution) that the child
/// record can answer, per institution and in total, as of one date: children by full years of
/// age, by sex, by the kind of their group, by form of education, by displacement, with special
/// educational needs, and the groups by kind. docs/authority-reports.md says which lines of the
/// form each figure feeds and which lines the records cannot answer.
///
/// Counts only: no report holds a name, a date of birth or any other personal data, nor a
/// record id. `form85k_builder` takes records one at a time and keeps counters and the distinct
/// group ids of each institution, so a roster of any size is counted in memory proportional to
/// its institutions and groups. Not thread-safe; build one report per thread.

#include <aikom/check/readiness.hpp>
#include <aikom/model/child.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace aikom::check {

/// The age columns of form 85-К: full years at `as_of`.
enum class age_bucket : std::uint8_t {
    under_1,
    age_1,
    age_2,
    age_3,
    age_4,
    age_5,
    age_6,
    age_7_plus, ///< 7 and older
    unknown,    ///< no birth date, or a birth date after `as_of`
};
inline constexpr std::size_t age_bucket_count = 9;

/// `under_1`, `age_1` … `age_6`, `age_7_plus`, `unknown`: the JSON member names.
[[nodiscard]] std::string_view to_string(age_bucket b) noexcept;

/// The bucket of someone born on `birth` (if known) at `as_of`, by `model::full_years`: a child
/// whose birthday is `as_of` is already a year older; one born on 29 February turns a year
/// older on 1 March in a common year.
[[nodiscard]] age_bucket age_bucket_at(const std::optional<model::date>& birth,
                                       model::date as_of) noexcept;

/// The columns of the special-educational-needs figure.
enum class special_needs_slot : std::uint8_t {
    with,                ///< `special_needs.has` is true
    in_inclusive_groups, ///< of `with`, in a group of kind `inclusive`
    in_special_groups,   ///< of `with`, in a group of kind `special`
    without,             ///< `special_needs.has` is false
    unknown,             ///< no `special_needs`
};

/// The JSON member names of each figure's counts, in the order of its array in
/// `form85k_counts`. An enum's figure has its wire names (`model::enum_names`) and `unknown`.
namespace form85k_columns {
inline constexpr std::string_view by_age[] = {"under_1", "age_1", "age_2",      "age_3",  "age_4",
                                              "age_5",   "age_6", "age_7_plus", "unknown"};
inline constexpr std::string_view by_sex[] = {"female", "male", "unknown"};
inline constexpr std::string_view group_kinds[] = {"general", "inclusive", "special", "sanatorium",
                                                   "unknown"};
inline constexpr std::string_view by_education_form[] = {"in_person", "distance", "mixed",
                                                         "unknown"};
inline constexpr std::string_view by_displacement[] = {"none", "internal", "external", "unknown"};
inline constexpr std::string_view special_needs[] = {"with", "in_inclusive_groups",
                                                     "in_special_groups", "without", "unknown"};
} // namespace form85k_columns

/// Counters with one slot per column of `Columns`.
template <const auto& Columns>
using form85k_row = std::array<std::size_t, std::size(Columns)>;

/// The slot of an enum's value in its figure: the enumerator's index, or the last slot
/// (`unknown`) when the value is absent.
template <class E>
[[nodiscard]] constexpr std::size_t slot_of(const std::optional<E>& value) noexcept
{
    return value ? static_cast<std::size_t>(*value) : std::size(model::enum_names<E>::values);
}

/// The figures of one institution, or of all. Each figure's counts add up to `children`
/// (`special_needs`: its `with`, `without` and `unknown`), except `groups_by_kind`.
struct form85k_counts {
    std::size_t children = 0; ///< children counted (enrolled and not withdrawn at `as_of`)
    form85k_row<form85k_columns::by_age> by_age{}; ///< indexed by `age_bucket`
    form85k_row<form85k_columns::by_sex> by_sex{}; ///< indexed by `slot_of(sex)`
    /// By the kind of the child's group as the child's record states it.
    form85k_row<form85k_columns::group_kinds> by_group_kind{};
    form85k_row<form85k_columns::by_education_form> by_education_form{};
    form85k_row<form85k_columns::by_displacement> by_displacement{};
    /// Special educational needs, indexed by `special_needs_slot`.
    form85k_row<form85k_columns::special_needs> special_needs{};
    /// Distinct groups (`enrollment.group.id`) with at least one counted child, by kind: the
    /// first kind a record of the group states (records without a kind do not decide it).
    /// Groups are distinct per institution; the total adds the institutions' groups.
    form85k_row<form85k_columns::group_kinds> groups_by_kind{};
    std::size_t children_without_group = 0; ///< counted children with no group id

    /// All groups: the sum of `groups_by_kind`.
    [[nodiscard]] std::size_t groups() const noexcept;

    friend bool operator==(const form85k_counts&, const form85k_counts&) = default;
};

/// Calls `visit(name, columns, row)` for each figure of `counts` in the order of the JSON
/// format: its member name, its columns' member names (`form85k_columns`) and its counters
/// (const when `counts` is). The one description of the figures that the JSON writer, the
/// HTML page and the protocol's parser all follow.
template <class Counts, class Visit>
requires std::same_as<std::remove_const_t<Counts>, form85k_counts>
void for_each_figure(Counts& counts, Visit&& visit)
{
    visit(std::string_view("by_age"), std::span(form85k_columns::by_age), counts.by_age);
    visit(std::string_view("by_sex"), std::span(form85k_columns::by_sex), counts.by_sex);
    visit(std::string_view("by_group_kind"), std::span(form85k_columns::group_kinds),
          counts.by_group_kind);
    visit(std::string_view("by_education_form"), std::span(form85k_columns::by_education_form),
          counts.by_education_form);
    visit(std::string_view("by_displacement"), std::span(form85k_columns::by_displacement),
          counts.by_displacement);
    visit(std::string_view("special_needs"), std::span(form85k_columns::special_needs),
          counts.special_needs);
    visit(std::string_view("groups"), std::span(form85k_columns::group_kinds),
          counts.groups_by_kind);
}

struct institution_form85k {
    std::string edrpou{}; ///< the institution's code, or empty when the records lack it
    form85k_counts counts{};

    friend bool operator==(const institution_form85k&, const institution_form85k&) = default;
};

struct form85k_report {
    model::date as_of{};                             ///< the date the figures are counted at
    std::vector<institution_form85k> institutions{}; ///< sorted by code; empty code first
    form85k_counts total{};
    std::size_t withdrawn = 0;        ///< not counted: `enrollment.left_on` on or before `as_of`
    std::size_t not_yet_enrolled = 0; ///< not counted: `enrollment.enrolled_on` after `as_of`
    std::size_t unreadable = 0;       ///< records that could not be decoded at all

    friend bool operator==(const form85k_report&, const form85k_report&) = default;
};

/// Counts records into form 85-К's figures. Which records count, as `readiness_builder`
/// decides "active": a record counts unless its child left on or before `as_of`
/// (`enrollment.left_on <= as_of`); in addition, a child enrolled after `as_of`
/// (`enrollment.enrolled_on > as_of`) does not count yet. A record without an enrollment date
/// counts (its enrollment is unknown, not absent).
class form85k_builder {
public:
    explicit form85k_builder(model::date as_of);

    /// Counts one record (or counts it as withdrawn / not yet enrolled).
    void add(const model::child& record);

    /// Counts a record that could not be decoded.
    void add_unreadable() noexcept { ++unreadable_; }

    /// The report of everything added so far.
    [[nodiscard]] form85k_report report() const;

private:
    struct group_seen {
        std::string id;
        std::optional<model::group_kind> kind;
    };
    struct institution_state {
        institution_form85k figures;
        std::vector<group_seen> groups; // sorted by id
    };

    model::date as_of_;
    std::vector<institution_state> institutions_; // sorted by code
    std::size_t withdrawn_ = 0;
    std::size_t not_yet_enrolled_ = 0;
    std::size_t unreadable_ = 0;
};

// ---- rendering --------------------------------------------------------------------------------

/// JSON, format `aikom.form-85k` version 1 (docs/authority-reports.md).
[[nodiscard]] std::string render_json(const form85k_report& report);

/// One self-contained HTML page in the readiness report's style: the totals as bars, then one
/// sortable table per figure with a row per institution and a row of totals.
[[nodiscard]] std::string render_html(const form85k_report& report,
                                      report_language language = report_language::uk);

} // namespace aikom::check

#endif
