// Protocol v1 as data: routes, targets, cursors, problem details and bodies, without sockets.
#include <aikom/check/issue_codes.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/protocol/error.hpp>
#include <aikom/protocol/problem.hpp>
#include <aikom/protocol/routes.hpp>
#include <aikom/protocol/types.hpp>

#include "fixtures.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <vector>

using namespace aikom;
using protocol::endpoint;

TEST_CASE("protocol: every endpoint's path is matched, with its parameters decoded")
{
    struct row {
        const char* path;
        endpoint e;
        const char* institution = "";
        const char* child = "";
        const char* correction = "";
        const char* client = "";
    };
    const row rows[] = {
        {"/v1", endpoint::discovery},
        {"/v1/", endpoint::discovery},
        {"/v1/oauth/token", endpoint::token},
        {"/v1/institutions/32855961/children", endpoint::children, "32855961"},
        {"/v1/institutions/32855961/children/kd-000123", endpoint::child, "32855961", "kd-000123"},
        {"/v1/institutions/32855961/children/kd%3A1", endpoint::child, "32855961", "kd:1"},
        {"/v1/institutions/32855961/children/kd-1/withdrawal", endpoint::withdrawal, "32855961",
         "kd-1"},
        {"/v1/batches", endpoint::batches},
        {"/v1/changes", endpoint::changes},
        {"/v1/validate", endpoint::validate},
        {"/v1/correction-requests", endpoint::corrections},
        {"/v1/correction-requests/cr-7", endpoint::correction, "", "", "cr-7"},
        {"/v1/correction-requests/cr-7/apply", endpoint::correction_apply, "", "", "cr-7"},
        {"/v1/correction-requests/cr-7/reject", endpoint::correction_reject, "", "", "cr-7"},
        {"/v1/reports/completeness", endpoint::completeness_report},
        {"/v1/admin/faults", endpoint::admin_faults},
        {"/v1/institutions/32855961/grants", endpoint::grants, "32855961"},
        {"/v1/institutions/32855961/grants/platform-a", endpoint::grant, "32855961", "", "",
         "platform-a"},
        {"/v1/institutions/32855961/grants/p%2Fa%20b", endpoint::grant, "32855961", "", "",
         "p/a b"},
        {"/v1/institutions/32855961/grants/platform-a/", endpoint::grant, "32855961", "", "",
         "platform-a"},
        {"/v1/institutions/32855961/grant-history", endpoint::grant_history, "32855961"},
        {"/v1/reports/progress", endpoint::progress_report},
        {"/v1/reports/form-85k", endpoint::form85k_report},
        {"/v1/openapi.json", endpoint::openapi},
    };
    for (const auto& r : rows) {
        CAPTURE(r.path);
        const auto m = protocol::match_route(r.path);
        REQUIRE(m);
        CHECK(m->endpoint == r.e);
        CHECK(m->institution == r.institution);
        CHECK(m->child_id == r.child);
        CHECK(m->correction_id == r.correction);
        CHECK(m->client_id == r.client);
    }
    for (const char* bad : {"", "/", "/v2", "/v1/children", "/v1/institutions/1/children/2/3",
                            "/v1/institutions/1/pupils", "/v1/correction-requests/x/accept",
                            "v1/batches", "/v1/admin", "/v1/institutions/1/grants/a/b",
                            "/v1/institutions/1/grant-history/a", "/v1/reports/form85k",
                            "/v1/reports", "/v1/openapi", "/v1/institutions/grants"}) {
        CAPTURE(bad);
        CHECK_FALSE(protocol::match_route(bad));
    }
}

TEST_CASE("protocol: targets are built so that they match back")
{
    const auto t = protocol::child_target("32855961", "kd:1/x y");
    const auto parsed = protocol::parse_target(t);
    REQUIRE(parsed.has_value());
    const auto m = protocol::match_route(parsed->path);
    REQUIRE(m);
    CHECK(m->endpoint == endpoint::child);
    CHECK(m->child_id == "kd:1/x y");

    const auto page = protocol::parse_target(protocol::children_target("32855961", 50, "abc-_"));
    REQUIRE(page.has_value());
    CHECK(page->param("limit") == "50");
    CHECK(page->param("cursor") == "abc-_");
    CHECK_FALSE(page->param("missing"));
    CHECK(protocol::changes_target() == "/v1/changes");
    CHECK(protocol::correction_target("cr-1", "apply") == "/v1/correction-requests/cr-1/apply");
    CHECK(protocol::grants_target("32855961") == "/v1/institutions/32855961/grants");
    CHECK(protocol::grant_history_target("32855961") == "/v1/institutions/32855961/grant-history");

    // A client id with reserved characters is one path segment and matches back, decoded.
    const auto g = protocol::grant_target("32855961", "platform/a b%?#");
    CHECK(g == "/v1/institutions/32855961/grants/platform%2Fa%20b%25%3F%23");
    const auto gm = protocol::match_route(protocol::parse_target(g)->path);
    REQUIRE(gm);
    CHECK(gm->endpoint == endpoint::grant);
    CHECK(gm->institution == "32855961");
    CHECK(gm->client_id == "platform/a b%?#");

    // Repeatable institutions; empty values and a limit of 0 are left out.
    const std::vector<std::string> two{"32855961", "a&b"};
    const auto feed = protocol::changes_target("c+/=", 10, two);
    CHECK(feed == "/v1/changes?cursor=c%2B%2F%3D&limit=10&institution=32855961&institution=a%26b");
    const auto parsed_feed = protocol::parse_target(feed);
    REQUIRE(parsed_feed.has_value());
    REQUIRE(parsed_feed->query.size() == 4);
    CHECK(parsed_feed->query[3].second == "a&b");
    CHECK(protocol::changes_target({}, 0, two) ==
          "/v1/changes?institution=32855961&institution=a%26b");
    CHECK(protocol::corrections_target("pending", "", 50, "x=y") ==
          "/v1/correction-requests?status=pending&limit=50&cursor=x%3Dy");
    CHECK(protocol::corrections_target() == "/v1/correction-requests");
    CHECK(protocol::progress_target("2025-05-01", "2025-05-30", "2025-08-31", "32855961") ==
          "/v1/reports/progress?from=2025-05-01&to=2025-05-30&deadline=2025-08-31"
          "&institution=32855961");
    CHECK(protocol::progress_target() == "/v1/reports/progress");
    CHECK(protocol::progress_target({}, "2025-05-30") == "/v1/reports/progress?to=2025-05-30");
    CHECK(protocol::form85k_target("2025-09-01", "32855961") ==
          "/v1/reports/form-85k?as_of=2025-09-01&institution=32855961");
    CHECK(protocol::form85k_target() == "/v1/reports/form-85k");
    CHECK_FALSE(protocol::parse_target("http://x/v1").has_value());
    CHECK(protocol::parse_target("not a target").error() == protocol::protocol_errc::bad_target);
}

TEST_CASE("protocol: cursors round-trip and refuse what they did not issue")
{
    const std::int64_t seqs[] = {0, 1, 42, 9'007'199'254'740'993LL,
                                 std::numeric_limits<std::int64_t>::max()};
    for (const std::int64_t seq : seqs) {
        for (std::string_view epoch : {"e", "3f9a0c27d4b1", "a:b", "~!"}) {
            const auto pos = protocol::parse_change_cursor(protocol::change_cursor(epoch, seq));
            REQUIRE(pos);
            CHECK(pos->epoch == epoch);
            CHECK(pos->seq == seq);
        }
    }
    CHECK(protocol::decode_cursor(protocol::encode_cursor("k", "kd-000123"), "k") == "kd-000123");
    CHECK_FALSE(protocol::decode_cursor(protocol::encode_cursor("k", "kd-1"), "c"));
    CHECK_FALSE(protocol::parse_change_cursor("not+base64"));
    CHECK_FALSE(protocol::parse_change_cursor(""));
    // The format of earlier versions (a bare sequence number) is not a cursor any more.
    CHECK_FALSE(protocol::parse_change_cursor(protocol::encode_cursor("c", "42")));
    for (std::string_view bad : {"e:-5", "e:+5", "e:12x", "e:", ":5", "e5", "e:99999999999999999999",
                                 "e e:5", "e\n:5"}) {
        CAPTURE(bad);
        CHECK_FALSE(protocol::parse_change_cursor(protocol::encode_cursor("f", bad)));
    }
    CHECK_FALSE(protocol::parse_change_cursor(
        protocol::encode_cursor("f", std::string(65, 'e') + ":5")));
    CHECK(protocol::parse_change_cursor(protocol::encode_cursor("f", std::string(64, 'e') + ":5")));
}

TEST_CASE("protocol: problem details carry every error, in both languages")
{
    auto p = protocol::make_problem(protocol::problem_kind::validation_failed, "AIKOM would not save it",
                                {check::make_issue("required.missing", "/sex"),
                                 check::make_issue("date.future", "/birth_date")});
    p.request_id = "req-1";
    CHECK(p.status == 422);
    CHECK(p.type == "urn:aikom:problem:validation-failed");
    CHECK_FALSE(p.retryable);
    const auto json = protocol::to_json(p);
    const auto back = protocol::parse_problem(json);
    REQUIRE(back.has_value());
    CHECK(back->type == p.type);
    CHECK(back->status == 422);
    CHECK(back->request_id == "req-1");
    REQUIRE(back->errors.size() == 2);
    CHECK(back->errors[1].pointer == "/birth_date");
    CHECK(back->errors[1].code == "date.future");
    CHECK(back->errors[1].message_uk == p.errors[1].message_uk);
    CHECK(protocol::kind_of(*back) == protocol::problem_kind::validation_failed);

    CHECK(protocol::make_problem(protocol::problem_kind::unavailable, "").retryable);
    const auto conflict = protocol::make_problem(protocol::problem_kind::conflict, "");
    CHECK(conflict.status == 409);
    CHECK_FALSE(conflict.retryable);
    CHECK(protocol::kind_of(conflict) == protocol::problem_kind::conflict);
    CHECK(protocol::make_problem(protocol::problem_kind::rate_limited, "").status == 429);
    CHECK(protocol::parse_problem("{}").error() == protocol::protocol_errc::missing_field);
    CHECK(protocol::parse_problem("[").error() == protocol::protocol_errc::malformed_json);
    CHECK_FALSE(
        std::string(protocol::make_error_code(protocol::protocol_errc::bad_cursor).message()).empty());
}

TEST_CASE("protocol: bodies round-trip")
{
    protocol::discovery d;
    d.limits.max_batch_items = 7;
    d.scopes = {"children:read"};
    const auto d2 = protocol::parse_discovery(protocol::to_json(d));
    REQUIRE(d2.has_value());
    CHECK(d2->limits.max_batch_items == 7);
    CHECK(d2->scopes == d.scopes);
    CHECK(d2->change_feed_retention == d.change_feed_retention);

    const auto t = protocol::parse_token_response(
        protocol::to_json(protocol::token_response{"abc", "Bearer", std::chrono::seconds(3600), "admin"}));
    REQUIRE(t.has_value());
    CHECK(t->access_token == "abc");
    CHECK(t->expires_in == std::chrono::seconds(3600));
    CHECK(protocol::parse_token_response(R"({"token_type":"Bearer"})").error() ==
          protocol::protocol_errc::missing_field);
    CHECK(
        protocol::parse_oauth_error(protocol::to_json(protocol::oauth_error{"invalid_client", "no"}))->error ==
        "invalid_client");

    protocol::write_result w{
        "kd-1", "32855961", protocol::write_status::created, "abc",
        {check::make_issue("contact.missing", "/contact")}};
    const auto w2 = protocol::parse_write_result(protocol::to_json(w));
    REQUIRE(w2.has_value());
    CHECK(w2->status == protocol::write_status::created);
    REQUIRE(w2->warnings.size() == 1);
    CHECK(w2->warnings[0].code == "contact.missing");

    const auto b = protocol::parse_batch_result(protocol::to_json(protocol::batch_result{
        {{0, "kd-1", "32855961", protocol::item_status::created, "e1", {}},
         {1,
          "kd-2",
          "",
          protocol::item_status::rejected,
          "",
          {check::make_issue("required.missing", "/institution")}}}}));
    REQUIRE(b.has_value());
    REQUIRE(b->results.size() == 2);
    CHECK(b->results[0].status == protocol::item_status::created);
    CHECK(b->results[1].status == protocol::item_status::rejected);
    CHECK(b->results[1].etag.empty());
    CHECK(b->results[1].issues.at(0).pointer == "/institution");

    const auto v = protocol::parse_validation_result(protocol::to_json(protocol::validation_result{true, {}}));
    REQUIRE(v.has_value());
    CHECK(v->valid);
}

TEST_CASE("protocol: pages and the change feed carry records through the strict codec")
{
    const auto full = test::every_field_child();
    const auto canonical = codec::encode(full);
    const auto page =
        protocol::parse_child_page(protocol::child_page_json({canonical, canonical}, "n1", true));
    REQUIRE(page.has_value());
    REQUIRE(page->items.size() == 2);
    CHECK(page->items[0] == full);
    CHECK(page->next_cursor == "n1");
    CHECK(page->has_more);
    const auto last = protocol::parse_child_page(protocol::child_page_json({}, std::nullopt, false));
    REQUIRE(last.has_value());
    CHECK_FALSE(last->next_cursor);

    const auto feed = protocol::parse_change_page(
        protocol::change_page_json({{5, false, "32855961", "kd-000123", "e5", canonical},
                                {6, true, "32855961", "kd-9", "", std::nullopt}},
                               protocol::change_cursor("ep", 6), false));
    REQUIRE(feed.has_value());
    REQUIRE(feed->changes.size() == 2);
    CHECK(feed->changes[0].seq == 5);
    REQUIRE(feed->changes[0].record);
    CHECK(*feed->changes[0].record == full);
    CHECK(feed->changes[0].type == protocol::change_type::upsert);
    CHECK(feed->changes[1].type == protocol::change_type::delete_);
    CHECK_FALSE(feed->changes[1].record);
    CHECK(protocol::parse_change_cursor(feed->next_cursor) ==
          protocol::change_position{.epoch = "ep", .seq = 6});
    // A record that breaks the strict codec is an error, not a silently different record.
    CHECK_FALSE(
        protocol::parse_change_page(
            R"({"changes":[{"seq":1,"type":"upsert","institution":"1","id":"x","record":{"id":"x","sex":"?"}}],"next_cursor":"a","has_more":false})")
            .has_value());

    const auto batch = boost::json::parse(protocol::batch_request_json({full, full}));
    CHECK(batch.at("items").as_array().size() == 2);
}

// ---- typed statuses ---------------------------------------------------------------------------

TEST_CASE("protocol: statuses are enums with their wire names")
{
    using protocol::status_from_string;
    using protocol::to_string;
    CHECK(to_string(protocol::write_status::unchanged) == "unchanged");
    CHECK(to_string(protocol::item_status::forbidden) == "forbidden");
    CHECK(to_string(protocol::correction_status::applied) == "applied");
    CHECK(to_string(protocol::change_type::delete_) == "delete");
    for (auto s : {protocol::item_status::created, protocol::item_status::updated,
                   protocol::item_status::unchanged, protocol::item_status::rejected,
                   protocol::item_status::forbidden}) {
        CHECK(status_from_string<protocol::item_status>(to_string(s)) == s);
    }
    for (auto s : {protocol::write_status::created, protocol::write_status::updated,
                   protocol::write_status::unchanged}) {
        CHECK(status_from_string<protocol::write_status>(to_string(s)) == s);
        CHECK(to_string(protocol::to_item_status(s)) == to_string(s));
    }
    CHECK_FALSE(status_from_string<protocol::write_status>("rejected"));
    CHECK_FALSE(status_from_string<protocol::correction_status>("Pending"));
    CHECK_FALSE(status_from_string<protocol::change_type>(""));

    // A wire name the reader does not know makes the body unreadable, not a default status.
    CHECK(protocol::parse_write_result(R"({"id":"kd-1","status":"deleted"})").error() ==
          protocol::protocol_errc::bad_value);
    CHECK(protocol::parse_write_result(R"({"id":"kd-1"})").error() ==
          protocol::protocol_errc::missing_field);
    CHECK(protocol::parse_batch_result(R"({"results":[{"index":0,"status":"ok"}]})").error() ==
          protocol::protocol_errc::bad_value);
    CHECK(protocol::parse_review_result(R"({"id":"cr-1","status":"done"})").error() ==
          protocol::protocol_errc::bad_value);
    CHECK(protocol::parse_change_page(
              R"({"changes":[{"seq":1,"type":"erase","institution":"1","id":"x"}],"next_cursor":"a"})")
              .error() == protocol::protocol_errc::bad_value);
}

// ---- request bodies a server reads --------------------------------------------------------------

namespace {

using test::pointer_code;
using test::pointers_and_codes;
using test::with_value;

std::string long_text(std::size_t chars)
{
    std::string s;
    for (std::size_t i = 0; i < chars; ++i) {
        s += "ї"; // two bytes, one character: the limit counts characters
    }
    return s;
}

} // namespace

TEST_CASE("protocol: a withdrawal round-trips and reports every problem at once")
{
    const protocol::withdrawal w{std::chrono::year{2025} / 5 / 30, "переведення"};
    const auto back = protocol::parse_withdrawal(protocol::to_json(w));
    REQUIRE(back.ok());
    CHECK(back.value.left_on == w.left_on);
    CHECK(back.value.reason == w.reason);
    CHECK(protocol::to_json(protocol::withdrawal{std::chrono::year{2025} / 5 / 30, {}}) ==
          R"({"left_on":"2025-05-30"})");

    const auto bad = protocol::parse_withdrawal(
        R"({"left_on":"2025-02-30","reason":5,"extra":1,"a/b":true})");
    CHECK(bad.fault == protocol::body_fault::invalid);
    CHECK(pointers_and_codes(bad.issues) ==
          std::vector<pointer_code>{{"/left_on", "format.date"},
                                    {"/reason", "format.type"},
                                    {"/extra", "field.unknown"},
                                    {"/a~1b", "field.unknown"}});
    const auto too_long =
        protocol::parse_withdrawal(R"({"left_on":"2025-05-30","reason":")" + long_text(501) + "\"}");
    CHECK(pointers_and_codes(too_long.issues) ==
          std::vector<pointer_code>{{"/reason", "format.too_long"}});
    CHECK(protocol::parse_withdrawal(R"({"left_on":"2025-05-30","reason":")" + long_text(500) +
                                     "\"}")
              .ok());
    CHECK(pointers_and_codes(protocol::parse_withdrawal(R"({"reason":null})").issues) ==
          std::vector<pointer_code>{{"/left_on", "format.date"}, {"/reason", "format.type"}});
    for (const char* not_object : {"", "[]", "\"x\"", "{", "{\"left_on\":1}x"}) {
        CAPTURE(not_object);
        const auto r = protocol::parse_withdrawal(not_object);
        CHECK(r.fault == protocol::body_fault::malformed);
        CHECK(r.error() == protocol::protocol_errc::malformed_json);
        CHECK(protocol::problem_kind_of(r.fault) == protocol::problem_kind::malformed_request);
    }
    CHECK(bad.error() == protocol::protocol_errc::bad_value);
    CHECK(protocol::problem_kind_of(bad.fault) == protocol::problem_kind::validation_failed);
}

TEST_CASE("protocol: a correction draft round-trips and is checked stage by stage")
{
    auto record = test::every_field_child();
    const protocol::correction_draft draft{"32855961", "kd-000127", record, "серія відсутня"};
    const auto back = protocol::parse_correction_draft(protocol::to_json(draft));
    REQUIRE(back.ok());
    CHECK(back.value.institution == draft.institution);
    CHECK(back.value.child_id == draft.child_id);
    CHECK(back.value.reason == draft.reason);
    CHECK(back.value.record == record);

    const auto incomplete = protocol::parse_correction_draft(
        R"({"institution":5,"record":[],"reason":")" + long_text(501) + R"(","extra":1})");
    CHECK(incomplete.fault == protocol::body_fault::invalid);
    CHECK(pointers_and_codes(incomplete.issues) ==
          std::vector<pointer_code>{{"/institution", "required.missing"},
                                    {"/child_id", "required.missing"},
                                    {"/record", "required.missing"},
                                    {"/reason", "format.too_long"},
                                    {"/extra", "field.unknown"}});

    const auto bad_id = protocol::parse_correction_draft(
        R"({"institution":"32855961","child_id":"кд 1","reason":"r","record":{"id":"x"}})");
    CHECK(bad_id.fault == protocol::body_fault::invalid_id);
    CHECK(pointers_and_codes(bad_id.issues) ==
          std::vector<pointer_code>{{"/child_id", "format.record_id"}});

    // The record's errors come last, with every other member read: the server checks the
    // caller's access to the institution before it reports them.
    const auto bad_record = protocol::parse_correction_draft(
        R"({"institution":"32855961","child_id":"kd-1","reason":"r","record":{"id":"x","sex":"?","pets":1}})");
    CHECK(bad_record.fault == protocol::body_fault::invalid_record);
    CHECK(bad_record.value.institution == "32855961");
    CHECK(pointers_and_codes(bad_record.issues) ==
          std::vector<pointer_code>{{"/record/sex", "format.enum"},
                                    {"/record/pets", "field.unknown"}});
    // Decoded from the bytes sent: a duplicate key inside the record is not silently dropped.
    CHECK(protocol::parse_correction_draft(
              R"({"institution":"32855961","child_id":"kd-1","reason":"r","record":{"id":"x","id":"y"}})")
              .fault == protocol::body_fault::invalid_record);
    // Lenient decoding drops the unknown member.
    codec::decode_options lenient;
    lenient.unknown_fields = codec::unknown_field_policy::warn;
    const auto ok = protocol::parse_correction_draft(
        R"({"institution":"32855961","child_id":"kd-1","reason":"r","record":{"id":"x","pets":1}})",
        lenient);
    REQUIRE(ok.ok());
    CHECK(ok.value.record.id == "x");
    CHECK(protocol::parse_correction_draft("[]").fault == protocol::body_fault::malformed);
}

TEST_CASE("protocol: a correction draft carries its red fields and base ETag, each entry checked")
{
    const auto record = test::every_field_child();
    protocol::correction_draft draft{"32855961", "kd-000127", record, "серія відсутня"};
    // v1.0 drafts are written as before: no empty `fields`, no `base_etag`.
    CHECK(protocol::to_json(draft).find("fields") == std::string::npos);
    CHECK(protocol::to_json(draft).find("base_etag") == std::string::npos);
    draft.fields = {"/document/series", "/name/last", "/"};
    draft.base_etag = "e-41";
    const auto back = protocol::parse_correction_draft(protocol::to_json(draft));
    REQUIRE(back.ok());
    CHECK(back.value.fields == draft.fields);
    CHECK(back.value.base_etag == "e-41");
    CHECK(back.value.record == record);

    const std::string head = R"({"institution":"32855961","child_id":"kd-1","reason":"r",)";
    const std::string tail = R"(,"record":{"id":"kd-1"}})";
    const auto nulls = protocol::parse_correction_draft(head + R"("fields":null,"base_etag":null)" + tail);
    REQUIRE(nulls.ok());
    CHECK(nulls.value.fields.empty());
    CHECK_FALSE(nulls.value.base_etag);
    CHECK(protocol::parse_correction_draft(head + R"("fields":[])" + tail).ok());

    // Every bad entry is reported at its place, together with the draft's other problems.
    const auto bad = protocol::parse_correction_draft(
        head + R"("fields":["/a","b","",5,"/a","/)" + std::string(256, 'x') + R"(","/)" +
        std::string(255, 'x') + R"("],"base_etag":"","extra":1)" + tail);
    CHECK(bad.fault == protocol::body_fault::invalid);
    CHECK(pointers_and_codes(bad.issues) ==
          std::vector<pointer_code>{{"/fields/1", "format.pointer"},
                                    {"/fields/2", "format.pointer"},
                                    {"/fields/3", "format.pointer"},
                                    {"/fields/4", "format.pointer"},
                                    {"/fields/5", "format.pointer"},
                                    {"/base_etag", "format.type"},
                                    {"/extra", "field.unknown"}});
    REQUIRE_FALSE(bad.issues.empty());
    CHECK(bad.issues[0].message_uk.find("JSON Pointer") != std::string::npos);
    CHECK(check::find_issue_code("format.pointer") != nullptr);

    // At most 100 entries: the 101st is the one reported.
    std::string many = "[";
    for (int i = 0; i <= 100; ++i) {
        many += (i == 0 ? "\"/f" : ",\"/f") + std::to_string(i) + "\"";
    }
    many += "]";
    const auto too_many = protocol::parse_correction_draft(head + R"("fields":)" + many + tail);
    CHECK(pointers_and_codes(too_many.issues) ==
          std::vector<pointer_code>{{"/fields/100", "format.pointer"}});
    const auto not_array = protocol::parse_correction_draft(
        head + R"("fields":"/a","base_etag":7)" + tail);
    CHECK(pointers_and_codes(not_array.issues) ==
          std::vector<pointer_code>{{"/fields", "format.type"}, {"/base_etag", "format.type"}});
}

TEST_CASE("protocol: a review round-trips and lists its problems together")
{
    CHECK(protocol::to_json(protocol::review{}) == "{}");
    const auto noted = protocol::parse_review(protocol::to_json(protocol::review{"перевірено"}));
    REQUIRE(noted.ok());
    CHECK(noted.value.note == "перевірено");
    const auto empty = protocol::parse_review("");
    REQUIRE(empty.ok());
    CHECK_FALSE(empty.value.note);
    CHECK(pointers_and_codes(protocol::parse_review("{}", true).issues) ==
          std::vector<pointer_code>{{"/note", "required.missing"}});
    CHECK(pointers_and_codes(protocol::parse_review(R"({"note":""})", true).issues) ==
          std::vector<pointer_code>{{"/note", "required.missing"}});
    const auto bad = protocol::parse_review(R"({"note":null,"x":1})", true);
    CHECK(bad.fault == protocol::body_fault::invalid);
    CHECK(pointers_and_codes(bad.issues) ==
          std::vector<pointer_code>{{"/note", "format.type"},
                                    {"/x", "field.unknown"},
                                    {"/note", "required.missing"}});
    CHECK(pointers_and_codes(
              protocol::parse_review(R"({"note":")" + long_text(501) + "\"}").issues) ==
          std::vector<pointer_code>{{"/note", "format.too_long"}});
    CHECK(protocol::parse_review("[1]").fault == protocol::body_fault::malformed);
    CHECK(protocol::parse_review(" ").fault == protocol::body_fault::malformed);
}

TEST_CASE("protocol: fault settings round-trip and list every value out of range")
{
    const protocol::fault_settings f{std::chrono::milliseconds(200), 0.1, 429,
                                     std::chrono::seconds(2), 0.02};
    CHECK(protocol::to_json(f) ==
          R"({"latency_ms":200,"error_rate":1E-1,"error_status":429,"retry_after_seconds":2,"drop_rate":2E-2})");
    const auto back = protocol::parse_fault_settings(protocol::to_json(f));
    REQUIRE(back.ok());
    CHECK(back.value.latency == f.latency);
    CHECK(back.value.error_rate == f.error_rate);
    CHECK(back.value.error_status == 429);
    CHECK(back.value.retry_after == f.retry_after);
    CHECK(back.value.drop_rate == f.drop_rate);

    const auto defaults = protocol::parse_fault_settings(R"({"unknown":1,"latency_ms":1.9})");
    REQUIRE(defaults.ok());
    CHECK(defaults.value.latency == std::chrono::milliseconds(1)); // a fraction is cut off
    CHECK(defaults.value.error_status == 503);
    CHECK(defaults.value.retry_after == std::chrono::seconds(1));

    const auto bad = protocol::parse_fault_settings(
        R"({"latency_ms":-1,"error_rate":2,"error_status":450,"retry_after_seconds":"x","drop_rate":null})");
    CHECK(bad.fault == protocol::body_fault::invalid);
    CHECK(pointers_and_codes(bad.issues) ==
          std::vector<pointer_code>{{"/latency_ms", "format.integer"},
                                    {"/error_rate", "format.integer"},
                                    {"/error_status", "format.enum"},
                                    {"/retry_after_seconds", "format.integer"},
                                    {"/drop_rate", "format.integer"}});
    CHECK(bad.issues[0].message_en.find("60000") != std::string::npos);
    for (const char* hostile : {"48888888888804", "18446744073709551616", "1e300", "-1", "[]",
                                "{}", "true", "-9223372036854775809"}) {
        CAPTURE(hostile);
        for (const char* key : {"latency_ms", "error_rate", "error_status", "retry_after_seconds",
                                "drop_rate"}) {
            CAPTURE(key);
            const auto r = protocol::parse_fault_settings("{\"" + std::string(key) + "\":" +
                                                          hostile + "}");
            REQUIRE(r.issues.size() == 1);
            CHECK(r.issues[0].pointer == "/" + std::string(key));
            CHECK(r.issues[0].code == "format.integer");
        }
    }
    CHECK(pointers_and_codes(protocol::parse_fault_settings(R"({"error_status":600})").issues) ==
          std::vector<pointer_code>{{"/error_status", "format.integer"}});
    CHECK(protocol::parse_fault_settings("[]").fault == protocol::body_fault::malformed);
}

TEST_CASE("protocol: a batch request is read item by item")
{
    auto bad = test::every_field_child();
    const auto good = test::every_field_child();
    const auto entries = protocol::parse_batch_request(protocol::batch_request_json({good, good}));
    REQUIRE(entries.ok());
    REQUIRE(entries.value.size() == 2);
    REQUIRE(entries.value[1].record);
    CHECK(*entries.value[1].record == good);

    const auto mixed = protocol::parse_batch_request(
        "{\"items\":[{\"id\":\"x\",\"sex\":\"?\"}," + codec::encode(good) + "]}\n");
    REQUIRE(mixed.ok());
    REQUIRE(mixed.value.size() == 2);
    CHECK_FALSE(mixed.value[0].record);
    CHECK(pointers_and_codes(mixed.value[0].issues) ==
          std::vector<pointer_code>{{"/sex", "format.enum"}});
    CHECK(mixed.value[1].record);

    const auto empty = protocol::parse_batch_request(R"( { "items" : [ ] } )");
    REQUIRE(empty.ok());
    CHECK(empty.value.empty());

    const auto broken = protocol::parse_batch_request(R"({"items":[{"id":"x"},)");
    CHECK(broken.fault == protocol::body_fault::malformed);
    const auto trailing = protocol::parse_batch_request(R"({"items":[{"id":"x"}] x})");
    CHECK(trailing.fault == protocol::body_fault::malformed);
    REQUIRE(trailing.issues.size() == 1);
    CHECK(trailing.issues[0].code == "json.array");
    for (const char* not_batch : {"", "[]", R"({"records":[]})", R"({"items":{}})", "{\"items\":[]"}) {
        CAPTURE(not_batch);
        const auto r = protocol::parse_batch_request(not_batch);
        CHECK(r.fault == protocol::body_fault::malformed);
        CHECK(r.issues.empty());
    }
    const auto many = protocol::parse_batch_request(R"({"items":[{"id":"a"},{"id":"b"},{"id":"c"}]})",
                                                    {}, 2);
    CHECK(many.fault == protocol::body_fault::too_many_items);
    CHECK(protocol::problem_kind_of(many.fault) == protocol::problem_kind::too_many_items);
}

// ---- responses a client reads -----------------------------------------------------------------

TEST_CASE("protocol: correction requests, their list and reviews round-trip")
{
    protocol::correction_request summary;
    summary.id = "cr-7";
    summary.institution = "32855961";
    summary.child_id = "kd-000127";
    summary.reason = "серія відсутня";
    summary.created_by = "zdo-32855961";
    summary.created_at = std::chrono::sys_seconds(std::chrono::seconds(1748856011));
    // Every member is written; what a pending request has not got yet is null.
    CHECK(protocol::to_json(summary) ==
          R"({"id":"cr-7","institution":"32855961","child_id":"kd-000127","status":"pending",)"
          R"("reason":"серія відсутня","fields":[],"base_etag":null,"issues":[],"etag":null,)"
          R"("created_by":"zdo-32855961","created_at":"2025-06-02T09:20:11Z","reviewed_by":null,)"
          R"("reviewed_at":null,"review_note":null})");
    const auto s2 = protocol::parse_correction_request(protocol::to_json(summary));
    REQUIRE(s2.has_value());
    CHECK(s2->id == "cr-7");
    CHECK(s2->status == protocol::correction_status::pending);
    CHECK(s2->created_at == summary.created_at);
    CHECK_FALSE(s2->reviewed_by);
    CHECK_FALSE(s2->record);
    CHECK(s2->history.empty());

    auto full = summary;
    full.fields = {"/document/series", "/name/last"};
    full.base_etag = "e0";
    full.issues = {check::make_issue("required.missing", "/document/series"),
                   check::make_issue("birth_date.age_unusual", "/birth_date")};
    full.etag = "e1";
    full.status = protocol::correction_status::applied;
    full.reviewed_by = "reviewer-1";
    full.reviewed_at = std::chrono::sys_seconds(std::chrono::seconds(1748862165));
    full.review_note = "";
    full.record = test::every_field_child();
    full.history = {{summary.created_at, "zdo-32855961", "correction.create", "32855961/kd-000127"},
                    {*full.reviewed_at, "reviewer-1", "correction.apply", "32855961/kd-000127"}};
    const auto f2 = protocol::parse_correction_request(protocol::to_json(full));
    REQUIRE(f2.has_value());
    CHECK(f2->status == protocol::correction_status::applied);
    CHECK(f2->reviewed_by == "reviewer-1");
    CHECK(f2->reviewed_at == full.reviewed_at);
    CHECK(f2->review_note == "");
    REQUIRE(f2->record);
    CHECK(*f2->record == *full.record);
    REQUIRE(f2->history.size() == 2);
    CHECK(f2->history[1].action == "correction.apply");
    CHECK(f2->history[1].at == *full.reviewed_at);
    CHECK(f2->fields == full.fields);
    CHECK(f2->base_etag == "e0");
    CHECK(f2->etag == "e1");
    REQUIRE(f2->issues.size() == 2);
    CHECK(f2->issues[1].code == "birth_date.age_unusual");
    CHECK(f2->issues[1].severity == check::severity::warning);
    CHECK(f2->issues[0].message_uk == full.issues[0].message_uk);
    CHECK(protocol::to_json(*f2) == protocol::to_json(full));
    const auto full_json = boost::json::parse(protocol::to_json(full)).as_object();
    CHECK(full_json.at("reviewed_at") == "2025-06-02T11:02:45Z");
    CHECK(full_json.at("history").at(0).at("at") == "2025-06-02T09:20:11Z");

    // The answer of apply is the full object, and still reads as a review result.
    const auto as_review = protocol::parse_review_result(protocol::to_json(full));
    REQUIRE(as_review.has_value());
    CHECK(as_review->id == "cr-7");
    CHECK(as_review->status == protocol::correction_status::applied);
    CHECK(as_review->etag == "e1");
    CHECK_FALSE(protocol::parse_review_result(protocol::to_json(summary))->etag);

    const protocol::correction_page page{{summary, full}, "next-1", true};
    const auto l2 = protocol::parse_correction_page(protocol::to_json(page));
    REQUIRE(l2.has_value());
    REQUIRE(l2->items.size() == 2);
    CHECK(l2->next_cursor == "next-1");
    CHECK(l2->has_more);
    CHECK(protocol::to_json(*l2) == protocol::to_json(page));
    CHECK(protocol::to_json(protocol::correction_page{}) ==
          R"({"items":[],"next_cursor":null,"has_more":false})");
    // A v1.0 list without the paging members is the only page.
    const auto old_list = protocol::parse_correction_list(R"({"items":[]})");
    REQUIRE(old_list.has_value());
    CHECK_FALSE(old_list->next_cursor);
    CHECK_FALSE(old_list->has_more);
    CHECK(protocol::parse_correction_page(R"({"items":[],"next_cursor":5})").error() ==
          protocol::protocol_errc::bad_value);
    CHECK(protocol::parse_correction_page(R"({"items":[],"has_more":"yes"})").error() ==
          protocol::protocol_errc::bad_value);
    CHECK(protocol::parse_correction_page(R"({"next_cursor":null})").error() ==
          protocol::protocol_errc::missing_field);

    // Timestamps are RFC 3339 strings now: Unix seconds (v1.0) and sloppy forms are refused.
    for (const char* at : {"1748856011", R"("2025-06-02T09:20:11+00:00")",
                           R"("2025-06-02 09:20:11Z")", R"("2025-06-02T09:20:11.5Z")",
                           R"("2025-06-02t09:20:11z")", R"("2025-02-29T09:20:11Z")",
                           R"("2025-06-02T24:00:00Z")", R"("2025-06-02T09:20:60Z")", R"("")"}) {
        CAPTURE(at);
        CHECK(protocol::parse_correction_request(
                  with_value(protocol::to_json(full), "/created_at", at))
                  .error() == protocol::protocol_errc::bad_value);
        CHECK(protocol::parse_correction_request(
                  with_value(protocol::to_json(full), "/reviewed_at", at))
                  .error() == protocol::protocol_errc::bad_value);
        CHECK(protocol::parse_correction_request(
                  with_value(protocol::to_json(full), "/history/0/at", at))
                  .error() == protocol::protocol_errc::bad_value);
    }
    CHECK(protocol::parse_correction_request(with_value(protocol::to_json(full), "/fields", "[1]"))
              .error() == protocol::protocol_errc::bad_value);
    CHECK(protocol::parse_correction_request(with_value(protocol::to_json(full), "/issues", "{}"))
              .error() == protocol::protocol_errc::bad_value);
    CHECK(protocol::parse_correction_request(with_value(protocol::to_json(full), "/etag", "1"))
              .error() == protocol::protocol_errc::bad_value);

    const protocol::review_result applied{"cr-7", protocol::correction_status::applied, "e1"};
    CHECK(protocol::to_json(applied) == R"({"id":"cr-7","etag":"e1","status":"applied"})");
    const auto a2 = protocol::parse_review_result(protocol::to_json(applied));
    REQUIRE(a2.has_value());
    CHECK(a2->etag == "e1");
    CHECK(a2->status == protocol::correction_status::applied);
    const auto r2 = protocol::parse_review_result(protocol::to_json(
        protocol::review_result{"cr-8", protocol::correction_status::rejected, std::nullopt}));
    REQUIRE(r2.has_value());
    CHECK_FALSE(r2->etag);
    CHECK(r2->status == protocol::correction_status::rejected);
}

TEST_CASE("protocol: a record that does not decode keeps its issues, with its place in the body")
{
    const auto canonical = codec::encode(test::every_field_child());
    std::vector<check::issue> issues;
    const auto page = protocol::parse_child_page(
        "{\"items\":[" + canonical + R"(,{"id":"x","sex":"?"},{"id":"y","birth_date":"2021-02-30"}],"next_cursor":null,"has_more":false})",
        &issues);
    CHECK(page.error() == protocol::protocol_errc::bad_value);
    CHECK(pointers_and_codes(issues) ==
          std::vector<pointer_code>{{"/items/1/sex", "format.enum"},
                                    {"/items/2/birth_date", "format.date"}});

    issues.clear();
    const auto feed = protocol::parse_change_page(
        R"({"changes":[{"seq":1,"type":"delete","institution":"1","id":"a"},)"
        R"({"seq":2,"type":"upsert","institution":"1","id":"x","record":{"id":"x","id":"x"}}],"next_cursor":"a","has_more":false})",
        &issues);
    CHECK(feed.error() == protocol::protocol_errc::bad_value);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].pointer.starts_with("/changes/1/record"));

    issues.clear();
    auto c = R"({"id":"cr-1","institution":"1","child_id":"x","status":"pending","created_at":"2025-06-02T09:20:11Z","record":{"id":"x","sex":"?"},"history":[]})";
    CHECK(protocol::parse_correction_request(c, &issues).error() ==
          protocol::protocol_errc::bad_value);
    CHECK(pointers_and_codes(issues) == std::vector<pointer_code>{{"/record/sex", "format.enum"}});
    issues.clear();
    CHECK(protocol::parse_correction_list(std::string(R"({"items":[)") + c + "," + c + "]}", &issues)
              .error() == protocol::protocol_errc::bad_value);
    CHECK(pointers_and_codes(issues) ==
          std::vector<pointer_code>{{"/items/0/record/sex", "format.enum"},
                                    {"/items/1/record/sex", "format.enum"}});
    // A record member newer than this library is skipped in responses (docs/protocol.md §13).
    const auto newer = protocol::parse_correction_request(
        R"({"id":"cr-1","institution":"1","child_id":"x","status":"pending","created_at":"2025-06-02T09:20:11Z","record":{"id":"x","pets":1},"history":[]})");
    REQUIRE(newer.has_value());
    CHECK(newer->record->id == "x");
    // Without an issue list the answer is the same code.
    CHECK(protocol::parse_correction_request(c).error() == protocol::protocol_errc::bad_value);
    // A body that is not JSON stays malformed_json; a record that is not an object bad_value.
    CHECK(protocol::parse_child_page(R"({"items":[)").error() ==
          protocol::protocol_errc::malformed_json);
    CHECK(protocol::parse_child_page(R"({"items":[1]})").error() ==
          protocol::protocol_errc::bad_value);
    CHECK(protocol::parse_child_page(R"({"items":{}})").error() ==
          protocol::protocol_errc::bad_value);
}

TEST_CASE("protocol: the completeness report reads back into the typed report")
{
    check::readiness_options o;
    o.as_of = std::chrono::year{2025} / 6 / 2;
    o.deadline = std::chrono::year{2025} / 6 / 7;
    o.include_names = true;
    check::readiness_builder builder(o);
    builder.add(test::every_field_child(), "roster.csv:2");
    builder.add(test::minimal_child("kd-000002"), "roster.csv:3");
    auto other = test::every_field_child();
    other.id = "kd-000003";
    other.institution = model::edrpou("21560766");
    builder.add(other);
    builder.add_unreadable();
    const auto report = builder.report();
    const auto json = protocol::to_json(report);
    CHECK(json == check::render_json(report));
    const auto back = protocol::parse_completeness_report(json);
    REQUIRE(back.has_value());
    CHECK(protocol::to_json(*back) == json);
    CHECK(back->as_of == report.as_of);
    CHECK(back->deadline == report.deadline);
    CHECK(back->institutions.size() == report.institutions.size());
    CHECK(back->to_fix.size() == report.to_fix.size());
    CHECK(back->unreadable == 1);
    CHECK(back->names_included);

    check::readiness_builder empty({.as_of = {}, .deadline = {}});
    const auto nothing = protocol::to_json(empty.report());
    const auto n2 = protocol::parse_completeness_report(nothing);
    REQUIRE(n2.has_value());
    CHECK(protocol::to_json(*n2) == nothing);

    auto dom = boost::json::parse(json);
    dom.as_object()["format"] = "aikom.other";
    CHECK(protocol::parse_completeness_report(boost::json::serialize(dom)).error() ==
          protocol::protocol_errc::bad_value);
    dom = boost::json::parse(json);
    dom.as_object()["version"] = 2;
    CHECK(protocol::parse_completeness_report(boost::json::serialize(dom)).error() ==
          protocol::protocol_errc::bad_value);
    dom = boost::json::parse(json);
    dom.at_pointer("/to_fix/0/indicators/contact") = "unknown";
    CHECK(protocol::parse_completeness_report(boost::json::serialize(dom)).error() ==
          protocol::protocol_errc::bad_value);
    dom = boost::json::parse(json);
    dom.as_object().erase("totals");
    CHECK(protocol::parse_completeness_report(boost::json::serialize(dom)).error() ==
          protocol::protocol_errc::missing_field);
}

// ---- hostile numbers ------------------------------------------------------------------------

namespace {

template <class Parse>
void check_hostile_numbers(std::string_view json, std::initializer_list<const char*> pointers,
                           Parse parse, bool fractions_allowed = false)
{
    REQUIRE(parse(json).has_value());
    for (const char* pointer : pointers) {
        CAPTURE(pointer);
        for (const char* literal :
             {"18446744073709551616", "1e300", "-1e300", "-1", "1.5", "-9223372036854775809",
              "\"7\"", "true", "[]", "{}", "null", "1e400", "-0.5"}) {
            CAPTURE(literal);
            const auto text = with_value(json, pointer, literal);
            CHECK_NOTHROW((void)parse(text));
            const bool may_pass = std::string_view(literal) == "null" ||
                                  (fractions_allowed && std::string_view(literal) == "1.5");
            if (!may_pass) {
                CHECK_FALSE(parse(text).has_value());
            }
        }
    }
}

} // namespace

TEST_CASE("protocol: hostile numbers in every numeric member are refused, never thrown")
{
    // The input that made parse_problem throw "not exact".
    CHECK(protocol::parse_problem(R"({"type":"urn:aikom:problem:x","status":48888888888804})")
              .error() == protocol::protocol_errc::bad_value);
    CHECK(protocol::parse_problem(R"({"type":"urn:aikom:problem:x","status":99})").error() ==
          protocol::protocol_errc::bad_value);
    CHECK(protocol::parse_problem(R"({"type":"urn:aikom:problem:x","status":404.0})").has_value());

    auto problem = protocol::to_json(protocol::make_problem(protocol::problem_kind::not_found, "x"));
    check_hostile_numbers(problem, {"/status"},
                          [](std::string_view s) { return protocol::parse_problem(s); });

    check_hostile_numbers(protocol::to_json(protocol::discovery{}),
                          {"/record_schema", "/limits/max_body_bytes", "/limits/max_record_bytes",
                           "/limits/max_batch_items", "/limits/page_size_default",
                           "/limits/page_size_max", "/change_feed_retention_seconds",
                           "/idempotency_retention_seconds"},
                          [](std::string_view s) { return protocol::parse_discovery(s); });
    CHECK(protocol::parse_discovery(R"({"protocol":"p","version":"1","record_schema":48888888888804})")
              .error() == protocol::protocol_errc::bad_value);
    CHECK(protocol::parse_discovery(
              R"({"protocol":"p","version":"1","change_feed_retention_seconds":48888888888804})")
              .error() == protocol::protocol_errc::bad_value);

    check_hostile_numbers(
        protocol::to_json(protocol::token_response{"t", "Bearer", std::chrono::seconds(60), ""}),
        {"/expires_in"}, [](std::string_view s) { return protocol::parse_token_response(s); });

    check_hostile_numbers(
        protocol::to_json(protocol::batch_result{{{0, "kd-1", "1", protocol::item_status::created, "e", {}}}}),
        {"/results/0/index"}, [](std::string_view s) { return protocol::parse_batch_result(s); });

    check_hostile_numbers(
        protocol::change_page_json({{5, true, "1", "kd-1", "", std::nullopt}}, "c", false),
        {"/changes/0/seq"}, [](std::string_view s) { return protocol::parse_change_page(s); });

    protocol::correction_request c;
    c.id = "cr-1";
    c.institution = "1";
    c.child_id = "kd-1";
    c.reviewed_by = "r";
    c.reviewed_at = std::chrono::sys_seconds(std::chrono::seconds(2));
    c.review_note = "";
    c.record = test::every_field_child();
    c.history = {{std::chrono::sys_seconds(std::chrono::seconds(1)), "a", "correction.create", ""}};
    check_hostile_numbers(protocol::to_json(c), {"/created_at", "/reviewed_at", "/history/0/at"},
                          [](std::string_view s) { return protocol::parse_correction_request(s); });
    CHECK_FALSE(protocol::parse_correction_request(
                    with_value(protocol::to_json(c), "/created_at", "48888888888804"))
                    .has_value());
    check_hostile_numbers(protocol::to_json(protocol::correction_list{{c}}), {"/items/0/created_at"},
                          [](std::string_view s) { return protocol::parse_correction_list(s); });

    check::readiness_builder builder({.as_of = std::chrono::year{2025} / 6 / 2});
    builder.add(test::minimal_child());
    const auto report = protocol::to_json(builder.report());
    auto parse_report = [](std::string_view s) { return protocol::parse_completeness_report(s); };
    check_hostile_numbers(report,
                          {"/version", "/totals/children", "/totals/ready", "/totals/not_ready",
                           "/totals/non_ukrainian_document", "/totals/indicators/document/filled",
                           "/totals/indicators/education/invalid",
                           "/institutions/0/counts/children",
                           "/institutions/0/groups/0/counts/indicators/contact/missing",
                           "/to_fix_total", "/withdrawn", "/unreadable"},
                          parse_report);
    check_hostile_numbers(report, {"/totals/percent_ready"}, parse_report, true);
}

TEST_CASE("protocol: bodies nested too deep are refused without recursion")
{
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const std::string deep_member = "{\"items\":" + deep + "}";
    CHECK(protocol::parse_child_page(deep_member).error() == protocol::protocol_errc::malformed_json);
    CHECK(protocol::parse_problem(deep).error() == protocol::protocol_errc::malformed_json);
    CHECK(protocol::parse_correction_draft(deep_member).fault == protocol::body_fault::malformed);
    CHECK(protocol::parse_completeness_report(deep_member).error() ==
          protocol::protocol_errc::malformed_json);
}

TEST_CASE("protocol: one change event is written as the feed writes it")
{
    const auto full = test::every_field_child();
    const auto canonical = codec::encode(full);
    const auto wire = protocol::change_page_json(
        {{5, false, "32855961", "kd-000123", "e5", canonical},
         {6, true, "32855961", "kd-9", "", std::nullopt}},
        protocol::change_cursor("ep", 6), false);
    const auto feed = protocol::parse_change_page(wire);
    REQUIRE(feed.has_value());
    const auto events = boost::json::parse(wire).at("changes").as_array();
    REQUIRE(events.size() == 2);
    for (std::size_t i = 0; i < events.size(); ++i) {
        CAPTURE(i);
        CHECK(boost::json::parse(protocol::to_json(feed->changes[i])) == events[i]);
    }
    const auto tombstone = boost::json::parse(protocol::to_json(feed->changes[1])).as_object();
    CHECK(tombstone.at("type") == "delete");
    CHECK_FALSE(tombstone.contains("etag"));
    CHECK_FALSE(tombstone.contains("record"));
}
