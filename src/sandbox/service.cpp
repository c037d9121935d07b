// The sandbox's protocol logic: authentication, authorisation, validation with the library's
// own profiles, storage, idempotency, and every endpoint of docs/protocol.md. No I/O here.
#include "sandbox/service.hpp"

#include "sandbox/auth.hpp"
#include "sandbox/storage.hpp"

#include <aikom/check/issue_codes.hpp>
#include <aikom/check/readiness.hpp>
#include <aikom/check/rules.hpp>
#include <aikom/codec/content_hash.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/protocol/problem.hpp>
#include <aikom/protocol/routes.hpp>
#include <aikom/protocol/types.hpp>

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>

#include <atomic>
#include <charconv>
#include <iostream>
#include <random>
#include <set>
#include <span>
#include <sstream>

namespace aikom::sandbox::detail {
namespace {

using protocol::problem_kind;

constexpr std::string_view json_type = "application/json";

bool valid_request_id(std::string_view s) noexcept
{
    if (s.empty() || s.size() > 128) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == ':' || c == '-';
    });
}

// The ETag of a stored record: the first 32 hex digits of its content hash.
std::string etag_of(std::string_view canonical)
{
    return codec::sha256(canonical).to_hex().substr(0, 32);
}

std::string quote_etag(std::string_view etag)
{
    return "\"" + std::string(etag) + "\"";
}

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

bool media_type_is(const request& req, std::string_view type)
{
    const auto ct = req[http::field::content_type];
    const auto semi = ct.find(';');
    auto base = ct.substr(0, semi);
    while (!base.empty() && base.back() == ' ') {
        base.remove_suffix(1);
    }
    if (base.size() != type.size()) {
        return false;
    }
    for (std::size_t i = 0; i < base.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(base[i])) != type[i]) {
            return false;
        }
    }
    return true;
}

std::string_view endpoint_name(protocol::endpoint e)
{
    switch (e) {
    case protocol::endpoint::discovery:
        return "discovery";
    case protocol::endpoint::token:
        return "token";
    case protocol::endpoint::children:
        return "children";
    case protocol::endpoint::child:
        return "child";
    case protocol::endpoint::withdrawal:
        return "withdrawal";
    case protocol::endpoint::batches:
        return "batches";
    case protocol::endpoint::changes:
        return "changes";
    case protocol::endpoint::validate:
        return "validate";
    case protocol::endpoint::corrections:
        return "corrections";
    case protocol::endpoint::correction:
        return "correction";
    case protocol::endpoint::correction_apply:
        return "correction.apply";
    case protocol::endpoint::correction_reject:
        return "correction.reject";
    case protocol::endpoint::completeness_report:
        return "report";
    case protocol::endpoint::admin_faults:
        return "admin.faults";
    default: // the endpoints of v1.1: see the rewrite (issue 9)
        break;
    }
    return "unknown";
}

// Thrown inside a handler to answer with a problem.
struct problem_exit {
    protocol::problem problem;
    std::string etag{}; ///< the current ETag, sent with a 412
};

[[noreturn]] void fail(problem_kind k, std::string detail, std::vector<check::issue> errors = {})
{
    throw problem_exit{protocol::make_problem(k, std::move(detail), std::move(errors))};
}

std::optional<std::size_t> parse_limit(std::optional<std::string_view> text, std::size_t fallback,
                                       std::size_t max)
{
    if (!text) {
        return fallback;
    }
    std::size_t v = 0;
    const auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || p != text->data() + text->size() || v == 0 || v > max) {
        return std::nullopt;
    }
    return v;
}

// The fields of an application/x-www-form-urlencoded body ('+' is a space); nullopt if malformed.
std::vector<std::pair<std::string, std::string>> form_fields(std::string_view body)
{
    std::vector<std::pair<std::string, std::string>> out;
    auto q = boost::urls::parse_query(body);
    if (!q) {
        return out;
    }
    boost::urls::encoding_opts opt;
    opt.space_as_plus = true;
    for (auto p : *q) {
        out.emplace_back(p.key.decode(opt), p.has_value ? p.value.decode(opt) : std::string());
    }
    return out;
}

// Standard base64 (RFC 4648 §4), padding optional; nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view in)
{
    while (!in.empty() && in.back() == '=') {
        in.remove_suffix(1);
    }
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        int v = -1;
        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            v = c - '0' + 52;
        } else if (c == '+') {
            v = 62;
        } else if (c == '/') {
            v = 63;
        } else {
            return std::nullopt;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

// "Basic base64(id:secret)" → id, secret (RFC 6749 §2.3.1: each form-urlencoded).
bool parse_basic(std::string_view header, std::string& id, std::string& secret)
{
    if (header.size() < 6 || header.substr(0, 6) != "Basic ") {
        return false;
    }
    const auto raw = base64_decode(header.substr(6));
    if (!raw) {
        return false;
    }
    const auto colon = raw->find(':');
    if (colon == std::string::npos) {
        return false;
    }
    auto decode = [](std::string_view s) {
        const auto v = form_fields(std::string("x=") + std::string(s));
        return v.empty() ? std::string(s) : v.front().second;
    };
    id = decode(std::string_view(*raw).substr(0, colon));
    secret = decode(std::string_view(*raw).substr(colon + 1));
    return true;
}

protocol::write_status write_status_of(write_outcome o) noexcept
{
    return o == write_outcome::created   ? protocol::write_status::created
           : o == write_outcome::updated ? protocol::write_status::updated
                                         : protocol::write_status::unchanged;
}

// A request body the protocol layer could not accept: 400 when it is not even a JSON object,
// otherwise the problem its fault calls for, with every issue of the body.
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

} // namespace

// ---------------------------------------------------------------------------------------------

struct service::impl {
    impl(const server_options& o, storage& s)
        : options(o)
        , store(s)
        , auth(o.clients, o.token_lifetime)
        , faults(o.faults)
        , rng(std::random_device{}())
    {}

    const server_options& options;
    storage& store;
    authority auth;
    mutable std::mutex fault_mutex;
    fault_settings faults;
    std::mt19937_64 rng;

    // ---- responses ------------------------------------------------------------------------

    static response reply(const request& req, http::status status, std::string_view content_type,
                          std::string body)
    {
        response res{status, req.version()};
        res.keep_alive(req.keep_alive());
        if (!content_type.empty()) {
            res.set(http::field::content_type, content_type);
        }
        res.body() = std::move(body);
        res.prepare_payload();
        return res;
    }

    static response problem_reply(const request& req, protocol::problem p)
    {
        auto res = reply(req, static_cast<http::status>(p.status), protocol::problem_content_type,
                         std::string());
        res.body() = protocol::to_json(p);
        res.prepare_payload();
        return res;
    }

    void refuse_log(const principal* who, const request& req, std::string_view what,
                    std::string_view reason)
    {
        const std::string actor = who != nullptr ? who->client_id : std::string("-");
        std::clog << "aikom-sandbox: refused " << actor << ' ' << req.method_string() << ' ' << what
                  << ": " << reason << '\n';
        try {
            store.audit(actor, "access.denied", what, std::string(reason));
        } catch (const std::exception&) {
            // the refusal stands even if the audit trail cannot be written
        }
    }

    // ---- decoding records -------------------------------------------------------------------

    static codec::decode_options decode_options_for(const request& req, std::size_t max_record)
    {
        codec::decode_options o;
        o.max_record_bytes = max_record;
        const auto prefer = req[http::field::prefer];
        if (prefer.find("handling=lenient") != std::string_view::npos) {
            o.unknown_fields = codec::unknown_field_policy::warn;
        }
        return o;
    }

    static bool is_malformed(const std::vector<check::issue>& issues)
    {
        return std::any_of(issues.begin(), issues.end(), [](const check::issue& i) {
            return i.code == "json.syntax" || i.code == "json.too_large" ||
                   i.code == "json.too_deep" || (i.code == "format.type" && i.pointer.empty());
        });
    }

    // Decodes a record body; fails with 400 (not JSON) or 422 (not a valid record).
    model::child decode_record(const request& req, std::string_view body,
                               std::vector<check::issue>& warnings)
    {
        auto r =
            codec::decode_child(body, decode_options_for(req, protocol::limits{}.max_record_bytes));
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
    std::vector<check::issue> check_for_write(const model::child& c,
                                              std::vector<check::issue> warnings)
    {
        const check::rule_options ro{.as_of = model::today_utc()};
        auto submission = check::check_record(c, check::profile::submission, ro);
        if (check::has_errors(submission)) {
            std::erase_if(submission, [](const check::issue& i) {
                return i.severity != check::severity::error;
            });
            fail(problem_kind::validation_failed, "AIKOM would not save this record",
                 std::move(submission));
        }
        for (auto& i : check::check_record(c, check::profile::readiness, ro)) {
            if (i.severity == check::severity::error) {
                i.severity = check::severity::warning;
            }
            warnings.push_back(std::move(i));
        }
        return warnings;
    }

    // Like check_for_write, but only errors the change introduces refuse it: a record entered
    // through a correction request (which fails `submission` by design) can still be withdrawn.
    std::vector<check::issue> check_for_change(const model::child& before,
                                               const model::child& after)
    {
        const check::rule_options ro{.as_of = model::today_utc()};
        const auto old_issues = check::check_record(before, check::profile::submission, ro);
        std::vector<check::issue> introduced;
        for (auto& i : check::check_record(after, check::profile::submission, ro)) {
            const bool existed =
                std::any_of(old_issues.begin(), old_issues.end(), [&](const check::issue& o) {
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
        for (auto& i : check::check_record(after, check::profile::readiness, ro)) {
            if (i.severity == check::severity::error) {
                i.severity = check::severity::warning;
            }
            warnings.push_back(std::move(i));
        }
        return warnings;
    }

    // ---- authentication -----------------------------------------------------------------------

    principal authenticate(const request& req, response& challenge, bool& ok)
    {
        ok = false;
        const auto h = req[http::field::authorization];
        if (h.size() > 7 && h.substr(0, 7) == "Bearer ") {
            if (auto p = auth.authenticate(h.substr(7))) {
                ok = true;
                return *p;
            }
            challenge = problem_reply(
                req,
                protocol::make_problem(problem_kind::unauthorized,
                                   "the access token is invalid or has expired: get a new one"));
            challenge.set(http::field::www_authenticate, "Bearer error=\"invalid_token\"");
        } else {
            challenge = problem_reply(
                req, protocol::make_problem(problem_kind::unauthorized,
                                        "send Authorization: Bearer <token> from /v1/oauth/token"));
            challenge.set(http::field::www_authenticate, "Bearer");
        }
        return {};
    }

    void require_scope(const principal& p, const request& req, std::string_view scope,
                       std::string_view what)
    {
        if (!p.has_scope(scope)) {
            refuse_log(&p, req, what, "missing scope " + std::string(scope));
            fail(problem_kind::forbidden, "the token lacks the scope " + std::string(scope));
        }
    }

    void require_institution(const principal& p, const request& req, std::string_view institution,
                             std::string_view what)
    {
        if (!p.in_scope(institution)) {
            refuse_log(&p, req, what, "institution out of scope");
            // The same answer whether or not anything exists there.
            fail(problem_kind::forbidden, "this institution is not within your access");
        }
    }

    // ---- idempotency --------------------------------------------------------------------------

    template <class Handler>
    response idempotent(const request& req, const principal& p, Handler&& handler)
    {
        const auto key = req["Idempotency-Key"];
        if (key.empty()) {
            return handler();
        }
        if (!valid_request_id(key)) {
            fail(problem_kind::malformed_request,
                 "Idempotency-Key must be 1..128 characters of A-Z a-z 0-9 . _ : -");
        }
        const std::string hash = codec::sha256(std::string(req.method_string()) + " " +
                                               std::string(req.target()) + "\n" + req.body())
                                     .to_hex();
        idempotency_entry existing;
        switch (store.begin_idempotent(p.client_id, key, hash, existing)) {
        case idempotency_begin::replay: {
            auto res = reply(req, static_cast<http::status>(existing.http_status),
                             existing.content_type, existing.body);
            res.set("Idempotent-Replayed", "true");
            return res;
        }
        case idempotency_begin::in_progress: {
            auto res = problem_reply(
                req, protocol::make_problem(problem_kind::idempotency_in_progress,
                                        "the first request with this key is still running"));
            res.set(http::field::retry_after, "1");
            return res;
        }
        case idempotency_begin::mismatch:
            fail(problem_kind::idempotency_key_reused,
                 "this Idempotency-Key was used with a different request");
        case idempotency_begin::started:
            break;
        }
        response res;
        try {
            res = handler();
        } catch (const problem_exit& e) {
            res = problem_reply(req, e.problem);
        } catch (...) {
            store.abandon_idempotent(p.client_id, key);
            throw;
        }
        if (res.result_int() >= 500) {
            store.abandon_idempotent(p.client_id, key); // a retry may run again
        } else {
            store.finish_idempotent(p.client_id, key, static_cast<int>(res.result_int()),
                                    res[http::field::content_type], res.body());
        }
        return res;
    }

    // ---- endpoints ----------------------------------------------------------------------------

    response discovery(const request& req)
    {
        protocol::discovery d;
        d.limits.max_body_bytes = options.max_body_bytes;
        d.change_feed_retention = options.change_retention;
        d.idempotency_retention = options.idempotency_retention;
        d.scopes = {std::begin(all_scopes), std::end(all_scopes)};
        for (auto r :
             {role::admin, role::authority, role::institution, role::platform, role::reviewer}) {
            d.roles.emplace_back(to_string(r));
        }
        return reply(req, http::status::ok, json_type, protocol::to_json(d));
    }

    response token(const request& req)
    {
        auto oauth_fail = [&](http::status s, std::string_view error,
                              std::string_view description) {
            auto res = reply(
                req, s, json_type,
                protocol::to_json(protocol::oauth_error{std::string(error), std::string(description)}));
            res.set(http::field::cache_control, "no-store");
            return res;
        };
        if (req.method() != http::verb::post) {
            fail(problem_kind::method_not_allowed, "allowed: POST");
        }
        if (!media_type_is(req, "application/x-www-form-urlencoded")) {
            return oauth_fail(http::status::bad_request, "invalid_request",
                              "the body must be application/x-www-form-urlencoded");
        }
        std::string grant, scope, body_id, body_secret;
        for (const auto& [key, value] : form_fields(req.body())) {
            if (key == "grant_type") {
                grant = value;
            } else if (key == "scope") {
                scope = value;
            } else if (key == "client_id") {
                body_id = value;
            } else if (key == "client_secret") {
                body_secret = value;
            }
        }
        std::string id, secret;
        const bool basic = parse_basic(req[http::field::authorization], id, secret);
        if (basic && (!body_id.empty() || !body_secret.empty())) {
            return oauth_fail(
                http::status::bad_request, "invalid_request",
                "send the client credentials either in Basic or in the body, not both");
        }
        if (!basic) {
            id = body_id;
            secret = body_secret;
        }
        if (grant != "client_credentials") {
            return oauth_fail(http::status::bad_request,
                              grant.empty() ? "invalid_request" : "unsupported_grant_type",
                              "grant_type must be client_credentials");
        }
        if (id.empty()) {
            return oauth_fail(http::status::bad_request, "invalid_request",
                              "client credentials are missing");
        }
        token_grant g;
        switch (auth.issue(id, secret, scope, g)) {
        case token_refusal::invalid_client: {
            auto res = oauth_fail(http::status::unauthorized, "invalid_client",
                                  "unknown client or wrong secret");
            if (basic) {
                res.set(http::field::www_authenticate, "Basic realm=\"aikom-sandbox\"");
            }
            refuse_log(nullptr, req, "token", "invalid client");
            return res;
        }
        case token_refusal::invalid_scope:
            return oauth_fail(http::status::bad_request, "invalid_scope",
                              "the requested scope exceeds what the client's role allows");
        case token_refusal::none:
            break;
        }
        auto res = reply(
            req, http::status::ok, json_type,
            protocol::to_json(protocol::token_response{g.access_token, "Bearer", g.expires_in, g.scope}));
        res.set(http::field::cache_control, "no-store");
        res.set(http::field::pragma, "no-cache");
        return res;
    }

    static void require_json(const request& req)
    {
        if (!media_type_is(req, json_type)) {
            fail(problem_kind::unsupported_media_type, "send the body as application/json");
        }
    }

    response get_child(const request& req, const principal& p, const protocol::route& r)
    {
        require_scope(p, req, "children:read", "child");
        require_institution(p, req, r.institution, "child");
        auto c = store.get_child(r.institution, r.child_id);
        if (!c) {
            fail(problem_kind::not_found, "no record with this id in this institution");
        }
        bool any = false;
        // If-None-Match on a read uses the weak comparison (RFC 9110 §13.1.2).
        const auto tags = etag_list(req[http::field::if_none_match], any, true);
        if (any || std::find(tags.begin(), tags.end(), c->etag) != tags.end()) {
            response res{http::status::not_modified, req.version()};
            res.keep_alive(req.keep_alive());
            res.set(http::field::etag, quote_etag(c->etag));
            return res;
        }
        auto res = reply(req, http::status::ok, json_type, std::move(c->json));
        res.set(http::field::etag, quote_etag(c->etag));
        return res;
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
                     "only If-None-Match: * is supported on writes (create only)");
            }
            cond.if_none_match_any = true;
        }
        return cond;
    }

    response put_child(const request& req, const principal& p, const protocol::route& r)
    {
        require_scope(p, req, "children:write", "child");
        require_institution(p, req, r.institution, "child");
        require_json(req);
        std::vector<check::issue> warnings;
        model::child c = decode_record(req, req.body(), warnings);
        std::vector<check::issue> mismatch;
        if (c.id != r.child_id) {
            mismatch.push_back(check::make_issue("field.required", "/id"));
            mismatch.back().message_en = "the record's id differs from the id in the URL";
            mismatch.back().message_uk =
                "ідентифікатор у записі відрізняється від ідентифікатора в адресі";
        }
        if (c.institution && c.institution->str() != r.institution) {
            mismatch.push_back(check::make_issue("field.required", "/institution"));
            mismatch.back().message_en = "the record's institution differs from the one in the URL";
            mismatch.back().message_uk = "заклад у записі відрізняється від закладу в адресі";
        }
        if (!mismatch.empty()) {
            fail(problem_kind::malformed_request, "the body does not match the URL", mismatch);
        }
        c.institution = model::edrpou(r.institution);
        warnings = check_for_write(c, std::move(warnings));
        const std::string canonical = codec::encode(c);
        const std::string etag = etag_of(canonical);
        const auto current = req[http::field::if_match].empty()
                                 ? std::optional<stored_child>()
                                 : store.get_child(r.institution, r.child_id);
        const auto result = store.put_child(r.institution, r.child_id, canonical, etag,
                                            condition_from(req, current));
        if (result.outcome == write_outcome::precondition_failed) {
            throw problem_exit{
                protocol::make_problem(problem_kind::precondition_failed,
                                   "the record changed since you read it (If-Match), or it exists "
                                   "(If-None-Match: *)"),
                result.etag};
        }
        return write_reply(req, r.institution, r.child_id, result, std::move(warnings));
    }

    response write_reply(const request& req, const std::string& institution, const std::string& id,
                         const write_result& result, std::vector<check::issue> warnings)
    {
        protocol::write_result w;
        w.id = id;
        w.institution = institution;
        w.status = write_status_of(result.outcome);
        w.etag = result.etag;
        w.warnings = std::move(warnings);
        auto res = reply(req,
                         result.outcome == write_outcome::created ? http::status::created
                                                                  : http::status::ok,
                         json_type, protocol::to_json(w));
        res.set(http::field::etag, quote_etag(result.etag));
        if (result.outcome == write_outcome::created) {
            res.set(http::field::location, protocol::child_target(institution, id));
        }
        return res;
    }

    response delete_child(const request& req, const principal& p, const protocol::route& r)
    {
        require_scope(p, req, "children:write", "child");
        require_institution(p, req, r.institution, "child");
        const auto current = store.get_child(r.institution, r.child_id);
        if (!current) {
            fail(problem_kind::not_found, "no record with this id in this institution");
        }
        const auto result =
            store.delete_child(r.institution, r.child_id, condition_from(req, current));
        if (result.outcome == write_outcome::precondition_failed) {
            fail(problem_kind::precondition_failed, "the record changed since you read it");
        }
        if (result.outcome == write_outcome::not_found) {
            fail(problem_kind::not_found, "no record with this id in this institution");
        }
        response res{http::status::no_content, req.version()};
        res.keep_alive(req.keep_alive());
        return res;
    }

    response list_children(const request& req, const principal& p, const protocol::route& r,
                           const protocol::target& t)
    {
        require_scope(p, req, "children:read", "children");
        require_institution(p, req, r.institution, "children");
        const protocol::limits lim;
        const auto limit = parse_limit(t.param("limit"), lim.page_size_default, lim.page_size_max);
        if (!limit) {
            fail(problem_kind::malformed_request,
                 "limit must be 1.." + std::to_string(lim.page_size_max));
        }
        std::string after;
        if (const auto cursor = t.param("cursor")) {
            auto v = protocol::decode_cursor(*cursor, "k");
            if (!v) {
                fail(problem_kind::malformed_request, "the cursor was not issued by this server");
            }
            after = std::move(*v);
        }
        auto rows = store.list_children(r.institution, after, *limit + 1);
        const bool has_more = rows.size() > *limit;
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
            next = protocol::encode_cursor("k", rows.back().id);
        }
        return reply(req, http::status::ok, json_type,
                     protocol::child_page_json(items, next, has_more));
    }

    response withdrawal(const request& req, const principal& p, const protocol::route& r)
    {
        require_scope(p, req, "children:write", "withdrawal");
        require_institution(p, req, r.institution, "withdrawal");
        require_json(req);
        return idempotent(req, p, [&] {
            const auto body = protocol::parse_withdrawal(req.body());
            require_body(body, "the withdrawal is not valid");
            const auto current = store.get_child(r.institution, r.child_id);
            if (!current) {
                fail(problem_kind::not_found, "no record with this id in this institution");
            }
            auto c = codec::decode_child(current->json);
            if (!c.ok()) {
                fail(problem_kind::internal, "a stored record could not be read");
            }
            const model::child before = *c.record;
            auto& e = c.record->enrollment ? *c.record->enrollment : c.record->enrollment.emplace();
            e.left_on = body.value.left_on;
            if (body.value.reason) {
                e.leave_reason = *body.value.reason;
            }
            auto warnings = check_for_change(before, *c.record);
            const std::string canonical = codec::encode(*c.record);
            auto cond = condition_from(req, current);
            if (!cond.if_match) {
                cond.if_match = current->etag; // no lost update between our read and write
            }
            const auto result =
                store.put_child(r.institution, r.child_id, canonical, etag_of(canonical), cond);
            if (result.outcome == write_outcome::precondition_failed) {
                fail(problem_kind::precondition_failed, "the record changed since you read it");
            }
            return write_reply(req, r.institution, r.child_id, result, std::move(warnings));
        });
    }

    response batches(const request& req, const principal& p)
    {
        require_scope(p, req, "children:write", "batches");
        require_json(req);
        return idempotent(req, p, [&] { return run_batch(req, p); });
    }

    response run_batch(const request& req, const principal& p)
    {
        const std::size_t max_items = protocol::limits{}.max_batch_items;
        auto body = protocol::parse_batch_request(
            req.body(), decode_options_for(req, protocol::limits{}.max_record_bytes), max_items);
        if (body.fault == protocol::body_fault::malformed) {
            if (body.issues.empty()) {
                fail(problem_kind::malformed_request,
                     "the body must be {\"items\": [record, ...]}");
            }
            fail(problem_kind::malformed_request, "the items array is not valid JSON",
                 std::move(body.issues));
        }
        if (body.fault == protocol::body_fault::too_many_items) {
            fail(problem_kind::too_many_items,
                 "a batch holds at most " + std::to_string(max_items) + " records");
        }

        struct pending {
            std::size_t index;
            const model::child* record;
            std::string canonical;
            std::string etag;
        };
        protocol::batch_result out;
        auto& results = out.results;
        results.reserve(body.value.size());
        std::vector<pending> accepted;
        const check::rule_options rules{.as_of = model::today_utc()};
        std::set<std::pair<std::string, std::string>> keys; // (institution, id) seen so far
        for (auto& item : body.value) {
            protocol::batch_item_result res;
            res.index = results.size();
            if (!item.record) {
                res.status = protocol::item_status::rejected;
                res.issues = std::move(item.issues);
                results.push_back(std::move(res));
                continue;
            }
            const auto& c = *item.record;
            res.id = c.id;
            res.institution = c.institution ? c.institution->str() : std::string();
            if (!c.institution) {
                res.status = protocol::item_status::rejected;
                res.issues.push_back(check::make_issue("required.missing", "/institution"));
            } else if (!keys.emplace(res.institution, res.id).second) {
                res.status = protocol::item_status::rejected; // which version was meant?
                res.issues.push_back(check::make_issue("batch.duplicate", "/id"));
            } else if (!p.in_scope(res.institution)) {
                refuse_log(&p, req, "batches", "institution out of scope");
                res.status = protocol::item_status::forbidden;
            } else {
                auto issues = check::check_record(c, check::profile::submission, rules);
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
                    for (auto& i : check::check_record(c, check::profile::readiness, rules)) {
                        if (i.severity == check::severity::error) {
                            i.severity = check::severity::warning;
                        }
                        res.issues.push_back(std::move(i));
                    }
                    std::string canonical = codec::encode(c);
                    std::string etag = etag_of(canonical);
                    accepted.push_back({res.index, &c, std::move(canonical), std::move(etag)});
                }
            }
            results.push_back(std::move(res));
        }
        store.transaction([&] {
            for (const auto& a : accepted) {
                const auto w = store.put_child_unlocked(a.record->institution->str(),
                                                        a.record->id, a.canonical, a.etag);
                auto& res = results[a.index];
                res.etag = w.etag;
                res.status = protocol::to_item_status(write_status_of(w.outcome));
            }
        });
        return reply(req, http::status::ok, json_type, protocol::to_json(out));
    }

    response changes(const request& req, const principal& p, const protocol::target& t)
    {
        require_scope(p, req, "children:read", "changes");
        const protocol::limits lim;
        const auto limit = parse_limit(t.param("limit"), lim.page_size_default, lim.page_size_max);
        if (!limit) {
            fail(problem_kind::malformed_request,
                 "limit must be 1.." + std::to_string(lim.page_size_max));
        }
        std::int64_t after = 0;
        if (const auto cursor = t.param("cursor")) {
            const auto pos = protocol::parse_change_cursor(*cursor);
            if (!pos) {
                fail(problem_kind::malformed_request, "the cursor was not issued by this server");
            }
            after = pos->seq; // epochs: see the rewrite of the feed (issue 9)
        }
        // A cursor ahead of the feed comes from another database (a restarted :memory:
        // sandbox, say): following it would silently skip every new event.
        if (after != 0 && (after < store.first_retained_seq() - 1 || after > store.last_seq())) {
            fail(problem_kind::resync_required, "events after this cursor are no longer kept: read "
                                                "the feed again without a cursor");
        }
        auto events = store.changes_after(after, *limit + 1,
                                          [&](std::string_view inst) { return p.in_scope(inst); });
        const bool has_more = events.size() > *limit;
        if (has_more) {
            events.pop_back();
        }
        std::vector<protocol::change_out> out;
        out.reserve(events.size());
        for (auto& e : events) {
            out.push_back({e.seq, e.deleted, std::move(e.institution), std::move(e.id),
                           std::move(e.etag), std::move(e.json)});
        }
        const std::int64_t next = out.empty() ? after : out.back().seq;
        return reply(req, http::status::ok, json_type,
                     protocol::change_page_json(out, protocol::change_cursor("0", next), has_more));
    }

    response validate(const request& req, const protocol::target& t)
    {
        require_json(req);
        auto prof = check::profile::submission;
        if (const auto name = t.param("profile")) {
            const auto pr = check::profile_from_string(*name);
            if (!pr) {
                fail(problem_kind::malformed_request,
                     "profile must be structure, submission or readiness");
            }
            prof = *pr;
        }
        auto r = codec::decode_child(req.body(),
                                     decode_options_for(req, protocol::limits{}.max_record_bytes));
        protocol::validation_result v;
        v.issues = std::move(r.issues);
        if (r.record) {
            check::check_record(*r.record, prof, check::rule_options{.as_of = model::today_utc()},
                                v.issues);
        }
        v.valid = r.ok() && !check::has_errors(v.issues);
        return reply(req, http::status::ok, json_type, protocol::to_json(v));
    }

    // ---- correction requests ----------------------------------------------------------------

    // A stored correction request as the protocol's summary.
    static protocol::correction_request correction_summary(const correction_request& c)
    {
        protocol::correction_request out;
        out.id = c.id;
        out.institution = c.institution;
        out.child_id = c.child_id;
        out.status = protocol::status_from_string<protocol::correction_status>(c.status)
                         .value_or(protocol::correction_status::pending);
        out.reason = c.reason;
        out.created_by = c.created_by;
        out.created_at = std::chrono::sys_seconds(std::chrono::seconds(c.created_at));
        if (!c.reviewed_by.empty()) {
            out.reviewed_by = c.reviewed_by;
            out.reviewed_at = std::chrono::sys_seconds(std::chrono::seconds(c.reviewed_at));
            out.review_note = c.review_note;
        }
        return out;
    }

    response create_correction(const request& req, const principal& p)
    {
        require_scope(p, req, "corrections:create", "corrections");
        require_json(req);
        return idempotent(req, p, [&] {
            auto body = protocol::parse_correction_draft(
                req.body(), decode_options_for(req, protocol::limits{}.max_record_bytes));
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
            require_institution(p, req, draft.institution, "corrections");
            if (body.fault == protocol::body_fault::invalid_record) {
                fail(problem_kind::validation_failed, "the proposed record could not be decoded",
                     std::move(body.issues));
            }
            auto& c = draft.record;
            c.id = draft.child_id;
            c.institution = model::edrpou(draft.institution);
            // Structure only: a correction exists because `submission` refuses the record.
            auto issues = check::check_record(c, check::profile::structure,
                                              check::rule_options{.as_of = model::today_utc()});
            if (check::has_errors(issues)) {
                std::erase_if(issues, [](const check::issue& i) {
                    return i.severity != check::severity::error;
                });
                for (auto& i : issues) {
                    i.pointer = "/record" + i.pointer;
                }
                fail(problem_kind::validation_failed, "the proposed record is malformed", issues);
            }
            correction_request cr;
            cr.institution = std::move(draft.institution);
            cr.child_id = std::move(draft.child_id);
            cr.reason = std::move(draft.reason);
            cr.record_json = codec::encode(c);
            cr.created_by = p.client_id;
            cr = store.create_correction(std::move(cr));
            store.audit(p.client_id, "correction.create", cr.id,
                        cr.institution + "/" + cr.child_id);
            auto res = reply(req, http::status::created, json_type,
                             protocol::to_json(correction_summary(cr)));
            res.set(http::field::location, protocol::correction_target(cr.id));
            return res;
        });
    }

    bool may_see_corrections(const principal& p) const
    {
        return p.has_scope("corrections:create") || p.has_scope("corrections:review");
    }

    response list_corrections(const request& req, const principal& p, const protocol::target& t)
    {
        if (!may_see_corrections(p)) {
            refuse_log(&p, req, "corrections", "missing scope");
            fail(problem_kind::forbidden, "the token lacks a corrections scope");
        }
        const auto status = t.param("status").value_or("");
        if (!status.empty() &&
            !protocol::status_from_string<protocol::correction_status>(status)) {
            fail(problem_kind::malformed_request, "status is pending, applied or rejected");
        }
        const auto only = t.param("institution");
        const auto list = store.list_corrections(
            [&](std::string_view inst) { return p.in_scope(inst) && (!only || *only == inst); },
            status, 1000);
        protocol::correction_list out;
        out.items.reserve(list.size());
        for (const auto& c : list) {
            out.items.push_back(correction_summary(c));
        }
        return reply(req, http::status::ok, json_type, protocol::to_json(out));
    }

    correction_request correction_in_scope(const request& req, const principal& p,
                                           const std::string& id, std::string_view what)
    {
        auto c = store.get_correction(id);
        if (!c) {
            if (p.unrestricted()) {
                fail(problem_kind::not_found, "no correction request with this id");
            }
            refuse_log(&p, req, what, "unknown correction request");
            fail(problem_kind::forbidden, "this correction request is not within your access");
        }
        require_institution(p, req, c->institution, what);
        return *c;
    }

    response get_correction(const request& req, const principal& p, const protocol::route& r)
    {
        if (!may_see_corrections(p)) {
            refuse_log(&p, req, "correction", "missing scope");
            fail(problem_kind::forbidden, "the token lacks a corrections scope");
        }
        const auto c = correction_in_scope(req, p, r.correction_id, "correction");
        auto full = correction_summary(c);
        auto record = codec::decode_child(c.record_json);
        if (!record.ok()) {
            fail(problem_kind::internal, "a stored correction request could not be read");
        }
        full.record = std::move(*record.record);
        for (auto& e : store.audit_of(c.id, 1000)) {
            full.history.push_back({std::chrono::sys_seconds(std::chrono::seconds(e.at)),
                                    std::move(e.actor), std::move(e.action),
                                    std::move(e.detail)});
        }
        return reply(req, http::status::ok, json_type, protocol::to_json(full));
    }

    response review(const request& req, const principal& p, const protocol::route& r, bool apply)
    {
        require_scope(p, req, "corrections:review", "correction.review");
        require_json(req);
        return idempotent(req, p, [&] {
            const auto c = correction_in_scope(req, p, r.correction_id, "correction.review");
            const auto body = protocol::parse_review(req.body(), !apply);
            require_body(body, "the review is not valid");
            const std::string note = body.value.note.value_or(std::string());
            if (c.status != "pending") {
                fail(problem_kind::conflict, "the correction request is already " + c.status);
            }
            protocol::review_result out;
            out.id = c.id;
            out.status = apply ? protocol::correction_status::applied
                               : protocol::correction_status::rejected;
            const std::string status(protocol::to_string(out.status));
            bool reviewed = false;
            // The review, the record it applies and the audit entry: one transaction, so that a
            // concurrent reviewer cannot leave a record written for a rejected request.
            store.transaction([&] {
                reviewed = store.review_correction_unlocked(c.id, status, p.client_id, note);
                if (!reviewed) {
                    return;
                }
                if (apply) {
                    const auto w = store.put_child_unlocked(c.institution, c.child_id,
                                                            c.record_json, etag_of(c.record_json));
                    out.etag = w.etag;
                }
                store.audit_unlocked(p.client_id, apply ? "correction.apply" : "correction.reject",
                                     c.id, c.institution + "/" + c.child_id);
            });
            if (!reviewed) {
                fail(problem_kind::conflict, "the correction request was reviewed meanwhile");
            }
            // v1.1 answers with the correction request (minimal stand-in until the rewrite).
            auto answer = correction_summary(*store.get_correction(c.id));
            answer.etag = out.etag;
            return reply(req, http::status::ok, json_type, protocol::to_json(answer));
        });
    }

    // ---- reports and admin ------------------------------------------------------------------

    response report(const request& req, const principal& p, const protocol::target& t)
    {
        require_scope(p, req, "reports:read", "report");
        check::readiness_options ro;
        ro.as_of = model::today_utc();
        if (const auto d = t.param("as_of")) {
            const auto v = model::parse_iso_date(*d);
            if (!v) {
                fail(problem_kind::malformed_request, "as_of must be YYYY-MM-DD");
            }
            ro.as_of = *v;
        }
        if (const auto d = t.param("deadline")) {
            const auto v = model::parse_iso_date(*d);
            if (!v) {
                fail(problem_kind::malformed_request, "deadline must be YYYY-MM-DD");
            }
            ro.deadline = *v;
        }
        std::vector<std::string> institutions;
        if (const auto one = t.param("institution")) {
            require_institution(p, req, *one, "report");
            institutions.emplace_back(*one);
        } else if (p.unrestricted()) {
            institutions = store.institutions();
        } else {
            institutions.assign(p.institutions.begin(), p.institutions.end());
        }
        check::readiness_builder builder(ro);
        store.for_each_child(institutions, [&](const stored_child& sc) {
            auto r = codec::decode_child(sc.json);
            if (r.ok()) {
                builder.add(*r.record);
            } else {
                builder.add_unreadable();
            }
        });
        return reply(req, http::status::ok, json_type, protocol::to_json(builder.report()));
    }

    response admin_faults(const request& req, const principal& p)
    {
        if (req.method() != http::verb::get && req.method() != http::verb::put) {
            fail(problem_kind::method_not_allowed, "allowed: GET, PUT");
        }
        require_scope(p, req, "admin", "admin.faults");
        if (req.method() == http::verb::put) {
            require_json(req);
            const auto body = protocol::parse_fault_settings(req.body());
            require_body(body, "the fault settings are not valid");
            set(body.value);
            store.audit(p.client_id, "admin.faults", "faults", protocol::to_json(body.value));
        }
        return reply(req, http::status::ok, json_type, protocol::to_json(get()));
    }

    fault_settings get() const
    {
        std::lock_guard lock(fault_mutex);
        return faults;
    }

    void set(const fault_settings& f)
    {
        std::lock_guard lock(fault_mutex);
        faults = f;
    }

    // ---- dispatch -----------------------------------------------------------------------------

    // Query parameters an endpoint does not define are refused: a typo must not be ignored.
    static void check_query(const protocol::target& t, protocol::endpoint e)
    {
        using protocol::endpoint;
        static constexpr std::string_view paging[] = {"limit", "cursor"};
        static constexpr std::string_view validate_params[] = {"profile"};
        static constexpr std::string_view correction_params[] = {"status", "institution"};
        static constexpr std::string_view report_params[] = {"institution", "as_of", "deadline"};
        std::span<const std::string_view> names;
        switch (e) {
        case endpoint::children:
        case endpoint::changes:
            names = paging;
            break;
        case endpoint::validate:
            names = validate_params;
            break;
        case endpoint::corrections:
            names = correction_params;
            break;
        case endpoint::completeness_report:
            names = report_params;
            break;
        default:
            break;
        }
        for (const auto& [key, value] : t.query) {
            if (std::find(names.begin(), names.end(), key) == names.end()) {
                fail(problem_kind::malformed_request,
                     "unknown query parameter '" + key + "' for this endpoint");
            }
        }
    }

    response dispatch(const request& req, const protocol::target& t, const protocol::route& r)
    {
        using http::verb;
        using protocol::endpoint;
        const auto method = req.method();
        auto allow = [&](std::initializer_list<verb> verbs, std::string_view allow_header) {
            if (std::find(verbs.begin(), verbs.end(), method) == verbs.end()) {
                // handle() turns the detail into the Allow header.
                fail(problem_kind::method_not_allowed, "allowed: " + std::string(allow_header));
            }
        };
        check_query(t, r.endpoint);
        if (r.endpoint == endpoint::discovery) {
            allow({verb::get}, "GET");
            return discovery(req);
        }
        if (r.endpoint == endpoint::token) {
            return token(req);
        }
        response challenge;
        bool ok = false;
        const principal p = authenticate(req, challenge, ok);
        if (!ok) {
            refuse_log(nullptr, req, endpoint_name(r.endpoint), "no valid token");
            return challenge;
        }
        switch (r.endpoint) {
        case endpoint::child:
            allow({verb::get, verb::put, verb::delete_}, "GET, PUT, DELETE");
            if (method == verb::get) {
                return get_child(req, p, r);
            }
            if (method == verb::put) {
                return put_child(req, p, r);
            }
            return delete_child(req, p, r);
        case endpoint::children:
            allow({verb::get}, "GET");
            return list_children(req, p, r, t);
        case endpoint::withdrawal:
            allow({verb::post}, "POST");
            return withdrawal(req, p, r);
        case endpoint::batches:
            allow({verb::post}, "POST");
            return batches(req, p);
        case endpoint::changes:
            allow({verb::get}, "GET");
            return changes(req, p, t);
        case endpoint::validate:
            allow({verb::post}, "POST");
            return validate(req, t);
        case endpoint::corrections:
            allow({verb::get, verb::post}, "GET, POST");
            return method == verb::get ? list_corrections(req, p, t) : create_correction(req, p);
        case endpoint::correction:
            allow({verb::get}, "GET");
            return get_correction(req, p, r);
        case endpoint::correction_apply:
            allow({verb::post}, "POST");
            return review(req, p, r, true);
        case endpoint::correction_reject:
            allow({verb::post}, "POST");
            return review(req, p, r, false);
        case endpoint::completeness_report:
            allow({verb::get}, "GET");
            return report(req, p, t);
        case endpoint::admin_faults:
            return admin_faults(req, p);
        default:
            break;
        }
        fail(problem_kind::not_found, "no such endpoint");
    }

    response handle(const request& req)
    {
        const std::string request_id = valid_request_id(req["X-Request-Id"])
                                           ? std::string(req["X-Request-Id"])
                                           : "req-" + random_hex(8);
        response res;
        try {
            auto t = protocol::parse_target(req.target());
            if (!t) {
                fail(problem_kind::malformed_request, "the request target is not a valid path");
            }
            const auto r = protocol::match_route(t->path);
            if (!r) {
                fail(problem_kind::not_found, "no such endpoint; see GET /v1");
            }
            res = dispatch(req, *t, *r);
        } catch (const problem_exit& e) {
            auto pr = e.problem;
            pr.request_id = request_id;
            res = problem_reply(req, std::move(pr));
            if (!e.etag.empty()) {
                res.set(http::field::etag, quote_etag(e.etag));
            }
            if (e.problem.status == 405) {
                const auto d = e.problem.detail;
                if (d.starts_with("allowed: ")) {
                    res.set(http::field::allow, d.substr(9));
                }
            }
        } catch (const storage_error& e) {
            std::clog << "aikom-sandbox: storage failure on request " << request_id << ": "
                      << e.what() << '\n';
            auto pr = protocol::make_problem(problem_kind::unavailable,
                                         "the storage failed; try again later");
            pr.request_id = request_id;
            res = problem_reply(req, std::move(pr));
            res.set(http::field::retry_after, "1");
        } catch (const std::exception& e) {
            std::clog << "aikom-sandbox: internal error on request " << request_id << ": "
                      << e.what() << '\n';
            auto pr = protocol::make_problem(problem_kind::internal, "an internal error occurred");
            pr.request_id = request_id;
            res = problem_reply(req, std::move(pr));
        }
        // Problems already carry the request id in their body; the header goes on everything.
        if (res[http::field::content_type] == protocol::problem_content_type &&
            res.body().find("\"request_id\":\"\"") != std::string::npos) {
            auto pr = protocol::parse_problem(res.body());
            if (pr) {
                pr->request_id = request_id;
                res.body() = protocol::to_json(*pr);
                res.prepare_payload();
            }
        }
        res.set("X-Request-Id", request_id);
        if (req.method() == http::verb::head) {
            res.keep_alive(false); // no route answers HEAD; the 405's body must end the exchange
        }
        // Records, pages, feeds, reports: personal data must not sit in caches.
        res.set(http::field::cache_control, "no-store");
        return res;
    }
};

service::service(const server_options& options, storage& store)
    : impl_(std::make_unique<impl>(options, store))
{}

service::~service() = default;

response service::handle(const request& req, std::string_view)
{
    return impl_->handle(req);
}

response service::payload_too_large(const request& header_only) const
{
    auto pr = protocol::make_problem(problem_kind::payload_too_large,
                                 "the body may be at most " +
                                     std::to_string(impl_->options.max_body_bytes) + " bytes");
    pr.request_id = valid_request_id(header_only["X-Request-Id"])
                        ? std::string(header_only["X-Request-Id"])
                        : "req-" + random_hex(8);
    auto res = impl::problem_reply(header_only, pr);
    res.keep_alive(false);
    res.set("X-Request-Id", pr.request_id);
    return res;
}

response service::bad_request(std::string_view what) const
{
    request dummy;
    dummy.version(11);
    auto pr = protocol::make_problem(problem_kind::malformed_request, std::string(what));
    pr.request_id = "req-" + random_hex(8);
    auto res = impl::problem_reply(dummy, pr);
    res.keep_alive(false);
    res.set("X-Request-Id", pr.request_id);
    return res;
}

fault_plan service::plan_faults(const request& req)
{
    const auto f = impl_->get();
    fault_plan plan;
    if (req.target().starts_with("/v1/admin/")) {
        return plan;
    }
    plan.delay = f.latency;
    if (f.error_rate <= 0 && f.drop_rate <= 0) {
        return plan;
    }
    std::lock_guard lock(impl_->fault_mutex);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    plan.fail = u(impl_->rng) < f.error_rate;
    plan.drop = !plan.fail && u(impl_->rng) < f.drop_rate;
    return plan;
}

response service::fault_response(const request& req) const
{
    const auto f = impl_->get();
    auto pr = protocol::make_problem(f.error_status == 429 ? problem_kind::rate_limited
                                                       : problem_kind::unavailable,
                                 "injected fault (sandbox test knob)");
    pr.request_id = "req-" + random_hex(8);
    auto res = impl::problem_reply(req, pr);
    res.set(http::field::retry_after, std::to_string(f.retry_after.count()));
    res.set("X-Request-Id", pr.request_id);
    return res;
}

fault_settings service::faults() const
{
    return impl_->get();
}
void service::set_faults(const fault_settings& f)
{
    impl_->set(f);
}

void service::housekeeping()
{
    impl_->auth.prune();
    impl_->store.prune_changes(impl_->options.change_retention);
    impl_->store.prune_idempotency(impl_->options.idempotency_retention);
}

} // namespace aikom::sandbox::detail
