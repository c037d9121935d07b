// Access through the authority: which clients may act for an institution, decided per request
// from the grants stored now; every change audited.
#include "sandbox/handlers.hpp"

#include <aikom/check/issue_codes.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <ctime>

namespace aikom::sandbox::detail {
namespace {

// TODO(merge): the protocol layer's grant types and their JSON replace these.
std::string rfc3339(std::int64_t unix_seconds)
{
    const auto t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

boost::json::value nullable(const std::string& s)
{
    return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

boost::json::object grant_json(const grant_row& g, std::string_view role)
{
    return {{"institution", g.institution}, {"client_id", g.client_id}, {"role", role},
            {"note", g.note},               {"granted_by", nullable(g.granted_by)},
            {"granted_at", rfc3339(g.granted_at)}};
}

std::string grant_target_of(std::string_view institution, std::string_view client)
{
    return "grant:" + std::string(institution) + "/" + std::string(client);
}

// The body of a PUT: empty, or {"note": "…"} with at most 500 characters.
std::string parse_note(const request& req)
{
    if (req.body().empty()) {
        return {};
    }
    boost::system::error_code ec;
    const auto v = boost::json::parse(req.body(), ec);
    if (ec || !v.is_object()) {
        fail(problem_kind::malformed_request, "the body must be a JSON object: {\"note\": \"…\"}");
    }
    std::vector<check::issue> issues;
    std::string note;
    for (const auto& [key, value] : v.as_object()) {
        const std::string pointer = "/" + std::string(key);
        if (key != "note") {
            issues.push_back(check::make_issue("field.unknown", pointer));
        } else if (!value.is_string()) {
            issues.push_back(check::make_issue("format.type", pointer));
        } else {
            note = std::string(value.as_string());
            const auto chars = std::count_if(note.begin(), note.end(), [](char ch) {
                return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
            });
            if (chars > 500) {
                issues.push_back(
                    check::make_issue("format.too_long", pointer, {{"max", "500", "500"}}));
            }
        }
    }
    if (!issues.empty()) {
        fail(problem_kind::validation_failed, "the grant is not valid", std::move(issues));
    }
    return note;
}

std::string_view role_name(const call& c, std::string_view client)
{
    const auto r = c.server.auth.role_of(client);
    return r ? to_string(*r) : std::string_view("unknown");
}

} // namespace

void seed_grants(storage& store, const std::vector<client_entry>& clients)
{
    store.write([&](storage::transaction& tx) {
        for (const auto& client : clients) {
            if (client.role != role::institution && client.role != role::platform) {
                continue;
            }
            for (const auto& institution : client.institutions) {
                if (tx.seed_grant(institution, client.id)) {
                    tx.audit("", "grant.create", grant_target_of(institution, client.id), "");
                }
            }
        }
    });
}

void resolve_access(storage& store, principal& who)
{
    if (who.role != role::institution && who.role != role::platform) {
        return; // admin: everything; authority and reviewer: the clients file
    }
    const auto granted = store.read(
        [&](storage::transaction& tx) { return tx.granted_institutions(who.client_id); });
    who.institutions = {granted.begin(), granted.end()};
    who.national = false;
}

response list_grants(call& c)
{
    const auto rows = c.store().read(
        [&](storage::transaction& tx) { return tx.grants_of(c.route.institution); });
    boost::json::array items;
    for (const auto& g : rows) {
        items.push_back(grant_json(g, role_name(c, g.client_id)));
    }
    return json_reply(c, http::status::ok,
                      boost::json::serialize(boost::json::object{{"items", std::move(items)}}));
}

response get_grant(call& c)
{
    const auto g = c.store().read([&](storage::transaction& tx) {
        return tx.get_grant(c.route.institution, c.route.client_id);
    });
    if (!g) {
        fail(problem_kind::not_found, "this client has no grant for this institution");
    }
    return json_reply(c, http::status::ok,
                      boost::json::serialize(grant_json(*g, role_name(c, g->client_id))));
}

response put_grant(call& c)
{
    const auto& r = c.route;
    const auto note = parse_note(c.req);
    const auto role = c.server.auth.role_of(r.client_id);
    if (!role) {
        fail(problem_kind::not_found, "no client with this id");
    }
    if (*role != role::institution && *role != role::platform) {
        fail(problem_kind::conflict,
             "only clients of role institution or platform are granted institutions");
    }
    const auto [created, row] = c.store().write([&](storage::transaction& tx) {
        const bool is_new = tx.put_grant(r.institution, r.client_id, note, c.who.client_id);
        tx.audit(c.who.client_id, is_new ? "grant.create" : "grant.update",
                 grant_target_of(r.institution, r.client_id), note);
        return std::make_pair(is_new, *tx.get_grant(r.institution, r.client_id));
    });
    auto res = json_reply(c, created ? http::status::created : http::status::ok,
                          boost::json::serialize(grant_json(row, to_string(*role))));
    if (created) {
        res.set(http::field::location, "/v1/institutions/" + r.institution + "/grants/" + r.client_id);
    }
    return res;
}

response revoke_grant(call& c)
{
    const auto& r = c.route;
    const bool revoked = c.store().write([&](storage::transaction& tx) {
        if (!tx.revoke_grant(r.institution, r.client_id)) {
            return false;
        }
        tx.audit(c.who.client_id, "grant.revoke", grant_target_of(r.institution, r.client_id), "");
        return true;
    });
    if (!revoked) {
        fail(problem_kind::not_found, "this client has no grant for this institution");
    }
    return no_content(c);
}

response grant_history(call& c)
{
    const std::string prefix = grant_target_of(c.route.institution, "");
    const auto entries = c.store().read(
        [&](storage::transaction& tx) { return tx.audit_trail(prefix, 1000); });
    boost::json::array items;
    for (const auto& e : entries) {
        items.push_back(boost::json::object{{"at", rfc3339(e.at)},
                                            {"actor", nullable(e.actor)},
                                            {"action", e.action},
                                            {"client_id", e.target.substr(prefix.size())},
                                            {"note", e.detail}});
    }
    return json_reply(c, http::status::ok,
                      boost::json::serialize(boost::json::object{{"items", std::move(items)}}));
}

} // namespace aikom::sandbox::detail
