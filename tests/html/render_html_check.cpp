// Renders a synthetic readiness report's HTML page in headless Chromium and fails unless the
// page really renders and its script really runs:
//
//  1. a screenshot: a valid PNG of the window's size whose compressed pixel data is several
//     times larger than that of a blank page in the same window (so the page is not empty and
//     not one colour);
//  2. the DOM after load (`--dump-dom`): the script marked the body `data-ready="1"` (which it
//     can only do if the page's Content-Security-Policy lets it run), one bar per indicator per
//     chart with its segments, one table row per listed record, and a hostile id shown as text,
//     never as an element;
//  3. sorting: a harness page loads the report in a frame, clicks the "position" header twice
//     and writes the order of the rows it saw; it must be ascending (numerically: `:9` before
//     `:10`) and then descending;
//  4. the authority's pages (progress, form 85-К), built on the same page skeleton: their
//     script runs under their policy, and their charts and tables are in the DOM.
//
// Usage: aikom_html_check <chromium> [<artefact dir>]. The page, the screenshot and the DOM
// are copied to the artefact directory when one is given, to look at after a failure.
// Synthetic data only.
#include <aikom/check/form85k.hpp>
#include <aikom/check/progress.hpp>
#include <aikom/check/readiness.hpp>
#include <aikom/synthetic/roster_generator.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <stdlib.h> // mkdtemp

namespace fs = std::filesystem;
using namespace aikom::check;
using namespace std::chrono;

namespace {

int failures = 0;

void expect(bool ok, std::string_view what)
{
    if (!ok) {
        ++failures;
        std::cerr << "FAILED: " << what << '\n';
    } else {
        std::cout << "ok: " << what << '\n';
    }
}

constexpr std::size_t listed = 30;
constexpr std::string_view hostile_id = "<img src=x onerror=alert(1)>";

// Positions `roster.csv:N` for a scrambled set of N (unique: 7 is coprime with 41).
std::size_t line_of(std::size_t i)
{
    return (i * 7) % 41 + 2;
}

readiness_report synthetic_report()
{
    readiness_report r;
    r.as_of = 2025y / June / 2;
    r.deadline = 2025y / June / 7;
    const char* edrpous[] = {"32855961", "21560045", "38473627"};
    const char* group_names[] = {"Сонечко", "Зайчики", "Пролісок", "Барвінок"};
    for (std::size_t k = 0; k < 3; ++k) {
        institution_readiness inst;
        inst.edrpou = edrpous[k];
        for (std::size_t g = 0; g < 4; ++g) {
            const std::size_t children = 18 + 3 * g + k;
            const std::size_t invalid = (g + k) % 3;
            const std::size_t missing = (2 * g + k) % 4;
            readiness_counts c{.children = children,
                               .ready = children - invalid - missing - (g % 2),
                               .non_ukrainian_document = (g + k) % 2};
            c.indicators[0] = {children - invalid - missing, missing, invalid};
            c.indicators[1] = {children - missing - g % 2, missing + g % 2, 0};
            c.indicators[2] = {children - k, k, 0};
            c.indicators[3] = {children - 1, 0, 1};
            inst.groups.push_back(group_readiness{
                .id = "g-" + std::to_string(g + 1), .name = group_names[g], .counts = c});
            auto& t = inst.counts;
            t.children += c.children;
            t.ready += c.ready;
            t.non_ukrainian_document += c.non_ukrainian_document;
            for (std::size_t i = 0; i < indicator_count; ++i) {
                t.indicators[i].filled += c.indicators[i].filled;
                t.indicators[i].missing += c.indicators[i].missing;
                t.indicators[i].invalid += c.indicators[i].invalid;
            }
        }
        r.total.children += inst.counts.children;
        r.total.ready += inst.counts.ready;
        r.total.non_ukrainian_document += inst.counts.non_ukrainian_document;
        for (std::size_t i = 0; i < indicator_count; ++i) {
            r.total.indicators[i].filled += inst.counts.indicators[i].filled;
            r.total.indicators[i].missing += inst.counts.indicators[i].missing;
            r.total.indicators[i].invalid += inst.counts.indicators[i].invalid;
        }
        r.institutions.push_back(std::move(inst));
    }
    r.withdrawn = 7;
    r.unreadable = 2;
    const indicator_state states[] = {indicator_state::filled, indicator_state::missing,
                                      indicator_state::invalid};
    const char* codes[] = {"document.series.format", "displacement.missing", "contact.missing",
                           "education.missing"};
    for (std::size_t i = 0; i < listed; ++i) {
        char id[16];
        std::snprintf(id, sizeof id, "kd-%06zu", i + 1);
        record_to_fix rec;
        rec.id = i == 3 ? std::string(hostile_id) : std::string(id);
        rec.institution = edrpous[i % 3];
        rec.group = "g-" + std::to_string(i % 4 + 1);
        rec.position = "roster.csv:" + std::to_string(line_of(i));
        for (std::size_t k = 0; k < indicator_count; ++k) {
            rec.indicators[k] = states[(i + k) % 3];
            if (rec.indicators[k] != indicator_state::filled) {
                rec.codes.emplace_back(codes[k]);
            }
        }
        if (i == 5) {
            rec.id = "</script><script>document.title='pwned'</script>";
        }
        r.to_fix.push_back(std::move(rec));
    }
    // All the records that are not ready; the first `listed` of them are listed.
    r.to_fix_total = r.total.children - r.total.ready;
    return r;
}

// Two institutions over two weeks, one of them behind.
progress_report synthetic_progress()
{
    progress_report r;
    r.from = 2025y / May / 20;
    r.to = 2025y / June / 2;
    r.deadline = 2025y / June / 7;
    for (const auto& [code, active, per_day] : {std::tuple{"14360570", 80, 6},
                                                std::tuple{"32855961", 200, 3}}) {
        institution_progress inst{.edrpou = code};
        for (int i = 0; i < 14; ++i) {
            const auto ready = static_cast<std::size_t>(std::min(active, 10 + per_day * i));
            inst.days.push_back({.date = sys_days{r.from} + days{i},
                                 .records = static_cast<std::size_t>(active) + 1,
                                 .active = static_cast<std::size_t>(active),
                                 .ready = ready});
        }
        inst.on_track = on_track(inst.days, r.deadline);
        r.institutions.push_back(std::move(inst));
    }
    r.total = total_days(r.institutions);
    return r;
}

form85k_report synthetic_form85k()
{
    aikom::synthetic::roster_generator gen({.institutions = 3, .seed = 85});
    form85k_builder builder(2025y / September / 1);
    for (int i = 0; i < 600; ++i) {
        builder.add(gen.next());
    }
    return builder.report();
}

std::string read_file(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& p, std::string_view text)
{
    std::ofstream out(p, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

std::size_t count(std::string_view haystack, std::string_view needle)
{
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string_view::npos;
         at = haystack.find(needle, at + needle.size())) {
        ++n;
    }
    return n;
}

std::string quoted(const std::string& s)
{
    return "'" + s + "'"; // paths made here: no quotes in them
}

// Runs Chromium on `page` with `extra` arguments, stdout to `out`; true when it exited with 0.
bool run_chromium(const std::string& chromium, const fs::path& work, const std::string& name,
                  const std::string& extra, const fs::path& page, const fs::path& out)
{
    const fs::path profile = work / ("profile-" + name);
    fs::create_directories(profile);
    const std::string command =
        "timeout -k 10 120 " + quoted(chromium) +
        " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
        " --disable-background-networking --disable-component-update --disable-sync"
        " --disable-extensions --user-data-dir=" +
        quoted(profile.string()) + " --window-size=1280,1600 " + extra + " " +
        quoted("file://" + page.string()) + " >" + quoted(out.string()) + " 2>" +
        quoted((work / (name + ".log")).string());
    const int status = std::system(command.c_str());
    if (status != 0) {
        std::cerr << "chromium (" << name << ") exited with status " << status << "; log:\n"
                  << read_file(work / (name + ".log")) << '\n';
    }
    return status == 0;
}

struct png_info {
    bool valid = false;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::size_t idat_bytes = 0;
};

std::uint32_t be32(std::string_view s, std::size_t at)
{
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        v = (v << 8) | static_cast<unsigned char>(s[at + i]);
    }
    return v;
}

// Walks the chunks: signature, IHDR first, IEND last, the IDAT sizes summed.
png_info inspect_png(std::string_view png)
{
    png_info info;
    constexpr std::string_view signature = "\x89PNG\r\n\x1a\n";
    if (png.size() < 8 + 25 || png.substr(0, 8) != signature) {
        return info;
    }
    std::size_t at = 8;
    bool first = true;
    bool end = false;
    while (at + 12 <= png.size() && !end) {
        const std::size_t length = be32(png, at);
        const std::string_view type = png.substr(at + 4, 4);
        if (at + 12 + length > png.size()) {
            return info;
        }
        if (first) {
            if (type != "IHDR" || length != 13) {
                return info;
            }
            info.width = be32(png, at + 8);
            info.height = be32(png, at + 12);
            first = false;
        } else if (type == "IDAT") {
            info.idat_bytes += length;
        } else if (type == "IEND") {
            end = true;
        }
        at += 12 + length;
    }
    info.valid = end && !first;
    return info;
}

std::string attribute(std::string_view dom, std::string_view name)
{
    const std::string key = std::string(name) + "=\"";
    const auto at = dom.find(key);
    if (at == std::string_view::npos) {
        return {};
    }
    const auto from = at + key.size();
    return std::string(dom.substr(from, dom.find('"', from) - from));
}

// Clicks the "position" header of the to-fix table twice, recording the row order each time.
// Needs --allow-file-access-from-files to reach into the file:// frame.
constexpr std::string_view harness = R"html(<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body data-state="waiting">
<iframe id="report" src="report.html" width="1200" height="800"></iframe>
<script>
document.getElementById("report").addEventListener("load", function () {
  var out = document.body;
  try {
    var doc = this.contentDocument;
    if (!doc) { out.dataset.state = "no-access"; return; }
    out.dataset.reportReady = doc.body.dataset.ready || "";
    var table = doc.querySelector("table.to-fix");
    var header = table.tHead.rows[0].cells[1];
    function order() {
      return Array.prototype.map.call(table.tBodies[0].rows,
        function (r) { return r.cells[1].textContent; }).join("|");
    }
    header.click();
    out.dataset.ascending = order();
    out.dataset.sortAscending = header.getAttribute("aria-sort");
    header.click();
    out.dataset.descending = order();
    out.dataset.sortDescending = header.getAttribute("aria-sort");
    out.dataset.state = "done";
  } catch (e) {
    out.dataset.state = "error: " + e;
  }
});
</script></body></html>
)html";

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: aikom_html_check <chromium> [<artefact dir>]\n";
        return 2;
    }
    const std::string chromium = argv[1];
    std::string pattern = (fs::temp_directory_path() / "aikom-html-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        std::cerr << "cannot create a temporary directory\n";
        return 1;
    }
    const fs::path work = pattern;

    const readiness_report report = synthetic_report();
    const fs::path page = work / "report.html";
    write_file(page, render_html(report));
    write_file(work / "blank.html", "<!DOCTYPE html><html><body></body></html>");
    write_file(work / "harness.html", harness);

    // 1. Screenshots of the report and, for scale, of a blank page.
    const fs::path png = work / "report.png";
    const fs::path blank_png = work / "blank.png";
    const bool shot = run_chromium(chromium, work, "screenshot",
                                   "--screenshot=" + quoted(png.string()), page, work / "s.out");
    const bool blank_shot =
        run_chromium(chromium, work, "blank", "--screenshot=" + quoted(blank_png.string()),
                     work / "blank.html", work / "b.out");
    expect(shot && fs::exists(png), "chromium wrote a screenshot of the report");
    const png_info info = inspect_png(read_file(png));
    const png_info blank = inspect_png(read_file(blank_png));
    expect(info.valid, "the screenshot is a well-formed PNG (signature, IHDR first, IEND)");
    expect(info.width == 1280 && info.height == 1600, "the screenshot is 1280x1600, got " +
                                                          std::to_string(info.width) + "x" +
                                                          std::to_string(info.height));
    expect(blank_shot && blank.valid, "chromium wrote a screenshot of a blank page");
    expect(info.idat_bytes >= 20'000 && info.idat_bytes >= 4 * blank.idat_bytes,
           "the screenshot has far more detail than a blank page (" +
               std::to_string(info.idat_bytes) + " vs " + std::to_string(blank.idat_bytes) +
               " bytes of pixel data)");

    // 2. The DOM after the script ran.
    const fs::path dom_file = work / "dom.html";
    const bool dumped = run_chromium(chromium, work, "dom", "--dump-dom", page, dom_file);
    const std::string dom = read_file(dom_file);
    expect(dumped && dom.size() > 1000, "chromium dumped the report's DOM");
    expect(dom.find("<body data-ready=\"1\"") != std::string::npos,
           "the page's script ran (body data-ready=\"1\")");
    const std::size_t charts = report.institutions.size() + 1; // plus the totals
    expect(count(dom, "class=\"bar\"") == charts * indicator_count,
           "one bar per indicator in each of the " + std::to_string(charts) + " charts");
    expect(count(dom, "class=\"seg ok\"") >= charts * indicator_count,
           "every chart bar has its filled segment");
    expect(count(dom, "class=\"seg inv\"") > 0 && count(dom, "class=\"seg mis\"") > 0,
           "invalid and missing segments are drawn");
    const auto body_at = dom.find("<table class=\"sortable to-fix\"");
    const std::string to_fix_table =
        body_at == std::string::npos ? std::string{}
                                     : dom.substr(body_at, dom.find("</table>", body_at) - body_at);
    expect(count(to_fix_table, "<tr") == listed + 1,
           "the to-fix table has one row per listed record plus its header");
    expect(count(dom, "<table class=\"sortable groups\"") == report.institutions.size(),
           "one group table per institution");
    expect(dom.find("<img") == std::string::npos && dom.find("&lt;img src=x") != std::string::npos,
           "a hostile id is shown as text, not as an element");
    expect(dom.find("<title>pwned") == std::string::npos, "an id holding </script> did not run");
    expect(count(dom, "<script") == 1, "exactly one script element in the page");

    // 3. Sorting, through the harness.
    const fs::path harness_dom = work / "harness-dom.html";
    const bool harnessed =
        run_chromium(chromium, work, "harness", "--allow-file-access-from-files --dump-dom",
                     work / "harness.html", harness_dom);
    const std::string hdom = read_file(harness_dom);
    const std::string state = attribute(hdom, "data-state");
    expect(harnessed && state == "done", "the harness clicked the headers (state: " + state + ")");
    expect(attribute(hdom, "data-report-ready") == "1", "the framed report's script ran");
    std::vector<std::size_t> lines;
    for (std::size_t i = 0; i < listed; ++i) {
        lines.push_back(line_of(i));
    }
    std::sort(lines.begin(), lines.end());
    std::string ascending;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        ascending += (i == 0 ? "" : "|") + std::string("roster.csv:") + std::to_string(lines[i]);
    }
    std::string descending;
    for (std::size_t i = lines.size(); i-- > 0;) {
        descending += std::string("roster.csv:") + std::to_string(lines[i]) + (i == 0 ? "" : "|");
    }
    expect(attribute(hdom, "data-ascending") == ascending,
           "one click sorts by position, numerically ascending");
    expect(attribute(hdom, "data-sort-ascending") == "ascending", "the header says ascending");
    expect(attribute(hdom, "data-descending") == descending, "a second click reverses the order");
    expect(attribute(hdom, "data-sort-descending") == "descending", "the header says descending");

    // 4. The authority's pages.
    const auto dom_of = [&](const std::string& name, const std::string& html) {
        const fs::path p = work / (name + ".html");
        write_file(p, html);
        const fs::path d = work / (name + "-dom.html");
        return run_chromium(chromium, work, name, "--dump-dom", p, d) ? read_file(d)
                                                                       : std::string{};
    };
    const progress_report progress = synthetic_progress();
    const std::string progress_dom = dom_of("progress", render_html(progress));
    expect(progress_dom.find("<body data-ready=\"1\"") != std::string::npos,
           "the progress page's script ran");
    expect(count(progress_dom, "<polyline class=\"ready\"") == progress.institutions.size() + 1,
           "the progress page charts the total and each institution");
    expect(count(progress_dom, "class=\"deadline\"") == progress.institutions.size() + 1,
           "each progress chart shows the deadline");
    expect(count(progress_dom, "<script") == 1, "exactly one script element in the progress page");
    const std::string form_dom = dom_of("form85k", render_html(synthetic_form85k()));
    expect(form_dom.find("<body data-ready=\"1\"") != std::string::npos,
           "the form 85-K page's script ran");
    expect(count(form_dom, "data-figure=") == 7, "the form 85-K page has a table per figure");

    if (argc >= 3) {
        const fs::path artefacts = argv[2];
        fs::create_directories(artefacts);
        for (const char* name : {"report.html", "report.png", "dom.html", "harness-dom.html",
                                 "progress.html", "form85k.html"}) {
            std::error_code ec;
            fs::copy_file(work / name, artefacts / name, fs::copy_options::overwrite_existing, ec);
        }
        std::cout << "artefacts in " << artefacts.string() << '\n';
    }
    if (failures == 0) {
        std::error_code ec;
        fs::remove_all(work, ec);
        std::cout << "all checks passed\n";
        return 0;
    }
    std::cerr << failures << " check(s) failed; the work directory is kept: " << work.string()
              << '\n';
    return 1;
}
