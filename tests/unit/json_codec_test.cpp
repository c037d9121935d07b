#include <aikom/codec/json.hpp>

#include "fixtures.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

using namespace aikom;

namespace {

model::child decode_ok(std::string_view json)
{
    auto r = codec::decode_child(json);
    for (const auto& i : r.issues) {
        INFO(i.pointer << " " << i.code << " " << i.message_en);
    }
    REQUIRE(r.ok());
    return std::move(*r.record);
}

} // namespace

TEST_CASE("every field survives encode then decode")
{
    const auto original = test::every_field_child();
    const std::string json = codec::encode(original);
    const auto back = decode_ok(json);
    CHECK(back == original);
    CHECK(codec::encode(back) == json);
}

TEST_CASE("each field on its own round-trips, and changing it changes the encoding")
{
    // Encode records that differ from the minimal one in exactly one top-level field.
    const auto full = test::every_field_child();
    const auto minimal = test::minimal_child(full.id);
    const std::string minimal_json = codec::encode(minimal);
    const auto full_doc = boost::json::parse(codec::encode(full)).as_object();
    CHECK(full_doc.size() == 17); // every field of the format is present
    for (const auto& kv : full_doc) {
        boost::json::object one;
        one["id"] = full.id;
        one[kv.key()] = kv.value();
        const std::string json = boost::json::serialize(one);
        CAPTURE(kv.key());
        const auto decoded = decode_ok(json);
        if (kv.key() != "id") {
            CHECK(codec::encode(decoded) != minimal_json);
        }
        CHECK(boost::json::parse(codec::encode(decoded)) == boost::json::value(one));
    }
}

TEST_CASE("the encoding is canonical: key order and whitespace of the input do not matter")
{
    const auto json_a =
        R"({"id":"a-1","sex":"male","name":{"first":"Тарас","last":"Тестенко"},"birth_date":"2020-01-02"})";
    const auto json_b = R"(  {
        "birth_date" : "2020-01-02",
        "name" : { "last" : "Тестенко", "first" : "Тарас" },
        "sex" : "male", "id" : "a-1" } )";
    const auto a = decode_ok(json_a);
    const auto b = decode_ok(json_b);
    CHECK(a == b);
    CHECK(codec::encode(a) == codec::encode(b));
    CHECK(
        codec::encode(a) ==
        R"({"id":"a-1","name":{"last":"Тестенко","first":"Тарас"},"birth_date":"2020-01-02","sex":"male"})");
}

TEST_CASE("strings with escapes and control characters round-trip")
{
    auto c = test::minimal_child();
    c.residence = model::residence{};
    c.residence->address = std::string("a\"b\\c\n\r\t\b\f") + '\x01' + "/ї’";
    const auto json = codec::encode(c);
    CHECK(json.find("\\u0001") != std::string::npos);
    CHECK(boost::json::parse(json).at("residence").at("address").as_string() ==
          *c.residence->address);
    CHECK(decode_ok(json) == c);
}

TEST_CASE("escaped input is decoded")
{
    const auto c =
        decode_ok(R"({"id":"x","name":{"last":"\u0422\u0435\u0441\u0442","first":"a\/b"}})");
    CHECK(c.name->last == "Тест");
    CHECK(c.name->first == "a/b");
}

TEST_CASE("null means unknown for optional fields")
{
    const auto c = decode_ok(R"({"id":"x","sex":null,"document":null,"name":{"patronymic":null}})");
    CHECK_FALSE(c.sex);
    CHECK_FALSE(c.document);
    REQUIRE(c.name);
    CHECK_FALSE(c.name->patronymic);
    CHECK(codec::encode(c) == R"({"id":"x","name":{}})");
}

TEST_CASE("an absent indicator stays unknown, never a default")
{
    const auto c = decode_ok(R"({"id":"x"})");
    CHECK_FALSE(c.displacement);
    CHECK_FALSE(c.contact);
    CHECK_FALSE(c.education);
    CHECK_FALSE(c.document);
    CHECK_FALSE(c.free_meals);
    CHECK(codec::encode(c) == R"({"id":"x"})");
}

TEST_CASE("false and zero are values, not absence")
{
    const auto c = decode_ok(
        R"({"id":"x","free_meals":false,"special_needs":{"has":false,"support_level":0}})");
    REQUIRE(c.free_meals);
    CHECK(*c.free_meals == false);
    REQUIRE(c.special_needs);
    CHECK(c.special_needs->support_level == 0);
    CHECK(codec::encode(c) ==
          R"({"id":"x","special_needs":{"has":false,"support_level":0},"free_meals":false})");
}

TEST_CASE("a decoder can be reused across good and bad records")
{
    codec::record_decoder d;
    CHECK(d.decode(R"({"id":"a"})").ok());
    CHECK_FALSE(d.decode(R"({"id":"a","x":1})").ok());
    CHECK_FALSE(d.decode(R"({"id":)").ok());
    const auto r = d.decode(R"({"id":"b","sex":"male"})");
    REQUIRE(r.ok());
    CHECK(r.record->id == "b");
    CHECK(r.issues.empty());
}

TEST_CASE("decode_into reuses a record: what the new input omits becomes absent")
{
    codec::record_decoder d;
    model::child target;
    std::vector<check::issue> issues;
    const auto full = test::every_field_child();
    REQUIRE(d.decode_into(codec::encode(full), target, issues).ok);
    CHECK(target == full);

    // A smaller record into the same object: nothing of the first one may survive.
    auto small = test::minimal_child("kd-2");
    small.guardians.push_back(model::guardian{
        .name = std::nullopt, .relation = model::guardian_relation::father, .phone = std::nullopt});
    small.name =
        model::person_name{.last = std::nullopt, .first = "Тарас", .patronymic = std::nullopt};
    REQUIRE(d.decode_into(codec::encode(small), target, issues).ok);
    CHECK(target == small);
    CHECK(target.guardians.size() == 1);

    // null clears; a failed decode reports, and the next good one is exact again.
    REQUIRE(d.decode_into(R"({"id":"kd-3","name":null,"guardians":[]})", target, issues).ok);
    CHECK(target == test::minimal_child("kd-3"));
    CHECK_FALSE(d.decode_into(R"({"id":"kd-4","sex":"?"})", target, issues).ok);
    CHECK(issues.size() == 1);
    REQUIRE(d.decode_into(codec::encode(full), target, issues).ok);
    CHECK(issues.empty());
    CHECK(target == full);
}
