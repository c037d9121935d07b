// Protocol v1.1 as data: RFC 3339 timestamps and the bodies of the grant endpoints, both
// directions, with what a hostile or careless peer may send.
#include <aikom/protocol/error.hpp>
#include <aikom/protocol/grants.hpp>
#include <aikom/protocol/timestamp.hpp>

#include "fixtures.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

using namespace aikom;
using std::chrono::seconds;
using std::chrono::sys_seconds;

namespace {

const sys_seconds granted_at{seconds(1'748'856'011)}; // 2025-06-02T09:20:11Z

protocol::grant platform_grant()
{
    return {.institution = "32855961",
            .client_id = "platform-a",
            .role = protocol::grant_role::platform,
            .note = "договір № 12 від 01.06.2025",
            .granted_by = "ouo-kyiv",
            .granted_at = granted_at};
}

using test::pointer_code;
using test::pointers_and_codes;
using test::with_value;

} // namespace

TEST_CASE("protocol timestamps: RFC 3339 in UTC with seconds and Z, read strictly")
{
    CHECK(protocol::format_timestamp(granted_at) == "2025-06-02T09:20:11Z");
    CHECK(protocol::format_timestamp(sys_seconds{}) == "1970-01-01T00:00:00Z");
    CHECK(protocol::format_timestamp(sys_seconds{seconds(-1)}) == "1969-12-31T23:59:59Z");
    CHECK(protocol::format_timestamp(protocol::max_timestamp) == "9999-12-31T23:59:59Z");
    CHECK(protocol::format_timestamp(protocol::min_timestamp) == "0000-01-01T00:00:00Z");
    // Out of range is clamped, never a malformed text.
    CHECK(protocol::format_timestamp(protocol::max_timestamp + seconds(1)) ==
          "9999-12-31T23:59:59Z");
    CHECK(protocol::format_timestamp(sys_seconds{seconds(-99'999'999'999'999)}) ==
          "0000-01-01T00:00:00Z");

    for (const sys_seconds t : {granted_at, sys_seconds{}, protocol::max_timestamp,
                                protocol::min_timestamp, sys_seconds{seconds(951'782'400)}}) {
        CAPTURE(t.time_since_epoch().count());
        CHECK(protocol::parse_timestamp(protocol::format_timestamp(t)) == t);
    }
    CHECK(protocol::parse_timestamp("2024-02-29T23:59:59Z")); // a leap day
    for (const char* bad :
         {"", "2025-06-02", "2025-06-02T09:20:11", "2025-06-02T09:20:11z", "2025-06-02t09:20:11Z",
          "2025-06-02 09:20:11Z", "2025-06-02T09:20:11.000Z", "2025-06-02T09:20:11+00:00",
          "2025-06-02T09:20Z", "2025-6-02T09:20:11Z", "2025-06-02T9:20:11Z", "+025-06-02T09:20:11Z",
          "2025-13-02T09:20:11Z", "2025-00-02T09:20:11Z", "2025-02-29T09:20:11Z",
          "2025-04-31T09:20:11Z", "2025-06-00T09:20:11Z", "2025-06-02T24:00:00Z",
          "2025-06-02T09:60:00Z", "2016-12-31T23:59:60Z", "2025-06-02T09:20:11Z ",
          " 2025-06-02T09:20:11Z", "2025-06-02T09:2a:11Z", "２025-06-02T09:20:11Z"}) {
        CAPTURE(bad);
        CHECK_FALSE(protocol::parse_timestamp(bad));
    }
}

TEST_CASE("protocol grants: a grant, the list and the history round-trip")
{
    const auto g = platform_grant();
    CHECK(protocol::to_json(g) ==
          R"({"institution":"32855961","client_id":"platform-a","role":"platform",)"
          R"("note":"договір № 12 від 01.06.2025","granted_by":"ouo-kyiv",)"
          R"("granted_at":"2025-06-02T09:20:11Z"})");
    const auto back = protocol::parse_grant(protocol::to_json(g));
    REQUIRE(back.has_value());
    CHECK(*back == g);

    // A seeded grant: granted by nobody (null), no note ("").
    auto seeded = g;
    seeded.client_id = "zdo-32855961";
    seeded.role = protocol::grant_role::institution;
    seeded.note = "";
    seeded.granted_by = std::nullopt;
    const auto seeded_json = protocol::to_json(seeded);
    CHECK(seeded_json.find(R"("granted_by":null)") != std::string::npos);
    CHECK(seeded_json.find(R"("note":"")") != std::string::npos);
    const auto seeded_back = protocol::parse_grant(seeded_json);
    REQUIRE(seeded_back.has_value());
    CHECK(*seeded_back == seeded);

    const protocol::grant_list list{{g, seeded}};
    const auto l2 = protocol::parse_grant_list(protocol::to_json(list));
    REQUIRE(l2.has_value());
    CHECK(l2->items == list.items);
    CHECK(protocol::to_json(protocol::grant_list{}) == R"({"items":[]})");

    const protocol::grant_history history{
        {{granted_at, std::nullopt, protocol::grant_action::create, "zdo-32855961", ""},
         {granted_at + seconds(60), "ouo-kyiv", protocol::grant_action::update, "platform-a", "n"},
         {granted_at + seconds(120), "admin", protocol::grant_action::revoke, "platform-a", ""}}};
    const auto h_json = protocol::to_json(history);
    CHECK(h_json.starts_with(
        R"({"items":[{"at":"2025-06-02T09:20:11Z","actor":null,"action":"grant.create",)"
        R"("client_id":"zdo-32855961","note":""},)"));
    const auto h2 = protocol::parse_grant_history(h_json);
    REQUIRE(h2.has_value());
    CHECK(h2->items == history.items);
    CHECK(h2->items[2].action == protocol::grant_action::revoke);

    // Members newer than this library are ignored; a missing note reads as "".
    const auto newer = protocol::parse_grant(
        R"({"institution":"1","client_id":"c","role":"institution","granted_at":"2025-06-02T09:20:11Z","scope":"x"})");
    REQUIRE(newer.has_value());
    CHECK(newer->note.empty());
    CHECK_FALSE(newer->granted_by);
}

TEST_CASE("protocol grants: what a server must not send is an error, never a throw")
{
    const auto g = protocol::to_json(platform_grant());
    using protocol::protocol_errc;
    struct row {
        const char* pointer;
        const char* literal;
        protocol_errc expected;
    };
    const row rows[] = {
        {"/institution", "null", protocol_errc::missing_field},
        {"/institution", "32855961", protocol_errc::bad_value},
        {"/client_id", "[]", protocol_errc::bad_value},
        {"/role", R"("authority")", protocol_errc::bad_value},
        {"/role", R"("Platform")", protocol_errc::bad_value},
        {"/note", "{}", protocol_errc::bad_value},
        {"/granted_by", "1", protocol_errc::bad_value},
        {"/granted_at", "1748856011", protocol_errc::bad_value},
        {"/granted_at", R"("2025-06-02T09:20:11+03:00")", protocol_errc::bad_value},
        {"/granted_at", "null", protocol_errc::missing_field},
    };
    for (const auto& r : rows) {
        CAPTURE(r.pointer);
        CAPTURE(r.literal);
        const auto text = with_value(g, r.pointer, r.literal);
        CHECK_NOTHROW((void)protocol::parse_grant(text));
        CHECK(protocol::parse_grant(text).error() == r.expected);
        CHECK(protocol::parse_grant_list("{\"items\":[" + text + "]}").error() == r.expected);
    }
    for (const char* bad : {"", "[]", "{", R"({"items":[]} x)", "null"}) {
        CAPTURE(bad);
        CHECK(protocol::parse_grant(bad).error() == protocol_errc::malformed_json);
        CHECK(protocol::parse_grant_list(bad).error() == protocol_errc::malformed_json);
        CHECK(protocol::parse_grant_history(bad).error() == protocol_errc::malformed_json);
    }
    CHECK(protocol::parse_grant_list("{}").error() == protocol_errc::missing_field);
    CHECK(protocol::parse_grant_list(R"({"items":{}})").error() == protocol_errc::bad_value);
    CHECK(protocol::parse_grant_list(R"({"items":[1]})").error() == protocol_errc::bad_value);
    CHECK(protocol::parse_grant_history(
              R"({"items":[{"at":"2025-06-02T09:20:11Z","action":"grant.delete","client_id":"c"}]})")
              .error() == protocol_errc::bad_value);
    CHECK(protocol::parse_grant_history(
              R"({"items":[{"at":"2025-06-02T09:20:11Z","action":"grant.revoke"}]})")
              .error() == protocol_errc::missing_field);
    CHECK(protocol::parse_grant_history(
              R"({"items":[{"at":0,"action":"grant.revoke","client_id":"c"}]})")
              .error() == protocol_errc::bad_value);
    const std::string deep = "{\"items\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
    CHECK(protocol::parse_grant_list(deep).error() == protocol_errc::malformed_json);
}

TEST_CASE("protocol grants: the request body is read as the server does, every problem at once")
{
    CHECK(protocol::to_json(protocol::grant_request{}) == "{}");
    CHECK(protocol::to_json(protocol::grant_request{"договір"}) == R"({"note":"договір"})");
    const auto back = protocol::parse_grant_request(protocol::to_json(protocol::grant_request{"n"}));
    REQUIRE(back.ok());
    CHECK(back.value.note == "n");

    // No body, or an empty object: a grant without a note.
    for (const char* none : {"", "{}", " { } "}) {
        CAPTURE(none);
        const auto r = protocol::parse_grant_request(none);
        REQUIRE(r.ok());
        CHECK_FALSE(r.value.note);
    }
    std::string note_500;
    for (int i = 0; i < 500; ++i) {
        note_500 += "ї"; // characters, not bytes, are counted
    }
    CHECK(protocol::parse_grant_request(R"({"note":")" + note_500 + "\"}").ok());

    const auto too_long = protocol::parse_grant_request(R"({"note":")" + note_500 + "ї\",\"x\":1}");
    CHECK(too_long.fault == protocol::body_fault::invalid);
    CHECK(pointers_and_codes(too_long.issues) ==
          std::vector<pointer_code>{{"/x", "field.unknown"},
                                                           {"/note", "format.too_long"}});
    const auto wrong = protocol::parse_grant_request(R"({"note":5,"client_id":"c","a~b":null})");
    CHECK(wrong.fault == protocol::body_fault::invalid);
    CHECK(pointers_and_codes(wrong.issues) ==
          std::vector<pointer_code>{{"/note", "format.type"},
                                                           {"/client_id", "field.unknown"},
                                                           {"/a~0b", "field.unknown"}});
    CHECK(protocol::problem_kind_of(wrong.fault) == protocol::problem_kind::validation_failed);

    for (const char* not_object : {"[]", "\"note\"", "null", "{", R"({"note":"a"} {})", "{'note':1}"}) {
        CAPTURE(not_object);
        const auto r = protocol::parse_grant_request(not_object);
        CHECK(r.fault == protocol::body_fault::malformed);
        CHECK(protocol::problem_kind_of(r.fault) == protocol::problem_kind::malformed_request);
    }
}
