// The example programs end to end: aikom-gen writes a roster with defects, aikom-validate --fix
// repairs what can be repaired, and a second aikom-validate shows that every fixable defect is
// gone, every other problem remains, and nothing else changed.
#include <aikom/check/rules.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/synthetic/roster_generator.hpp>

#include "fixtures.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace aikom;

namespace {

boost::json::object read_json(const std::filesystem::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return boost::json::parse(ss.str()).as_object();
}

std::vector<model::child> read_records(const std::filesystem::path& p)
{
    std::vector<model::child> out;
    auto reader = codec::open_reader(p);
    codec::read_item item;
    while (reader->next(item)) {
        REQUIRE(item.ok());
        out.push_back(*item.record);
    }
    return out;
}

using issue_key = std::tuple<std::string, std::string, std::string>; // pointer, code, severity

struct per_record {
    std::vector<check::issue> fixes;
    std::multiset<issue_key> others;
};

std::map<std::int64_t, per_record> by_record(const boost::json::object& report)
{
    std::map<std::int64_t, per_record> out;
    for (const auto& v : report.at("issues").as_array()) {
        const auto& o = v.as_object();
        const auto record = o.at("record").to_number<std::int64_t>();
        const std::string severity(o.at("severity").as_string());
        const std::string pointer(o.at("pointer").as_string());
        const std::string code(o.at("code").as_string());
        if (severity == "fix") {
            check::issue i;
            i.pointer = pointer;
            i.code = code;
            i.severity = check::severity::fix;
            i.suggestion = std::string(o.at("suggestion").as_string());
            out[record].fixes.push_back(std::move(i));
        } else {
            out[record].others.insert({pointer, code, severity});
        }
    }
    return out;
}

bool fixable(synthetic::defect_kind k)
{
    using synthetic::defect_kind;
    switch (k) {
    case defect_kind::series_look_alike:
    case defect_kind::series_dash:
    case defect_kind::series_lower_case:
    case defect_kind::series_spaces:
    case defect_kind::phone_format:
    case defect_kind::name_typographic_apostrophe:
    case defect_kind::name_mixed_script:
        return true;
    default:
        return false;
    }
}

} // namespace

TEST_CASE("aikom-validate --fix removes every fixable defect and nothing else")
{
    test::temp_dir dir;
    const auto in = dir.file("roster.ndjson");
    const auto fixed = dir.file("fixed.ndjson");
    const auto r1 = dir.file("first.json");
    const auto r2 = dir.file("second.json");
    const std::string as_of = " --as-of 2025-06-01 ";
    constexpr std::size_t count = 3000;
    const test::scoped_umask permissive(022); // the programs inherit it

    REQUIRE(test::run_command(std::string(AIKOM_GEN) +
                              " --count 3000 --institutions 3 --seed 11 --defect-rate 0.2 -o " +
                              in.string()) == 0);
    CHECK(test::run_command(std::string(AIKOM_VALIDATE) + as_of + "--format json --fix " +
                            fixed.string() + " " + in.string() + " > " + r1.string()) ==
          1); // the roster has errors
    const int second = test::run_command(std::string(AIKOM_VALIDATE) + as_of + "--format json " +
                                         fixed.string() + " > " + r2.string());
    CHECK(second == 1); // the unfixable errors remain
    // The roster and the repaired records are created owner-only even under umask 022.
    CHECK(test::group_and_other_bits(in) == 0);
    CHECK(test::group_and_other_bits(fixed) == 0);

    const auto first_report = by_record(read_json(r1));
    const auto second_report = by_record(read_json(r2));
    const auto original = read_records(in);
    const auto repaired = read_records(fixed);
    REQUIRE(original.size() == count);
    REQUIRE(repaired.size() == count);

    // The defects the generator put into each record.
    synthetic::roster_generator gen({.institutions = 3, .seed = 11, .defect_rate = 0.2});
    std::size_t fixed_records = 0;
    std::size_t unfixable_records = 0;
    for (std::size_t i = 0; i < count; ++i) {
        CAPTURE(i);
        (void)gen.next();
        const auto& defects = gen.last_defects();
        const auto it1 = first_report.find(static_cast<std::int64_t>(i));
        const auto it2 = second_report.find(static_cast<std::int64_t>(i));
        const per_record empty;
        const per_record& before = it1 != first_report.end() ? it1->second : empty;
        const per_record& after = it2 != second_report.end() ? it2->second : empty;

        // Nothing left to fix, and every other problem is exactly as before.
        CHECK(after.fixes.empty());
        CHECK(after.others == before.others);

        // The repaired record is the original with exactly the suggested fixes applied.
        auto expected = original[i];
        CHECK(check::apply_fixes(expected, before.fixes) == before.fixes.size());
        CHECK(repaired[i] == expected);

        const bool has_fixable = std::any_of(defects.begin(), defects.end(), fixable);
        const bool has_unfixable =
            std::any_of(defects.begin(), defects.end(), [](auto k) { return !fixable(k); });
        if (has_fixable) {
            CHECK_FALSE(before.fixes.empty());
            CHECK(repaired[i] != original[i]);
            ++fixed_records;
        }
        if (has_unfixable) {
            CHECK_FALSE(after.others.empty());
            ++unfixable_records;
        }
        if (defects.empty()) {
            // A clean record has nothing to fix and no error (warnings, such as an unusual age,
            // may remain).
            CHECK(before.fixes.empty());
            for (const auto& [pointer, code, severity] : before.others) {
                CHECK_MESSAGE(severity == "warning", pointer << " " << code);
            }
            CHECK(repaired[i] == original[i]);
        }
    }
    CHECK(fixed_records > 100);
    CHECK(unfixable_records > 100);
}
