#ifndef AIKOM_PROTOCOL_RESPONSES_HPP
#define AIKOM_PROTOCOL_RESPONSES_HPP

/// @file
/// Classifying the responses of protocol v1: one pure function per endpoint turns an HTTP
/// response into the typed result, or into a `failure` that keeps our words apart from the
/// server's problem details. Nothing here throws on what a server sent.

#include <aikom/protocol/error.hpp>
#include <aikom/protocol/problem.hpp>
#include <aikom/protocol/requests.hpp>
#include <aikom/protocol/types.hpp>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace aikom::protocol {

/// Why a response is not the result the caller asked for.
struct failure {
    /// A `problem_kind` (the server answered with problem details), a `protocol_errc` (the
    /// response is not what the protocol documents) or an `oauth_errc`-like code of the token
    /// endpoint (see `read_token`).
    boost::system::error_code code{};
    unsigned status = 0;              ///< the HTTP status
    std::optional<protocol::problem> problem{}; ///< the server's problem details, when sent
    std::string message{};            ///< our own words: what was wrong and what to do
};

/// Throws `boost::system::system_error` for `result<T, failure>::value()`.
[[noreturn]] void throw_exception_from_error(const failure& f, const boost::source_location& loc);

template <class T>
using response_result = boost::system::result<T, failure>;

/// The media type of `res` without parameters, lower-cased (`application/json`).
[[nodiscard]] std::string media_type(const http_response& res);

/// The common step: a status in `success` with a JSON body gives the body; an error status
/// with `application/problem+json` gives the problem's kind as the code; anything else is a
/// `protocol_errc`.
[[nodiscard]] response_result<std::string_view> classify(const http_response& res,
                                                         std::initializer_list<unsigned> success,
                                                         bool json_body = true);

/// A record read by GET with its ETag (unquoted).
struct fetched_child {
    model::child record{};
    std::string etag{};
};

/// The response as it is, whatever its status (for requests the library has no reader for).
[[nodiscard]] response_result<http_response> read_any(const http_response& res);

[[nodiscard]] response_result<discovery> read_discovery(const http_response& res);
/// 200 with a token; 400/401 with an OAuth2 error body (RFC 6749 §5.2) → `failure::code` is
/// `problem_kind::unauthorized` for `invalid_client` and `malformed_request` for the others,
/// with the OAuth error in the message.
[[nodiscard]] response_result<token_response> read_token(const http_response& res);
[[nodiscard]] response_result<write_result> read_write(const http_response& res);
[[nodiscard]] response_result<fetched_child> read_child(const http_response& res);
[[nodiscard]] response_result<void> read_deleted(const http_response& res);
[[nodiscard]] response_result<child_page> read_child_page(const http_response& res);
[[nodiscard]] response_result<batch_result> read_batch(const http_response& res);
[[nodiscard]] response_result<change_page> read_change_page(const http_response& res);
[[nodiscard]] response_result<validation_result> read_validation(const http_response& res);
/// A correction request: 201 (created), 200 (GET, and the v1.1 answers of apply and reject).
[[nodiscard]] response_result<correction_request> read_correction(const http_response& res);
[[nodiscard]] response_result<correction_page> read_corrections(const http_response& res);
/// The v1.0 answer of apply and reject (a v1.1 full object reads too).
[[nodiscard]] response_result<review_result> read_review(const http_response& res);
[[nodiscard]] response_result<completeness_report> read_completeness(const http_response& res);
/// A grant: 201 (granted), 200 (GET, or a PUT that replaced the note).
[[nodiscard]] response_result<grant> read_grant(const http_response& res);
[[nodiscard]] response_result<grant_list> read_grants(const http_response& res);
[[nodiscard]] response_result<grant_history> read_grant_history(const http_response& res);
/// The authority's reports (JSON; `parse_progress_report` and `parse_form85k_report` of
/// reports.hpp).
[[nodiscard]] response_result<check::progress_report> read_progress_report(const http_response& res);
[[nodiscard]] response_result<check::form85k_report> read_form85k_report(const http_response& res);
/// The OpenAPI document as it was sent (a JSON object; not otherwise checked).
[[nodiscard]] response_result<std::string> read_openapi(const http_response& res);

} // namespace aikom::protocol

#endif
