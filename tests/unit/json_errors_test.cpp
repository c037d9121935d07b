// Each kind of decode error, with the exact JSON Pointer it must carry.
#include <aikom/codec/json.hpp>

#include "fixtures.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace aikom;
using check::severity;

namespace {

struct expected_issue {
    std::string pointer;
    std::string code;
    severity level = severity::error;
};

void check_issues(std::string_view json, std::vector<expected_issue> expected,
                  const codec::decode_options& options = {})
{
    CAPTURE(json);
    const auto r = codec::decode_child(json, options);
    REQUIRE(r.issues.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(i);
        CHECK(r.issues[i].pointer == expected[i].pointer);
        CHECK(r.issues[i].code == expected[i].code);
        CHECK(r.issues[i].severity == expected[i].level);
        CHECK_FALSE(r.issues[i].message_en.empty());
        CHECK_FALSE(r.issues[i].message_uk.empty());
    }
    const bool has_error = std::any_of(expected.begin(), expected.end(),
                                       [](const auto& e) { return e.level == severity::error; });
    CHECK(r.ok() == !has_error);
}

} // namespace

TEST_CASE("unknown fields are errors, or warnings when lenient")
{
    check_issues(R"({"id":"x","nickname":"a"})", {{"/nickname", "field.unknown"}});
    check_issues(R"({"id":"x","guardians":[{},{"name":{"middle":"a"}}]})",
                 {{"/guardians/1/name/middle", "field.unknown"}});
    check_issues(R"({"id":"x","extra":{"deep":[1,{"a":2}]},"sex":"male"})",
                 {{"/extra", "field.unknown"}});

    codec::decode_options lenient;
    lenient.unknown_fields = codec::unknown_field_policy::warn;
    check_issues(R"({"id":"x","nickname":"a","sex":"male"})",
                 {{"/nickname", "field.unknown", severity::warning}}, lenient);
    const auto r = codec::decode_child(R"({"id":"x","nickname":{"a":[1]},"sex":"male"})", lenient);
    REQUIRE(r.ok());
    CHECK(r.record->sex == model::sex::male);
}

TEST_CASE("a key one byte away from a field's name is unknown")
{
    // Same length, first, middle and last byte as a field's name: such keys meet that field in
    // the decoder's key lookup and must still be told apart.
    check_issues(R"({"id":"x","inxtitution":"1","document":{"type":"none","nxmber":"1"}})",
                 {{"/inxtitution", "field.unknown"}, {"/document/nxmber", "field.unknown"}});
    check_issues(R"({"id":"x","special_needx":{"has":true},"guardians":[{"nam":{}}]})",
                 {{"/special_needx", "field.unknown"}, {"/guardians/0/nam", "field.unknown"}});
    check_issues(R"({"id":"x","":1,"i":2,"idd":3,"ID":4})", {{"/", "field.unknown"},
                                                             {"/i", "field.unknown"},
                                                             {"/idd", "field.unknown"},
                                                             {"/ID", "field.unknown"}});
}

namespace {

// Decodes `record` with each key of each object, in turn, changed in one byte, cut short by one
// byte and lengthened by one byte: every such key must be reported as unknown where it stands.
void check_near_keys(boost::json::value& record, boost::json::value& node, std::string pointer)
{
    if (node.is_array()) {
        auto& a = node.as_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            check_near_keys(record, a[i], pointer + "/" + std::to_string(i));
        }
        return;
    }
    if (!node.is_object()) {
        return;
    }
    auto& o = node.as_object();
    std::vector<std::string> keys;
    for (const auto& kv : o) {
        keys.emplace_back(kv.key());
    }
    for (const auto& key : keys) {
        std::vector<std::string> near{key.substr(0, key.size() - 1), key + "s"};
        for (std::size_t i = 0; i < key.size(); ++i) {
            for (const char c : {'x', '_', '\x7f'}) {
                auto k = key;
                k[i] = k[i] == c ? 'y' : c;
                near.push_back(std::move(k));
            }
        }
        for (const auto& k : near) {
            if (std::find(keys.begin(), keys.end(), k) != keys.end()) {
                continue;
            }
            auto saved = o[key];
            o.erase(key);
            o[k] = saved;
            const auto json = boost::json::serialize(record);
            o.erase(k);
            o[key] = std::move(saved);
            CAPTURE(json);
            const auto r = codec::decode_child(json);
            CHECK_FALSE(r.ok());
            const auto at = pointer + "/" + k;
            CHECK(std::any_of(r.issues.begin(), r.issues.end(), [&](const check::issue& i) {
                return i.code == "field.unknown" && i.pointer == at;
            }));
        }
    }
    for (const auto& key : keys) {
        check_near_keys(record, o[key], pointer + "/" + key);
    }
}

} // namespace

TEST_CASE("keys near a field's name are unknown, in every object of the format")
{
    auto record = boost::json::parse(codec::encode(test::every_field_child()));
    check_near_keys(record, record, "");
    // Without escapes in its strings the record is read by the decoder's fast path.
    record.at("document").at("issuer") = "Відділ ДРАЦС";
    record.at("enrollment").at("leave_reason") = "переїзд";
    check_near_keys(record, record, "");
}

TEST_CASE("pointer tokens are escaped as RFC 6901 says")
{
    check_issues(R"({"id":"x","a/b~c":1})", {{"/a~1b~0c", "field.unknown"}});
}

TEST_CASE("duplicate keys are detected, not silently resolved")
{
    check_issues(R"({"id":"x","sex":"male","sex":"female"})", {{"/sex", "field.duplicate"}});
    check_issues(R"({"id":"x","document":{"type":"none","number":"1","number":"2"}})",
                 {{"/document/number", "field.duplicate"}});
    check_issues(R"({"id":"x","guardians":[{"phone":"1"}],"guardians":[]})",
                 {{"/guardians", "field.duplicate"}});
    check_issues(R"({"id":"x","id":"y"})", {{"/id", "field.duplicate"}});
}

TEST_CASE("wrong types name what was expected")
{
    check_issues(R"({"id":"x","free_meals":"yes"})", {{"/free_meals", "format.type"}});
    check_issues(R"({"id":"x","name":"Тестенко"})", {{"/name", "format.type"}});
    check_issues(R"({"id":"x","name":{"last":5}})", {{"/name/last", "format.type"}});
    check_issues(R"({"id":"x","guardians":{}})", {{"/guardians", "format.type"}});
    check_issues(R"({"id":"x","guardians":[{},"a",{"phone":true}]})",
                 {{"/guardians/1", "format.type"}, {"/guardians/2/phone", "format.type"}});
    check_issues(R"({"id":"x","birth_date":20210314})", {{"/birth_date", "format.type"}});
    check_issues(R"({"id":7})", {{"/id", "format.type"}});
    check_issues(R"([{"id":"x"}])", {{"", "format.type"}});
    check_issues(R"("x")", {{"", "format.type"}});

    const auto r = codec::decode_child(R"({"id":"x","free_meals":"yes"})");
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].message_en == "wrong type: expected true or false, got a string");
}

TEST_CASE("values outside an enumeration list the allowed ones")
{
    check_issues(R"({"id":"x","guardians":[{"relation":"aunt"}]})",
                 {{"/guardians/0/relation", "format.enum"}});
    check_issues(R"({"id":"x","sex":"F"})", {{"/sex", "format.enum"}});
    const auto r = codec::decode_child(R"({"id":"x","education":{"form":"online"}})");
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].pointer == "/education/form");
    CHECK(r.issues[0].message_en ==
          "not an allowed value: expected one of: in_person, distance, mixed");
}

TEST_CASE("dates must exist")
{
    check_issues(R"({"id":"x","enrollment":{"enrolled_on":"2023-02-29"}})",
                 {{"/enrollment/enrolled_on", "format.date"}});
    check_issues(R"({"id":"x","birth_date":"14.03.2021"})", {{"/birth_date", "format.date"}});
    check_issues(
        R"({"id":"x","displacement":{"status":"internal","certificate":{"issued_on":"2022-13-01"}}})",
        {{"/displacement/certificate/issued_on", "format.date"}});
}

TEST_CASE("over-long strings are refused, counted in characters")
{
    const std::string ok_last(100 * 2, '\0');
    std::string cyrillic;
    for (int i = 0; i < 100; ++i) {
        cyrillic += "ж"; // two bytes each: 200 bytes, 100 characters
    }
    CHECK(codec::decode_child(R"({"id":"x","name":{"last":")" + cyrillic + R"("}})").ok());
    check_issues(R"({"id":"x","name":{"last":")" + cyrillic + "ж" + R"("}})",
                 {{"/name/last", "format.too_long"}});
    check_issues(R"({"id":")" + std::string(65, 'a') + R"("})", {{"/id", "format.too_long"}});
}

TEST_CASE("the record id has a fixed alphabet")
{
    check_issues(R"({"id":"kd 1"})", {{"/id", "format.record_id"}});
    check_issues(R"({"id":""})", {{"/id", "format.record_id"}});
    check_issues(R"({"id":"кд-1"})", {{"/id", "format.record_id"}});
    CHECK(codec::decode_child(R"({"id":"A.z_0:9-"})").ok());
}

TEST_CASE("required fields: the id, and the discriminator of each sub-object")
{
    check_issues(R"({"sex":"male"})", {{"/id", "field.required"}});
    check_issues(R"({"id":"x","document":{"series":"I-КВ"}})",
                 {{"/document/type", "field.required"}});
    check_issues(R"({"id":"x","guardians":[{}],"special_needs":{"support_level":1}})",
                 {{"/special_needs/has", "field.required"}});
    check_issues(R"({"id":"x","education":{"form":null}})",
                 {{"/education/form", "field.required"}});
    check_issues(
        R"({"id":"x","contact":{},"displacement":{}})",
        {{"/contact/status", "field.required"}, {"/displacement/status", "field.required"}});
}

TEST_CASE("integers: no fractions, no overflow")
{
    check_issues(R"({"id":"x","special_needs":{"has":true,"support_level":2.5}})",
                 {{"/special_needs/support_level", "format.integer"}});
    check_issues(R"({"id":"x","special_needs":{"has":true,"support_level":1e1}})",
                 {{"/special_needs/support_level", "format.integer"}});
    check_issues(R"({"id":"x","special_needs":{"has":true,"support_level":3000000000}})",
                 {{"/special_needs/support_level", "format.integer"}});
    check_issues(R"({"id":"x","special_needs":{"has":true,"support_level":18446744073709551615}})",
                 {{"/special_needs/support_level", "format.integer"}});
    check_issues(R"({"id":"x","special_needs":{"has":"true"}})",
                 {{"/special_needs/has", "format.type"}});
}

TEST_CASE("every problem of a record is reported at once, in document order")
{
    check_issues(
        R"({"id":"x","sex":"?","name":{"last":1,"nick":"a"},"birth_date":"2021-02-30","document":{}})",
        {{"/sex", "format.enum"},
         {"/name/last", "format.type"},
         {"/name/nick", "field.unknown"},
         {"/birth_date", "format.date"},
         {"/document/type", "field.required"}});
}

TEST_CASE("nesting deeper than allowed is an error, not a crash")
{
    std::string deep = R"({"id":"x","extra":)";
    deep += std::string(40, '[') + "1" + std::string(40, ']') + "}";
    const auto r = codec::decode_child(deep);
    CHECK_FALSE(r.ok());
    REQUIRE_FALSE(r.issues.empty());
    CHECK(r.issues.back().code == "json.too_deep");
    CHECK(r.issues.back().pointer == "/extra");

    std::string very_deep(100000, '[');
    const auto r2 = codec::decode_child(very_deep);
    CHECK_FALSE(r2.ok());
}

TEST_CASE("input larger than allowed is refused before parsing")
{
    codec::decode_options o;
    o.max_record_bytes = 64;
    const std::string json =
        R"({"id":"x","residence":{"address":")" + std::string(100, 'a') + R"("}})";
    check_issues(json, {{"", "json.too_large"}}, o);
}

TEST_CASE("syntax errors carry the byte offset")
{
    const auto r = codec::decode_child(R"({"id":"x","sex":"male",})");
    CHECK_FALSE(r.ok());
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].code == "json.syntax");
    CHECK(r.syntax_error_offset == 23);

    for (std::string_view bad : {"", "{", R"({"id":"x"} {})", R"({"id":"x",})", "{\"id\":\"\xff\"}",
                                 R"({"id":"x" "sex":"male"})", "nul", R"({"id":"x"}])"}) {
        CAPTURE(bad);
        const auto e = codec::decode_child(bad);
        CHECK_FALSE(e.ok());
        REQUIRE_FALSE(e.issues.empty());
        CHECK(e.issues.back().code == "json.syntax");
    }
}

TEST_CASE("decoding stops after max_issues problems")
{
    codec::decode_options o;
    o.max_issues = 3;
    const auto r = codec::decode_child(R"({"id":"x","a":1,"b":2,"c":3,"d":4,"e":5})", o);
    CHECK_FALSE(r.ok());
    REQUIRE(r.issues.size() == 4);
    CHECK(r.issues.back().code == "json.too_many_issues");

    // No issue allowed at all: every record stops at its first value, a valid one too.
    o.max_issues = 0;
    for (const auto* json : {R"({"id":"x"})", R"({"id":"x","sex":"male"})"}) {
        const auto none = codec::decode_child(json, o);
        CHECK_FALSE(none.ok());
        REQUIRE(none.issues.size() == 1);
        CHECK(none.issues.back().code == "json.too_many_issues");
    }
}

TEST_CASE("messages carry no values from the record")
{
    const auto r = codec::decode_child(R"({"id":"x","sex":"Шевченко","name":{"last":12345}})");
    for (const auto& i : r.issues) {
        CHECK(i.message_en.find("Шевченко") == std::string::npos);
        CHECK(i.message_uk.find("Шевченко") == std::string::npos);
        CHECK(i.message_en.find("12345") == std::string::npos);
    }
}
