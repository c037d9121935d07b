// aikom-audit end to end: form 85-К's figures of a generated roster, and every JSON report
// (readiness, form 85-К, progress) turned into its HTML page with --from-json.
#include <aikom/check/progress.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

using namespace aikom;

namespace {

std::string read_text(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("aikom-audit: form 85-K of roster files, and JSON reports turned into pages")
{
    test::temp_dir dir;
    const test::scoped_umask permissive(022); // the programs inherit it
    const std::string audit = AIKOM_AUDIT;
    const auto roster = dir.file("roster.ndjson");
    REQUIRE(test::run_command(std::string(AIKOM_GEN) +
                              " --count 400 --institutions 2 --seed 5 -o " + roster.string()) == 0);

    // The roster's readiness report and its form 85-К figures, as JSON and as a page.
    const auto readiness = dir.file("readiness.json");
    const auto form_json = dir.file("form85k.json");
    const auto form_html = dir.file("form85k.html");
    const std::string quiet = " > " + dir.file("stdout.txt").string();
    REQUIRE(test::run_command(audit + " --as-of 2025-06-01 --json " + readiness.string() +
                              " --form-85k " + form_json.string() + " " + roster.string() +
                              quiet) == 0);
    REQUIRE(test::run_command(audit + " --as-of 2025-06-01 --form-85k " + form_html.string() + " " +
                              roster.string() + quiet) == 0);
    CHECK(read_text(form_json).starts_with("{\"format\":\"aikom.form-85k\",\"version\":1,"));
    CHECK(read_text(form_html).starts_with("<!DOCTYPE html>"));
    // Reports and rosters are created owner-only even under umask 022.
    for (const auto& written : {roster, readiness, form_json, form_html}) {
        CAPTURE(written);
        CHECK(test::group_and_other_bits(written) == 0);
    }

    // Each JSON report back into a page; the page of form 85-К's JSON is the page made directly.
    const auto from_form = dir.file("from-form.html");
    CHECK(test::run_command(audit + " --from-json " + form_json.string() + " --html " +
                            from_form.string()) == 0);
    CHECK(read_text(from_form) == read_text(form_html));

    const auto from_readiness = dir.file("from-readiness.html");
    CHECK(test::run_command(audit + " --lang en --from-json " + readiness.string() + " --html " +
                            from_readiness.string()) == 0);
    CHECK(read_text(from_readiness).find("Readiness of children's records") != std::string::npos);

    using namespace std::chrono;
    check::progress_report progress;
    progress.from = 2025y / May / 25;
    progress.to = 2025y / May / 27;
    progress.deadline = 2025y / June / 7;
    progress.institutions.push_back({.edrpou = "32855961",
                                     .days = {{2025y / May / 25, 12, 10, 2},
                                              {2025y / May / 26, 12, 10, 5},
                                              {2025y / May / 27, 12, 11, 8}}});
    progress.institutions[0].on_track =
        check::on_track(progress.institutions[0].days, progress.deadline);
    progress.total = check::total_days(progress.institutions);
    const auto progress_json = dir.file("progress.json");
    const auto progress_html = dir.file("progress.html");
    test::write_file(progress_json, check::render_json(progress));
    CHECK(test::run_command(audit + " --from-json " + progress_json.string() + " --html " +
                            progress_html.string()) == 0);
    CHECK(read_text(progress_html) == check::render_html(progress));

    // Refused: an unknown format, a report that does not add up, no --html, roster files too.
    const auto unknown = dir.file("unknown.json");
    test::write_file(unknown, R"({"format":"aikom.other","version":1})");
    const auto broken = dir.file("broken.json");
    auto text = check::render_json(progress);
    text.replace(text.find("\"ready\":8"), 9, "\"ready\":99");
    test::write_file(broken, text);
    const auto out = dir.file("out.html");
    const std::string silent = " 2> " + dir.file("stderr.txt").string();
    CHECK(test::run_command(audit + " --from-json " + unknown.string() + " --html " + out.string() +
                            silent) == 2);
    CHECK(read_text(dir.file("stderr.txt")).find("not a report aikom-audit knows") !=
          std::string::npos);
    CHECK(test::run_command(audit + " --from-json " + broken.string() + " --html " + out.string() +
                            silent) == 2);
    CHECK(test::run_command(audit + " --from-json " + dir.file("absent.json").string() +
                            " --html " + out.string() + silent) == 2);
    CHECK(test::run_command(audit + " --from-json " + progress_json.string() + silent) == 2);
    CHECK(test::run_command(audit + " --from-json " + progress_json.string() + " --html " +
                            out.string() + " " + roster.string() + silent) == 2);
    CHECK_FALSE(std::filesystem::exists(out));
}
