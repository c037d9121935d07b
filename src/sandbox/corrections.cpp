// Correction requests ("red fields"): an institution proposes a record that the normal path
// cannot save, naming the fields at fault; a reviewer applies it (if the record did not change
// meanwhile) or rejects it with a note.
#include "sandbox/handlers.hpp"

#include <aikom/check/issue_codes.hpp>
#include <aikom/check/rules.hpp>
#include <aikom/protocol/corrections.hpp>
#include <aikom/protocol/session.hpp>

#include <boost/json.hpp>

#include <charconv>

namespace aikom::sandbox::detail {
namespace {

// The stored form of the red fields: a JSON array of strings.
std::string json_strings(const std::vector<std::string>& v)
{
    boost::json::array a;
    for (const auto& s : v) {
        a.emplace_back(s);
    }
    return boost::json::serialize(a);
}

std::vector<std::string> strings_of(std::string_view json)
{
    std::vector<std::string> out;
    boost::system::error_code ec;
    const auto v = boost::json::parse(json, ec);
    if (ec || !v.is_array()) {
        fail(problem_kind::internal, "a stored correction request could not be read");
    }
    for (const auto& item : v.as_array()) {
        if (item.is_string()) {
            out.emplace_back(item.as_string());
        }
    }
    return out;
}

// The protocol's object from the stored request; `full` adds the record and the history.
protocol::correction_request to_protocol(storage::transaction* tx, const correction_request& c,
                                         bool full)
{
    protocol::correction_request out;
    out.id = c.id;
    out.institution = c.institution;
    out.child_id = c.child_id;
    out.status = protocol::status_from_string<protocol::correction_status>(c.status)
                     .value_or(protocol::correction_status::pending);
    out.reason = c.reason;
    out.fields = strings_of(c.fields_json);
    out.base_etag = c.base_etag;
    auto issues = protocol::parse_issues(c.issues_json);
    if (!issues) {
        fail(problem_kind::internal, "a stored correction request could not be read");
    }
    out.issues = std::move(*issues);
    out.etag = c.etag;
    out.created_by = c.created_by;
    out.created_at = std::chrono::sys_seconds(std::chrono::seconds(c.created_at));
    if (!c.reviewed_by.empty()) {
        out.reviewed_by = c.reviewed_by;
        out.reviewed_at = std::chrono::sys_seconds(std::chrono::seconds(c.reviewed_at));
        out.review_note = c.review_note;
    }
    if (full) {
        auto record = codec::decode_child(c.record_json);
        if (!record.ok()) {
            fail(problem_kind::internal, "a stored correction request could not be read");
        }
        out.record = std::move(*record.record);
        for (auto& e : tx->audit_of(c.id, 1000)) {
            out.history.push_back({std::chrono::sys_seconds(std::chrono::seconds(e.at)),
                                   std::move(e.actor), std::move(e.action), std::move(e.detail)});
        }
    }
    return out;
}

std::string full_json(storage& store, const correction_request& c)
{
    return store.read(
        [&](storage::transaction& tx) { return protocol::to_json(to_protocol(&tx, c, true)); });
}

// The distinct pointers of the errors, in the order reported.
std::vector<std::string> error_pointers(const std::vector<check::issue>& issues)
{
    std::vector<std::string> out;
    for (const auto& i : issues) {
        if (i.severity == check::severity::error &&
            std::find(out.begin(), out.end(), i.pointer) == out.end()) {
            out.push_back(i.pointer);
        }
    }
    return out;
}

// The correction request of the path, if the caller may see it: a request that does not exist
// is a 404 only for callers who reach every institution (for the others the same 403 as for a
// request of another institution).
correction_request correction_in_scope(const call& c)
{
    auto found = c.store().read(
        [&](storage::transaction& tx) { return tx.get_correction(c.route.correction_id); });
    if (!found && c.who.unrestricted()) {
        fail(problem_kind::not_found, "no correction request with this id");
    }
    if (!found || !c.who.in_scope(found->institution)) {
        c.refused(found ? "institution out of scope" : "unknown correction request");
        // One answer for both: a caller cannot learn which ids exist elsewhere.
        fail(problem_kind::forbidden, "this correction request is not within your access",
             {check::make_issue("access.institution", {})});
    }
    return *found;
}

// A listing cursor: the last request number, bound to the filter it was issued for.
std::string list_cursor(std::int64_t num, std::string_view status, std::string_view institution)
{
    return protocol::encode_cursor("r", std::to_string(num) + "/" + std::string(status) + "/" +
                                            std::string(institution));
}

std::int64_t parse_list_cursor(std::string_view cursor, std::string_view status,
                               std::string_view institution)
{
    const auto v = protocol::decode_cursor(cursor, "r");
    const std::string suffix = "/" + std::string(status) + "/" + std::string(institution);
    std::int64_t num = 0;
    if (v && v->size() > suffix.size() && v->ends_with(suffix)) {
        const char* first = v->data();
        const char* last = v->data() + v->size() - suffix.size();
        const auto [end, ec] = std::from_chars(first, last, num);
        if (ec == std::errc{} && end == last && num > 0) {
            return num;
        }
    }
    fail(problem_kind::malformed_request,
         "the cursor was not issued by this server for this listing (same status and "
         "institution)",
         {parameter_error("cursor.invalid", "cursor")});
}

response review(call& c, bool apply)
{
    return idempotent(c, [&] {
        const auto cr = correction_in_scope(c);
        const auto body = protocol::parse_review(c.req.body(), !apply);
        require_body(body, "the review is not valid");
        const std::string note = body.value.note.value_or(std::string());
        if (cr.status != "pending") {
            fail(problem_kind::conflict, "the correction request is already " + cr.status);
        }
        const std::string status = apply ? "applied" : "rejected";
        const auto state = apply ? readiness_of_json(cr.record_json, today()) : readiness_state{};
        // The check of the record's ETag, the write, the review and its audit entry: one
        // transaction, so that neither a concurrent reviewer nor a concurrent write can slip in
        // between.
        const auto reviewed = c.store().write([&](storage::transaction& tx) {
            std::optional<std::string> etag;
            if (apply) {
                const auto current = tx.get_child(cr.institution, cr.child_id);
                const std::optional<std::string> now =
                    current ? std::optional<std::string>(current->etag) : std::nullopt;
                if (now != cr.base_etag) {
                    problem_exit e{protocol::make_problem(
                        problem_kind::conflict, "the record changed since this correction request "
                                                "was made: review it again")};
                    e.etag = now.value_or(std::string());
                    throw e;
                }
                const auto w = put_tracked(tx, cr.institution, cr.child_id, cr.record_json,
                                           etag_of(cr.record_json), state);
                etag = w.etag;
            }
            if (!tx.review_correction(cr.id, status, c.who.client_id, note, etag)) {
                fail(problem_kind::conflict, "the correction request was reviewed meanwhile");
            }
            tx.audit(c.who.client_id, apply ? "correction.apply" : "correction.reject", cr.id,
                     cr.institution + "/" + cr.child_id);
            // The answer from the same transaction: nothing can fail after the commit.
            return protocol::to_json(to_protocol(&tx, *tx.get_correction(cr.id), true));
        });
        return json_reply(c, http::status::ok, reviewed);
    });
}

} // namespace

response create_correction(call& c)
{
    return idempotent(c, [&] {
        auto body = protocol::parse_correction_draft(c.req.body(), record_options(c.req));
        switch (body.fault) {
        case protocol::body_fault::invalid:
            fail(problem_kind::validation_failed, "the correction request is incomplete",
                 std::move(body.issues));
        case protocol::body_fault::invalid_id:
            fail(problem_kind::validation_failed, "child_id is not a valid record id",
                 std::move(body.issues));
        case protocol::body_fault::none:
        case protocol::body_fault::invalid_record:
            break;
        default:
            require_body(body, "the correction request is not valid");
        }
        auto& draft = body.value;
        c.require_institution(draft.institution);
        if (body.fault == protocol::body_fault::invalid_record) {
            fail(problem_kind::validation_failed, "the proposed record could not be decoded",
                 std::move(body.issues));
        }
        auto& record = draft.record;
        record.id = draft.child_id;
        record.institution = model::edrpou(draft.institution);
        const check::rule_options rules{.as_of = today()};
        // Structure only: a correction exists because `submission` refuses the record.
        auto structure = check::check_record(record, check::profile::structure, rules);
        if (check::has_errors(structure)) {
            std::erase_if(structure,
                          [](const check::issue& i) { return i.severity != check::severity::error; });
            for (auto& i : structure) {
                i.pointer = "/record" + i.pointer;
            }
            fail(problem_kind::validation_failed, "the proposed record is malformed", structure);
        }
        const auto submission = check::check_record(record, check::profile::submission, rules);
        correction_request cr;
        cr.institution = std::move(draft.institution);
        cr.child_id = std::move(draft.child_id);
        cr.reason = std::move(draft.reason);
        cr.record_json = codec::encode(record);
        cr.created_by = c.who.client_id;
        cr.fields_json =
            json_strings(draft.fields.empty() ? error_pointers(submission) : draft.fields);
        cr.issues_json = protocol::issues_to_json(submission);
        const auto [id, answer] = c.store().write([&](storage::transaction& tx) {
            const auto current = tx.get_child(cr.institution, cr.child_id);
            if (draft.base_etag && (!current || current->etag != *draft.base_etag)) {
                problem_exit e{protocol::make_problem(
                    problem_kind::precondition_failed,
                    current ? "the record changed since base_etag was read: look at it again"
                            : "base_etag names a record that does not exist")};
                e.etag = current ? current->etag : std::string();
                throw e;
            }
            if (current) {
                cr.base_etag = current->etag;
            }
            auto stored = tx.create_correction(std::move(cr));
            tx.audit(c.who.client_id, "correction.create", stored.id,
                     stored.institution + "/" + stored.child_id);
            // The answer from the same transaction: nothing can fail after the commit.
            return std::make_pair(stored.id, protocol::to_json(to_protocol(&tx, stored, true)));
        });
        auto res = json_reply(c, http::status::created, answer);
        res.set(http::field::location, protocol::correction_target(id));
        return res;
    });
}

response list_corrections(call& c)
{
    const auto status = c.param("status").value_or("");
    if (!status.empty() && !protocol::status_from_string<protocol::correction_status>(status)) {
        fail(problem_kind::malformed_request, "status is pending, applied or rejected",
             {parameter_error("parameter.invalid", "status", "pending, applied or rejected",
                              "pending, applied або rejected")});
    }
    const auto only = c.param("institution");
    const protocol::limits lim;
    const auto limit = c.limit_param(lim.page_size_default, lim.page_size_max);
    std::int64_t after = 0;
    if (const auto cursor = c.param("cursor")) {
        after = parse_list_cursor(*cursor, status, only.value_or(""));
    }
    auto list = c.store().read([&](storage::transaction& tx) {
        return tx.list_corrections(
            [&](std::string_view inst) { return c.who.in_scope(inst) && (!only || *only == inst); },
            status, after, limit + 1);
    });
    const bool has_more = list.size() > limit;
    if (has_more) {
        list.pop_back();
    }
    protocol::correction_page out;
    out.items.reserve(list.size());
    for (const auto& cr : list) {
        out.items.push_back(to_protocol(nullptr, cr, false));
    }
    out.has_more = has_more;
    if (has_more) {
        std::int64_t last = 0;
        const auto& id = list.back().id; // "cr-<n>", made by the storage
        std::from_chars(id.data() + 3, id.data() + id.size(), last);
        out.next_cursor = list_cursor(last, status, only.value_or(""));
    }
    return json_reply(c, http::status::ok, protocol::to_json(out));
}

response get_correction(call& c)
{
    const auto cr = correction_in_scope(c);
    return json_reply(c, http::status::ok, full_json(c.store(), cr));
}

response apply_correction(call& c)
{
    return review(c, true);
}

response reject_correction(call& c)
{
    return review(c, false);
}

} // namespace aikom::sandbox::detail
