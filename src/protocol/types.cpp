#include <aikom/codec/json.hpp>
#include <aikom/protocol/error.hpp>
#include <aikom/protocol/types.hpp>

#include "protocol/json_util.hpp"

namespace aikom::protocol {
namespace {

namespace json = boost::json;
using detail::get_string;
using detail::parse_object;
using detail::quoted;

std::size_t get_size(const json::object& o, std::string_view key, std::size_t fallback)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr || !(v->is_int64() || v->is_uint64()) ) {
        return fallback;
    }
    return v->to_number<std::size_t>();
}

bool get_bool(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_bool() && v->as_bool();
}

std::vector<std::string> get_strings(const json::object& o, std::string_view key)
{
    std::vector<std::string> out;
    if (const auto* v = o.if_contains(key); v != nullptr && v->is_array()) {
        for (const auto& s : v->as_array()) {
            if (s.is_string()) {
                out.emplace_back(s.as_string());
            }
        }
    }
    return out;
}

json::array strings_value(const std::vector<std::string>& v)
{
    json::array a;
    for (const auto& s : v) {
        a.emplace_back(s);
    }
    return a;
}

// A record inside a parsed body, read back through the strict record codec.
boost::system::result<model::child> record_from(const json::value& v)
{
    if (!v.is_object()) {
        return make_error_code(protocol_errc::malformed_json);
    }
    auto r = codec::decode_child(json::serialize(v));
    if (!r.ok()) {
        return make_error_code(protocol_errc::malformed_json);
    }
    return std::move(*r.record);
}

const json::array* get_array(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
}

} // namespace

// ---- discovery ----------------------------------------------------------------------------------

std::string to_json(const discovery& d)
{
    json::object o;
    o["protocol"] = d.protocol;
    o["version"] = d.version;
    o["record_schema"] = d.record_schema;
    o["token_url"] = d.token_url;
    o["limits"] = json::object{{"max_body_bytes", d.limits.max_body_bytes},
                               {"max_record_bytes", d.limits.max_record_bytes},
                               {"max_batch_items", d.limits.max_batch_items},
                               {"page_size_default", d.limits.page_size_default},
                               {"page_size_max", d.limits.page_size_max}};
    o["change_feed_retention_seconds"] = d.change_feed_retention.count();
    o["idempotency_retention_seconds"] = d.idempotency_retention.count();
    o["scopes"] = strings_value(d.scopes);
    o["roles"] = strings_value(d.roles);
    return json::serialize(o);
}

boost::system::result<discovery> parse_discovery(std::string_view text)
{
    auto o = parse_object(text);
    if (!o) {
        return o.error();
    }
    discovery d;
    d.protocol = get_string(*o, "protocol");
    d.version = get_string(*o, "version");
    if (d.protocol.empty() || d.version.empty()) {
        return make_error_code(protocol_errc::missing_field);
    }
    d.record_schema = static_cast<int>(get_size(*o, "record_schema", 1));
    d.token_url = get_string(*o, "token_url");
    if (const auto* l = o->if_contains("limits"); l != nullptr && l->is_object()) {
        const auto& lo = l->as_object();
        d.limits.max_body_bytes = get_size(lo, "max_body_bytes", d.limits.max_body_bytes);
        d.limits.max_record_bytes = get_size(lo, "max_record_bytes", d.limits.max_record_bytes);
        d.limits.max_batch_items = get_size(lo, "max_batch_items", d.limits.max_batch_items);
        d.limits.page_size_default = get_size(lo, "page_size_default", d.limits.page_size_default);
        d.limits.page_size_max = get_size(lo, "page_size_max", d.limits.page_size_max);
    }
    d.change_feed_retention = std::chrono::seconds(static_cast<std::int64_t>(
        get_size(*o, "change_feed_retention_seconds",
                 static_cast<std::size_t>(d.change_feed_retention.count()))));
    d.idempotency_retention = std::chrono::seconds(static_cast<std::int64_t>(
        get_size(*o, "idempotency_retention_seconds",
                 static_cast<std::size_t>(d.idempotency_retention.count()))));
    d.scopes = get_strings(*o, "scopes");
    d.roles = get_strings(*o, "roles");
    return d;
}

// ---- token ------------------------------------------------------------------------------------

std::string to_json(const token_response& t)
{
    json::object o;
    o["access_token"] = t.access_token;
    o["token_type"] = t.token_type;
    o["expires_in"] = t.expires_in.count();
    o["scope"] = t.scope;
    return json::serialize(o);
}

boost::system::result<token_response> parse_token_response(std::string_view text)
{
    auto o = parse_object(text);
    if (!o) {
        return o.error();
    }
    token_response t;
    t.access_token = get_string(*o, "access_token");
    t.token_type = get_string(*o, "token_type");
    t.scope = get_string(*o, "scope");
    if (t.access_token.empty() || t.token_type.empty()) {
        return make_error_code(protocol_errc::missing_field);
    }
    t.expires_in = std::chrono::seconds(static_cast<std::int64_t>(get_size(*o, "expires_in", 0)));
    return t;
}

std::string to_json(const oauth_error& e)
{
    json::object o;
    o["error"] = e.error;
    if (!e.error_description.empty()) {
        o["error_description"] = e.error_description;
    }
    return json::serialize(o);
}

boost::system::result<oauth_error> parse_oauth_error(std::string_view text)
{
    auto o = parse_object(text);
    if (!o) {
        return o.error();
    }
    oauth_error e{get_string(*o, "error"), get_string(*o, "error_description")};
    if (e.error.empty()) {
        return make_error_code(protocol_errc::missing_field);
    }
    return e;
}

// ---- writes -----------------------------------------------------------------------------------

std::string to_json(const write_result& r)
{
    json::object o;
    o["id"] = r.id;
    o["institution"] = r.institution;
    o["status"] = r.status;
    o["etag"] = r.etag;
    o["warnings"] = detail::issues_value(r.warnings);
    return json::serialize(o);
}

boost::system::result<write_result> parse_write_result(std::string_view text)
{
    auto o = parse_object(text);
    if (!o) {
        return o.error();
    }
    write_result r;
    r.id = get_string(*o, "id");
    r.institution = get_string(*o, "institution");
    r.status = get_string(*o, "status");
    r.etag = get_string(*o, "etag");
    if (r.id.empty() || r.status.empty()) {
        return make_error_code(protocol_errc::missing_field);
    }
    if (const auto* w = get_array(*o, "warnings")) {
        r.warnings = detail::parse_issues(*w);
    }
    return r;
}

std::string batch_results_to_json(const std::vector<batch_item_result>& results)
{
    json::array a;
    a.reserve(results.size());
    for (const auto& r : results) {
        json::object o;
        o["index"] = r.index;
        o["id"] = r.id;
        o["institution"] = r.institution;
        o["status"] = r.status;
        if (!r.etag.empty()) {
            o["etag"] = r.etag;
        }
        o["issues"] = detail::issues_value(r.issues);
        a.push_back(std::move(o));
    }
    return json::serialize(json::object{{"results", std::move(a)}});
}

boost::system::result<std::vector<batch_item_result>> parse_batch_results(std::string_view text)
{
    auto o = parse_object(text);
    if (!o) {
        return o.error();
    }
    const auto* a = get_array(*o, "results");
    if (a == nullptr) {
        return make_error_code(protocol_errc::missing_field);
    }
    std::vector<batch_item_result> out;
    for (const auto& v : *a) {
        if (!v.is_object()) {
            return make_error_code(protocol_errc::malformed_json);
        }
        const auto& io = v.as_object();
        batch_item_result r;
        r.index = get_size(io, "index", out.size());
        r.id = get_string(io, "id");
        r.institution = get_string(io, "institution");
        r.status = get_string(io, "status");
        r.etag = get_string(io, "etag");
        if (const auto* i = get_array(io, "issues")) {
            r.issues = detail::parse_issues(*i);
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::string batch_request_json(const std::vector<model::child>& records)
{
    std::string out = "{\"items\":[";
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (i != 0) {
            out.push_back(',');
        }
        codec::encode(records[i], out);
    }
    out += "]}";
    return out;
}

std::string to_json(const validation_result& r)
{
    json::object o;
    o["valid"] = r.valid;
    o["issues"] = detail::issues_value(r.issues);
    return json::serialize(o);
}

boost::system::result<validation_result> parse_validation_result(std::string_view text)
{
    auto o = parse_object(text);
    if (!o) {
        return o.error();
    }
    const auto* v = o->if_contains("valid");
    if (v == nullptr || !v->is_bool()) {
        return make_error_code(protocol_errc::missing_field);
    }
    validation_result r;
    r.valid = v->as_bool();
    if (const auto* i = get_array(*o, "issues")) {
        r.issues = detail::parse_issues(*i);
    }
    return r;
}

// ---- reads ------------------------------------------------------------------------------------

std::string child_page_json(const std::vector<std::string>& canonical_records,
                            const std::optional<std::string>& next_cursor, bool has_more)
{
    std::string out = "{\"items\":[";
    for (std::size_t i = 0; i < canonical_records.size(); ++i) {
        if (i != 0) {
            out.push_back(',');
        }
        out += canonical_records[i];
    }
    out += "],\"next_cursor\":";
    out += next_cursor ? quoted(*next_cursor) : std::string("null");
    out += ",\"has_more\":";
    out += has_more ? "true" : "false";
    out += '}';
    return out;
}

boost::system::result<child_page> parse_child_page(std::string_view text)
{
    auto o = parse_object(text);
    if (!o) {
        return o.error();
    }
    const auto* items = get_array(*o, "items");
    if (items == nullptr) {
        return make_error_code(protocol_errc::missing_field);
    }
    child_page page;
    for (const auto& v : *items) {
        auto r = record_from(v);
        if (!r) {
            return r.error();
        }
        page.items.push_back(std::move(*r));
    }
    if (const auto* c = o->if_contains("next_cursor"); c != nullptr && c->is_string()) {
        page.next_cursor = std::string(c->as_string());
    }
    page.has_more = get_bool(*o, "has_more");
    return page;
}

std::string change_page_json(const std::vector<change_out>& changes, std::string_view next_cursor,
                             bool has_more)
{
    std::string out = "{\"changes\":[";
    for (std::size_t i = 0; i < changes.size(); ++i) {
        const auto& c = changes[i];
        if (i != 0) {
            out.push_back(',');
        }
        out += "{\"seq\":" + std::to_string(c.seq);
        out += ",\"type\":";
        out += c.deleted ? "\"delete\"" : "\"upsert\"";
        out += ",\"institution\":" + quoted(c.institution);
        out += ",\"id\":" + quoted(c.id);
        if (!c.etag.empty()) {
            out += ",\"etag\":" + quoted(c.etag);
        }
        if (c.canonical_record) {
            out += ",\"record\":" + *c.canonical_record;
        }
        out += '}';
    }
    out += "],\"next_cursor\":" + quoted(next_cursor);
    out += ",\"has_more\":";
    out += has_more ? "true" : "false";
    out += '}';
    return out;
}

boost::system::result<change_page> parse_change_page(std::string_view text)
{
    auto o = parse_object(text);
    if (!o) {
        return o.error();
    }
    const auto* changes = get_array(*o, "changes");
    if (changes == nullptr) {
        return make_error_code(protocol_errc::missing_field);
    }
    change_page page;
    for (const auto& v : *changes) {
        if (!v.is_object()) {
            return make_error_code(protocol_errc::malformed_json);
        }
        const auto& co = v.as_object();
        change c;
        const auto* seq = co.if_contains("seq");
        if (seq == nullptr || !seq->is_number()) {
            return make_error_code(protocol_errc::missing_field);
        }
        c.seq = seq->to_number<std::int64_t>();
        c.deleted = get_string(co, "type") == "delete";
        c.institution = get_string(co, "institution");
        c.id = get_string(co, "id");
        c.etag = get_string(co, "etag");
        if (const auto* r = co.if_contains("record"); r != nullptr && !r->is_null()) {
            auto rec = record_from(*r);
            if (!rec) {
                return rec.error();
            }
            c.record = std::move(*rec);
        }
        page.changes.push_back(std::move(c));
    }
    page.next_cursor = get_string(*o, "next_cursor");
    page.has_more = get_bool(*o, "has_more");
    return page;
}

} // namespace aikom::protocol
