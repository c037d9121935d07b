// Private: what the sandbox's handlers share. A handler is a function of one request's context
// (`call`: the request, its route, the caller, the request id, the storage); the route table
// (routes.cpp) says which handler serves which method of which endpoint, with which scope and
// query parameters. A handler answers by returning a response or by throwing `problem_exit`
// (through `fail`); the dispatcher turns the latter into a problem response with its headers
// and the request id.
#ifndef AIKOM_SRC_SANDBOX_HANDLERS_HPP
#define AIKOM_SRC_SANDBOX_HANDLERS_HPP

#include "sandbox/auth.hpp"
#include "sandbox/service.hpp"
#include "sandbox/storage.hpp"

#include <aikom/check/issue.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/model/child.hpp>
#include <aikom/protocol/problem.hpp>
#include <aikom/protocol/routes.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::sandbox::detail {

using protocol::problem_kind;

inline constexpr std::string_view json_type = "application/json";

/// Thrown by a handler to answer with a problem. The headers a problem needs are fields, set by
/// whoever knows them; `dispatch` writes them.
struct problem_exit {
    protocol::problem problem;
    std::string etag{};                                ///< `ETag` (a 412 or 409 on a record)
    std::string allow{};                               ///< `Allow` (a 405)
    std::optional<std::chrono::seconds> retry_after{}; ///< `Retry-After`
};

[[noreturn]] void fail(problem_kind k, std::string detail, std::vector<check::issue> errors = {});

/// A protocol error about a path or query parameter (docs/protocol.md §8.3): `code` from the
/// registry, `parameter` named instead of a pointer, `{expected}` filled in both languages.
[[nodiscard]] check::issue parameter_error(std::string_view code, std::string parameter,
                                           std::string_view expected_en = {},
                                           std::string_view expected_uk = {});
/// The same about a header.
[[nodiscard]] check::issue header_error(std::string_view code, std::string header,
                                        std::string_view expected_en = {},
                                        std::string_view expected_uk = {});

/// The fault knobs, shared by the network layer and the admin endpoint.
class fault_box {
public:
    explicit fault_box(fault_settings initial) : settings_(initial) {}
    [[nodiscard]] fault_settings get() const
    {
        std::lock_guard lock(mutex_);
        return settings_;
    }
    void set(const fault_settings& f)
    {
        std::lock_guard lock(mutex_);
        settings_ = f;
    }

private:
    mutable std::mutex mutex_;
    fault_settings settings_;
};

/// What outlives requests.
struct server_state {
    const server_options& options;
    storage& store;
    authority& auth;
    fault_box& faults;
};

/// One request being answered.
struct call {
    const request& req;
    const protocol::target& target;
    const protocol::route& route;
    std::string_view name; ///< the endpoint's name in logs and the audit trail
    server_state& server;
    const std::string& request_id;
    principal who{}; ///< the caller (empty on routes without authentication)

    [[nodiscard]] storage& store() const { return server.store; }
    [[nodiscard]] const server_options& options() const { return server.options; }

    /// Logs and audits a refusal (client id, method, endpoint and reason; never personal data).
    void refused(std::string_view reason) const;
    /// 403 unless the token has `scope`.
    void require_scope(std::string_view scope) const;
    /// 403 unless `institution` is within the caller's reach; the same answer whether or not
    /// anything exists there.
    void require_institution(std::string_view institution) const;
    /// 415 unless the body is `application/json` (in UTF-8).
    void require_json() const;

    /// The value of query parameter `name` (first occurrence).
    [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const
    {
        return target.param(name);
    }
    /// `limit` in 1..`max` (absent: `fallback`); 400 otherwise.
    [[nodiscard]] std::size_t limit_param(std::size_t fallback, std::size_t max) const;
    /// A `YYYY-MM-DD` query parameter; 400 when malformed.
    [[nodiscard]] std::optional<model::date> date_param(std::string_view name) const;
};

// ---- responses ----------------------------------------------------------------------------------

[[nodiscard]] response reply(const request& req, http::status status,
                             std::string_view content_type, std::string body);
[[nodiscard]] response json_reply(const call& c, http::status status, std::string body);
[[nodiscard]] response no_content(const call& c);
[[nodiscard]] response problem_reply(const request& req, protocol::problem p);

/// Whether the request's Content-Type is `type` (case-insensitive, parameters ignored).
[[nodiscard]] bool has_media_type(const request& req, std::string_view type);

// ---- records ------------------------------------------------------------------------------------

/// "Today" for every date rule and report default: the date in Kyiv.
[[nodiscard]] model::date today();

/// The ETag of a stored record: the first 32 hex digits of its content hash.
[[nodiscard]] std::string etag_of(std::string_view canonical);
[[nodiscard]] std::string quote_etag(std::string_view etag);

/// The record decoder's options for this request (`Prefer: handling=lenient`).
[[nodiscard]] codec::decode_options record_options(const request& req);

/// Whether decoding issues mean the bytes were not even JSON (400) rather than a bad record.
[[nodiscard]] bool is_malformed(const std::vector<check::issue>& issues);

/// The state of a written record for the progress report, judged on `day`.
[[nodiscard]] readiness_state readiness_of(const model::child& c, model::date day);
/// The same from the `readiness` profile's issues of `c` as of `day`, already computed (a write
/// computes them once, for its warnings and for this).
[[nodiscard]] readiness_state readiness_of(const model::child& c, model::date day,
                                           const std::vector<check::issue>& readiness_issues);

/// The `readiness` profile's issues of a record that is being written, as warnings (only
/// `submission` refuses a write), and its state for the progress report, from one check.
readiness_state add_readiness_warnings(const model::child& c, model::date day,
                                       std::vector<check::issue>& warnings);
/// `readiness_of` for a record in canonical JSON (a stored record, an applied correction).
[[nodiscard]] readiness_state readiness_of_json(std::string_view json, model::date day);

/// Gives every record without a readiness state (a database of an earlier version) its state as
/// of today, so that the progress report counts it from today on.
void track_untracked_records(storage& store);

/// The write of one record with its progress-report state, in the caller's transaction.
write_result put_tracked(storage::transaction& tx, std::string_view institution,
                         std::string_view id, std::string_view canonical, std::string_view etag,
                         readiness_state state, const write_condition& condition = {});

/// 1..`max` characters of A-Z a-z 0-9 . _ : - (record ids, client ids, request ids, keys).
[[nodiscard]] bool is_protocol_id(std::string_view s, std::size_t max) noexcept;

/// 400 `parameter.invalid` at `institution` unless `value` is an 8-digit code.
void require_institution_param(std::string_view value);

/// A request body the protocol layer could not accept: 400 when it is not even a JSON object,
/// otherwise the problem its fault calls for, with every issue of the body.
template <class T>
void require_body(const protocol::parsed_body<T>& body, std::string detail)
{
    if (body.fault == protocol::body_fault::malformed && body.issues.empty()) {
        fail(problem_kind::malformed_request, "the body must be a JSON object");
    }
    if (!body.ok()) {
        fail(protocol::problem_kind_of(body.fault), std::move(detail), body.issues);
    }
}

/// Runs `handler` under the request's `Idempotency-Key`, if any (docs/protocol.md §9).
[[nodiscard]] response idempotent(call& c, const std::function<response()>& handler);

// ---- handlers, by subject -------------------------------------------------------------------------

using handler = response (*)(call&);

// admin.cpp: discovery, the token endpoint, the contract, the fault knobs
response discovery(call& c);
response token(call& c);
response openapi(call& c);
response get_faults(call& c);
response put_faults(call& c);

// records.cpp
response get_child(call& c);
response put_child(call& c);
response delete_child(call& c);
response list_children(call& c);
response withdraw_child(call& c);
response validate(call& c);

// batches.cpp
response run_batch(call& c);

// feed.cpp
response changes(call& c);

// corrections.cpp
response create_correction(call& c);
response list_corrections(call& c);
response get_correction(call& c);
response apply_correction(call& c);
response reject_correction(call& c);

// grants.cpp
response list_grants(call& c);
response get_grant(call& c);
response put_grant(call& c);
response revoke_grant(call& c);
response grant_history(call& c);
/// Grants the clients file's institution/platform pairs not seeded before.
void seed_grants(storage& store, const std::vector<client_entry>& clients);
/// Fills the caller's institutions from the current grants (institution and platform roles).
void resolve_access(storage& store, principal& who);

// reports.cpp
response completeness_report(call& c);
response progress_report(call& c);
response form85k_report(call& c);

} // namespace aikom::sandbox::detail

#endif
