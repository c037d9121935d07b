#include <aikom/codec/json.hpp>
#include <aikom/protocol/requests.hpp>
#include <aikom/protocol/routes.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <array>

namespace aikom::protocol {
namespace {

// Form encoding (application/x-www-form-urlencoded): unreserved as is, space as `+`.
std::string form_value(std::string_view text)
{
    std::string out = boost::urls::encode(text, boost::urls::unreserved_chars);
    std::string plus;
    plus.reserve(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out.compare(i, 3, "%20") == 0) {
            plus += '+';
            i += 2;
        } else {
            plus += out[i];
        }
    }
    return plus;
}

std::string base64(std::string_view in)
{
    static constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const auto n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    if (const auto rest = in.size() - i; rest != 0) {
        unsigned n = static_cast<unsigned char>(in[i]) << 16;
        if (rest == 2) {
            n |= static_cast<unsigned char>(in[i + 1]) << 8;
        }
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// `YYYY-MM-DD`, or "" (left out of a query).
std::string iso(const std::optional<model::date>& d)
{
    return d ? model::to_iso_string(*d) : std::string();
}

request_spec json_spec(http::verb method, std::string target, std::string body)
{
    return {.method = method,
            .target = std::move(target),
            .body = std::move(body),
            .content_type = json_content_type,
            .authenticated = true,
            .takes_idempotency_key = method == http::verb::post};
}

} // namespace

bool is_idempotent(http::verb method) noexcept
{
    switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::options:
        return true;
    default:
        return false;
    }
}

http_request build_request(const request_spec& spec, const request_headers& h)
{
    http_request req{spec.method, spec.target, 11};
    if (!h.host.empty()) {
        req.set(http::field::host, h.host);
    }
    if (!h.user_agent.empty()) {
        req.set(http::field::user_agent, h.user_agent);
    }
    req.set(http::field::accept, "application/json, application/problem+json");
    if (spec.authenticated && !h.bearer_token.empty()) {
        req.set(http::field::authorization, "Bearer " + std::string(h.bearer_token));
    } else if (spec.client_credentials && !h.basic.empty()) {
        req.set(http::field::authorization, "Basic " + std::string(h.basic));
    }
    if (!h.request_id.empty()) {
        req.set("X-Request-Id", h.request_id);
    }
    if (spec.takes_idempotency_key && !h.idempotency_key.empty()) {
        req.set("Idempotency-Key", h.idempotency_key);
    }
    if (!h.if_match.empty()) {
        req.set(http::field::if_match, "\"" + std::string(h.if_match) + "\"");
    }
    if (!spec.content_type.empty()) {
        req.set(http::field::content_type, spec.content_type);
    }
    for (const auto& [name, value] : spec.headers) {
        req.set(name, value);
    }
    req.keep_alive(h.keep_alive);
    req.body() = spec.body;
    req.prepare_payload(); // Content-Length, also 0 for an empty POST; none for a bare GET
    return req;
}

std::string basic_credentials(std::string_view client_id, std::string_view secret)
{
    return base64(form_value(client_id) + ":" + form_value(secret));
}

request_spec discovery_request()
{
    return {.method = http::verb::get, .target = "/v1", .authenticated = false};
}

request_spec token_request(std::string_view token_url, std::string_view scope)
{
    std::string body = "grant_type=client_credentials";
    if (!scope.empty()) {
        body += "&scope=" + form_value(scope);
    }
    return {.method = http::verb::post,
            .target = std::string(token_url),
            .body = std::move(body),
            .content_type = form_content_type,
            .authenticated = false,
            .takes_idempotency_key = false,
            .client_credentials = true};
}

request_spec upsert_request(std::string_view institution, const model::child& record)
{
    return json_spec(http::verb::put, child_target(institution, record.id), codec::encode(record));
}

request_spec get_child_request(std::string_view institution, std::string_view id)
{
    return {.method = http::verb::get, .target = child_target(institution, id)};
}

request_spec delete_child_request(std::string_view institution, std::string_view id)
{
    return {.method = http::verb::delete_, .target = child_target(institution, id)};
}

request_spec withdrawal_request(std::string_view institution, std::string_view id,
                                const withdrawal& body)
{
    return json_spec(http::verb::post, withdrawal_target(institution, id), to_json(body));
}

request_spec children_request(std::string_view institution, std::size_t limit,
                              std::string_view cursor)
{
    return {.method = http::verb::get, .target = children_target(institution, limit, cursor)};
}

request_spec batch_request(const std::vector<model::child>& records)
{
    return json_spec(http::verb::post, "/v1/batches", batch_request_json(records));
}

request_spec changes_request(std::string_view cursor, std::size_t limit,
                             std::span<const std::string> institutions)
{
    return {.method = http::verb::get, .target = changes_target(cursor, limit, institutions)};
}

request_spec validate_request(const model::child& record, check::profile profile)
{
    auto spec = json_spec(http::verb::post,
                          validate_target(check::to_string(profile)),
                          codec::encode(record));
    spec.takes_idempotency_key = false; // writes nothing: the server ignores the key
    return spec;
}

request_spec create_correction_request(const correction_draft& draft)
{
    return json_spec(http::verb::post, "/v1/correction-requests", to_json(draft));
}

request_spec corrections_request(std::optional<correction_status> status,
                                 std::string_view institution, std::size_t limit,
                                 std::string_view cursor)
{
    const std::string_view s = status ? to_string(*status) : std::string_view{};
    return {.method = http::verb::get,
            .target = corrections_target(s, institution, limit, cursor)};
}

request_spec get_correction_request(std::string_view id)
{
    return {.method = http::verb::get, .target = correction_target(id)};
}

request_spec review_request(std::string_view id, bool apply, const review& body)
{
    return json_spec(http::verb::post, correction_target(id, apply ? "apply" : "reject"),
                     to_json(body));
}

request_spec completeness_request(std::string_view institution, std::optional<model::date> as_of,
                                  std::optional<model::date> deadline)
{
    return {.method = http::verb::get,
            .target = completeness_target(institution, iso(as_of), iso(deadline))};
}

request_spec grants_request(std::string_view institution)
{
    return {.method = http::verb::get, .target = grants_target(institution)};
}

request_spec get_grant_request(std::string_view institution, std::string_view client_id)
{
    return {.method = http::verb::get, .target = grant_target(institution, client_id)};
}

request_spec put_grant_request(std::string_view institution, std::string_view client_id,
                               const grant_request& body)
{
    if (!body.note) {
        return {.method = http::verb::put, .target = grant_target(institution, client_id)};
    }
    return json_spec(http::verb::put, grant_target(institution, client_id), to_json(body));
}

request_spec revoke_grant_request(std::string_view institution, std::string_view client_id)
{
    return {.method = http::verb::delete_, .target = grant_target(institution, client_id)};
}

request_spec grant_history_request(std::string_view institution)
{
    return {.method = http::verb::get, .target = grant_history_target(institution)};
}

request_spec progress_request(const progress_query& q)
{
    return {.method = http::verb::get,
            .target = progress_target(iso(q.from), iso(q.to), iso(q.deadline), q.institution)};
}

request_spec form85k_request(const form85k_query& q)
{
    return {.method = http::verb::get, .target = form85k_target(iso(q.as_of), q.institution)};
}

request_spec openapi_request()
{
    return {.method = http::verb::get, .target = "/v1/openapi.json", .authenticated = false};
}

} // namespace aikom::protocol
