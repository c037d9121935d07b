#ifndef AIKOM_CHECK_READINESS_HPP
#define AIKOM_CHECK_READINESS_HPP

/// @file
/// The readiness report: for each institution and each of its groups, how many active children
/// there are and, for each of the four indicators the ministry asks institutions to check
/// (birth certificate, forced displacement, loss of contact, distance learning), how many
/// records have it filled, missing or invalid; which records are not ready and why; and the
/// share of records ready.
///
/// `readiness_builder` takes records one at a time and keeps only counters and a bounded list of
/// records to fix, so a file of any size is reported in bounded memory. The report names
/// records by id only; names appear only when asked for (`readiness_options::include_names`).
/// Not thread-safe; build one report per thread.

#include <aikom/check/issue.hpp>
#include <aikom/check/rules.hpp>
#include <aikom/model/child.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::check {

/// The four indicators of the ministry's letter, in its order.
enum class indicator : std::uint8_t { document, displacement, contact, education };
inline constexpr std::size_t indicator_count = 4;

/// `document`, `displacement`, `contact`, `education`.
[[nodiscard]] std::string_view to_string(indicator i) noexcept;

/// How one indicator stands in one record.
enum class indicator_state : std::uint8_t {
    filled,  ///< present and consistent
    missing, ///< absent: unknown
    invalid, ///< present but wrong or inconsistent (see the record's issues)
};

[[nodiscard]] std::string_view to_string(indicator_state s) noexcept;

struct indicator_counts {
    std::size_t filled = 0;
    std::size_t missing = 0;
    std::size_t invalid = 0;
};

struct readiness_counts {
    std::size_t children = 0; ///< active children (not withdrawn)
    std::size_t ready = 0;    ///< all four indicators filled and no `submission` error
    std::array<indicator_counts, indicator_count> indicators{}; ///< indexed by `indicator`
    /// Children whose document is not a Ukrainian birth certificate (foreign, other, none):
    /// counted as filled when stated, and shown apart because AIKOM cannot check them against
    /// the civil registry.
    std::size_t non_ukrainian_document = 0;

    /// `ready / children` in percent; 100 when there are no children.
    [[nodiscard]] double percent_ready() const noexcept;
};

struct group_readiness {
    std::string id{};   ///< `enrollment.group.id`, or empty when unknown
    std::string name{}; ///< `enrollment.group.name`, or empty
    readiness_counts counts{};
};

struct institution_readiness {
    std::string edrpou{}; ///< the institution's code, or empty when the records lack it
    readiness_counts counts{};
    std::vector<group_readiness> groups{}; ///< sorted by group id
};

/// A record that is not ready, and why. Identifies the record by id and position only.
struct record_to_fix {
    std::string id{};
    std::string institution{};
    std::string group{};
    std::string position{}; ///< where it was read, e.g. `roster.csv:17`, if known
    /// The state of each indicator, indexed by `indicator`.
    std::array<indicator_state, indicator_count> indicators{};
    std::vector<std::string> codes{};  ///< the codes of its errors, each once, in order
    std::optional<std::string> name{}; ///< "Last First" only with `include_names`
};

struct readiness_report {
    model::date as_of{};                               ///< the date the report was made for
    std::optional<model::date> deadline{};             ///< e.g. 7 June
    std::vector<institution_readiness> institutions{}; ///< sorted by code
    readiness_counts total{};
    std::size_t withdrawn = 0;           ///< records skipped because the child has left
    std::size_t unreadable = 0;          ///< records that could not be decoded at all
    std::vector<record_to_fix> to_fix{}; ///< the first `max_listed` records not ready
    std::size_t to_fix_total = 0;        ///< all records not ready (may exceed `to_fix.size()`)
    bool names_included = false;
};

struct readiness_options {
    /// "Today": withdrawals, ages and "not in the future" are judged against it. Defaults to the
    /// current UTC date.
    model::date as_of = model::today_utc();
    std::optional<model::date> deadline{};
    /// Put children's names in `record_to_fix::name`. Off by default: reports travel.
    bool include_names = false;
    /// At most this many records are listed in `to_fix` (all are counted).
    std::size_t max_listed = 10'000;
};

/// Evaluates the four indicators of one record (from the `readiness` profile's issues).
[[nodiscard]] std::array<indicator_state, indicator_count>
evaluate_indicators(const model::child& record, const std::vector<issue>& readiness_issues);

class readiness_builder {
public:
    explicit readiness_builder(readiness_options options);

    /// Counts one record. `position` is where it was read (may be empty).
    void add(const model::child& record, std::string_view position = {});

    /// Counts a record that could not be decoded.
    void add_unreadable() noexcept { ++unreadable_; }

    /// The report of everything added so far.
    [[nodiscard]] readiness_report report() const;

private:
    readiness_options options_;
    std::vector<institution_readiness> institutions_; // sorted by code
    readiness_counts total_;
    std::vector<record_to_fix> to_fix_;
    std::size_t to_fix_total_ = 0;
    std::size_t withdrawn_ = 0;
    std::size_t unreadable_ = 0;
    std::vector<issue> scratch_;
};

// ---- rendering --------------------------------------------------------------------------------

enum class report_language { uk, en };

/// Plain text for a terminal: totals, then one block per institution with its groups.
[[nodiscard]] std::string render_text(const readiness_report& report,
                                      report_language language = report_language::uk);

/// JSON (schema in docs/readiness-report.md).
[[nodiscard]] std::string render_json(const readiness_report& report);

/// One self-contained HTML page (no network, no external scripts or fonts): a bar chart per
/// institution and a sortable table of the records to fix.
[[nodiscard]] std::string render_html(const readiness_report& report,
                                      report_language language = report_language::uk);

} // namespace aikom::check

#endif
