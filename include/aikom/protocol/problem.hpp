#ifndef AIKOM_PROTOCOL_PROBLEM_HPP
#define AIKOM_PROTOCOL_PROBLEM_HPP

/// @file
/// RFC 9457 problem details as the protocol uses them (docs/protocol.md, "Errors"):
/// `application/problem+json` with `type` (`urn:aikom:problem:<name>`), `title`, `status`,
/// `detail`, `request_id`, `retryable` and `errors` — every validation error of the request,
/// each with a JSON Pointer, a code and messages in English and Ukrainian.

#include <aikom/check/issue.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <optional>

#include <string>
#include <string_view>
#include <vector>

namespace aikom::protocol {

inline constexpr std::string_view problem_content_type = "application/problem+json";

/// The kinds of problem the protocol defines, each with a fixed status.
enum class problem_kind {
    malformed_request,       ///< 400
    unauthorized,            ///< 401
    forbidden,               ///< 403
    not_found,               ///< 404
    method_not_allowed,      ///< 405
    idempotency_in_progress, ///< 409, retryable
    conflict,                ///< 409: the resource is not in a state that allows this
    resync_required,         ///< 410
    precondition_failed,     ///< 412
    payload_too_large,       ///< 413
    unsupported_media_type,  ///< 415
    validation_failed,       ///< 422
    idempotency_key_reused,  ///< 422
    too_many_items,          ///< 422
    rate_limited,            ///< 429, retryable
    internal,                ///< 500
    unavailable,             ///< 503, retryable
};

struct problem {
    std::string type{}; ///< `urn:aikom:problem:<name>`
    std::string title{};
    unsigned status = 0;
    std::string detail{};
    std::string request_id{};
    bool retryable = false;
    std::vector<check::issue> errors{};
};

/// `validation-failed`, … (the last part of the type URN).
[[nodiscard]] std::string_view problem_name(problem_kind k) noexcept;
[[nodiscard]] unsigned problem_status(problem_kind k) noexcept;

/// A problem of kind `k` with its type, title, status and retryability filled in.
[[nodiscard]] problem make_problem(problem_kind k, std::string detail,
                                   std::vector<check::issue> errors = {});

/// The problem's kind from its `type`, if it is one of ours.
[[nodiscard]] std::optional<problem_kind> kind_of(const problem& p) noexcept;

/// Problem kinds are error codes of category `aikom.problem` (value = kind + 1, so that no kind
/// is "success"): a client reports a server's 410 as `problem_kind::resync_required`.
[[nodiscard]] const boost::system::error_category& problem_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(problem_kind k) noexcept
{
    return {static_cast<int>(k) + 1, problem_category()};
}

[[nodiscard]] std::string to_json(const problem& p);
[[nodiscard]] boost::system::result<problem> parse_problem(std::string_view json);

/// One issue as the protocol writes it: `{"pointer","code","severity","message","message_uk"
/// [,"suggestion"]}`, with `"parameter"` or `"header"` instead of `"pointer"` for a protocol
/// error about something outside the body.
[[nodiscard]] std::string issue_to_json(const check::issue& i);
[[nodiscard]] std::string issues_to_json(const std::vector<check::issue>& issues);
/// Reads back what `issues_to_json` wrote (an array of issues). Error: `bad_value`.
[[nodiscard]] boost::system::result<std::vector<check::issue>> parse_issues(std::string_view json);

} // namespace aikom::protocol

template <>
struct boost::system::is_error_code_enum<aikom::protocol::problem_kind> : std::true_type {};

#endif
