#include <aikom/protocol/error.hpp>
#include <aikom/protocol/problem.hpp>

#include "protocol/json_util.hpp"

#include <array>
#include <string>

namespace aikom::protocol {
namespace {

struct kind_info {
    problem_kind kind;
    std::string_view name;
    unsigned status;
    std::string_view title;
    bool retryable;
};

constexpr std::array<kind_info, 17> kinds = {{
    {problem_kind::malformed_request, "malformed-request", 400, "Malformed request", false},
    {problem_kind::unauthorized, "unauthorized", 401, "Authentication required", false},
    {problem_kind::forbidden, "forbidden", 403, "Forbidden", false},
    {problem_kind::not_found, "not-found", 404, "Not found", false},
    {problem_kind::method_not_allowed, "method-not-allowed", 405, "Method not allowed", false},
    {problem_kind::idempotency_in_progress, "idempotency-in-progress", 409,
     "A request with this Idempotency-Key is still in progress", true},
    {problem_kind::conflict, "conflict", 409, "Conflict", false},
    {problem_kind::resync_required, "resync-required", 410, "Cursor too old: resync required",
     false},
    {problem_kind::precondition_failed, "precondition-failed", 412, "Precondition failed", false},
    {problem_kind::payload_too_large, "payload-too-large", 413, "Request body too large", false},
    {problem_kind::unsupported_media_type, "unsupported-media-type", 415, "Unsupported media type",
     false},
    {problem_kind::validation_failed, "validation-failed", 422, "The record is not valid", false},
    {problem_kind::idempotency_key_reused, "idempotency-key-reused", 422,
     "Idempotency-Key reused with a different request", false},
    {problem_kind::too_many_items, "too-many-items", 422, "Too many items in the batch", false},
    {problem_kind::rate_limited, "rate-limited", 429, "Too many requests", true},
    {problem_kind::internal, "internal", 500, "Internal server error", false},
    {problem_kind::unavailable, "unavailable", 503, "Service unavailable", true},
}};

constexpr std::string_view type_prefix = "urn:aikom:problem:";

const kind_info& info(problem_kind k) noexcept
{
    return kinds[static_cast<std::size_t>(k)];
}

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "aikom.problem"; }

    std::string message(int ev) const override
    {
        if (ev <= 0 || static_cast<std::size_t>(ev) > kinds.size()) {
            return "unknown aikom.problem";
        }
        const auto& k = kinds[static_cast<std::size_t>(ev - 1)];
        return std::string(k.title) + " (HTTP " + std::to_string(k.status) +
               "): see the server's problem details for what to change";
    }
};

} // namespace

const boost::system::error_category& problem_category() noexcept
{
    static const category instance;
    return instance;
}

std::string_view problem_name(problem_kind k) noexcept
{
    return info(k).name;
}
unsigned problem_status(problem_kind k) noexcept
{
    return info(k).status;
}

problem make_problem(problem_kind k, std::string detail, std::vector<check::issue> errors)
{
    const auto& i = info(k);
    problem p;
    p.type = std::string(type_prefix) + std::string(i.name);
    p.title = std::string(i.title);
    p.status = i.status;
    p.detail = std::move(detail);
    p.retryable = i.retryable;
    p.errors = std::move(errors);
    return p;
}

std::optional<problem_kind> kind_of(const problem& p) noexcept
{
    if (!std::string_view(p.type).starts_with(type_prefix)) {
        return std::nullopt;
    }
    const auto name = std::string_view(p.type).substr(type_prefix.size());
    for (const auto& k : kinds) {
        if (k.name == name) {
            return k.kind;
        }
    }
    return std::nullopt;
}

std::string issue_to_json(const check::issue& i)
{
    return boost::json::serialize(detail::issue_value(i));
}

std::string issues_to_json(const std::vector<check::issue>& issues)
{
    return boost::json::serialize(detail::issues_value(issues));
}

boost::system::result<std::vector<check::issue>> parse_issues(std::string_view json)
{
    boost::system::error_code ec;
    const auto v = boost::json::parse(json, ec);
    if (ec || !v.is_array()) {
        return make_error_code(protocol_errc::bad_value);
    }
    return detail::parse_issues(v.as_array());
}

std::string to_json(const problem& p)
{
    boost::json::object o;
    o["type"] = p.type;
    o["title"] = p.title;
    o["status"] = p.status;
    if (!p.detail.empty()) {
        o["detail"] = p.detail;
    }
    o["request_id"] = p.request_id;
    o["retryable"] = p.retryable;
    o["errors"] = detail::issues_value(p.errors);
    return boost::json::serialize(o);
}

boost::system::result<problem> parse_problem(std::string_view json)
{
    auto v = detail::parse_object(json);
    if (!v) {
        return v.error();
    }
    detail::member_reader r(*v);
    problem p;
    p.type = r.string("type");
    p.title = r.string_or("title");
    p.status = static_cast<unsigned>(r.uint("status", 100, 599));
    p.detail = r.string_or("detail");
    p.request_id = r.string_or("request_id");
    p.retryable = r.boolean_or("retryable", false);
    p.errors = r.issues("errors");
    if (!r.ok()) {
        return r.error();
    }
    if (p.type.empty()) {
        return make_error_code(protocol_errc::missing_field);
    }
    return p;
}

} // namespace aikom::protocol
