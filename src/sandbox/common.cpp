// What the sandbox's handlers share: problems, replies, access checks, idempotency, and the
// record helpers (ETags, today's date, readiness for the progress report).
#include "sandbox/handlers.hpp"
#include "sandbox/log.hpp"

#include <aikom/check/issue_codes.hpp>
#include <aikom/check/readiness.hpp>
#include <aikom/check/rules.hpp>
#include <aikom/codec/content_hash.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/protocol/children.hpp>

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <charconv>

namespace aikom::sandbox::detail {

void fail(problem_kind k, std::string detail, std::vector<check::issue> errors)
{
    throw problem_exit{protocol::make_problem(k, std::move(detail), std::move(errors))};
}

check::issue parameter_error(std::string_view code, std::string parameter,
                             std::string_view expected_en, std::string_view expected_uk)
{
    auto i = check::make_issue(code, {}, {{"expected", expected_en, expected_uk}});
    i.parameter = std::move(parameter);
    return i;
}

check::issue header_error(std::string_view code, std::string header, std::string_view expected_en,
                          std::string_view expected_uk)
{
    auto i = check::make_issue(code, {}, {{"expected", expected_en, expected_uk}});
    i.header = std::move(header);
    return i;
}

bool is_protocol_id(std::string_view s, std::size_t max) noexcept
{
    return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == ':' || c == '-';
    });
}

void require_institution_param(std::string_view value)
{
    if (!is_edrpou_code(value)) {
        fail(problem_kind::malformed_request, "institution must be an 8-digit ЄДРПОУ code",
             {parameter_error("parameter.invalid", "institution", "an 8-digit ЄДРПОУ code",
                              "8-значний код ЄДРПОУ")});
    }
}

// ---- the request's context ----------------------------------------------------------------------

void call::refused(std::string_view reason) const
{
    const std::string actor = who.client_id.empty() ? std::string("-") : who.client_id;
    log_line("refused " + actor + ' ' + std::string(req.method_string()) + ' ' +
             std::string(name) + ": " + std::string(reason));
    try {
        // Anyone can cause a refusal: its line is not worth a disk flush of its own.
        store().write(
            [&](storage::transaction& tx) { tx.audit(actor, "access.denied", name, reason); },
            durability::relaxed);
    } catch (const std::exception&) {
        // the refusal stands even if the audit trail cannot be written
    }
}

void call::require_scope(std::string_view scope) const
{
    if (!who.has_scope(scope)) {
        refused("missing scope " + std::string(scope));
        fail(problem_kind::forbidden, "the token lacks the scope " + std::string(scope),
             {check::make_issue("access.scope", {}, {{"scope", scope, scope}})});
    }
}

void call::require_institution(std::string_view institution) const
{
    if (!who.in_scope(institution)) {
        refused("institution out of scope");
        fail(problem_kind::forbidden, "this institution is not within your access",
             {check::make_issue("access.institution", {})});
    }
}

namespace {

// The media type of Content-Type, lower-cased, and whether its charset (if any) is UTF-8.
bool media_type_is(const request& req, std::string_view type, bool& utf8)
{
    const auto ct = req[http::field::content_type];
    const auto semi = ct.find(';');
    auto base = ct.substr(0, semi);
    while (!base.empty() && (base.back() == ' ' || base.back() == '\t')) {
        base.remove_suffix(1);
    }
    utf8 = true;
    if (semi != std::string_view::npos) {
        std::string params;
        for (char ch : ct.substr(semi + 1)) {
            if (ch != ' ' && ch != '\t' && ch != '"') {
                params.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
            }
        }
        const auto at = params.find("charset=");
        if (at != std::string::npos) {
            const auto end = params.find(';', at);
            const auto value = params.substr(at + 8, end == std::string::npos ? end : end - at - 8);
            utf8 = value == "utf-8" || value == "utf8";
        }
    }
    return base.size() == type.size() &&
           std::equal(base.begin(), base.end(), type.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

} // namespace

bool has_media_type(const request& req, std::string_view type)
{
    bool utf8 = true;
    return media_type_is(req, type, utf8);
}

void call::require_json() const
{
    bool utf8 = true;
    if (!media_type_is(req, json_type, utf8)) {
        fail(problem_kind::unsupported_media_type, "send the body as application/json");
    }
    if (!utf8) {
        fail(problem_kind::unsupported_media_type, "send the body in UTF-8 (charset=utf-8)");
    }
    const auto encoding = req[http::field::content_encoding];
    if (!encoding.empty() && !boost::beast::iequals(encoding, "identity")) {
        fail(problem_kind::unsupported_media_type,
             "Content-Encoding is not supported: send the body uncompressed");
    }
}

std::size_t call::limit_param(std::size_t fallback, std::size_t max) const
{
    const auto text = param("limit");
    if (!text) {
        return fallback;
    }
    std::size_t v = 0;
    const auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || p != text->data() + text->size() || v == 0 || v > max) {
        const std::string range = "1.." + std::to_string(max);
        fail(problem_kind::malformed_request, "limit must be " + range,
             {parameter_error("parameter.invalid", "limit", "a whole number " + range,
                              "ціле число " + range)});
    }
    return v;
}

std::optional<model::date> call::date_param(std::string_view name) const
{
    const auto text = param(name);
    if (!text) {
        return std::nullopt;
    }
    const auto v = model::parse_iso_date(*text);
    if (!v) {
        fail(problem_kind::malformed_request, std::string(name) + " must be YYYY-MM-DD",
             {parameter_error("parameter.invalid", std::string(name), "a date YYYY-MM-DD",
                              "дата РРРР-ММ-ДД")});
    }
    return v;
}

// ---- responses ----------------------------------------------------------------------------------

response reply(const request& req, http::status status, std::string_view content_type,
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

response json_reply(const call& c, http::status status, std::string body)
{
    return reply(c.req, status, json_type, std::move(body));
}

response no_content(const call& c)
{
    response res{http::status::no_content, c.req.version()};
    res.keep_alive(c.req.keep_alive());
    return res;
}

response problem_reply(const request& req, protocol::problem p)
{
    const auto status = static_cast<http::status>(p.status);
    return reply(req, status, protocol::problem_content_type, protocol::to_json(p));
}

// ---- records --------------------------------------------------------------------------------------

model::date today()
{
    return model::today_kyiv();
}

std::string etag_of(std::string_view canonical)
{
    return codec::sha256(canonical).to_hex().substr(0, 32);
}

std::string quote_etag(std::string_view etag)
{
    return "\"" + std::string(etag) + "\"";
}

codec::decode_options record_options(const request& req)
{
    codec::decode_options o;
    o.max_record_bytes = protocol::limits{}.max_record_bytes;
    if (req[http::field::prefer].find("handling=lenient") != std::string_view::npos) {
        o.unknown_fields = codec::unknown_field_policy::warn;
    }
    return o;
}

bool is_malformed(const std::vector<check::issue>& issues)
{
    return std::any_of(issues.begin(), issues.end(), [](const check::issue& i) {
        return i.code == "json.syntax" || i.code == "json.too_large" || i.code == "json.too_deep" ||
               (i.code == "format.type" && i.pointer.empty());
    });
}

readiness_state readiness_of(const model::child& c, model::date day)
{
    return readiness_of(
        c, day, check::check_record(c, check::profile::readiness, check::rule_options{.as_of = day}));
}

readiness_state readiness_of(const model::child& c, model::date day,
                             const std::vector<check::issue>& issues)
{
    readiness_state s;
    s.active = !(c.enrollment && c.enrollment->left_on && *c.enrollment->left_on <= day);
    if (!s.active) {
        return s;
    }
    const auto states = check::evaluate_indicators(c, issues);
    s.ready = !check::has_errors(issues) &&
              std::all_of(states.begin(), states.end(), [](check::indicator_state st) {
                  return st == check::indicator_state::filled;
              });
    return s;
}

readiness_state add_readiness_warnings(const model::child& c, model::date day,
                                       std::vector<check::issue>& warnings)
{
    auto issues = check::check_record(c, check::profile::readiness, check::rule_options{.as_of = day});
    const auto state = readiness_of(c, day, issues);
    for (auto& i : issues) {
        if (i.severity == check::severity::error) {
            i.severity = check::severity::warning;
        }
        warnings.push_back(std::move(i));
    }
    return state;
}

readiness_state readiness_of_json(std::string_view json, model::date day)
{
    const auto r = codec::decode_child(json);
    return r.record ? readiness_of(*r.record, day) : readiness_state{};
}

void track_untracked_records(storage& store)
{
    const auto day = today();
    store.write([&](storage::transaction& tx) {
        std::vector<stored_child> untracked;
        tx.for_each_untracked_child([&](const stored_child& c) { untracked.push_back(c); });
        for (const auto& c : untracked) {
            tx.track_readiness(c.institution, c.id, std::chrono::sys_days(day),
                               readiness_of_json(c.json, day));
        }
    });
}

write_result put_tracked(storage::transaction& tx, std::string_view institution,
                         std::string_view id, std::string_view canonical, std::string_view etag,
                         readiness_state state, const write_condition& condition)
{
    auto w = tx.put_child(institution, id, canonical, etag, condition);
    if (w.outcome == write_outcome::created || w.outcome == write_outcome::updated) {
        tx.track_readiness(institution, id, std::chrono::sys_days(today()), state);
    }
    return w;
}

// ---- idempotency ----------------------------------------------------------------------------------

namespace {

/// Leaves the idempotent transaction with `answer`, undoing what the request wrote.
struct roll_back {
    response answer;
};

/// 429 for a new key of a client that holds its maximum: dropping a stored answer to make room
/// could let a retry of that request run twice, which is what keys exist to prevent. The
/// client may send again when its oldest key expires.
[[noreturn]] void refuse_over_key_quota(const call& c, storage::transaction& tx,
                                        std::int64_t oldest_key_at)
{
    log_line("refused " + c.who.client_id + ' ' + std::string(c.req.method_string()) + ' ' +
             std::string(c.name) + ": too many idempotency keys held");
    const auto wait = oldest_key_at + c.options().idempotency_retention.count() - tx.now();
    problem_exit e{protocol::make_problem(
        problem_kind::rate_limited,
        "this client holds " + std::to_string(c.options().caps.idempotency_keys_per_client) +
            " idempotency keys, the most a client may hold: send this request again when the "
            "oldest expires, or without a key")};
    e.retry_after = std::chrono::seconds(std::max<std::int64_t>(1, wait));
    throw e;
}

} // namespace

response idempotent(call& c, const std::function<response()>& handler)
{
    const auto key = c.req["Idempotency-Key"];
    if (key.empty()) {
        return handler();
    }
    if (!is_protocol_id(key, 128)) {
        fail(problem_kind::malformed_request,
             "Idempotency-Key must be 1..128 characters of A-Z a-z 0-9 . _ : -",
             {header_error("header.invalid", "Idempotency-Key",
                           "1..128 characters of A-Z a-z 0-9 . _ : -",
                           "1..128 символів з A-Z a-z 0-9 . _ : -")});
    }
    const std::string hash = codec::sha256(std::string(c.req.method_string()) + " " +
                                           std::string(c.req.target()) + "\n" + c.req.body())
                                 .to_hex();
    const std::string& client = c.who.client_id;
    // The key, what the handler writes (its own transactions join this one) and the stored
    // answer commit together or not at all: a failure anywhere leaves neither the records nor a
    // key "in progress" behind, and a retry runs afresh.
    try {
        return c.store().write([&](storage::transaction& tx) {
            idempotency_entry existing;
            const auto max_keys =
                std::max<std::size_t>(1, c.options().caps.idempotency_keys_per_client);
            switch (tx.begin_idempotent(client, key, hash, existing, max_keys)) {
            case idempotency_begin::replay: {
                auto res = reply(c.req, static_cast<http::status>(existing.http_status),
                                 existing.content_type, existing.body);
                res.set("Idempotent-Replayed", "true");
                return res;
            }
            case idempotency_begin::in_progress: {
                problem_exit e{protocol::make_problem(
                    problem_kind::idempotency_in_progress,
                    "the first request with this key is still running")};
                e.retry_after = std::chrono::seconds(1);
                throw e;
            }
            case idempotency_begin::mismatch:
                fail(problem_kind::idempotency_key_reused,
                     "this Idempotency-Key was used with a different request");
            case idempotency_begin::over_quota:
                refuse_over_key_quota(c, tx, existing.created_at);
            case idempotency_begin::started:
                break;
            }
            response res;
            try {
                res = handler();
            } catch (const problem_exit& e) {
                auto p = e.problem;
                p.request_id = c.request_id;
                res = problem_reply(c.req, std::move(p));
                if (!e.etag.empty()) {
                    res.set(http::field::etag, quote_etag(e.etag));
                }
            }
            if (res.result_int() >= 500) {
                throw roll_back{std::move(res)}; // a retry may run again
            }
            tx.finish_idempotent(client, key, static_cast<int>(res.result_int()),
                                 res[http::field::content_type], res.body());
            return res;
        });
    } catch (roll_back& r) {
        return std::move(r.answer);
    }
}

} // namespace aikom::sandbox::detail
