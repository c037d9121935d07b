// The progress report: the "on track" rule at its boundaries, the total of the institutions,
// the JSON round trip through the protocol's parser, and the page.
#include <aikom/check/progress.hpp>
#include <aikom/protocol/error.hpp>
#include <aikom/protocol/reports.hpp>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace aikom;
using namespace std::chrono;

namespace {

constexpr auto first_day = 2025y / May / 20;

model::date on(int n)
{
    return sys_days{first_day} + days{n};
}

// Days 0..n-1, `active` children each day, `ready` growing by `per_day` from `start`.
std::vector<check::progress_day> series(int n, std::size_t active, std::size_t start,
                                        std::size_t per_day)
{
    std::vector<check::progress_day> out;
    for (int i = 0; i < n; ++i) {
        const std::size_t ready = std::min(active, start + per_day * static_cast<std::size_t>(i));
        out.push_back({.date = on(i), .records = active + 2, .active = active, .ready = ready});
    }
    return out;
}

check::progress_report sample_report()
{
    check::progress_report r;
    r.from = on(0);
    r.to = on(9);
    r.deadline = on(18);
    r.institutions.push_back({.edrpou = "14360570", .days = series(10, 40, 10, 2)});
    r.institutions.push_back({.edrpou = "32855961", .days = series(10, 120, 0, 1)});
    for (auto& inst : r.institutions) {
        inst.on_track = check::on_track(inst.days, r.deadline);
    }
    r.total = check::total_days(r.institutions);
    return r;
}

} // namespace

TEST_CASE("progress: on_track is null without a deadline or without days")
{
    CHECK_FALSE(check::on_track(series(10, 40, 10, 2), std::nullopt).has_value());
    CHECK_FALSE(check::on_track({}, on(20)).has_value());
}

TEST_CASE("progress: every child ready is on track, even after the deadline")
{
    CHECK(check::on_track(series(3, 40, 40, 0), on(1)) == true);
    CHECK(check::on_track(series(3, 0, 0, 0), on(30)) == true);
}

TEST_CASE("progress: at or after the deadline with children not ready is behind")
{
    CHECK(check::on_track(series(10, 40, 10, 3), on(9)) == false);
    CHECK(check::on_track(series(10, 40, 10, 3), on(5)) == false);
}

TEST_CASE("progress: the recent gain against the days left, at the boundary")
{
    // Days 0..9, ready 10 + 2/day: 28 on day 9, 12 not ready. The window is days 2..9 (7 days,
    // gain 14). Needed: 12 × 7 = 84 ≤ 14 × days_left, so 6 days left suffice, 5 do not.
    const auto days = series(10, 40, 10, 2);
    const auto pace = check::measure_pace(days, on(15));
    CHECK(pace.not_ready == 12);
    CHECK(pace.window_days == 7);
    CHECK(pace.gain == 14);
    CHECK(pace.days_left == 6);
    CHECK(check::on_track(days, on(15)) == true);
    CHECK(check::on_track(days, on(14)) == false);
}

TEST_CASE("progress: only days within the window count, and a fall is no gain")
{
    // A fast start long ago does not count: ready rose by 30 on days 0..2, then stood still.
    std::vector<check::progress_day> days = {
        {on(0), 50, 50, 0}, {on(2), 50, 50, 30}, {on(12), 50, 50, 30}, {on(14), 50, 50, 31}};
    auto pace = check::measure_pace(days, on(40));
    CHECK(pace.window_days == 2); // day 12 is the earliest within 7 days of day 14
    CHECK(pace.gain == 1);
    CHECK(check::on_track(days, on(40)) == false); // 19 × 2 > 1 × 26
    CHECK(check::on_track(days, on(53)) == true);  // 19 × 2 ≤ 1 × 39

    days = {{on(0), 50, 50, 30}, {on(3), 50, 50, 20}};
    pace = check::measure_pace(days, on(40));
    CHECK(pace.gain == 0);
    CHECK(check::on_track(days, on(40)) == false);

    // One day: no window, no judged pace.
    days = {{on(0), 50, 50, 30}};
    CHECK(check::measure_pace(days, on(40)).window_days == 0);
    CHECK(check::on_track(days, on(40)) == false);
}

TEST_CASE("progress: the total adds the institutions day by day")
{
    std::vector<check::institution_progress> institutions{
        {.edrpou = "14360570", .days = {{on(0), 5, 4, 1}, {on(1), 6, 5, 2}}},
        {.edrpou = "32855961", .days = {{on(1), 10, 9, 3}, {on(2), 10, 9, 4}}},
    };
    const auto total = check::total_days(institutions);
    REQUIRE(total.size() == 3);
    CHECK(total[0] == check::progress_day{on(0), 5, 4, 1});
    CHECK(total[1] == check::progress_day{on(1), 16, 14, 5});
    CHECK(total[2] == check::progress_day{on(2), 10, 9, 4});
}

TEST_CASE("progress: JSON as v1.1 describes it, and back through the protocol's parser")
{
    const auto report = sample_report();
    const auto json = check::render_json(report);
    const auto o = boost::json::parse(json).as_object();
    CHECK(o.at("format") == "aikom.progress");
    CHECK(o.at("version") == 1);
    CHECK(o.at("from") == "2025-05-20");
    CHECK(o.at("to") == "2025-05-29");
    CHECK(o.at("deadline") == "2025-06-07");
    const auto& first = o.at("institutions").as_array()[0].as_object();
    CHECK(first.at("institution") == "14360570");
    CHECK(first.at("on_track") == true);
    CHECK(first.at("days").as_array()[0] ==
          boost::json::parse(R"({"date":"2025-05-20","records":42,"active":40,"ready":10})"));
    CHECK(o.at("institutions").as_array()[1].as_object().at("on_track") == false);
    CHECK(o.at("total").as_object().at("days").as_array().size() == 10);

    const auto parsed = protocol::parse_progress_report(json);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == report);
    CHECK(protocol::to_json(*parsed) == json);

    auto no_deadline = report;
    no_deadline.deadline.reset();
    for (auto& inst : no_deadline.institutions) {
        inst.on_track = check::on_track(inst.days, no_deadline.deadline);
    }
    const auto text = check::render_json(no_deadline);
    CHECK(text.find("\"deadline\":null") != std::string::npos);
    CHECK(text.find("\"on_track\":null") != std::string::npos);
    const auto parsed_null = protocol::parse_progress_report(text);
    REQUIRE(parsed_null.has_value());
    CHECK(*parsed_null == no_deadline);
}

TEST_CASE("progress: the parser refuses days that cannot be")
{
    const auto good = boost::json::parse(check::render_json(sample_report())).as_object();
    const auto refused = [](const boost::json::object& o) {
        const auto r = protocol::parse_progress_report(boost::json::serialize(o));
        return r.has_error() ? r.error() : boost::system::error_code{};
    };
    const auto bad_value = make_error_code(protocol::protocol_errc::bad_value);
    const auto missing = make_error_code(protocol::protocol_errc::missing_field);
    CHECK(refused(good) == boost::system::error_code{});
    const auto day_of = [](boost::json::object & o, std::size_t inst, std::size_t d) -> auto&
    {
        return o["institutions"].as_array()[inst].as_object()["days"].as_array()[d].as_object();
    };

    auto o = good;
    o["format"] = "aikom.form-85k";
    CHECK(refused(o) == bad_value);
    o = good;
    day_of(o, 0, 3)["ready"] = 41; // more ready than active
    CHECK(refused(o) == bad_value);
    o = good;
    day_of(o, 0, 3)["active"] = 43; // more active than records
    CHECK(refused(o) == bad_value);
    o = good;
    day_of(o, 0, 3)["date"] = "2025-05-21"; // out of order
    CHECK(refused(o) == bad_value);
    o = good;
    day_of(o, 0, 0)["date"] = "2025-05-19"; // before `from`
    CHECK(refused(o) == bad_value);
    o = good;
    o["from"] = "2025-05-30"; // after `to`
    CHECK(refused(o) == bad_value);
    o = good;
    o["institutions"].as_array()[0].as_object().erase("on_track");
    CHECK(refused(o) == missing);
    o = good;
    o["institutions"].as_array()[0].as_object()["on_track"] = "yes";
    CHECK(refused(o) == bad_value);
    o = good;
    o["total"].as_object()["days"].as_array()[0].as_object()["ready"] = -1;
    CHECK(refused(o) == bad_value);
    o = good;
    o.erase("deadline");
    CHECK(refused(o) == missing);
}

TEST_CASE("progress: the page charts each institution against the deadline, offline")
{
    auto report = sample_report();
    report.institutions.push_back({.edrpou = "<i>x</i>", .days = {}, .on_track = std::nullopt});
    for (const auto language : {check::report_language::uk, check::report_language::en}) {
        const auto html = check::render_html(report, language);
        // One chart for the total and one per institution with days.
        std::size_t charts = 0;
        for (auto at = html.find("<svg class=\"trend\""); at != std::string::npos;
             at = html.find("<svg class=\"trend\"", at + 1)) {
            ++charts;
        }
        CHECK(charts == 3);
        CHECK(html.find("class=\"deadline\"") != std::string::npos);
        CHECK(html.find("class=\"needed\"") != std::string::npos);
        CHECK(html.find("badge on-track") != std::string::npos);
        CHECK(html.find("badge behind") != std::string::npos);
        CHECK(html.find("<i>x</i>") == std::string::npos);
        CHECK(html.find("&lt;i&gt;x&lt;/i&gt;") != std::string::npos);
        CHECK(html.find("http://") == std::string::npos);
        CHECK(html.find("https://") == std::string::npos);
        CHECK(html.find(" src=") == std::string::npos);
        CHECK(html.find("default-src 'none'") != std::string::npos);
    }
}
