// Access through the authority: which clients may act for an institution, decided per request
// from the grants stored now; every change audited.
#include "sandbox/handlers.hpp"

#include <aikom/protocol/grants.hpp>
#include <aikom/protocol/routes.hpp>

namespace aikom::sandbox::detail {
namespace {

std::string grant_target_of(std::string_view institution, std::string_view client)
{
    return "grant:" + std::string(institution) + "/" + std::string(client);
}

std::optional<std::string> actor_or_null(const std::string& s)
{
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

protocol::grant to_protocol(const call& c, const grant_row& g)
{
    protocol::grant out;
    out.institution = g.institution;
    out.client_id = g.client_id;
    out.role = c.server.auth.role_of(g.client_id) == role::platform ? protocol::grant_role::platform
                                                                    : protocol::grant_role::institution;
    out.note = g.note;
    out.granted_by = actor_or_null(g.granted_by);
    out.granted_at = std::chrono::sys_seconds(std::chrono::seconds(g.granted_at));
    return out;
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
    protocol::grant_list out;
    for (const auto& g : rows) {
        out.items.push_back(to_protocol(c, g));
    }
    return json_reply(c, http::status::ok, protocol::to_json(out));
}

response get_grant(call& c)
{
    const auto g = c.store().read([&](storage::transaction& tx) {
        return tx.get_grant(c.route.institution, c.route.client_id);
    });
    if (!g) {
        fail(problem_kind::not_found, "this client has no grant for this institution");
    }
    return json_reply(c, http::status::ok, protocol::to_json(to_protocol(c, *g)));
}

response put_grant(call& c)
{
    const auto& r = c.route;
    const auto body = protocol::parse_grant_request(c.req.body());
    require_body(body, "the grant is not valid");
    const std::string note = body.value.note.value_or(std::string());
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
                          protocol::to_json(to_protocol(c, row)));
    if (created) {
        res.set(http::field::location, protocol::grant_target(r.institution, r.client_id));
    }
    return res;
}

response revoke_grant(call& c)
{
    const auto& r = c.route;
    const bool revoked = c.store().write([&](storage::transaction& tx) {
        const auto existing = tx.get_grant(r.institution, r.client_id);
        if (!existing || !tx.revoke_grant(r.institution, r.client_id)) {
            return false;
        }
        tx.audit(c.who.client_id, "grant.revoke", grant_target_of(r.institution, r.client_id),
                 existing->note);
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
    protocol::grant_history out;
    for (const auto& e : entries) {
        protocol::grant_event event;
        event.at = std::chrono::sys_seconds(std::chrono::seconds(e.at));
        event.actor = actor_or_null(e.actor);
        event.action = protocol::status_from_string<protocol::grant_action>(e.action)
                           .value_or(protocol::grant_action::create);
        event.client_id = e.target.substr(prefix.size());
        event.note = e.detail;
        out.items.push_back(std::move(event));
    }
    return json_reply(c, http::status::ok, protocol::to_json(out));
}

} // namespace aikom::sandbox::detail
