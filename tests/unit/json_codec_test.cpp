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

// Every field present, and no string that needs an escape in JSON.
model::child every_field_child_without_escapes()
{
    auto c = test::every_field_child();
    c.document->issuer = "Відділ ДРАЦС № 1";
    c.enrollment->leave_reason = "переїзд у інше місто (тест)";
    return c;
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

TEST_CASE("decode_into: objects that come back with only their required members lose the rest")
{
    // With escapes in its strings the record takes the decoder's full path, without them its
    // fast path.
    for (const auto& full : {test::every_field_child(), every_field_child_without_escapes()}) {
        codec::record_decoder d;
        model::child target;
        std::vector<check::issue> issues;
        REQUIRE(d.decode_into(codec::encode(full), target, issues).ok);
        REQUIRE(target == full);

        // Every object of the full record again, each with nothing but what it cannot be without.
        const auto skeleton_json =
            R"({"id":"kd-5","name":{},"document":{"type":"other"},)"
            R"("displacement":{"status":"none","certificate":{}},"contact":{"status":"in_contact"},)"
            R"("education":{"form":"in_person"},"enrollment":{"group":{}},"residence":{},)"
            R"("special_needs":{"has":false},"guardians":[{"name":{}},{}]})";
        auto skeleton = test::minimal_child("kd-5");
        skeleton.name = model::person_name{};
        skeleton.document = model::identity_document{.type = model::document_type::other};
        skeleton.displacement = model::displacement{.status = model::displacement_status::none,
                                                    .certificate = model::idp_certificate{}};
        skeleton.contact = model::contact_status{.status = model::contact_state::in_contact};
        skeleton.education = model::education{.form = model::education_form::in_person};
        skeleton.enrollment = model::enrollment{.group = model::group{}};
        skeleton.residence = model::residence{};
        skeleton.special_needs = model::special_needs{.has = false};
        skeleton.guardians = {model::guardian{.name = model::person_name{}}, model::guardian{}};
        REQUIRE(d.decode_into(skeleton_json, target, issues).ok);
        CHECK(target == skeleton);

        // Then a record with no optional member at all, and the full one once more.
        REQUIRE(d.decode_into(R"({"id":"kd-6"})", target, issues).ok);
        CHECK(target == test::minimal_child("kd-6"));
        REQUIRE(d.decode_into(codec::encode(full), target, issues).ok);
        CHECK(target == full);

        // Keys in reverse order fill the same record.
        const auto doc = boost::json::parse(codec::encode(full)).as_object();
        std::string reversed = "{";
        for (auto it = doc.end(); it != doc.begin();) {
            --it;
            reversed += boost::json::serialize(it->key());
            reversed += ':';
            reversed += boost::json::serialize(it->value());
            reversed += it == doc.begin() ? "}" : ",";
        }
        REQUIRE(d.decode_into(skeleton_json, target, issues).ok);
        REQUIRE(d.decode_into(reversed, target, issues).ok);
        CHECK(target == full);
    }
}

namespace {

// The input's members as the record keeps them: null members and empty arrays are absent.
boost::json::value without_absent(const boost::json::value& v)
{
    if (v.is_object()) {
        boost::json::object out;
        for (const auto& kv : v.as_object()) {
            if (kv.value().is_null() || (kv.value().is_array() && kv.value().as_array().empty())) {
                continue;
            }
            out[kv.key()] = without_absent(kv.value());
        }
        return out;
    }
    if (v.is_array()) {
        boost::json::array out;
        for (const auto& e : v.as_array()) {
            out.push_back(without_absent(e));
        }
        return out;
    }
    return v;
}

// What every decode must satisfy: input that is not JSON is refused; an accepted record without
// warnings holds exactly the input's members; a reused record ends up equal to a fresh one.
void check_decode_of(std::string_view json, codec::record_decoder& reused, model::child& target)
{
    CAPTURE(json);
    std::vector<check::issue> issues;
    const auto fresh = codec::decode_child(json);
    const auto status = reused.decode_into(json, target, issues);
    REQUIRE(status.ok == fresh.ok());
    REQUIRE(issues == fresh.issues);
    boost::json::error_code ec;
    const auto dom = boost::json::parse(json, ec);
    if (ec) {
        CHECK_FALSE(fresh.ok());
        CHECK(fresh.syntax_error_offset != codec::decode_result::npos);
        return;
    }
    if (!fresh.ok()) {
        return;
    }
    CHECK(target == *fresh.record);
    if (fresh.issues.empty()) {
        CHECK(boost::json::parse(codec::encode(*fresh.record)) == without_absent(dom));
    }
}

} // namespace

TEST_CASE("decoding damaged records: refused, or exactly what the input says")
{
    // Every byte of a full record replaced, removed or doubled, into one reused record: the
    // decoder's fast path (which gives up at an escape) and its full path must agree on every
    // one of them. Hence the same record twice: with escapes in its strings and without.
    const auto plain = every_field_child_without_escapes();
    codec::record_decoder reused;
    model::child target;
    const std::string replacements[] = {"\"",   "\\",   "{",    "}",    "[",    "]",    ",",
                                        ":",    " ",    "0",    "9",    "-",    ".",    "e",
                                        "n",    "t",    "x",    "\x7f", "\x01", "\xd0", "\xbf",
                                        "\xe2", "\xff", "\"\"", "null", "{}",   "[]"};
    for (const auto& record : {test::every_field_child(), plain}) {
        const std::string json = codec::encode(record);
        for (std::size_t i = 0; i < json.size(); ++i) {
            for (const auto& r : replacements) {
                check_decode_of(json.substr(0, i) + r + json.substr(i + 1), reused, target);
            }
            check_decode_of(json.substr(0, i) + json.substr(i + 1), reused, target);
            check_decode_of(json.substr(0, i + 1) + json.substr(i), reused, target);
            check_decode_of(json.substr(0, i), reused, target);
        }
    }
}

namespace {

// Decodes `record` with the value of each member, in turn, replaced by each of `values`.
void check_each_value_replaced(boost::json::value& record, boost::json::value& node,
                               codec::record_decoder& reused, model::child& target)
{
    static const boost::json::value values[] = {true,
                                                false,
                                                0,
                                                7,
                                                -1,
                                                1.5,
                                                "x",
                                                "2021-02-29",
                                                "2021-02-28",
                                                boost::json::object{},
                                                boost::json::array{},
                                                boost::json::array{boost::json::object{}},
                                                nullptr};
    if (node.is_array()) {
        for (auto& e : node.as_array()) {
            check_each_value_replaced(record, e, reused, target);
        }
        return;
    }
    if (!node.is_object()) {
        return;
    }
    for (auto& kv : node.as_object()) {
        const auto saved = kv.value();
        for (const auto& v : values) {
            kv.value() = v;
            check_decode_of(boost::json::serialize(record), reused, target);
        }
        kv.value() = saved;
        check_each_value_replaced(record, kv.value(), reused, target);
    }
}

} // namespace

TEST_CASE("decoding records with a value of every type in every place")
{
    codec::record_decoder reused;
    model::child target;
    auto record = boost::json::parse(codec::encode(every_field_child_without_escapes()));
    check_each_value_replaced(record, record, reused, target);
}

TEST_CASE("the depth limit holds whichever path decodes the record")
{
    // record → guardians → guardian → name: four levels.
    const auto json = codec::encode(every_field_child_without_escapes());
    for (std::size_t max_depth = 0; max_depth < 7; ++max_depth) {
        CAPTURE(max_depth);
        codec::decode_options o;
        o.max_depth = max_depth;
        const auto r = codec::decode_child(json, o);
        CHECK(r.ok() == (max_depth >= 4));
        if (!r.ok()) {
            REQUIRE_FALSE(r.issues.empty());
            CHECK(r.issues.back().code == "json.too_deep");
        }
        o.max_depth = max_depth;
        CHECK(codec::decode_child(R"({"id":"a"})", o).ok() == (max_depth >= 1));
    }
}

TEST_CASE("whitespace, key order, escapes and UTF-8 of every length decode alike")
{
    codec::record_decoder reused;
    model::child target;
    const auto full = every_field_child_without_escapes();
    const auto doc = boost::json::parse(codec::encode(full));
    // Every kind of JSON whitespace around every token, and the keys of every object reversed.
    std::string spaced;
    const auto write = [&](const auto& self, const boost::json::value& v) -> void {
        constexpr std::string_view gap = " \t\r\n ";
        if (v.is_object()) {
            const auto& o = v.as_object();
            spaced.append("{").append(gap);
            for (auto it = o.end(); it != o.begin();) {
                --it;
                spaced.append(boost::json::serialize(it->key())).append(gap).append(":");
                spaced.append(gap);
                self(self, it->value());
                spaced.append(gap).append(it == o.begin() ? "}" : ",").append(gap);
            }
            if (o.empty()) {
                spaced.append("}");
            }
        } else if (v.is_array()) {
            spaced.append("[").append(gap);
            const auto& a = v.as_array();
            for (std::size_t i = 0; i < a.size(); ++i) {
                self(self, a[i]);
                spaced.append(gap).append(i + 1 == a.size() ? "]" : ",").append(gap);
            }
            if (a.empty()) {
                spaced.append("]");
            }
        } else {
            spaced.append(boost::json::serialize(v));
        }
    };
    write(write, doc);
    check_decode_of(spaced, reused, target);
    std::vector<check::issue> issues;
    REQUIRE(reused.decode_into(spaced, target, issues).ok);
    CHECK(target == full);

    const char* const texts[] = {
        R"({"id":"a","name":{"last":"\u0422\u0430\u0440\u0430\u0441"}})",
        "{\"id\":\"a\",\"name\":{\"last\":\"Мар’яна 😀 é\",\"first\":\"a\x7f\"}}",
        R"({"id":"a","name":{"last":"Мар’яна"},"residence":{"address":"\"quoted\""}})",
        R"({"id":"a","name":{"last":"\ud83d\ude00"},"sex":"male","free_meals":true})",
        R"({"\u0069d":"a"})",
        "{\"id\":\"a\",\"name\":{\"last\":\"\xed\xa0\x80\"}}",     // a surrogate: not UTF-8
        "{\"id\":\"a\",\"name\":{\"last\":\"\xf4\x90\x80\x80\"}}", // beyond U+10FFFF
        "{\"id\":\"a\",\"name\":{\"last\":\"\xe0\x80\xaf\"}}",     // overlong
        "{\"id\":\"a\",\"name\":{\"last\":\"\xc0\xaf\"}}",         // overlong
        "{\"id\":\"a\",\"name\":{\"last\":\"\xf0\x9f\x98\"}}",     // cut short
        R"({"id":"a","special_needs":{"has":true,"support_level":123456789}})",
        R"({"id":"a","special_needs":{"has":true,"support_level":1234567890}})",
        R"({"id":"a","special_needs":{"has":true,"support_level":2147483647}})",
        R"({"id":"a","special_needs":{"has":true,"support_level":2147483648}})",
        R"({"id":"a","special_needs":{"has":true,"support_level":99999999999}})",
        R"({"id":"a","special_needs":{"has":true,"support_level":-1}})",
        R"({"id":"a","special_needs":{"has":true,"support_level":-0}})",
        R"({"id":"a","special_needs":{"has":true,"support_level":01}})",
        R"({"id":"a","special_needs":{"has":true,"support_level":1.0}})",
        R"({"id":"a","special_needs":{"has":true,"support_level":1e0}})",
        R"({"id":"a","special_needs":{"has":true,"support_level":null}})",
        R"({"id":"a","guardians":[null]})",
        R"({"id":"a","guardians":[{},[]]})",
        R"({"id":"a","guardians":null})",
        R"({"id":"a","free_meals":truex})",
        R"({"id":"a","free_meals":nul})",
        R"({"id":"a",})",
        R"({"id":"a"} x)",
        "\xef\xbb\xbf{\"id\":\"a\"}",
    };
    for (const char* text : texts) {
        check_decode_of(text, reused, target);
    }
}
