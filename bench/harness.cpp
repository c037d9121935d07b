#include "harness.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <stdexcept>

namespace aikom::bench {
namespace {

volatile std::size_t sink_ = 0;

std::string format(const char* spec, double value)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, spec, value);
    return buffer;
}

// 1234567 → "1.23M", 98765 → "98.8k": rates span six orders of magnitude.
std::string short_number(double value)
{
    if (value >= 1e9) {
        return format("%.2fG", value / 1e9);
    }
    if (value >= 1e6) {
        return format("%.2fM", value / 1e6);
    }
    if (value >= 1e3) {
        return format("%.1fk", value / 1e3);
    }
    return format("%.1f", value);
}

std::string size_text(const volume& v)
{
    std::string s = std::to_string(v.items) + " " + v.unit;
    if (v.bytes != 0) {
        s += format(", %.1f MB", static_cast<double>(v.bytes) / 1e6);
    }
    return s;
}

std::string padded(std::string s, std::size_t width)
{
    // Pads by characters, not bytes, so that a UTF-8 '≥' does not shift the columns.
    std::size_t chars = 0;
    for (const unsigned char c : s) {
        chars += (c & 0xC0) != 0x80 ? 1 : 0;
    }
    if (chars < width) {
        s.append(width - chars, ' ');
    }
    return s;
}

} // namespace

std::size_t suite::items_of(const measurement& m, const sample& s)
{
    return s.items != 0 ? s.items : m.size.items;
}

double suite::rate_of(const measurement& m, const sample& s)
{
    return s.seconds > 0 ? static_cast<double>(items_of(m, s)) / s.seconds : 0;
}

std::optional<bool> row::met() const
{
    if (maximum && value) {
        return *value <= *maximum;
    }
    if (!target || !ratio) {
        return std::nullopt;
    }
    return *ratio >= *target;
}

double median(std::vector<double> values)
{
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void keep(std::size_t value) noexcept
{
    sink_ = sink_ + value;
}

void suite::add(std::string name, volume size, std::function<void()> work)
{
    add_measured(std::move(name), std::move(size), [work = std::move(work)] {
        const auto start = std::chrono::steady_clock::now();
        work();
        const auto stop = std::chrono::steady_clock::now();
        return sample{.seconds = std::chrono::duration<double>(stop - start).count()};
    });
}

void suite::add_measured(std::string name, volume size, std::function<sample()> work,
                         std::size_t max_rounds)
{
    if (find(name) != nullptr) {
        throw std::logic_error("aikom_bench: measurement added twice: " + name);
    }
    measurements_.push_back({std::move(name), std::move(size), std::move(work), {}, {}, max_rounds});
}

void suite::add_skipped(std::string name, volume size, std::string reason)
{
    if (find(name) != nullptr) {
        throw std::logic_error("aikom_bench: measurement added twice: " + name);
    }
    measurements_.push_back({std::move(name), std::move(size), {}, std::move(reason), {}});
}

void suite::compare(const std::string& name, const std::string& baseline,
                    std::optional<double> target)
{
    if (find(name) == nullptr || find(baseline) == nullptr) {
        throw std::logic_error("aikom_bench: comparison of unknown measurements: " + name +
                               " vs " + baseline);
    }
    comparisons_.push_back({name, baseline, target});
}

void suite::bound(const std::string& name, const std::string& figure, double maximum)
{
    if (find(name) == nullptr) {
        throw std::logic_error("aikom_bench: ceiling of an unknown measurement: " + name);
    }
    ceilings_.push_back({name, figure, maximum});
}

const suite::measurement* suite::find(std::string_view name) const
{
    for (const auto& m : measurements_) {
        if (m.name == name) {
            return &m;
        }
    }
    return nullptr;
}

void suite::run(std::size_t rounds, std::string_view only, std::ostream* progress)
{
    std::vector<measurement*> selected;
    for (auto& m : measurements_) {
        m.samples.clear();
        m.wall_seconds = 0;
        if (m.work && m.name.starts_with(only)) {
            selected.push_back(&m);
        }
    }
    for (std::size_t round = 0; round < rounds; ++round) {
        // Alternate the order so that no measurement always runs first (cold) or last.
        const auto run_one = [](measurement& m) {
            if (m.max_rounds == 0 || m.samples.size() < m.max_rounds) {
                const auto start = std::chrono::steady_clock::now();
                m.samples.push_back(m.work());
                m.wall_seconds += std::chrono::duration<double>(
                                      std::chrono::steady_clock::now() - start)
                                      .count();
            }
        };
        if (round % 2 == 0) {
            for (auto* m : selected) {
                run_one(*m);
            }
        } else {
            for (auto it = selected.rbegin(); it != selected.rend(); ++it) {
                run_one(**it);
            }
        }
        if (progress != nullptr) {
            *progress << "  round " << round + 1 << " of " << rounds << " done" << std::endl;
        }
    }
    if (progress != nullptr) {
        // Where the run's time went, setup included: what to look at when it takes too long.
        std::vector<std::pair<std::string, double>> sections;
        for (const auto* m : selected) {
            const auto section = m->name.substr(0, m->name.find('.'));
            if (sections.empty() || sections.back().first != section) {
                sections.emplace_back(section, 0.0);
            }
            sections.back().second += m->wall_seconds;
        }
        *progress << "  wall time by section:";
        for (const auto& [section, seconds] : sections) {
            *progress << ' ' << section << ' ' << static_cast<long>(seconds + 0.5) << " s";
        }
        *progress << std::endl;
    }
}

row suite::plain_row(const measurement& m) const
{
    row r;
    r.name = m.name;
    r.measure = m.name;
    r.section = m.name.substr(0, m.name.find('.'));
    r.size = m.size;
    r.skipped = m.skipped;
    r.rounds = m.samples.size();
    if (m.samples.empty()) {
        if (r.skipped.empty()) {
            r.skipped = "not run (--only)";
        }
        return r;
    }
    std::vector<double> seconds;
    std::vector<double> items;
    std::vector<double> rates;
    bool items_vary = false;
    for (const auto& s : m.samples) {
        seconds.push_back(s.seconds);
        items.push_back(static_cast<double>(items_of(m, s)));
        rates.push_back(rate_of(m, s));
        items_vary = items_vary || s.items != 0;
    }
    r.seconds = median(seconds);
    if (items_vary) {
        // Runs of a fixed time: the median rate, and the median count of what they did.
        r.size.items = static_cast<std::size_t>(median(items));
        r.records_per_s = median(rates);
    } else if (r.seconds > 0) {
        r.mb_per_s = static_cast<double>(m.size.bytes) / 1e6 / r.seconds;
        r.records_per_s = static_cast<double>(m.size.items) / r.seconds;
    }
    // Extra figures: the median of each name over the rounds that reported it.
    for (const auto& first : m.samples.front().extra) {
        std::vector<double> values;
        for (const auto& s : m.samples) {
            for (const auto& [k, v] : s.extra) {
                if (k == first.first) {
                    values.push_back(v);
                }
            }
        }
        r.extra.emplace_back(first.first, median(values));
    }
    return r;
}

std::vector<row> suite::rows() const
{
    std::vector<row> out;
    for (const auto& m : measurements_) {
        bool compared = false;
        for (const auto& c : comparisons_) {
            if (c.name != m.name) {
                continue;
            }
            compared = true;
            row r = plain_row(m);
            r.name = m.name + " vs " + c.baseline;
            r.baseline = c.baseline;
            r.target = c.target;
            // A skipped baseline leaves the row its own figures and no ratio.
            const measurement& b = *find(c.baseline);
            // Per-round ratios of rates (items per second): both were timed in the same round.
            const std::size_t n = std::min(m.samples.size(), b.samples.size());
            std::vector<double> ratios;
            for (std::size_t i = 0; i < n; ++i) {
                ratios.push_back(rate_of(m, m.samples[i]) / rate_of(b, b.samples[i]));
            }
            if (!ratios.empty()) {
                r.ratio = median(ratios);
            }
            out.push_back(std::move(r));
        }
        if (!compared) {
            out.push_back(plain_row(m));
        }
        for (const auto& c : ceilings_) {
            if (c.name != m.name) {
                continue;
            }
            row r = plain_row(m);
            r.name = m.name + " " + c.figure;
            r.figure = c.figure;
            r.maximum = c.maximum;
            for (const auto& [k, v] : r.extra) {
                if (k == c.figure) {
                    r.value = v;
                }
            }
            out.push_back(std::move(r));
        }
    }
    return out;
}

void suite::print(std::ostream& out) const
{
    const auto all = rows();
    std::size_t name_width = 4;
    std::size_t base_width = 8;
    for (const auto& r : all) {
        name_width = std::max(name_width, r.measure.size());
        base_width = std::max(base_width, r.baseline.size());
    }
    name_width += 2;
    base_width += 2;
    out << padded("name", name_width) << padded("size", 28) << padded("time s", 10)
        << padded("MB/s", 9) << padded("items/s", 10) << padded("baseline", base_width)
        << padded("ratio", 9) << "target\n";
    for (const auto& r : all) {
        out << padded(r.measure, name_width) << padded(size_text(r.size), 28);
        if (!r.skipped.empty()) {
            out << "skipped: " << r.skipped << '\n';
            continue;
        }
        out << padded(format("%.4f", r.seconds), 10)
            << padded(r.size.bytes != 0 ? format("%.1f", r.mb_per_s) : "-", 9)
            << padded(short_number(r.records_per_s), 10)
            << padded(r.baseline.empty() ? "-" : r.baseline, base_width)
            << padded(r.ratio ? format("%.2fx", *r.ratio) : "-", 9);
        if (r.target) {
            const auto met = r.met();
            out << format("≥%.1fx ", *r.target) << (!met ? "n/a" : *met ? "met" : "MISSED");
        } else if (r.maximum) {
            const auto met = r.met();
            out << r.figure << (r.value ? format(" %.1f", *r.value) : " ?")
                << format(" ≤%.0f ", *r.maximum) << (!met ? "n/a" : *met ? "met" : "MISSED");
        } else {
            out << '-';
        }
        for (const auto& [k, v] : r.extra) {
            out << "  " << k << '=' << format("%.1f", v);
        }
        out << '\n';
    }
    out << "rows: " << all.size() << '\n';
}

void suite::write_json(const std::filesystem::path& path) const
{
    boost::json::array out;
    for (const auto& r : rows()) {
        boost::json::object o;
        o["name"] = r.name;
        o["measure"] = r.measure;
        o["baseline"] = r.baseline.empty() ? boost::json::value() : boost::json::value(r.baseline);
        o["section"] = r.section;
        o["unit"] = r.size.unit;
        o["items"] = r.size.items;
        o["bytes"] = r.size.bytes;
        o["rounds"] = r.rounds;
        o["seconds"] = r.seconds;
        o["mb_per_s"] = r.mb_per_s;
        o["records_per_s"] = r.records_per_s;
        o["ratio"] = r.ratio ? boost::json::value(*r.ratio) : boost::json::value();
        o["target"] = r.target ? boost::json::value(*r.target) : boost::json::value();
        const auto met = r.met();
        o["met"] = met ? boost::json::value(*met) : boost::json::value();
        if (r.maximum) {
            o["figure"] = r.figure;
            o["value"] = r.value ? boost::json::value(*r.value) : boost::json::value();
            o["max"] = *r.maximum;
        }
        for (const auto& [k, v] : r.extra) {
            o[k] = v;
        }
        if (!r.skipped.empty()) {
            o["skipped"] = r.skipped;
        }
        out.push_back(std::move(o));
    }
    if (path.has_parent_path()) {
        std::filesystem::create_directories(path.parent_path());
    }
    std::ofstream f(path);
    f << boost::json::serialize(out) << '\n';
    f.close();
    if (!f) {
        throw std::runtime_error("aikom_bench: cannot write " + path.string());
    }
}

} // namespace aikom::bench
