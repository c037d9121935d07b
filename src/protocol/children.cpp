#include <aikom/check/issue_codes.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/protocol/children.hpp>

#include "protocol/json_util.hpp"

#include <sstream>

namespace aikom::protocol {

using detail::member_reader;
namespace json = boost::json;

namespace {

constexpr std::size_t max_reason_chars = 500; // as enrollment.leave_reason in the format

bool printable(model::date d) noexcept
{
    return d.ok() && static_cast<int>(d.year()) >= 1000 && static_cast<int>(d.year()) <= 9999;
}

std::string pointer_to(std::string_view key)
{
    std::string p;
    check::append_pointer_token(p, key);
    return p;
}

std::string item_pointer(std::string_view array, std::size_t index)
{
    return "/" + std::string(array) + "/" + std::to_string(index);
}

} // namespace

// ---- one record -------------------------------------------------------------------------------

std::string to_json(const write_result& r)
{
    json::object o;
    o["id"] = r.id;
    o["institution"] = r.institution;
    o["status"] = to_string(r.status);
    o["etag"] = r.etag;
    o["warnings"] = detail::issues_value(r.warnings);
    return json::serialize(o);
}

boost::system::result<write_result> parse_write_result(std::string_view text)
{
    auto o = detail::parse_object(text);
    if (!o) {
        return o.error();
    }
    member_reader r(*o);
    write_result w;
    w.id = r.string("id");
    w.institution = r.string_or("institution");
    w.status = r.enumeration<write_status>("status", status_from_string<write_status>);
    w.etag = r.string_or("etag");
    w.warnings = r.issues("warnings");
    if (!r.ok()) {
        return r.error();
    }
    if (w.id.empty()) {
        return make_error_code(protocol_errc::missing_field);
    }
    return w;
}

std::string to_json(const withdrawal& w)
{
    json::object o;
    o["left_on"] = printable(w.left_on) ? json::value(model::to_iso_string(w.left_on))
                                        : json::value(nullptr);
    if (w.reason) {
        o["reason"] = *w.reason;
    }
    return json::serialize(o);
}

parsed_body<withdrawal> parse_withdrawal(std::string_view text)
{
    parsed_body<withdrawal> out;
    auto body = detail::parse_object(text);
    if (!body) {
        out.fault = body_fault::malformed;
        return out;
    }
    const auto* left = body->if_contains("left_on");
    const auto* reason = body->if_contains("reason");
    auto& errors = out.issues;
    std::optional<model::date> left_on;
    if (left != nullptr && left->is_string()) {
        left_on = model::parse_iso_date(left->get_string());
    }
    if (!left_on) {
        errors.push_back(check::make_issue("format.date", "/left_on"));
    } else {
        out.value.left_on = *left_on;
    }
    if (reason != nullptr && reason->is_string()) {
        if (detail::utf8_chars(reason->get_string()) > max_reason_chars) {
            errors.push_back(
                check::make_issue("format.too_long", "/reason", {{"max", "500", "500"}}));
        }
        out.value.reason = std::string(reason->get_string());
    }
    if (reason != nullptr && !reason->is_string()) {
        errors.push_back(check::make_issue(
            "format.type", "/reason", {{"expected", "a string", "рядок"}, {"got", "other", "інше"}}));
    }
    for (const auto& [k, v] : *body) {
        if (k != "left_on" && k != "reason") {
            errors.push_back(check::make_issue("field.unknown", pointer_to(k)));
        }
    }
    if (!errors.empty()) {
        out.fault = body_fault::invalid;
    }
    return out;
}

// ---- batches ----------------------------------------------------------------------------------

std::string to_json(const batch_result& b)
{
    json::array a;
    a.reserve(b.results.size());
    for (const auto& r : b.results) {
        json::object o;
        o["index"] = r.index;
        o["id"] = r.id;
        o["institution"] = r.institution;
        o["status"] = to_string(r.status);
        if (!r.etag.empty()) {
            o["etag"] = r.etag;
        }
        o["issues"] = detail::issues_value(r.issues);
        a.push_back(std::move(o));
    }
    return json::serialize(json::object{{"results", std::move(a)}});
}

boost::system::result<batch_result> parse_batch_result(std::string_view text)
{
    auto o = detail::parse_object(text);
    if (!o) {
        return o.error();
    }
    member_reader r(*o);
    const auto* a = r.array("results");
    if (!r.ok()) {
        return r.error();
    }
    batch_result out;
    out.results.reserve(a->size());
    for (const auto& v : *a) {
        if (!v.is_object()) {
            return make_error_code(protocol_errc::bad_value);
        }
        member_reader ir(v.get_object());
        batch_item_result item;
        item.index = static_cast<std::size_t>(
            ir.uint("index", 0, std::numeric_limits<std::size_t>::max()));
        item.id = ir.string_or("id");
        item.institution = ir.string_or("institution");
        item.status = ir.enumeration<item_status>("status", status_from_string<item_status>);
        item.etag = ir.string_or("etag");
        item.issues = ir.issues("issues");
        if (!ir.ok()) {
            return ir.error();
        }
        out.results.push_back(std::move(item));
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

namespace {

bool is_ws(char c) noexcept
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// The items array of `{"items": [...]}` (whitespace allowed, nothing else), or empty. The
// array itself is left to the streaming reader, which finds where it breaks.
std::string_view items_array(std::string_view body)
{
    auto skip = [&](std::size_t i) {
        while (i < body.size() && is_ws(body[i])) {
            ++i;
        }
        return i;
    };
    std::size_t i = skip(0);
    if (i >= body.size() || body[i] != '{') {
        return {};
    }
    i = skip(i + 1);
    if (body.substr(i, 7) != "\"items\"") {
        return {};
    }
    i = skip(i + 7);
    if (i >= body.size() || body[i] != ':') {
        return {};
    }
    i = skip(i + 1);
    std::size_t end = body.size();
    while (end > i && is_ws(body[end - 1])) {
        --end;
    }
    if (end <= i || body[end - 1] != '}') {
        return {};
    }
    return body.substr(i, end - 1 - i);
}

} // namespace

parsed_body<std::vector<batch_entry>> parse_batch_request(std::string_view text,
                                                          const codec::decode_options& options,
                                                          std::size_t max_items)
{
    parsed_body<std::vector<batch_entry>> out;
    const auto array = items_array(text);
    if (array.empty() || array.front() != '[') {
        out.fault = body_fault::malformed;
        return out;
    }
    codec::reader_options ro;
    ro.decode = options;
    std::istringstream in{std::string(array)};
    auto reader = codec::make_reader(in, codec::input_format::json_array, "batch", ro);
    codec::read_item item;
    while (reader->next(item)) {
        if (out.value.size() >= max_items) {
            out.fault = body_fault::too_many_items;
            out.value.clear();
            return out;
        }
        if (!item.record && item.issues.size() == 1 && item.issues[0].code == "json.array") {
            out.fault = body_fault::malformed;
            out.issues = std::move(item.issues);
            out.value.clear();
            return out;
        }
        out.value.push_back({std::move(item.record), std::move(item.issues)});
    }
    return out;
}

// ---- validation -------------------------------------------------------------------------------

std::string to_json(const validation_result& r)
{
    json::object o;
    o["valid"] = r.valid;
    o["issues"] = detail::issues_value(r.issues);
    return json::serialize(o);
}

boost::system::result<validation_result> parse_validation_result(std::string_view text)
{
    auto o = detail::parse_object(text);
    if (!o) {
        return o.error();
    }
    member_reader r(*o);
    validation_result v;
    v.valid = r.boolean("valid");
    v.issues = r.issues("issues");
    if (!r.ok()) {
        return r.error();
    }
    return v;
}

// ---- reads ------------------------------------------------------------------------------------

namespace {

template <class Record>
std::string page_json(const std::vector<Record>& items, const std::optional<std::string>& next,
                      bool has_more)
{
    std::string out = "{\"items\":[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) {
            out.push_back(',');
        }
        if constexpr (std::is_same_v<Record, std::string>) {
            out += items[i];
        } else {
            codec::encode(items[i], out);
        }
    }
    out += "],\"next_cursor\":";
    out += next ? detail::quoted(*next) : std::string("null");
    out += ",\"has_more\":";
    out += has_more ? "true" : "false";
    out += '}';
    return out;
}

// The records of the array member `key` of a validated body, decoded from their own bytes.
boost::system::error_code decode_records(const std::vector<std::string_view>& elements,
                                         std::string_view key, std::vector<model::child>& out,
                                         std::vector<check::issue>* issues)
{
    codec::record_decoder decoder(detail::response_record_options());
    bool all = true;
    out.reserve(elements.size());
    for (std::size_t i = 0; i < elements.size(); ++i) {
        auto c = detail::decode_record(decoder, elements[i], item_pointer(key, i), issues);
        if (c) {
            out.push_back(std::move(*c));
        } else {
            all = false;
        }
    }
    return all ? boost::system::error_code() : make_error_code(protocol_errc::bad_value);
}

} // namespace

std::string to_json(const child_page& page)
{
    return page_json(page.items, page.next_cursor, page.has_more);
}

std::string child_page_json(const std::vector<std::string>& canonical_records,
                            const std::optional<std::string>& next_cursor, bool has_more)
{
    return page_json(canonical_records, next_cursor, has_more);
}

boost::system::result<child_page> parse_child_page(std::string_view text,
                                                   std::vector<check::issue>* record_issues)
{
    const auto body = detail::split_array_body(text, "items");
    if (!body) {
        return body.error();
    }
    member_reader r(body->members);
    child_page page;
    page.next_cursor = r.optional_string("next_cursor");
    page.has_more = r.boolean_or("has_more", false);
    if (!r.ok()) {
        return r.error();
    }
    if (const auto ec = decode_records(body->elements, "items", page.items, record_issues)) {
        return ec;
    }
    return page;
}

namespace {

// Writes one event; `record` appends the record's JSON (nothing for a delete).
template <class WriteRecord>
void change_json(std::string& out, std::int64_t seq, bool deleted, const std::string& institution,
                 const std::string& id, const std::string& etag, WriteRecord&& record)
{
    out += "{\"seq\":" + std::to_string(seq);
    out += ",\"type\":";
    out += deleted ? "\"delete\"" : "\"upsert\"";
    out += ",\"institution\":" + detail::quoted(institution);
    out += ",\"id\":" + detail::quoted(id);
    if (!etag.empty()) {
        out += ",\"etag\":" + detail::quoted(etag);
    }
    record(out);
    out += '}';
}

std::string feed_end(std::string out, std::string_view next_cursor, bool has_more)
{
    out += "],\"next_cursor\":" + detail::quoted(next_cursor);
    out += ",\"has_more\":";
    out += has_more ? "true" : "false";
    out += '}';
    return out;
}

void append_change(std::string& out, const change& c)
{
    change_json(out, c.seq, c.type == change_type::delete_, c.institution, c.id, c.etag,
                [&](std::string& o) {
                    if (c.record) {
                        o += ",\"record\":";
                        codec::encode(*c.record, o);
                    }
                });
}

} // namespace

std::string to_json(const change& c)
{
    std::string out;
    append_change(out, c);
    return out;
}

std::string to_json(const change_page& page)
{
    std::string out = "{\"changes\":[";
    for (std::size_t i = 0; i < page.changes.size(); ++i) {
        if (i != 0) {
            out.push_back(',');
        }
        append_change(out, page.changes[i]);
    }
    return feed_end(std::move(out), page.next_cursor, page.has_more);
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
        change_json(out, c.seq, c.deleted, c.institution, c.id, c.etag, [&](std::string& o) {
            if (c.canonical_record) {
                o += ",\"record\":" + *c.canonical_record;
            }
        });
    }
    return feed_end(std::move(out), next_cursor, has_more);
}

boost::system::result<change_page> parse_change_page(std::string_view text,
                                                     std::vector<check::issue>* record_issues)
{
    const auto body = detail::split_array_body(text, "changes");
    if (!body) {
        return body.error();
    }
    const auto* events = &body->elements;
    change_page page;
    member_reader r(body->members);
    page.next_cursor = r.string("next_cursor");
    page.has_more = r.boolean_or("has_more", false);
    if (!r.ok()) {
        return r.error();
    }
    codec::record_decoder decoder(detail::response_record_options());
    bool records_ok = true;
    page.changes.reserve(events->size());
    for (std::size_t i = 0; i < events->size(); ++i) {
        const auto event = detail::split((*events)[i], {"record"});
        if (!event) {
            return make_error_code(protocol_errc::bad_value);
        }
        member_reader er(event->members);
        change c;
        c.seq = er.integer("seq", 0, std::numeric_limits<std::int64_t>::max());
        c.type = er.enumeration<change_type>("type", status_from_string<change_type>);
        c.institution = er.string("institution");
        c.id = er.string("id");
        c.etag = er.string_or("etag");
        if (!er.ok()) {
            return er.error();
        }
        if (const auto rec = event->raw_member("record"); rec && detail::first_char(*rec) != 'n') {
            c.record = detail::decode_record(decoder, *rec, item_pointer("changes", i) + "/record",
                                             record_issues);
            records_ok = records_ok && c.record.has_value();
        }
        page.changes.push_back(std::move(c));
    }
    if (!records_ok) {
        return make_error_code(protocol_errc::bad_value);
    }
    return page;
}

} // namespace aikom::protocol
