#include <aikom/protocol/responses.hpp>

#include "protocol/json_util.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cctype>

namespace aikom::protocol {
namespace {

bool is_json(std::string_view type) noexcept
{
    return type == "application/json";
}

failure protocol_failure(protocol_errc e, unsigned status, std::string message)
{
    return failure{.code = e, .status = status, .problem = std::nullopt, .message = std::move(message)};
}

// The typed body, or a failure that says which endpoint's body did not parse.
template <class T, class Parse>
response_result<T> body_as(const http_response& res, std::initializer_list<unsigned> success,
                           Parse parse, std::string_view what)
{
    auto body = classify(res, success);
    if (!body) {
        return body.error();
    }
    auto parsed = parse(*body);
    if (!parsed) {
        return protocol_failure(
            parsed.error() == make_error_code(protocol_errc::missing_field) ||
                    parsed.error() == make_error_code(protocol_errc::bad_value)
                ? protocol_errc(parsed.error().value())
                : protocol_errc::malformed_json,
            res.result_int(),
            "the body of the " + std::string(what) + " is not what the protocol documents (" +
                parsed.error().message() + ")");
    }
    return std::move(*parsed);
}

std::string unquote_etag(std::string_view v)
{
    if (v.starts_with("W/")) {
        v.remove_prefix(2);
    }
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
        v = v.substr(1, v.size() - 2);
    }
    return std::string(v);
}

} // namespace

void throw_exception_from_error(const failure& f, const boost::source_location& loc)
{
    boost::throw_exception(boost::system::system_error(f.code, f.message), loc);
}

std::string media_type(const http_response& res)
{
    std::string_view v = res[http::field::content_type];
    v = v.substr(0, std::min(v.find(';'), v.size()));
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
    }
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
    }
    std::string out(v);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

response_result<std::string_view> classify(const http_response& res,
                                           std::initializer_list<unsigned> success, bool json_body)
{
    const unsigned status = res.result_int();
    const auto type = media_type(res);
    if (std::find(success.begin(), success.end(), status) != success.end()) {
        if (json_body && !is_json(type)) {
            return protocol_failure(protocol_errc::unexpected_content_type, status,
                                    "HTTP " + std::to_string(status) + " with Content-Type '" +
                                        type + "' where application/json was expected");
        }
        return std::string_view(res.body());
    }
    if (status >= 200 && status < 300) {
        return protocol_failure(protocol_errc::unexpected_status, status,
                                "HTTP " + std::to_string(status) +
                                    " is not a status this endpoint documents");
    }
    if (type != problem_content_type) {
        return protocol_failure(protocol_errc::problem_without_details, status,
                                "HTTP " + std::to_string(status) + " without problem details" +
                                    (type.empty() ? std::string() : " (Content-Type '" + type + "')"));
    }
    auto p = parse_problem(res.body());
    if (!p) {
        return protocol_failure(protocol_errc::problem_without_details, status,
                                "HTTP " + std::to_string(status) +
                                    " with problem details that do not parse (" +
                                    p.error().message() + ")");
    }
    failure f;
    f.status = status;
    const auto kind = kind_of(*p);
    f.code = kind ? make_error_code(*kind) : make_error_code(protocol_errc::unexpected_status);
    f.message = "HTTP " + std::to_string(status) + " " + p->title +
                (p->detail.empty() ? std::string() : ": " + p->detail);
    f.problem = std::move(*p);
    return f;
}

response_result<http_response> read_any(const http_response& res)
{
    return res;
}

response_result<discovery> read_discovery(const http_response& res)
{
    return body_as<discovery>(res, {200}, [](std::string_view b) { return parse_discovery(b); },
                              "discovery document");
}

response_result<token_response> read_token(const http_response& res)
{
    const unsigned status = res.result_int();
    if (status == 400 || status == 401) {
        if (is_json(media_type(res))) {
            if (auto e = parse_oauth_error(res.body())) {
                failure f;
                f.status = status;
                f.code = e->error == "invalid_client" ? make_error_code(problem_kind::unauthorized)
                                                      : make_error_code(problem_kind::malformed_request);
                f.message = "the token endpoint refused the request: " + e->error +
                            (e->error_description.empty() ? std::string()
                                                          : " (" + e->error_description + ")");
                return f;
            }
        }
    }
    auto t = body_as<token_response>(res, {200},
                                     [](std::string_view b) { return parse_token_response(b); },
                                     "token response");
    // RFC 6749 §5.1: token_type is case-insensitive.
    if (t && !boost::beast::iequals(t->token_type, "Bearer")) {
        return protocol_failure(protocol_errc::bad_value, status,
                                "the token endpoint issued a token of type '" + t->token_type +
                                    "'; only Bearer tokens are supported");
    }
    return t;
}

response_result<write_result> read_write(const http_response& res)
{
    return body_as<write_result>(res, {200, 201},
                                 [](std::string_view b) { return parse_write_result(b); },
                                 "write result");
}

response_result<fetched_child> read_child(const http_response& res)
{
    auto body = classify(res, {200});
    if (!body) {
        return body.error();
    }
    // Newer members of the record are skipped (docs/protocol.md §13), everything else is strict.
    auto decoded = codec::decode_child(*body, {.unknown_fields = codec::unknown_field_policy::warn});
    if (!decoded.ok()) {
        std::string first = decoded.issues.empty()
                                ? std::string()
                                : ": " + decoded.issues.front().pointer + " " +
                                      decoded.issues.front().code;
        return protocol_failure(protocol_errc::malformed_json, res.result_int(),
                                "the record the server returned does not decode strictly" + first);
    }
    return fetched_child{.record = std::move(*decoded.record),
                         .etag = unquote_etag(res[http::field::etag])};
}

response_result<void> read_deleted(const http_response& res)
{
    auto body = classify(res, {204}, false);
    if (!body) {
        return body.error();
    }
    return {};
}

response_result<child_page> read_child_page(const http_response& res)
{
    return body_as<child_page>(res, {200}, [](std::string_view b) { return parse_child_page(b); },
                               "page of children");
}

response_result<batch_result> read_batch(const http_response& res)
{
    return body_as<batch_result>(res, {200},
                                 [](std::string_view b) { return parse_batch_result(b); },
                                 "batch result");
}

response_result<change_page> read_change_page(const http_response& res)
{
    return body_as<change_page>(res, {200}, [](std::string_view b) { return parse_change_page(b); },
                                "change feed page");
}

response_result<validation_result> read_validation(const http_response& res)
{
    return body_as<validation_result>(
        res, {200}, [](std::string_view b) { return parse_validation_result(b); },
        "validation result");
}

response_result<correction_request> read_correction(const http_response& res)
{
    return body_as<correction_request>(
        res, {200, 201}, [](std::string_view b) { return parse_correction_request(b); },
        "correction request");
}

response_result<correction_page> read_corrections(const http_response& res)
{
    return body_as<correction_page>(res, {200},
                                    [](std::string_view b) { return parse_correction_page(b); },
                                    "page of correction requests");
}

response_result<review_result> read_review(const http_response& res)
{
    return body_as<review_result>(res, {200},
                                  [](std::string_view b) { return parse_review_result(b); },
                                  "review result");
}

response_result<completeness_report> read_completeness(const http_response& res)
{
    return body_as<completeness_report>(
        res, {200}, [](std::string_view b) { return parse_completeness_report(b); },
        "completeness report");
}

response_result<check::progress_report> read_progress_report(const http_response& res)
{
    return body_as<check::progress_report>(
        res, {200}, [](std::string_view b) { return parse_progress_report(b); }, "progress report");
}

response_result<check::form85k_report> read_form85k_report(const http_response& res)
{
    return body_as<check::form85k_report>(
        res, {200}, [](std::string_view b) { return parse_form85k_report(b); },
        "form 85-K report");
}

response_result<grant> read_grant(const http_response& res)
{
    return body_as<grant>(res, {200, 201}, [](std::string_view b) { return parse_grant(b); },
                          "grant");
}

response_result<grant_list> read_grants(const http_response& res)
{
    return body_as<grant_list>(res, {200}, [](std::string_view b) { return parse_grant_list(b); },
                               "list of grants");
}

response_result<grant_history> read_grant_history(const http_response& res)
{
    return body_as<grant_history>(res, {200},
                                  [](std::string_view b) { return parse_grant_history(b); },
                                  "grant history");
}

response_result<std::string> read_openapi(const http_response& res)
{
    return body_as<std::string>(
        res, {200},
        [](std::string_view b) -> boost::system::result<std::string> {
            if (!detail::valid_json(b) || detail::first_char(b) != '{') {
                return make_error_code(protocol_errc::malformed_json);
            }
            return std::string(b);
        },
        "OpenAPI document");
}

} // namespace aikom::protocol
