// POST /v1/batches: many records, each checked on its own, the accepted ones written together.
#include "sandbox/handlers.hpp"

#include <aikom/check/issue_codes.hpp>
#include <aikom/check/rules.hpp>
#include <aikom/protocol/children.hpp>

#include <set>

namespace aikom::sandbox::detail {
namespace {

response batch(call& c)
{
    const std::size_t max_items = protocol::limits{}.max_batch_items;
    auto body = protocol::parse_batch_request(c.req.body(), record_options(c.req), max_items);
    if (body.fault == protocol::body_fault::malformed) {
        if (body.issues.empty()) {
            fail(problem_kind::malformed_request, "the body must be {\"items\": [record, ...]}");
        }
        fail(problem_kind::malformed_request, "the items array is not valid JSON",
             std::move(body.issues));
    }
    if (body.fault == protocol::body_fault::too_many_items) {
        const auto max = std::to_string(max_items);
        fail(problem_kind::too_many_items, "a batch holds at most " + max + " records",
             {check::make_issue("batch.too_many_items", "/items", {{"max", max, max}})});
    }

    struct accepted_item {
        std::size_t index;
        const model::child* record;
        std::string canonical;
        std::string etag;
        readiness_state state;
    };
    protocol::batch_result out;
    auto& results = out.results;
    results.reserve(body.value.size());
    std::vector<accepted_item> accepted;
    const auto day = today();
    const check::rule_options rules{.as_of = day};
    std::set<std::pair<std::string, std::string>> keys; // (institution, id) seen so far
    bool refused_logged = false;
    for (auto& item : body.value) {
        protocol::batch_item_result res;
        res.index = results.size();
        if (!item.record) {
            res.status = protocol::item_status::rejected;
            res.issues = std::move(item.issues);
            results.push_back(std::move(res));
            continue;
        }
        const auto& record = *item.record;
        res.id = record.id;
        res.institution = record.institution ? record.institution->str() : std::string();
        if (!record.institution) {
            res.status = protocol::item_status::rejected;
            res.issues.push_back(check::make_issue("required.missing", "/institution"));
        } else if (!keys.emplace(res.institution, res.id).second) {
            res.status = protocol::item_status::rejected; // which version was meant?
            res.issues.push_back(check::make_issue("batch.duplicate", "/id"));
        } else if (!c.who.in_scope(res.institution)) {
            if (!refused_logged) {
                c.refused("institution out of scope");
                refused_logged = true;
            }
            res.status = protocol::item_status::forbidden;
        } else {
            auto issues = check::check_record(record, check::profile::submission, rules);
            if (check::has_errors(issues)) {
                std::erase_if(issues, [](const check::issue& i) {
                    return i.severity != check::severity::error;
                });
                res.status = protocol::item_status::rejected;
                res.issues = std::move(issues);
            } else {
                for (auto& i : item.issues) {
                    res.issues.push_back(std::move(i));
                }
                const auto state = add_readiness_warnings(record, day, res.issues);
                std::string canonical = codec::encode(record);
                std::string etag = etag_of(canonical);
                accepted.push_back(
                    {res.index, &record, std::move(canonical), std::move(etag), state});
            }
        }
        results.push_back(std::move(res));
    }
    c.store().write([&](storage::transaction& tx) {
        for (const auto& a : accepted) {
            const auto w = put_tracked(tx, a.record->institution->str(), a.record->id,
                                       a.canonical, a.etag, a.state);
            auto& res = results[a.index];
            res.etag = w.etag;
            res.status = protocol::to_item_status(
                w.outcome == write_outcome::created   ? protocol::write_status::created
                : w.outcome == write_outcome::updated ? protocol::write_status::updated
                                                      : protocol::write_status::unchanged);
        }
    });
    return json_reply(c, http::status::ok, protocol::to_json(out));
}

} // namespace

response run_batch(call& c)
{
    return idempotent(c, [&] { return batch(c); });
}

} // namespace aikom::sandbox::detail
