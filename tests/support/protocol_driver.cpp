#include "protocol_driver.hpp"

#include <aikom/codec/json.hpp>
#include <aikom/protocol/corrections.hpp>
#include <aikom/protocol/routes.hpp>
#include <aikom/protocol/types.hpp>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace aikom::test {

using namespace std::chrono;

std::vector<sandbox::client_entry> test_clients()
{
    using sandbox::role;
    const std::string a(institution_a);
    const std::string b(institution_b);
    return {
        {"admin", "admin-secret", role::admin, {}},
        {"authority", "authority-secret", role::authority, {a}},
        {"zdo-a", "zdo-a-secret", role::institution, {a}},
        {"zdo-b", "zdo-b-secret", role::institution, {b}},
        {"platform", "platform-secret", role::platform, {a, b}},
        {"reviewer", "reviewer-secret", role::reviewer, {"*"}},
        {"reviewer-a", "reviewer-a-secret", role::reviewer, {a}},
        {"reviewer-none", "reviewer-none-secret", role::reviewer, {}},
        // No institution of its own: the grantee of the grant routes' tests.
        {"platform-2", "platform-2-secret", role::platform, {}},
    };
}

model::child valid_child(std::string id, std::string_view institution)
{
    model::child c;
    c.id = std::move(id);
    c.institution = model::edrpou(std::string(institution));
    c.name = model::person_name{.last = "Тестенко", .first = "Марія"};
    c.birth_date = 2021y / March / 14;
    c.sex = model::sex::female;
    c.document = model::identity_document{
        .type = model::document_type::ua_birth_certificate, .series = "I-КВ", .number = "123456"};
    c.displacement = model::displacement{.status = model::displacement_status::none};
    c.contact = model::contact_status{.status = model::contact_state::in_contact};
    c.education = model::education{.form = model::education_form::in_person};
    return c;
}

const std::string& protocol_driver::token(const std::string& client)
{
    auto it = tokens_.find(client);
    if (it != tokens_.end()) {
        return it->second;
    }
    const auto res = request_token(client);
    REQUIRE(res.result() == http::status::ok);
    auto t = protocol::parse_token_response(res.body());
    REQUIRE(t.has_value());
    return tokens_[client] = t->access_token;
}

response protocol_driver::request_token(const std::string& client)
{
    request req{http::verb::post, "/v1/oauth/token", 11};
    req.set(http::field::host, "sandbox.test");
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.body() = "grant_type=client_credentials&client_id=" + client + "&client_secret=" + client +
                 "-secret";
    req.prepare_payload();
    sent_.push_back({http::verb::post, "/v1/oauth/token", client});
    return transport_(std::move(req));
}

response protocol_driver::call(http::verb method, std::string target, const std::string& client,
                               std::string body, const std::map<std::string, std::string>& headers)
{
    request req{method, target, 11};
    req.set(http::field::host, "sandbox.test");
    if (!client.empty()) {
        req.set(http::field::authorization, "Bearer " + token(client));
    }
    if (!body.empty()) {
        req.set(http::field::content_type, "application/json");
    }
    for (const auto& [k, v] : headers) {
        req.set(k, v);
    }
    req.body() = std::move(body);
    req.prepare_payload();
    sent_.push_back({method, target.substr(0, target.find('?')), client});
    return transport_(std::move(req));
}

response protocol_driver::put(const model::child& c, const std::string& client,
                              const std::map<std::string, std::string>& headers)
{
    return call(http::verb::put, protocol::child_target(c.institution->str(), c.id), client,
                codec::encode(c), headers);
}

namespace {

// The status of one call, and for a batch the status of its single item.
struct outcome {
    unsigned status = 0;
    std::string item{}; ///< batches: the item's status
};

std::string problem_without_request_id(const response& res)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(res.body(), ec);
    if (ec || !v.is_object()) {
        return res.body();
    }
    v.as_object().erase("request_id");
    return boost::json::serialize(v);
}

// Whether `path` is an instance of the OpenAPI path template `pattern` (`{name}` matches one
// segment).
bool instance_of(std::string_view path, std::string_view pattern)
{
    while (!path.empty() && !pattern.empty()) {
        const auto p = path.find('/', 1);
        const auto t = pattern.find('/', 1);
        const auto segment = pattern.substr(0, t);
        if (!segment.starts_with("/{") && segment != path.substr(0, p)) {
            return false;
        }
        path = p == std::string_view::npos ? std::string_view() : path.substr(p);
        pattern = t == std::string_view::npos ? std::string_view() : pattern.substr(t);
    }
    return path.empty() && pattern.empty();
}

} // namespace

void run_role_matrix(protocol_driver& d)
{
    using http::verb;
    const std::string a(institution_a);
    const std::string b(institution_b);
    int serial = 0;
    auto fresh = [&](const std::string& inst) {
        auto c = valid_child("m-" + std::to_string(++serial), inst);
        REQUIRE(d.put(c, "admin").result_int() == 201);
        return c;
    };
    const auto seeded_a = fresh(a);
    const auto seeded_b = fresh(b);

    enum class action {
        get,
        put,
        del,
        list,
        withdraw,
        batch,
        changes,
        validate,
        correct,
        apply,
        report,
        faults,
        progress,
        form85k,
        grants,
        grant,
        grant_history,
        discover,
        contract,
        token,
        corrections,
        correction,
        reject,
        set_faults,
        read_grant,
        feed, ///< the change feed of one institution
    };
    // A correction request for `inst`, made by the admin: its id.
    auto correction_by_admin = [&](const std::string& inst) {
        boost::json::object body{{"institution", inst},
                                 {"child_id", "c-" + std::to_string(++serial)},
                                 {"reason", "тест"},
                                 {"record", boost::json::parse(R"({"id":"x"})")}};
        const auto created =
            d.call(verb::post, "/v1/correction-requests", "admin", boost::json::serialize(body));
        REQUIRE(created.result_int() == 201);
        return std::string(boost::json::parse(created.body()).at("id").as_string());
    };
    auto run = [&](const std::string& role, action act, const std::string& inst) -> outcome {
        switch (act) {
        case action::get:
            return {d.call(verb::get,
                           protocol::child_target(inst, inst == a ? seeded_a.id : seeded_b.id), role)
                        .result_int()};
        case action::put:
            return {d.put(valid_child("p-" + std::to_string(++serial), inst), role).result_int()};
        case action::del: {
            const auto c = fresh(inst);
            return {d.call(verb::delete_, protocol::child_target(inst, c.id), role).result_int()};
        }
        case action::list:
            return {d.call(verb::get, protocol::children_target(inst), role).result_int()};
        case action::withdraw: {
            const auto c = fresh(inst);
            return {d.call(verb::post, protocol::withdrawal_target(inst, c.id), role,
                           R"({"left_on":"2025-05-30","reason":"переїзд"})")
                        .result_int()};
        }
        case action::batch: {
            const auto res = d.call(
                verb::post, "/v1/batches", role,
                protocol::batch_request_json({valid_child("b-" + std::to_string(++serial), inst)}));
            outcome o{res.result_int(), {}};
            if (o.status == 200) {
                auto r = protocol::parse_batch_result(res.body());
                REQUIRE(r.has_value());
                REQUIRE(r->results.size() == 1);
                o.item = protocol::to_string(r->results.front().status);
            }
            return o;
        }
        case action::changes:
            return {d.call(verb::get, "/v1/changes", role).result_int()};
        case action::validate:
            return {d.call(verb::post, "/v1/validate", role, R"({"id":"v-1"})").result_int()};
        case action::correct: {
            boost::json::object body{{"institution", inst},
                                     {"child_id", "c-" + std::to_string(++serial)},
                                     {"reason", "свідоцтво видано за кордоном"},
                                     {"record", boost::json::parse(R"({"id":"x","sex":"male"})")}};
            return {
                d.call(verb::post, "/v1/correction-requests", role, boost::json::serialize(body))
                    .result_int()};
        }
        case action::apply:
            return {d.call(verb::post,
                           protocol::correction_target(correction_by_admin(inst), "apply"), role,
                           R"({"note":"ok"})")
                        .result_int()};
        case action::report:
            return {d.call(verb::get, "/v1/reports/completeness?institution=" + inst, role)
                        .result_int()};
        case action::faults:
            return {d.call(verb::get, "/v1/admin/faults", role).result_int()};
        case action::progress:
            return {d.call(verb::get, "/v1/reports/progress?institution=" + inst, role).result_int()};
        case action::form85k:
            return {d.call(verb::get, "/v1/reports/form-85k?institution=" + inst, role).result_int()};
        case action::grants:
            return {d.call(verb::get, "/v1/institutions/" + inst + "/grants", role).result_int()};
        case action::grant: {
            // Grant, then revoke: the grantee's access is the same before and after.
            const std::string target = "/v1/institutions/" + inst + "/grants/platform-2";
            const auto put = d.call(verb::put, target, role, R"({"note":"matrix"})");
            if (put.result_int() != 201) {
                // Refused: revoking is refused alike (a mismatch shows as the item).
                const auto del = d.call(verb::delete_, target, role).result_int();
                return {put.result_int(),
                        del == put.result_int() ? "" : "revoke " + std::to_string(del)};
            }
            const auto del = d.call(verb::delete_, target, role);
            return {del.result_int() == 204 ? 201u : del.result_int()};
        }
        case action::grant_history:
            return {d.call(verb::get, "/v1/institutions/" + inst + "/grant-history", role)
                        .result_int()};
        case action::discover:
            return {d.call(verb::get, "/v1", role).result_int()};
        case action::contract:
            return {d.call(verb::get, "/v1/openapi.json", role).result_int()};
        case action::token:
            return {d.request_token(role).result_int()};
        case action::corrections: {
            // Listing answers 200 to every corrections scope; what it shows is the point.
            const auto id = correction_by_admin(inst);
            const auto res = d.call(verb::get, protocol::corrections_target({}, inst, 1000), role);
            outcome o{res.result_int(), {}};
            if (o.status == 200) {
                const auto page = protocol::parse_correction_page(res.body());
                REQUIRE(page.has_value());
                REQUIRE_FALSE(page->has_more);
                const bool seen = std::any_of(page->items.begin(), page->items.end(),
                                              [&](const auto& cr) { return cr.id == id; });
                o.item = seen ? "visible" : "hidden";
            }
            return o;
        }
        case action::correction:
            return {d.call(verb::get, protocol::correction_target(correction_by_admin(inst)), role)
                        .result_int()};
        case action::reject:
            return {d.call(verb::post,
                           protocol::correction_target(correction_by_admin(inst), "reject"), role,
                           R"({"note":"подайте знову"})")
                        .result_int()};
        case action::set_faults:
            return {d.call(verb::put, "/v1/admin/faults", role, "{}").result_int()};
        case action::read_grant:
            return {d.call(verb::get, protocol::grant_target(inst, "platform"), role).result_int()};
        case action::feed: {
            const std::vector<std::string> only{inst};
            return {d.call(verb::get, protocol::changes_target({}, 0, only), role).result_int()};
        }
        }
        return {};
    };

    struct cell {
        std::string role;
        action act;
        std::string inst;
        unsigned status;       ///< 0: 200 or 201
        std::string item = {}; ///< batches
    };
    // Every role × every route × (institution A, institution B). The roles' institutions:
    // authority, zdo-a and reviewer-a: A; platform: A and B; admin and reviewer ("*"): all;
    // reviewer-none (an empty list): none.
    const std::vector<cell> cells = {
        // admin
        {"admin", action::get, a, 200},
        {"admin", action::get, b, 200},
        {"admin", action::put, a, 201},
        {"admin", action::put, b, 201},
        {"admin", action::del, a, 204},
        {"admin", action::del, b, 204},
        {"admin", action::list, a, 200},
        {"admin", action::list, b, 200},
        {"admin", action::withdraw, a, 200},
        {"admin", action::withdraw, b, 200},
        {"admin", action::batch, a, 200, "created"},
        {"admin", action::batch, b, 200, "created"},
        {"admin", action::correct, a, 201},
        {"admin", action::correct, b, 201},
        {"admin", action::apply, a, 200},
        {"admin", action::apply, b, 200},
        {"admin", action::report, a, 200},
        {"admin", action::report, b, 200},
        {"admin", action::changes, a, 200},
        {"admin", action::validate, a, 200},
        {"admin", action::faults, a, 200},
        {"admin", action::progress, a, 200},
        {"admin", action::progress, b, 200},
        {"admin", action::form85k, a, 200},
        {"admin", action::form85k, b, 200},
        {"admin", action::grants, a, 200},
        {"admin", action::grants, b, 200},
        {"admin", action::grant, a, 201},
        {"admin", action::grant, b, 201},
        {"admin", action::grant_history, a, 200},
        {"admin", action::grant_history, b, 200},
        {"admin", action::discover, a, 200},
        {"admin", action::contract, a, 200},
        {"admin", action::token, a, 200},
        {"admin", action::corrections, a, 200, "visible"},
        {"admin", action::corrections, b, 200, "visible"},
        {"admin", action::correction, a, 200},
        {"admin", action::correction, b, 200},
        {"admin", action::reject, a, 200},
        {"admin", action::reject, b, 200},
        {"admin", action::set_faults, a, 200},
        {"admin", action::read_grant, a, 200},
        {"admin", action::read_grant, b, 200},
        // authority
        {"authority", action::get, a, 200},
        {"authority", action::get, b, 403},
        {"authority", action::put, a, 403},
        {"authority", action::put, b, 403},
        {"authority", action::del, a, 403},
        {"authority", action::del, b, 403},
        {"authority", action::list, a, 200},
        {"authority", action::list, b, 403},
        {"authority", action::withdraw, a, 403},
        {"authority", action::withdraw, b, 403},
        {"authority", action::batch, a, 403, ""},
        {"authority", action::batch, b, 403, ""},
        {"authority", action::correct, a, 403},
        {"authority", action::correct, b, 403},
        {"authority", action::apply, a, 403},
        {"authority", action::apply, b, 403},
        {"authority", action::report, a, 200},
        {"authority", action::report, b, 403},
        {"authority", action::changes, a, 200},
        {"authority", action::validate, a, 200},
        {"authority", action::faults, a, 403},
        {"authority", action::progress, a, 200},
        {"authority", action::progress, b, 403},
        {"authority", action::form85k, a, 200},
        {"authority", action::form85k, b, 403},
        {"authority", action::grants, a, 200},
        {"authority", action::grants, b, 403},
        {"authority", action::grant, a, 201},
        {"authority", action::grant, b, 403},
        {"authority", action::grant_history, a, 200},
        {"authority", action::grant_history, b, 403},
        {"authority", action::discover, a, 200},
        {"authority", action::contract, a, 200},
        {"authority", action::token, a, 200},
        {"authority", action::corrections, a, 403},
        {"authority", action::corrections, b, 403},
        {"authority", action::correction, a, 403},
        {"authority", action::correction, b, 403},
        {"authority", action::reject, a, 403},
        {"authority", action::reject, b, 403},
        {"authority", action::set_faults, a, 403},
        {"authority", action::read_grant, a, 200},
        {"authority", action::read_grant, b, 403},
        // zdo-a
        {"zdo-a", action::get, a, 200},
        {"zdo-a", action::get, b, 403},
        {"zdo-a", action::put, a, 201},
        {"zdo-a", action::put, b, 403},
        {"zdo-a", action::del, a, 204},
        {"zdo-a", action::del, b, 403},
        {"zdo-a", action::list, a, 200},
        {"zdo-a", action::list, b, 403},
        {"zdo-a", action::withdraw, a, 200},
        {"zdo-a", action::withdraw, b, 403},
        {"zdo-a", action::batch, a, 200, "created"},
        {"zdo-a", action::batch, b, 200, "forbidden"},
        {"zdo-a", action::correct, a, 201},
        {"zdo-a", action::correct, b, 403},
        {"zdo-a", action::apply, a, 403},
        {"zdo-a", action::apply, b, 403},
        {"zdo-a", action::report, a, 200},
        {"zdo-a", action::report, b, 403},
        {"zdo-a", action::changes, a, 200},
        {"zdo-a", action::validate, a, 200},
        {"zdo-a", action::faults, a, 403},
        {"zdo-a", action::progress, a, 200},
        {"zdo-a", action::progress, b, 403},
        {"zdo-a", action::form85k, a, 200},
        {"zdo-a", action::form85k, b, 403},
        {"zdo-a", action::grants, a, 403},
        {"zdo-a", action::grants, b, 403},
        {"zdo-a", action::grant, a, 403},
        {"zdo-a", action::grant, b, 403},
        {"zdo-a", action::grant_history, a, 403},
        {"zdo-a", action::grant_history, b, 403},
        {"zdo-a", action::discover, a, 200},
        {"zdo-a", action::contract, a, 200},
        {"zdo-a", action::token, a, 200},
        {"zdo-a", action::corrections, a, 200, "visible"},
        {"zdo-a", action::corrections, b, 200, "hidden"},
        {"zdo-a", action::correction, a, 200},
        {"zdo-a", action::correction, b, 403},
        {"zdo-a", action::reject, a, 403},
        {"zdo-a", action::reject, b, 403},
        {"zdo-a", action::set_faults, a, 403},
        {"zdo-a", action::read_grant, a, 403},
        {"zdo-a", action::read_grant, b, 403},
        // platform
        {"platform", action::get, a, 200},
        {"platform", action::get, b, 200},
        {"platform", action::put, a, 201},
        {"platform", action::put, b, 201},
        {"platform", action::del, a, 204},
        {"platform", action::del, b, 204},
        {"platform", action::list, a, 200},
        {"platform", action::list, b, 200},
        {"platform", action::withdraw, a, 200},
        {"platform", action::withdraw, b, 200},
        {"platform", action::batch, a, 200, "created"},
        {"platform", action::batch, b, 200, "created"},
        {"platform", action::correct, a, 201},
        {"platform", action::correct, b, 201},
        {"platform", action::apply, a, 403},
        {"platform", action::apply, b, 403},
        {"platform", action::report, a, 200},
        {"platform", action::report, b, 200},
        {"platform", action::changes, a, 200},
        {"platform", action::validate, a, 200},
        {"platform", action::faults, a, 403},
        {"platform", action::progress, a, 200},
        {"platform", action::progress, b, 200},
        {"platform", action::form85k, a, 200},
        {"platform", action::form85k, b, 200},
        {"platform", action::grants, a, 403},
        {"platform", action::grants, b, 403},
        {"platform", action::grant, a, 403},
        {"platform", action::grant, b, 403},
        {"platform", action::grant_history, a, 403},
        {"platform", action::grant_history, b, 403},
        {"platform", action::discover, a, 200},
        {"platform", action::contract, a, 200},
        {"platform", action::token, a, 200},
        {"platform", action::corrections, a, 200, "visible"},
        {"platform", action::corrections, b, 200, "visible"},
        {"platform", action::correction, a, 200},
        {"platform", action::correction, b, 200},
        {"platform", action::reject, a, 403},
        {"platform", action::reject, b, 403},
        {"platform", action::set_faults, a, 403},
        {"platform", action::read_grant, a, 403},
        {"platform", action::read_grant, b, 403},
        // reviewer
        {"reviewer", action::get, a, 403},
        {"reviewer", action::get, b, 403},
        {"reviewer", action::put, a, 403},
        {"reviewer", action::put, b, 403},
        {"reviewer", action::del, a, 403},
        {"reviewer", action::del, b, 403},
        {"reviewer", action::list, a, 403},
        {"reviewer", action::list, b, 403},
        {"reviewer", action::withdraw, a, 403},
        {"reviewer", action::withdraw, b, 403},
        {"reviewer", action::batch, a, 403, ""},
        {"reviewer", action::batch, b, 403, ""},
        {"reviewer", action::correct, a, 403},
        {"reviewer", action::correct, b, 403},
        {"reviewer", action::apply, a, 200},
        {"reviewer", action::apply, b, 200},
        {"reviewer", action::report, a, 403},
        {"reviewer", action::report, b, 403},
        {"reviewer", action::changes, a, 403},
        {"reviewer", action::validate, a, 200},
        {"reviewer", action::faults, a, 403},
        {"reviewer", action::progress, a, 403},
        {"reviewer", action::progress, b, 403},
        {"reviewer", action::form85k, a, 403},
        {"reviewer", action::form85k, b, 403},
        {"reviewer", action::grants, a, 403},
        {"reviewer", action::grants, b, 403},
        {"reviewer", action::grant, a, 403},
        {"reviewer", action::grant, b, 403},
        {"reviewer", action::grant_history, a, 403},
        {"reviewer", action::grant_history, b, 403},
        {"reviewer", action::discover, a, 200},
        {"reviewer", action::contract, a, 200},
        {"reviewer", action::token, a, 200},
        {"reviewer", action::corrections, a, 200, "visible"},
        {"reviewer", action::corrections, b, 200, "visible"},
        {"reviewer", action::correction, a, 200},
        {"reviewer", action::correction, b, 200},
        {"reviewer", action::reject, a, 200},
        {"reviewer", action::reject, b, 200},
        {"reviewer", action::set_faults, a, 403},
        {"reviewer", action::read_grant, a, 403},
        {"reviewer", action::read_grant, b, 403},
        // reviewer-a
        {"reviewer-a", action::get, a, 403},
        {"reviewer-a", action::get, b, 403},
        {"reviewer-a", action::put, a, 403},
        {"reviewer-a", action::put, b, 403},
        {"reviewer-a", action::del, a, 403},
        {"reviewer-a", action::del, b, 403},
        {"reviewer-a", action::list, a, 403},
        {"reviewer-a", action::list, b, 403},
        {"reviewer-a", action::withdraw, a, 403},
        {"reviewer-a", action::withdraw, b, 403},
        {"reviewer-a", action::batch, a, 403, ""},
        {"reviewer-a", action::batch, b, 403, ""},
        {"reviewer-a", action::correct, a, 403},
        {"reviewer-a", action::correct, b, 403},
        {"reviewer-a", action::apply, a, 200},
        {"reviewer-a", action::apply, b, 403},
        {"reviewer-a", action::report, a, 403},
        {"reviewer-a", action::report, b, 403},
        {"reviewer-a", action::changes, a, 403},
        {"reviewer-a", action::validate, a, 200},
        {"reviewer-a", action::faults, a, 403},
        {"reviewer-a", action::progress, a, 403},
        {"reviewer-a", action::progress, b, 403},
        {"reviewer-a", action::form85k, a, 403},
        {"reviewer-a", action::form85k, b, 403},
        {"reviewer-a", action::grants, a, 403},
        {"reviewer-a", action::grants, b, 403},
        {"reviewer-a", action::grant, a, 403},
        {"reviewer-a", action::grant, b, 403},
        {"reviewer-a", action::grant_history, a, 403},
        {"reviewer-a", action::grant_history, b, 403},
        {"reviewer-a", action::discover, a, 200},
        {"reviewer-a", action::contract, a, 200},
        {"reviewer-a", action::token, a, 200},
        {"reviewer-a", action::corrections, a, 200, "visible"},
        {"reviewer-a", action::corrections, b, 200, "hidden"},
        {"reviewer-a", action::correction, a, 200},
        {"reviewer-a", action::correction, b, 403},
        {"reviewer-a", action::reject, a, 200},
        {"reviewer-a", action::reject, b, 403},
        {"reviewer-a", action::set_faults, a, 403},
        {"reviewer-a", action::read_grant, a, 403},
        {"reviewer-a", action::read_grant, b, 403},
        // reviewer-none: an empty list reaches no institution, for every role
        {"reviewer-none", action::get, a, 403},
        {"reviewer-none", action::get, b, 403},
        {"reviewer-none", action::put, a, 403},
        {"reviewer-none", action::put, b, 403},
        {"reviewer-none", action::del, a, 403},
        {"reviewer-none", action::del, b, 403},
        {"reviewer-none", action::list, a, 403},
        {"reviewer-none", action::list, b, 403},
        {"reviewer-none", action::withdraw, a, 403},
        {"reviewer-none", action::withdraw, b, 403},
        {"reviewer-none", action::batch, a, 403, ""},
        {"reviewer-none", action::batch, b, 403, ""},
        {"reviewer-none", action::correct, a, 403},
        {"reviewer-none", action::correct, b, 403},
        {"reviewer-none", action::apply, a, 403},
        {"reviewer-none", action::apply, b, 403},
        {"reviewer-none", action::report, a, 403},
        {"reviewer-none", action::report, b, 403},
        {"reviewer-none", action::changes, a, 403},
        {"reviewer-none", action::validate, a, 200},
        {"reviewer-none", action::faults, a, 403},
        {"reviewer-none", action::progress, a, 403},
        {"reviewer-none", action::progress, b, 403},
        {"reviewer-none", action::form85k, a, 403},
        {"reviewer-none", action::form85k, b, 403},
        {"reviewer-none", action::grants, a, 403},
        {"reviewer-none", action::grants, b, 403},
        {"reviewer-none", action::grant, a, 403},
        {"reviewer-none", action::grant, b, 403},
        {"reviewer-none", action::grant_history, a, 403},
        {"reviewer-none", action::grant_history, b, 403},
        {"reviewer-none", action::discover, a, 200},
        {"reviewer-none", action::contract, a, 200},
        {"reviewer-none", action::token, a, 200},
        {"reviewer-none", action::corrections, a, 200, "hidden"},
        {"reviewer-none", action::corrections, b, 200, "hidden"},
        {"reviewer-none", action::correction, a, 403},
        {"reviewer-none", action::correction, b, 403},
        {"reviewer-none", action::reject, a, 403},
        {"reviewer-none", action::reject, b, 403},
        {"reviewer-none", action::set_faults, a, 403},
        {"reviewer-none", action::read_grant, a, 403},
        {"reviewer-none", action::read_grant, b, 403},
    };
    const auto first_sent = d.sent().size();
    for (const auto& c : cells) {
        CAPTURE(c.role);
        CAPTURE(static_cast<int>(c.act));
        CAPTURE(c.inst);
        const auto got = run(c.role, c.act, c.inst);
        CHECK(got.status == c.status);
        CHECK(got.item == c.item);
    }
    const std::vector<protocol_driver::sent_request> matrix_sent(
        d.sent().begin() + static_cast<std::ptrdiff_t>(first_sent), d.sent().end());

    // Every operation of the contract the server serves was tried by every role of the matrix
    // with its own token or credentials: a new endpoint or method fails here until the matrix
    // says who may use it.
    std::set<std::string> roles;
    for (const auto& c : cells) {
        roles.insert(c.role);
    }
    const auto contract = boost::json::parse(d.call(verb::get, "/v1/openapi.json").body());
    std::size_t operations = 0;
    for (const auto& path_item : contract.at("paths").as_object()) {
        const std::string pattern(path_item.key());
        for (const auto& op : path_item.value().as_object()) {
            std::string method(op.key());
            std::transform(method.begin(), method.end(), method.begin(),
                           [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
            const auto v = http::string_to_verb(method);
            if (!op.value().is_object() || v == verb::unknown) {
                continue; // "parameters", "summary", …
            }
            ++operations;
            for (const auto& role : roles) {
                CAPTURE(pattern);
                CAPTURE(method);
                CAPTURE(role);
                CHECK(std::any_of(matrix_sent.begin(), matrix_sent.end(), [&](const auto& r) {
                    return r.client == role && r.method == v && instance_of(r.path, pattern);
                }));
            }
        }
    }
    CHECK(operations >= 26);

    // A revoked grant: platform-2 (no institution of its own) reaches A through a grant, and
    // after the authority revokes it the same token gets 403 on every route scoped to A (a
    // batch: the item is forbidden; a listing: A's requests are no longer shown).
    const auto grant = protocol::grant_target(a, "platform-2");
    REQUIRE(d.call(verb::put, grant, "authority", R"({"note":"до відкликання"})").result_int() ==
            201);
    struct scoped_route {
        action act;
        outcome granted;
        outcome revoked;
    };
    const std::vector<scoped_route> scoped = {
        {action::get, {200}, {403}},
        {action::put, {201}, {403}},
        {action::del, {204}, {403}},
        {action::list, {200}, {403}},
        {action::withdraw, {200}, {403}},
        {action::batch, {200, "created"}, {200, "forbidden"}},
        {action::feed, {200}, {403}},
        {action::correct, {201}, {403}},
        {action::corrections, {200, "visible"}, {200, "hidden"}},
        {action::correction, {200}, {403}},
        {action::report, {200}, {403}},
        {action::progress, {200}, {403}},
        {action::form85k, {200}, {403}},
    };
    const std::string token_before = d.token("platform-2");
    for (const auto& r : scoped) {
        CAPTURE(static_cast<int>(r.act));
        const auto got = run("platform-2", r.act, a);
        CHECK(got.status == r.granted.status);
        CHECK(got.item == r.granted.item);
    }
    REQUIRE(d.call(verb::delete_, grant, "authority").result_int() == 204);
    for (const auto& r : scoped) {
        CAPTURE(static_cast<int>(r.act));
        const auto got = run("platform-2", r.act, a);
        CHECK(got.status == r.revoked.status);
        CHECK(got.item == r.revoked.item);
    }
    CHECK(d.token("platform-2") == token_before); // one token before and after the revocation

    // Out of scope tells nothing about existence: the same answer for a record that exists and
    // one that does not.
    const auto exists = d.call(verb::get, protocol::child_target(b, seeded_b.id), "zdo-a");
    const auto absent = d.call(verb::get, protocol::child_target(b, "no-such-record"), "zdo-a");
    CHECK(exists.result_int() == 403);
    CHECK(absent.result_int() == 403);
    CHECK(problem_without_request_id(exists) == problem_without_request_id(absent));

    // An authority outside its territory: the same 403 whether or not the institution has
    // anything (B has records and grants; 99999999 has nothing).
    const auto known = d.call(verb::get, "/v1/institutions/" + b + "/grants", "authority");
    const auto unknown = d.call(verb::get, "/v1/institutions/99999999/grants", "authority");
    CHECK(known.result_int() == 403);
    CHECK(unknown.result_int() == 403);
    CHECK(problem_without_request_id(known) == problem_without_request_id(unknown));
}

} // namespace aikom::test
