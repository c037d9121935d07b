#include <aikom/protocol/grants.hpp>

#include "protocol/json_util.hpp"

namespace aikom::protocol {

using detail::member_reader;
namespace json = boost::json;

namespace {

json::object grant_value(const grant& g)
{
    return json::object{{"institution", g.institution},
                        {"client_id", g.client_id},
                        {"role", to_string(g.role)},
                        {"note", g.note},
                        {"granted_by", detail::string_or_null(g.granted_by)},
                        {"granted_at", detail::timestamp_value(g.granted_at)}};
}

boost::system::result<grant> read_grant(const json::object& o)
{
    member_reader r(o);
    grant g;
    g.institution = r.string("institution");
    g.client_id = r.string("client_id");
    g.role = r.enumeration<grant_role>("role", status_from_string<grant_role>);
    g.note = r.string_or("note");
    g.granted_by = r.optional_string("granted_by");
    g.granted_at = r.timestamp("granted_at");
    if (!r.ok()) {
        return r.error();
    }
    return g;
}

boost::system::result<grant_event> read_grant_event(const json::object& o)
{
    member_reader r(o);
    grant_event e;
    e.at = r.timestamp("at");
    e.actor = r.optional_string("actor");
    e.action = r.enumeration<grant_action>("action", status_from_string<grant_action>);
    e.client_id = r.string("client_id");
    e.note = r.string_or("note");
    if (!r.ok()) {
        return r.error();
    }
    return e;
}

// `{"items":[…]}` of a `List`, each element through `read`; any element that is not an object
// or does not read makes the whole body unreadable.
template <class List, class Read>
boost::system::result<List> read_list(std::string_view text, Read read)
{
    auto o = detail::parse_object(text);
    if (!o) {
        return o.error();
    }
    member_reader r(*o);
    const auto* items = r.array("items");
    if (!r.ok()) {
        return r.error();
    }
    List out;
    out.items.reserve(items->size());
    for (const auto& v : *items) {
        if (!v.is_object()) {
            return make_error_code(protocol_errc::bad_value);
        }
        auto item = read(v.get_object());
        if (!item) {
            return item.error();
        }
        out.items.push_back(std::move(*item));
    }
    return out;
}

// `{"items":[…]}` with each item through `value`.
template <class T, class Value>
std::string list_json(const std::vector<T>& items, Value value)
{
    json::array a;
    a.reserve(items.size());
    for (const auto& i : items) {
        a.push_back(value(i));
    }
    return json::serialize(json::object{{"items", std::move(a)}});
}

json::object grant_event_value(const grant_event& e)
{
    return json::object{{"at", detail::timestamp_value(e.at)},
                        {"actor", detail::string_or_null(e.actor)},
                        {"action", to_string(e.action)},
                        {"client_id", e.client_id},
                        {"note", e.note}};
}

} // namespace

std::string to_json(const grant& g)
{
    return json::serialize(grant_value(g));
}

boost::system::result<grant> parse_grant(std::string_view text)
{
    auto o = detail::parse_object(text);
    if (!o) {
        return o.error();
    }
    return read_grant(*o);
}

std::string to_json(const grant_list& l)
{
    return list_json(l.items, grant_value);
}

boost::system::result<grant_list> parse_grant_list(std::string_view text)
{
    return read_list<grant_list>(text, read_grant);
}

std::string to_json(const grant_history& h)
{
    return list_json(h.items, grant_event_value);
}

boost::system::result<grant_history> parse_grant_history(std::string_view text)
{
    return read_list<grant_history>(text, read_grant_event);
}

std::string to_json(const grant_request& r)
{
    return detail::note_body_json(r.note);
}

parsed_body<grant_request> parse_grant_request(std::string_view text)
{
    auto body = detail::parse_note_body(text, false);
    return {.value = {.note = std::move(body.value)},
            .fault = body.fault,
            .issues = std::move(body.issues)};
}

} // namespace aikom::protocol
