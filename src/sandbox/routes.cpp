// The sandbox's route table and the dispatcher built on it: per endpoint its methods, each with
// its scope, its body and its handler, and the query parameters it defines. `Allow`, the query
// check and the order of checks of docs/protocol.md §8.4 come from the table, once.
#include "sandbox/handlers.hpp"
#include "sandbox/log.hpp"

#include <aikom/check/issue_codes.hpp>
#include <aikom/protocol/problem.hpp>

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <random>
#include <span>

namespace aikom::sandbox::detail {
namespace {

enum class body_kind {
    none,          ///< no body is read
    json,          ///< application/json required (415 otherwise)
    optional_json, ///< may be empty; if not, application/json
    raw,           ///< the handler checks it (the token endpoint's form)
};

struct method_route {
    http::verb verb;
    /// The scope the token needs; several separated by '|' mean any of them; empty: none.
    std::string_view scope;
    body_kind body;
    handler serve;
    bool takes_records = false; ///< `Prefer: handling=lenient` applies to its body
};

struct endpoint_route {
    protocol::endpoint endpoint;
    std::string_view name; ///< in logs and the audit trail
    bool authenticated;
    std::vector<method_route> methods;
    std::vector<std::string_view> query{};
};

using enum protocol::endpoint;
using http::verb;

const std::vector<endpoint_route>& route_table()
{
    static const std::vector<endpoint_route> table = {
        {discovery, "discovery", false, {{verb::get, "", body_kind::none, detail::discovery}}},
        {openapi, "openapi", false, {{verb::get, "", body_kind::none, detail::openapi}}},
        {token, "token", false, {{verb::post, "", body_kind::raw, detail::token}}},
        {child,
         "child",
         true,
         {{verb::get, "children:read", body_kind::none, get_child},
          {verb::put, "children:write", body_kind::json, put_child, true},
          {verb::delete_, "children:write", body_kind::none, delete_child}}},
        {children,
         "children",
         true,
         {{verb::get, "children:read", body_kind::none, list_children}},
         {"limit", "cursor"}},
        {withdrawal,
         "withdrawal",
         true,
         {{verb::post, "children:write", body_kind::json, withdraw_child}}},
        {batches,
         "batches",
         true,
         {{verb::post, "children:write", body_kind::json, run_batch, true}}},
        {changes,
         "changes",
         true,
         {{verb::get, "children:read", body_kind::none, detail::changes}},
         {"limit", "cursor", "institution"}},
        {validate,
         "validate",
         true,
         {{verb::post, "", body_kind::json, detail::validate, true}},
         {"profile"}},
        {corrections,
         "corrections",
         true,
         {{verb::get, "corrections:create|corrections:review", body_kind::none, list_corrections},
          {verb::post, "corrections:create", body_kind::json, create_correction, true}},
         {"status", "institution", "limit", "cursor"}},
        {correction,
         "correction",
         true,
         {{verb::get, "corrections:create|corrections:review", body_kind::none, get_correction}}},
        {correction_apply,
         "correction.apply",
         true,
         {{verb::post, "corrections:review", body_kind::json, apply_correction}}},
        {correction_reject,
         "correction.reject",
         true,
         {{verb::post, "corrections:review", body_kind::json, reject_correction}}},
        {completeness_report,
         "report",
         true,
         {{verb::get, "reports:read", body_kind::none, detail::completeness_report}},
         {"institution", "as_of", "deadline"}},
        {progress_report,
         "report.progress",
         true,
         {{verb::get, "reports:read", body_kind::none, detail::progress_report}},
         {"institution", "from", "to", "deadline"}},
        {form85k_report,
         "report.form-85k",
         true,
         {{verb::get, "reports:read", body_kind::none, detail::form85k_report}},
         {"institution", "as_of"}},
        {grants,
         "grants",
         true,
         {{verb::get, "grants:write", body_kind::none, list_grants}}},
        {grant,
         "grant",
         true,
         {{verb::get, "grants:write", body_kind::none, detail::get_grant},
          {verb::put, "grants:write", body_kind::optional_json, detail::put_grant},
          {verb::delete_, "grants:write", body_kind::none, revoke_grant}}},
        {grant_history,
         "grant-history",
         true,
         {{verb::get, "grants:write", body_kind::none, detail::grant_history}}},
        {admin_faults,
         "admin.faults",
         true,
         {{verb::get, "admin", body_kind::none, get_faults},
          {verb::put, "admin", body_kind::json, put_faults}}},
    };
    return table;
}

const endpoint_route* find_route(protocol::endpoint e)
{
    const auto& table = route_table();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&](const endpoint_route& r) { return r.endpoint == e; });
    return it == table.end() ? nullptr : &*it;
}

std::string allow_header(const endpoint_route& r)
{
    std::string out;
    for (const auto& m : r.methods) {
        out += (out.empty() ? "" : ", ") + std::string(http::to_string(m.verb));
    }
    return out;
}

bool has_any_scope(const principal& who, std::string_view scopes)
{
    while (!scopes.empty()) {
        const auto bar = scopes.find('|');
        if (who.has_scope(scopes.substr(0, bar))) {
            return true;
        }
        scopes = bar == std::string_view::npos ? std::string_view() : scopes.substr(bar + 1);
    }
    return false;
}

std::string request_id_of(const request& req)
{
    const auto given = req["X-Request-Id"];
    return is_protocol_id(given, 128) ? std::string(given) : "req-" + random_hex(8);
}

// Path segments are checked by the router, before anything else looks at them.
void check_path(const protocol::route& r)
{
    constexpr std::string_view id_en = "1..64 characters of A-Z a-z 0-9 . _ : -";
    constexpr std::string_view id_uk = "1..64 символів з A-Z a-z 0-9 . _ : -";
    if (!r.institution.empty() && !is_edrpou_code(r.institution)) {
        fail(problem_kind::malformed_request,
             "the institution in the path must be an 8-digit ЄДРПОУ code",
             {parameter_error("path.invalid", "edrpou", "an 8-digit ЄДРПОУ code",
                              "8-значний код ЄДРПОУ")});
    }
    if (!r.child_id.empty() && !is_protocol_id(r.child_id, 64)) {
        fail(problem_kind::malformed_request,
             "the record id in the path must be " + std::string(id_en),
             {parameter_error("path.invalid", "id", id_en, id_uk)});
    }
    if (!r.client_id.empty() && !is_protocol_id(r.client_id, 64)) {
        fail(problem_kind::malformed_request,
             "the client id in the path must be " + std::string(id_en),
             {parameter_error("path.invalid", "client_id", id_en, id_uk)});
    }
}

response problem_response(const request& req, const problem_exit& e, const std::string& request_id)
{
    auto p = e.problem;
    p.request_id = request_id;
    auto res = problem_reply(req, std::move(p));
    if (!e.etag.empty()) {
        res.set(http::field::etag, quote_etag(e.etag));
    }
    if (!e.allow.empty()) {
        res.set(http::field::allow, e.allow);
    }
    if (e.retry_after) {
        res.set(http::field::retry_after, std::to_string(e.retry_after->count()));
    }
    return res;
}

} // namespace

// ---------------------------------------------------------------------------------------------

struct service::impl {
    impl(const server_options& o, storage& s)
        : options(o)
        , store(s)
        , auth(o.clients, o.token_lifetime, o.secret_kdf_iterations, o.caps.tokens_per_client)
        , faults(o.faults)
        , state{options, store, auth, faults}
        , rng(std::random_device{}())
    {
        seed_grants(store, o.clients);
        track_untracked_records(store);
    }

    const server_options& options;
    storage& store;
    authority auth;
    fault_box faults;
    server_state state;
    std::mutex rng_mutex;
    std::mt19937_64 rng;

    response dispatch(const request& req, const protocol::target& t, const protocol::route& r,
                      const std::string& request_id)
    {
        const endpoint_route* route = find_route(r.endpoint);
        if (route == nullptr) {
            fail(problem_kind::not_found, "no such endpoint; see GET /v1");
        }
        // 1. the query's names: a typo must not be ignored
        for (const auto& [key, value] : t.query) {
            if (std::find(route->query.begin(), route->query.end(), key) == route->query.end()) {
                fail(problem_kind::malformed_request,
                     "unknown query parameter '" + key + "' for this endpoint",
                     {parameter_error("parameter.unknown", key)});
            }
        }
        call c{req, t, r, route->name, state, request_id};
        // 2. authentication
        if (route->authenticated) {
            const auto h = req[http::field::authorization];
            std::optional<principal> who;
            // The scheme is case-insensitive (RFC 9110 §11.1); the token is not.
            const bool sent = h.size() > 7 && boost::beast::iequals(h.substr(0, 7), "Bearer ");
            if (sent) {
                who = auth.authenticate(h.substr(7));
            }
            if (!who) {
                c.refused("no valid token");
                auto res = problem_response(
                    req,
                    problem_exit{protocol::make_problem(
                        problem_kind::unauthorized,
                        sent ? "the access token is invalid or has expired: get a new one"
                             : "send Authorization: Bearer <token> from /v1/oauth/token")},
                    request_id);
                res.set(http::field::www_authenticate,
                        sent ? "Bearer error=\"invalid_token\"" : "Bearer");
                return res;
            }
            c.who = std::move(*who);
            resolve_access(store, c.who);
        }
        // 3. the method
        const auto method = std::find_if(route->methods.begin(), route->methods.end(),
                                         [&](const method_route& m) { return m.verb == req.method(); });
        if (method == route->methods.end()) {
            problem_exit e{protocol::make_problem(problem_kind::method_not_allowed,
                                                  "allowed: " + allow_header(*route))};
            e.allow = allow_header(*route);
            throw e;
        }
        // 4. the token's scope
        if (!method->scope.empty() && !has_any_scope(c.who, method->scope)) {
            const bool several = method->scope.find('|') != std::string_view::npos;
            c.refused("missing scope " + std::string(method->scope));
            std::string scopes(method->scope);
            std::replace(scopes.begin(), scopes.end(), '|', ' ');
            fail(problem_kind::forbidden,
                 several ? "the token lacks a corrections scope"
                         : "the token lacks the scope " + scopes,
                 {check::make_issue("access.scope", {}, {{"scope", scopes, scopes}})});
        }
        // 5. the institution of the path
        if (route->authenticated && !r.institution.empty()) {
            c.require_institution(r.institution);
        }
        // 6. the body's media type
        if (method->body == body_kind::json ||
            (method->body == body_kind::optional_json && !req.body().empty())) {
            c.require_json();
        }
        auto res = method->serve(c);
        if (method->takes_records &&
            req[http::field::prefer].find("handling=lenient") != std::string_view::npos) {
            res.set("Preference-Applied", "handling=lenient");
        }
        return res;
    }

    response handle(const request& req)
    {
        const std::string request_id = request_id_of(req);
        response res;
        try {
            auto t = protocol::parse_target(req.target());
            if (!t) {
                fail(problem_kind::malformed_request, "the request target is not a valid path");
            }
            const auto r = protocol::match_route(t->path);
            if (!r) {
                fail(problem_kind::not_found, "no such endpoint; see GET /v1");
            }
            check_path(*r);
            res = dispatch(req, *t, *r, request_id);
        } catch (const problem_exit& e) {
            res = problem_response(req, e, request_id);
        } catch (const storage_error& e) {
            log_line("storage failure on request " + request_id + ": " + e.what());
            problem_exit e503{protocol::make_problem(problem_kind::unavailable,
                                                     "the storage failed; try again later")};
            e503.retry_after = std::chrono::seconds(1);
            res = problem_response(req, e503, request_id);
        } catch (const std::exception& e) {
            log_line("internal error on request " + request_id + ": " + e.what());
            res = problem_response(
                req,
                problem_exit{protocol::make_problem(problem_kind::internal,
                                                    "an internal error occurred")},
                request_id);
        }
        res.set("X-Request-Id", request_id);
        if (req.method() == http::verb::head) {
            res.keep_alive(false); // no route answers HEAD; the 405's body must end the exchange
        }
        // Records, pages, feeds, reports: personal data must not sit in caches.
        res.set(http::field::cache_control, "no-store");
        return res;
    }
};

service::service(const server_options& options, storage& store)
    : impl_(std::make_unique<impl>(options, store))
{}

service::~service() = default;

response service::handle(const request& req, std::string_view)
{
    return impl_->handle(req);
}

response service::payload_too_large(const request& header_only) const
{
    const auto request_id = request_id_of(header_only);
    auto res = problem_response(
        header_only,
        problem_exit{protocol::make_problem(problem_kind::payload_too_large,
                                            "the body may be at most " +
                                                std::to_string(impl_->options.max_body_bytes) +
                                                " bytes")},
        request_id);
    res.keep_alive(false);
    res.set("X-Request-Id", request_id);
    return res;
}

response service::bad_request(std::string_view what) const
{
    request dummy;
    dummy.version(11);
    const std::string request_id = "req-" + random_hex(8);
    auto res = problem_response(
        dummy, problem_exit{protocol::make_problem(problem_kind::malformed_request, std::string(what))},
        request_id);
    res.keep_alive(false);
    res.set("X-Request-Id", request_id);
    return res;
}

fault_plan service::plan_faults(const request& req)
{
    const auto f = impl_->faults.get();
    fault_plan plan;
    if (req.target().starts_with("/v1/admin/")) {
        return plan;
    }
    plan.delay = f.latency;
    if (f.error_rate <= 0 && f.drop_rate <= 0) {
        return plan;
    }
    std::lock_guard lock(impl_->rng_mutex);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    plan.fail = u(impl_->rng) < f.error_rate;
    plan.drop = !plan.fail && u(impl_->rng) < f.drop_rate;
    return plan;
}

response service::fault_response(const request& req) const
{
    const auto f = impl_->faults.get();
    const std::string request_id = "req-" + random_hex(8);
    problem_exit e{protocol::make_problem(f.error_status == 429 ? problem_kind::rate_limited
                                                                : problem_kind::unavailable,
                                          "injected fault (sandbox test knob)")};
    e.retry_after = f.retry_after;
    auto res = problem_response(req, e, request_id);
    res.set("X-Request-Id", request_id);
    return res;
}

fault_settings service::faults() const
{
    return impl_->faults.get();
}

void service::set_faults(const fault_settings& f)
{
    impl_->faults.set(f);
}

void service::housekeeping()
{
    impl_->auth.prune();
    const auto& o = impl_->options;
    impl_->store.write([&](storage::transaction& tx) {
        tx.prune_changes(o.change_retention);
        tx.prune_idempotency(o.idempotency_retention);
        tx.prune_refusals(o.caps.refusal_retention, o.caps.refusals_kept);
    });
}

} // namespace aikom::sandbox::detail
