#ifndef AIKOM_BENCH_HARNESS_HPP
#define AIKOM_BENCH_HARNESS_HPP

// The benchmark harness shared by every section of aikom_bench (issue 10).
//
// A *measurement* is a named piece of work over a fixed volume (bytes and items: records,
// validations, requests). A *comparison* pairs a measurement with a baseline measurement that
// does the same work another way, optionally with a target ratio. The suite runs every
// measurement once per round, rounds interleaved (round 1 runs A B C, round 2 C B A, …) so that
// all of them see the same machine, and reports for each measurement the median of its rounds.
//
// A ratio is the measurement's items per second divided by its baseline's, computed *per round*
// (both timed within the same round, close together) and reported as the median of those
// per-round ratios. On a noisy machine the ratios are the figures that mean something; the
// absolute rates say what this machine did today.
//
// Figures are printed as one table and written as JSON, one row per figure:
//   - a measurement without comparisons is one row named after it;
//   - each comparison is one row named "<measurement> vs <baseline>".
// Names are stable across runs: tools may track them.
//
// Sections that measure something outside this process (a server driven by wrk, peak RSS of a
// child process) use `add_measured`, whose work returns its own seconds and extra figures; the
// harness still interleaves, takes medians and compares.
//
// Not thread-safe: one suite per program.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aikom::bench {

/// What one run of a measurement's work processes.
struct volume {
    std::size_t bytes = 0; ///< input (or output) bytes; 0 when bytes mean nothing here
    std::size_t items = 0; ///< records, validations, requests…
    std::string unit = "records";
};

/// One run of self-measured work (`add_measured`).
struct sample {
    double seconds = 0;
    /// Items this run processed, when the run decides it (wrk runs for a fixed time); 0: the
    /// measurement's volume.
    std::size_t items = 0;
    /// Further figures of this run (e.g. `peak_rss_mb`, `tls_handshakes`); each is reported as
    /// the median over rounds under its name.
    std::vector<std::pair<std::string, double>> extra{};
};

/// A figure as reported: one table line and one JSON object.
struct row {
    std::string name;     ///< unique and stable: the measurement, or "<it> vs <baseline>"
    std::string measure;  ///< the measurement
    std::string baseline; ///< empty for a plain figure
    std::string section;  ///< the part before the first '.' of the measurement's name
    volume size;
    double seconds = 0;       ///< median over rounds
    double mb_per_s = 0;      ///< bytes / seconds / 1e6 (0 when the volume has no bytes)
    double records_per_s = 0; ///< items / seconds
    std::optional<double> ratio{};  ///< median of the per-round ratios, when compared
    std::optional<double> target{}; ///< the least ratio the issue asks for
    std::size_t rounds = 0;         ///< rounds measured
    std::vector<std::pair<std::string, double>> extra{};
    std::string skipped{}; ///< why nothing was measured (a missing package), else empty
    /// A ceiling row (`suite::bound`): the extra figure `figure`'s median must stay at or under
    /// `maximum`; `value` is that median.
    std::string figure{};
    std::optional<double> value{};
    std::optional<double> maximum{};

    /// Whether the ratio reached the target, or the value stayed under the ceiling; nullopt when
    /// the row has neither (or was not measured).
    [[nodiscard]] std::optional<bool> met() const;
};

class suite {
public:
    /// Work timed by the harness (wall clock, steady_clock) around one call.
    void add(std::string name, volume size, std::function<void()> work);

    /// Work that times itself: returns seconds and any extra figures of one run. A positive
    /// `max_rounds` runs it in that many rounds at most (the first ones), for work too long to
    /// repeat (a million-record push); its comparisons then use those rounds only.
    void add_measured(std::string name, volume size, std::function<sample()> work,
                      std::size_t max_rounds = 0);

    /// A measurement that cannot run here (e.g. an optional package is missing). It is still
    /// printed and written, with `reason`, so that the set of rows never silently changes.
    void add_skipped(std::string name, volume size, std::string reason);

    /// Reports `name`'s rate against `baseline`'s (both already added). With a target, the row
    /// says whether the ratio reached it.
    void compare(const std::string& name, const std::string& baseline,
                 std::optional<double> target = std::nullopt);

    /// A ceiling: the median of `name`'s extra figure `figure` (e.g. `peak_rss_mb`) must stay at
    /// or under `maximum`. One more row, named "<name> <figure>", says whether it did.
    void bound(const std::string& name, const std::string& figure, double maximum);

    /// Runs `rounds` interleaved rounds of every measurement whose name starts with `only`
    /// (all when empty). `progress` (may be null) gets a line per round.
    void run(std::size_t rounds, std::string_view only = {}, std::ostream* progress = nullptr);

    /// The rows, in the order measurements and comparisons were added. Valid after `run`.
    [[nodiscard]] std::vector<row> rows() const;

    /// The table (name, size, time, throughput, baseline, ratio, target) and a last line
    /// "rows: N".
    void print(std::ostream& out) const;

    /// Writes the rows as a JSON array to `path` (creating its directory). Throws
    /// std::runtime_error if the file cannot be written.
    void write_json(const std::filesystem::path& path) const;

private:
    struct measurement {
        std::string name;
        volume size;
        std::function<sample()> work;
        std::string skipped;
        std::vector<sample> samples;
        std::size_t max_rounds = 0;
        double wall_seconds = 0; ///< all its rounds, setup included (the run's time budget)
    };
    struct comparison {
        std::string name;
        std::string baseline;
        std::optional<double> target;
    };

    [[nodiscard]] const measurement* find(std::string_view name) const;
    [[nodiscard]] static std::size_t items_of(const measurement& m, const sample& s);
    [[nodiscard]] static double rate_of(const measurement& m, const sample& s);
    [[nodiscard]] row plain_row(const measurement& m) const;

    std::vector<measurement> measurements_;
    std::vector<comparison> comparisons_;
    struct ceiling {
        std::string name;
        std::string figure;
        double maximum = 0;
    };
    std::vector<ceiling> ceilings_;
};

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
[[nodiscard]] double median(std::vector<double> values);

/// Keeps the optimiser from dropping work whose result is otherwise unused.
void keep(std::size_t value) noexcept;

} // namespace aikom::bench

#endif
