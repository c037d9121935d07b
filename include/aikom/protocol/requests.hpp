#ifndef AIKOM_PROTOCOL_REQUESTS_HPP
#define AIKOM_PROTOCOL_REQUESTS_HPP

/// @file
/// Building the requests of protocol v1 (docs/protocol.md): one pure function per endpoint
/// gives the method, target and body (`request_spec`), and `build_request` stamps the headers
/// every request carries. No sockets: the client sends what these return and the tests check
/// them byte for byte.

#include <aikom/check/rules.hpp>
#include <aikom/model/child.hpp>
#include <aikom/model/date.hpp>
#include <aikom/protocol/types.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aikom::protocol {

namespace http = boost::beast::http;
using http_request = http::request<http::string_body>;
using http_response = http::response<http::string_body>;

inline constexpr std::string_view json_content_type = "application/json";
inline constexpr std::string_view form_content_type = "application/x-www-form-urlencoded";

/// A request of one endpoint before the headers every request carries are added.
struct request_spec {
    http::verb method = http::verb::get;
    std::string target{};               ///< origin form, e.g. `/v1/changes?limit=100`
    std::string body{};                 ///< sent as is (empty: no body)
    std::string_view content_type{};    ///< empty: no Content-Type
    bool authenticated = true;          ///< carries the bearer token (all but discovery and token)
    bool takes_idempotency_key = false; ///< a non-idempotent write the server deduplicates by key
    bool client_credentials = false;    ///< carries the client's Basic credentials (token only)
    /// Further headers, set last (they replace a header of the same name).
    std::vector<std::pair<std::string, std::string>> headers{};
};

/// True for GET, HEAD, PUT, DELETE and OPTIONS (RFC 9110 §9.2.2): repeating them is harmless.
[[nodiscard]] bool is_idempotent(http::verb method) noexcept;

/// The headers a client adds to every request. Empty members are not sent.
struct request_headers {
    std::string_view host{};          ///< `Host`, e.g. `sandbox.example:8443`
    std::string_view user_agent{};    ///< `User-Agent`
    std::string_view bearer_token{};  ///< `Authorization: Bearer …` (authenticated specs only)
    std::string_view basic{};         ///< `Authorization: Basic …` (client-credential specs only)
    std::string_view request_id{};    ///< `X-Request-Id`
    std::string_view idempotency_key{}; ///< `Idempotency-Key` (specs that take one only)
    std::string_view if_match{};      ///< `If-Match: "<etag>"` (unquoted here)
    bool keep_alive = true;
};

/// The HTTP/1.1 request for `spec` with `headers`.
[[nodiscard]] http_request build_request(const request_spec& spec, const request_headers& headers);

/// `base64(form-urlencode(client_id) ":" form-urlencode(secret))` for Basic authentication at the
/// token endpoint (RFC 6749 §2.3.1).
[[nodiscard]] std::string basic_credentials(std::string_view client_id, std::string_view secret);

// ---- one builder per endpoint (docs/protocol.md §5 and §7) --------------------------------------

[[nodiscard]] request_spec discovery_request();
/// `scope`: space-separated scopes; empty asks for every scope of the client's role.
[[nodiscard]] request_spec token_request(std::string_view token_url = "/v1/oauth/token",
                                         std::string_view scope = {});
/// PUT of `record` under `institution` (the record's `id` names it).
[[nodiscard]] request_spec upsert_request(std::string_view institution, const model::child& record);
[[nodiscard]] request_spec get_child_request(std::string_view institution, std::string_view id);
[[nodiscard]] request_spec delete_child_request(std::string_view institution, std::string_view id);
[[nodiscard]] request_spec withdrawal_request(std::string_view institution, std::string_view id,
                                              const withdrawal& body);
/// One page of an institution's children; `limit` 0 is the server's default page size.
[[nodiscard]] request_spec children_request(std::string_view institution, std::size_t limit = 0,
                                            std::string_view cursor = {});
/// Every record carries its `institution`.
[[nodiscard]] request_spec batch_request(const std::vector<model::child>& records);
/// `institutions` filter the feed (v1.1); none: the caller's whole scope.
[[nodiscard]] request_spec changes_request(std::string_view cursor = {}, std::size_t limit = 0,
                                           std::span<const std::string> institutions = {});
[[nodiscard]] request_spec validate_request(const model::child& record,
                                            check::profile profile = check::profile::submission);
[[nodiscard]] request_spec create_correction_request(const correction_draft& draft);
/// One page of the list. `status` and `institution` filter it (empty: no filter); `limit` 0 is
/// the server's default page size; `cursor` is the previous page's `next_cursor`, which is
/// bound to the filter it was issued for.
[[nodiscard]] request_spec corrections_request(std::optional<correction_status> status = {},
                                               std::string_view institution = {},
                                               std::size_t limit = 0,
                                               std::string_view cursor = {});
[[nodiscard]] request_spec get_correction_request(std::string_view id);
/// `apply` true for `…/apply`, false for `…/reject` (which needs a note).
[[nodiscard]] request_spec review_request(std::string_view id, bool apply, const review& body);
/// The completeness (readiness) report; empty `institution`: the caller's whole scope.
[[nodiscard]] request_spec completeness_request(std::string_view institution = {},
                                                std::optional<model::date> as_of = {},
                                                std::optional<model::date> deadline = {});

// ---- grants (v1.1; scope `grants:write`) --------------------------------------------------------

[[nodiscard]] request_spec grants_request(std::string_view institution);
[[nodiscard]] request_spec get_grant_request(std::string_view institution,
                                             std::string_view client_id);
/// `PUT …/grants/{client_id}`: without a note no body is sent, with one `{"note":"…"}`.
[[nodiscard]] request_spec put_grant_request(std::string_view institution,
                                             std::string_view client_id,
                                             const grant_request& body = {});
[[nodiscard]] request_spec revoke_grant_request(std::string_view institution,
                                                std::string_view client_id);
[[nodiscard]] request_spec grant_history_request(std::string_view institution);

// ---- the authority's reports (v1.1; scope `reports:read`) ---------------------------------------

/// The query of `GET /v1/reports/progress`. Absent members take the server's defaults: `to`
/// today (in Kyiv), `from` 29 days before `to`; at most 366 days.
struct progress_query {
    std::optional<model::date> from{};
    std::optional<model::date> to{};
    std::optional<model::date> deadline{}; ///< judges `on_track`
    std::string institution{};             ///< empty: every institution in the caller's scope
};

/// The query of `GET /v1/reports/form-85k`.
struct form85k_query {
    std::optional<model::date> as_of{}; ///< absent: today (in Kyiv)
    std::string institution{};          ///< empty: every institution in the caller's scope
};

/// Both ask for JSON (`Accept: application/json`), never the HTML page.
[[nodiscard]] request_spec progress_request(const progress_query& query = {});
[[nodiscard]] request_spec form85k_request(const form85k_query& query = {});

/// `GET /v1/openapi.json`: the machine-readable contract (no authentication).
[[nodiscard]] request_spec openapi_request();

} // namespace aikom::protocol

#endif
