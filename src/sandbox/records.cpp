// One record at a time: read, write, delete, list, withdraw, and validate without storing.
#include "sandbox/handlers.hpp"

#include <aikom/check/issue_codes.hpp>
#include <aikom/check/rules.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/protocol/children.hpp>

#include <algorithm>

namespace aikom::sandbox::detail {
namespace {

// The ETags listed in If-Match / If-None-Match (strong comparison: weak ones never match).
std::vector<std::string> etag_list(std::string_view header, bool& any, bool weak_matches = false)
{
    std::vector<std::string> out;
    any = false;
    std::size_t i = 0;
    while (i < header.size()) {
        while (i < header.size() && (header[i] == ' ' || header[i] == ',')) {
            ++i;
        }
        if (i >= header.size()) {
            break;
        }
        if (header[i] == '*') {
            any = true;
            ++i;
            continue;
        }
        bool weak = false;
        if (header.substr(i, 2) == "W/") {
            weak = true;
            i += 2;
        }
        if (i < header.size() && header[i] == '"') {
            const auto end = header.find('"', i + 1);
            if (end == std::string_view::npos) {
                break;
            }
            if (!weak || weak_matches) {
                out.emplace_back(header.substr(i + 1, end - i - 1));
            }
            i = end + 1;
        } else {
            while (i < header.size() && header[i] != ',') {
                ++i;
            }
        }
    }
    return out;
}

write_condition condition_from(const request& req, const std::optional<stored_child>& current)
{
    write_condition cond;
    bool any = false;
    const auto if_match = req[http::field::if_match];
    if (!if_match.empty()) {
        const auto tags = etag_list(if_match, any);
        if (any) {
            if (!current) {
                fail(problem_kind::precondition_failed, "If-Match: * but no record exists");
            }
            cond.if_match = current->etag;
        } else if (tags.empty()) {
            cond.if_match = std::string("\x01never"); // only weak tags: never a strong match
        } else {
            // Several tags: a match on any of them. Reduce to the one that matches, if any.
            cond.if_match = tags.front();
            if (current) {
                for (const auto& t : tags) {
                    if (t == current->etag) {
                        cond.if_match = t;
                    }
                }
            }
        }
    }
    const auto if_none = req[http::field::if_none_match];
    if (!if_none.empty()) {
        etag_list(if_none, any);
        if (!any) {
            fail(problem_kind::malformed_request,
                 "only If-None-Match: * is supported on writes (create only)",
                 {header_error("header.invalid", "If-None-Match", "*", "*")});
        }
        cond.if_none_match_any = true;
    }
    return cond;
}

// Decodes a record body; fails with 400 (not JSON) or 422 (not a valid record).
model::child decode_record(const request& req, std::vector<check::issue>& warnings)
{
    auto r = codec::decode_child(req.body(), record_options(req));
    if (!r.ok()) {
        // Decide before the issues are moved into the call (argument order is unspecified).
        const auto kind = is_malformed(r.issues) ? problem_kind::malformed_request
                                                 : problem_kind::validation_failed;
        fail(kind, "the record could not be decoded", std::move(r.issues));
    }
    warnings = std::move(r.issues); // lenient: unknown fields as warnings
    return std::move(*r.record);
}

// The submission profile's errors refuse the record; the readiness profile's other issues
// come back as warnings.
std::vector<check::issue> check_for_write(const model::child& c, std::vector<check::issue> warnings,
                                          readiness_state& state)
{
    auto submission = check::check_record(c, check::profile::submission,
                                          check::rule_options{.as_of = today()});
    if (check::has_errors(submission)) {
        std::erase_if(submission,
                      [](const check::issue& i) { return i.severity != check::severity::error; });
        fail(problem_kind::validation_failed, "AIKOM would not save this record",
             std::move(submission));
    }
    state = add_readiness_warnings(c, today(), warnings);
    return warnings;
}

// Like check_for_write, but only errors the change introduces refuse it: a record entered
// through a correction request (which fails `submission` by design) can still be withdrawn.
std::vector<check::issue> check_for_change(const model::child& before, const model::child& after,
                                           readiness_state& state)
{
    const check::rule_options ro{.as_of = today()};
    const auto old_issues = check::check_record(before, check::profile::submission, ro);
    std::vector<check::issue> introduced;
    for (auto& i : check::check_record(after, check::profile::submission, ro)) {
        const bool existed = std::any_of(old_issues.begin(), old_issues.end(), [&](const check::issue& o) {
            return o.pointer == i.pointer && o.code == i.code;
        });
        if (i.severity == check::severity::error && !existed) {
            introduced.push_back(std::move(i));
        }
    }
    if (!introduced.empty()) {
        fail(problem_kind::validation_failed, "the change makes the record invalid",
             std::move(introduced));
    }
    std::vector<check::issue> warnings;
    state = add_readiness_warnings(after, today(), warnings);
    return warnings;
}

protocol::write_status write_status_of(write_outcome o) noexcept
{
    return o == write_outcome::created   ? protocol::write_status::created
           : o == write_outcome::updated ? protocol::write_status::updated
                                         : protocol::write_status::unchanged;
}

response write_reply(const call& c, const write_result& result, std::vector<check::issue> warnings)
{
    protocol::write_result w;
    w.id = c.route.child_id;
    w.institution = c.route.institution;
    w.status = write_status_of(result.outcome);
    w.etag = result.etag;
    w.warnings = std::move(warnings);
    auto res = json_reply(c,
                          result.outcome == write_outcome::created ? http::status::created
                                                                   : http::status::ok,
                          protocol::to_json(w));
    res.set(http::field::etag, quote_etag(result.etag));
    if (result.outcome == write_outcome::created) {
        res.set(http::field::location, protocol::child_target(w.institution, w.id));
    }
    return res;
}

[[noreturn]] void precondition_failed(std::string detail, std::string current_etag)
{
    problem_exit e{protocol::make_problem(problem_kind::precondition_failed, std::move(detail))};
    e.etag = std::move(current_etag);
    throw e;
}

// A record listing's cursor names its institution: it cannot page another one.
std::string listing_cursor(std::string_view institution, std::string_view id)
{
    return protocol::encode_cursor("k", std::string(institution) + "/" + std::string(id));
}

} // namespace

response get_child(call& c)
{
    const auto& r = c.route;
    auto stored = c.store().read(
        [&](storage::transaction& tx) { return tx.get_child(r.institution, r.child_id); });
    if (!stored) {
        fail(problem_kind::not_found, "no record with this id in this institution");
    }
    bool any = false;
    // If-None-Match on a read uses the weak comparison (RFC 9110 §13.1.2).
    const auto tags = etag_list(c.req[http::field::if_none_match], any, true);
    if (any || std::find(tags.begin(), tags.end(), stored->etag) != tags.end()) {
        response res{http::status::not_modified, c.req.version()};
        res.keep_alive(c.req.keep_alive());
        res.set(http::field::etag, quote_etag(stored->etag));
        return res;
    }
    auto res = json_reply(c, http::status::ok, std::move(stored->json));
    res.set(http::field::etag, quote_etag(stored->etag));
    return res;
}

response put_child(call& c)
{
    const auto& r = c.route;
    std::vector<check::issue> warnings;
    model::child record = decode_record(c.req, warnings);
    std::vector<check::issue> mismatch;
    if (record.id != r.child_id) {
        mismatch.push_back(check::make_issue("path.mismatch", "/id"));
    }
    if (record.institution && record.institution->str() != r.institution) {
        mismatch.push_back(check::make_issue("path.mismatch", "/institution"));
    }
    if (!mismatch.empty()) {
        fail(problem_kind::malformed_request, "the body does not match the URL", mismatch);
    }
    record.institution = model::edrpou(r.institution);
    readiness_state state;
    warnings = check_for_write(record, std::move(warnings), state);
    const std::string canonical = codec::encode(record);
    const std::string etag = etag_of(canonical);
    const auto result = c.store().write([&](storage::transaction& tx) {
        const auto current = c.req[http::field::if_match].empty()
                                 ? std::optional<stored_child>()
                                 : tx.get_child(r.institution, r.child_id);
        return put_tracked(tx, r.institution, r.child_id, canonical, etag, state,
                           condition_from(c.req, current));
    });
    if (result.outcome == write_outcome::precondition_failed) {
        precondition_failed("the record changed since you read it (If-Match), or it exists "
                            "(If-None-Match: *)",
                            result.etag);
    }
    return write_reply(c, result, std::move(warnings));
}

response delete_child(call& c)
{
    const auto& r = c.route;
    const auto result = c.store().write([&](storage::transaction& tx) {
        const auto current = tx.get_child(r.institution, r.child_id);
        if (!current) {
            fail(problem_kind::not_found, "no record with this id in this institution");
        }
        auto w = tx.delete_child(r.institution, r.child_id, condition_from(c.req, current));
        if (w.outcome == write_outcome::deleted) {
            tx.track_readiness(r.institution, r.child_id, std::chrono::sys_days(today()),
                               std::nullopt);
        }
        return w;
    });
    if (result.outcome == write_outcome::precondition_failed) {
        // No ETag on this 412 (docs/protocol.md §3): a DELETE has nothing to hand back.
        precondition_failed("the record changed since you read it", {});
    }
    if (result.outcome == write_outcome::not_found) {
        fail(problem_kind::not_found, "no record with this id in this institution");
    }
    return no_content(c);
}

response list_children(call& c)
{
    const auto& r = c.route;
    const protocol::limits lim;
    const auto limit = c.limit_param(lim.page_size_default, lim.page_size_max);
    std::string after;
    if (const auto cursor = c.param("cursor")) {
        auto v = protocol::decode_cursor(*cursor, "k");
        const std::string prefix = r.institution + "/";
        if (!v || !v->starts_with(prefix)) {
            fail(problem_kind::malformed_request,
                 "the cursor was not issued by this server for this institution's listing",
                 {parameter_error("cursor.invalid", "cursor")});
        }
        after = v->substr(prefix.size());
    }
    auto rows = c.store().read([&](storage::transaction& tx) {
        return tx.list_children(r.institution, after, limit + 1);
    });
    const bool has_more = rows.size() > limit;
    if (has_more) {
        rows.pop_back();
    }
    std::vector<std::string> items;
    items.reserve(rows.size());
    for (auto& row : rows) {
        items.push_back(std::move(row.json));
    }
    std::optional<std::string> next;
    if (has_more) {
        next = listing_cursor(r.institution, rows.back().id);
    }
    return json_reply(c, http::status::ok, protocol::child_page_json(items, next, has_more));
}

response withdraw_child(call& c)
{
    const auto& r = c.route;
    return idempotent(c, [&] {
        const auto body = protocol::parse_withdrawal(c.req.body());
        require_body(body, "the withdrawal is not valid");
        const auto current = c.store().read(
            [&](storage::transaction& tx) { return tx.get_child(r.institution, r.child_id); });
        if (!current) {
            fail(problem_kind::not_found, "no record with this id in this institution");
        }
        auto decoded = codec::decode_child(current->json);
        if (!decoded.ok()) {
            fail(problem_kind::internal, "a stored record could not be read");
        }
        model::child& record = *decoded.record;
        const model::child before = record;
        auto& e = record.enrollment ? *record.enrollment : record.enrollment.emplace();
        e.left_on = body.value.left_on;
        if (body.value.reason) {
            e.leave_reason = *body.value.reason;
        }
        readiness_state state;
        auto warnings = check_for_change(before, record, state);
        const std::string canonical = codec::encode(record);
        auto cond = condition_from(c.req, current);
        if (!cond.if_match) {
            cond.if_match = current->etag; // no lost update between our read and write
        }
        const auto result = c.store().write([&](storage::transaction& tx) {
            return put_tracked(tx, r.institution, r.child_id, canonical, etag_of(canonical), state,
                               cond);
        });
        if (result.outcome == write_outcome::precondition_failed) {
            // No ETag on a withdrawal's 412 (docs/protocol.md §3): read the record again.
            precondition_failed("the record changed since you read it", {});
        }
        return write_reply(c, result, std::move(warnings));
    });
}

response validate(call& c)
{
    auto prof = check::profile::submission;
    if (const auto name = c.param("profile")) {
        const auto pr = check::profile_from_string(*name);
        if (!pr) {
            fail(problem_kind::malformed_request,
                 "profile must be structure, submission or readiness",
                 {parameter_error("parameter.invalid", "profile",
                                  "structure, submission or readiness",
                                  "structure, submission або readiness")});
        }
        prof = *pr;
    }
    auto r = codec::decode_child(c.req.body(), record_options(c.req));
    protocol::validation_result v;
    v.issues = std::move(r.issues);
    if (r.record) {
        check::check_record(*r.record, prof, check::rule_options{.as_of = today()}, v.issues);
    }
    v.valid = r.ok() && !check::has_errors(v.issues);
    return json_reply(c, http::status::ok, protocol::to_json(v));
}

} // namespace aikom::sandbox::detail
