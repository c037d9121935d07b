#include <aikom/check/issue_codes.hpp>
#include <aikom/protocol/corrections.hpp>

#include "protocol/json_util.hpp"

#include <algorithm>

namespace aikom::protocol {

using detail::member_reader;
namespace json = boost::json;

namespace {

constexpr std::size_t max_id_chars = 64;       // a record id
constexpr std::size_t max_pointer_chars = 256; // a red field
constexpr std::size_t max_fields = 100;        // red fields in one request

// The alphabet of record ids: no names or document numbers in ids and URLs.
bool valid_record_id(std::string_view s) noexcept
{
    return !s.empty() && s.size() <= max_id_chars &&
           std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
           });
}

using detail::pointer_to;

check::issue wrong_type(std::string pointer, check::message_arg expected)
{
    return check::make_issue("format.type", std::move(pointer),
                             {expected, {"got", "another type", "інший тип"}});
}

// The `fields` of a draft: every bad entry is `format.pointer` at its place.
void check_fields(const json::value& v, std::vector<std::string>& out,
                  std::vector<check::issue>& errors)
{
    if (!v.is_array()) {
        errors.push_back(wrong_type("/fields", {"expected", "an array of JSON Pointers",
                                                "масив вказівників JSON Pointer"}));
        return;
    }
    const auto& a = v.get_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto* s = a[i].if_string();
        const bool good = s != nullptr && s->starts_with("/") &&
                          detail::utf8_chars(*s) <= max_pointer_chars && i < max_fields &&
                          std::find(out.begin(), out.end(), std::string_view(*s)) == out.end();
        if (!good) {
            errors.push_back(check::make_issue("format.pointer", "/fields/" + std::to_string(i)));
            continue;
        }
        out.emplace_back(*s);
    }
}

json::value record_value(const model::child& c)
{
    json::error_code ec;
    return json::parse(codec::encode(c), ec);
}

json::object correction_value(const correction_request& c)
{
    json::object o;
    o["id"] = c.id;
    o["institution"] = c.institution;
    o["child_id"] = c.child_id;
    o["status"] = to_string(c.status);
    o["reason"] = c.reason;
    o["fields"] = detail::strings_value(c.fields);
    o["base_etag"] = detail::string_or_null(c.base_etag);
    o["issues"] = detail::issues_value(c.issues);
    o["etag"] = detail::string_or_null(c.etag);
    o["created_by"] = c.created_by;
    o["created_at"] = detail::timestamp_value(c.created_at);
    o["reviewed_by"] = detail::string_or_null(c.reviewed_by);
    o["reviewed_at"] = detail::timestamp_value(c.reviewed_at);
    o["review_note"] = detail::string_or_null(c.review_note);
    if (c.record) {
        o["record"] = record_value(*c.record);
        json::array history;
        history.reserve(c.history.size());
        for (const auto& e : c.history) {
            history.push_back(json::object{{"at", detail::timestamp_value(e.at)},
                                           {"actor", e.actor},
                                           {"action", e.action},
                                           {"detail", e.detail}});
        }
        o["history"] = std::move(history);
    }
    return o;
}

// One correction request from the JSON object `text` (already validated), found at `pointer`.
boost::system::result<correction_request> read_correction(std::string_view text,
                                                          std::string_view pointer,
                                                          codec::record_decoder& decoder,
                                                          std::vector<check::issue>* issues)
{
    const auto body = detail::split(text, {"record"});
    if (!body) {
        return make_error_code(protocol_errc::bad_value);
    }
    member_reader r(body->members);
    correction_request c;
    c.id = r.string("id");
    c.institution = r.string("institution");
    c.child_id = r.string("child_id");
    c.status = r.enumeration<correction_status>("status", status_from_string<correction_status>);
    c.reason = r.string_or("reason");
    c.fields = r.strings_or_empty("fields");
    c.base_etag = r.optional_string("base_etag");
    c.issues = r.issues("issues");
    c.etag = r.optional_string("etag");
    c.created_by = r.string_or("created_by");
    c.created_at = r.timestamp("created_at");
    c.reviewed_by = r.optional_string("reviewed_by");
    c.reviewed_at = r.optional_timestamp("reviewed_at");
    c.review_note = r.optional_string("review_note");
    if (const auto* h = r.optional_array("history")) {
        c.history.reserve(h->size());
        for (const auto& v : *h) {
            if (!v.is_object()) {
                return make_error_code(protocol_errc::bad_value);
            }
            member_reader er(v.get_object());
            correction_event e;
            e.at = er.timestamp("at");
            e.actor = er.string_or("actor");
            e.action = er.string("action");
            e.detail = er.string_or("detail");
            if (!er.ok()) {
                return er.error();
            }
            c.history.push_back(std::move(e));
        }
    }
    if (!r.ok()) {
        return r.error();
    }
    if (const auto rec = body->raw_member("record"); rec && detail::first_char(*rec) != 'n') {
        c.record = detail::decode_record(decoder, *rec, std::string(pointer) + "/record", issues);
        if (!c.record) {
            return make_error_code(protocol_errc::bad_value);
        }
    }
    return c;
}

} // namespace

// ---- the draft --------------------------------------------------------------------------------

std::string to_json(const correction_draft& d)
{
    std::string out = "{\"institution\":" + detail::quoted(d.institution);
    out += ",\"child_id\":" + detail::quoted(d.child_id);
    out += ",\"reason\":" + detail::quoted(d.reason);
    if (!d.fields.empty()) {
        out += ",\"fields\":" + json::serialize(detail::strings_value(d.fields));
    }
    if (d.base_etag) {
        out += ",\"base_etag\":" + detail::quoted(*d.base_etag);
    }
    out += ",\"record\":";
    codec::encode(d.record, out);
    out += '}';
    return out;
}

parsed_body<correction_draft> parse_correction_draft(std::string_view text,
                                                     const codec::decode_options& record_options)
{
    parsed_body<correction_draft> out;
    const auto body = detail::valid_json(text) ? detail::split(text, {"record"}) : std::nullopt;
    if (!body) {
        out.fault = body_fault::malformed;
        return out;
    }
    auto text_of = [&](std::string_view key) {
        const auto* v = body->members.if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    auto& d = out.value;
    d.institution = text_of("institution");
    d.child_id = text_of("child_id");
    d.reason = text_of("reason");
    auto& errors = out.issues;
    for (const char* key : {"institution", "child_id", "reason"}) {
        if (text_of(key).empty()) {
            errors.push_back(check::make_issue("required.missing", pointer_to(key)));
        }
    }
    const auto record = body->raw_member("record");
    if (!record || detail::first_char(*record) != '{') {
        errors.push_back(check::make_issue("required.missing", "/record"));
    }
    if (detail::utf8_chars(d.reason) > detail::max_note_chars) {
        errors.push_back(check::make_issue("format.too_long", "/reason", {{"max", "500", "500"}}));
    }
    for (const auto& [k, v] : body->members) {
        if (v.is_null() && (k == "fields" || k == "base_etag")) {
            continue; // as if absent
        }
        if (k == "fields") {
            check_fields(v, d.fields, errors);
        } else if (k == "base_etag") {
            if (const auto* tag = v.if_string(); tag != nullptr && !tag->empty()) {
                d.base_etag = std::string(*tag);
            } else {
                errors.push_back(wrong_type("/base_etag", {"expected", "a non-empty string (an ETag)",
                                                          "непорожній рядок (ETag)"}));
            }
        } else if (k != "institution" && k != "child_id" && k != "reason") {
            errors.push_back(check::make_issue("field.unknown", pointer_to(k)));
        }
    }
    if (!errors.empty()) {
        out.fault = body_fault::invalid;
        return out;
    }
    if (!valid_record_id(d.child_id)) {
        out.fault = body_fault::invalid_id;
        errors.push_back(check::make_issue("format.record_id", "/child_id"));
        return out;
    }
    auto decoded = codec::decode_child(*record, record_options);
    if (!decoded.ok()) {
        out.fault = body_fault::invalid_record;
        for (auto& i : decoded.issues) {
            i.pointer.insert(0, "/record");
        }
        errors = std::move(decoded.issues);
        return out;
    }
    d.record = std::move(*decoded.record);
    return out;
}

// ---- requests ---------------------------------------------------------------------------------

std::string to_json(const correction_request& c)
{
    return json::serialize(correction_value(c));
}

boost::system::result<correction_request>
parse_correction_request(std::string_view text, std::vector<check::issue>* record_issues)
{
    if (!detail::valid_json(text) || detail::first_char(text) != '{') {
        return make_error_code(protocol_errc::malformed_json);
    }
    codec::record_decoder decoder(detail::response_record_options());
    return read_correction(text, "", decoder, record_issues);
}

std::string to_json(const correction_page& p)
{
    json::array a;
    a.reserve(p.items.size());
    for (const auto& c : p.items) {
        a.push_back(correction_value(c));
    }
    return json::serialize(json::object{{"items", std::move(a)},
                                        {"next_cursor", detail::string_or_null(p.next_cursor)},
                                        {"has_more", p.has_more}});
}

boost::system::result<correction_page> parse_correction_page(std::string_view text,
                                                             std::vector<check::issue>* record_issues)
{
    const auto body = detail::split_array_body(text, "items");
    if (!body) {
        return body.error();
    }
    member_reader r(body->members);
    correction_page out;
    out.next_cursor = r.optional_string("next_cursor");
    out.has_more = r.boolean_or("has_more", false);
    if (!r.ok()) {
        return r.error();
    }
    const auto& elements = body->elements;
    codec::record_decoder decoder(detail::response_record_options());
    out.items.reserve(elements.size());
    boost::system::error_code first;
    for (std::size_t i = 0; i < elements.size(); ++i) {
        auto c = read_correction(elements[i], "/items/" + std::to_string(i), decoder,
                                 record_issues);
        if (!c) {
            if (c.error() != make_error_code(protocol_errc::bad_value) || record_issues == nullptr) {
                return c.error();
            }
            first = c.error(); // go on: every record's issues are wanted
            continue;
        }
        out.items.push_back(std::move(*c));
    }
    if (first) {
        return first;
    }
    return out;
}

boost::system::result<correction_page> parse_correction_list(std::string_view text,
                                                             std::vector<check::issue>* record_issues)
{
    return parse_correction_page(text, record_issues);
}

// ---- reviews ----------------------------------------------------------------------------------

std::string to_json(const review& r)
{
    return detail::note_body_json(r.note);
}

parsed_body<review> parse_review(std::string_view text, bool note_required)
{
    auto body = detail::parse_note_body(text, note_required);
    return {.value = {.note = std::move(body.value)},
            .fault = body.fault,
            .issues = std::move(body.issues)};
}

std::string to_json(const review_result& r)
{
    json::object o;
    o["id"] = r.id;
    if (r.etag) {
        o["etag"] = *r.etag;
    }
    o["status"] = to_string(r.status);
    return json::serialize(o);
}

boost::system::result<review_result> parse_review_result(std::string_view text)
{
    auto o = detail::parse_object(text);
    if (!o) {
        return o.error();
    }
    member_reader r(*o);
    review_result out;
    out.id = r.string("id");
    out.status = r.enumeration<correction_status>("status", status_from_string<correction_status>);
    out.etag = r.optional_string("etag");
    if (!r.ok()) {
        return r.error();
    }
    return out;
}

} // namespace aikom::protocol
