#include <aikom/protocol/error.hpp>
#include <aikom/protocol/routes.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/parse_path.hpp>
#include <boost/url/url_view.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/rfc/pchars.hpp>

#include <charconv>
#include <initializer_list>

namespace aikom::protocol {
namespace {

constexpr char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int b64url_value(char c) noexcept
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    if (c == '_') {
        return 63;
    }
    return -1;
}

std::string segment(std::string_view text)
{
    return boost::urls::encode(text, boost::urls::pchars);
}

// A query value: all but the unreserved characters percent-encoded, so that `+`, `&` and `=` in
// an opaque cursor never change the query (a form decoder reads a raw `+` as a space).
std::string query_value(std::string_view text)
{
    return boost::urls::encode(text, boost::urls::unreserved_chars);
}

// `?a=1&b=2` from the pairs whose value is not empty.
std::string query(std::initializer_list<std::pair<std::string_view, std::string_view>> params)
{
    std::string q;
    for (const auto& [name, value] : params) {
        if (value.empty()) {
            continue;
        }
        q += q.empty() ? '?' : '&';
        q += name;
        q += '=';
        q += query_value(value);
    }
    return q;
}

} // namespace

std::optional<route> match_route(std::string_view path)
{
    auto parsed = boost::urls::parse_path(path);
    if (!parsed || !parsed->is_absolute()) {
        return std::nullopt;
    }
    std::vector<std::string> s;
    for (auto seg : *parsed) {
        s.push_back(seg.decode());
    }
    if (!s.empty() && s.back().empty()) {
        s.pop_back(); // a trailing slash
    }
    if (s.empty() || s[0] != "v1") {
        return std::nullopt;
    }
    route r;
    const auto n = s.size();
    if (n == 1) {
        r.endpoint = endpoint::discovery;
    } else if (n == 3 && s[1] == "oauth" && s[2] == "token") {
        r.endpoint = endpoint::token;
    } else if (n == 4 && s[1] == "institutions" && s[3] == "grants") {
        r.institution = s[2];
        r.endpoint = endpoint::grants;
    } else if (n == 5 && s[1] == "institutions" && s[3] == "grants") {
        r.institution = s[2];
        r.client_id = s[4];
        r.endpoint = endpoint::grant;
    } else if (n == 4 && s[1] == "institutions" && s[3] == "grant-history") {
        r.institution = s[2];
        r.endpoint = endpoint::grant_history;
    } else if (n == 2 && s[1] == "openapi.json") {
        r.endpoint = endpoint::openapi;
    } else if (n == 3 && s[1] == "reports" && s[2] == "progress") {
        r.endpoint = endpoint::progress_report;
    } else if (n == 3 && s[1] == "reports" && s[2] == "form-85k") {
        r.endpoint = endpoint::form85k_report;
    } else if (n >= 4 && s[1] == "institutions" && s[3] == "children" && n <= 6) {
        r.institution = s[2];
        if (n == 4) {
            r.endpoint = endpoint::children;
        } else if (n == 5) {
            r.endpoint = endpoint::child;
            r.child_id = s[4];
        } else if (s[5] == "withdrawal") {
            r.endpoint = endpoint::withdrawal;
            r.child_id = s[4];
        } else {
            return std::nullopt;
        }
    } else if (n == 2 && s[1] == "batches") {
        r.endpoint = endpoint::batches;
    } else if (n == 2 && s[1] == "changes") {
        r.endpoint = endpoint::changes;
    } else if (n == 2 && s[1] == "validate") {
        r.endpoint = endpoint::validate;
    } else if (n >= 2 && n <= 4 && s[1] == "correction-requests") {
        if (n == 2) {
            r.endpoint = endpoint::corrections;
        } else {
            r.correction_id = s[2];
            if (n == 3) {
                r.endpoint = endpoint::correction;
            } else if (s[3] == "apply") {
                r.endpoint = endpoint::correction_apply;
            } else if (s[3] == "reject") {
                r.endpoint = endpoint::correction_reject;
            } else {
                return std::nullopt;
            }
        }
    } else if (n == 3 && s[1] == "reports" && s[2] == "completeness") {
        r.endpoint = endpoint::completeness_report;
    } else if (n == 3 && s[1] == "admin" && s[2] == "faults") {
        r.endpoint = endpoint::admin_faults;
    } else {
        return std::nullopt;
    }
    return r;
}

std::optional<std::string_view> target::param(std::string_view name) const noexcept
{
    for (const auto& [k, v] : query) {
        if (k == name) {
            return std::string_view(v);
        }
    }
    return std::nullopt;
}

boost::system::result<target> parse_target(std::string_view text)
{
    auto u = boost::urls::parse_origin_form(text);
    if (!u) {
        return make_error_code(protocol_errc::bad_target);
    }
    target t;
    t.path = std::string(u->encoded_path());
    for (auto p : u->params()) {
        t.query.emplace_back(p.key, p.has_value ? p.value : std::string());
    }
    return t;
}

std::string child_target(std::string_view institution, std::string_view id)
{
    return "/v1/institutions/" + segment(institution) + "/children/" + segment(id);
}

std::string withdrawal_target(std::string_view institution, std::string_view id)
{
    return child_target(institution, id) + "/withdrawal";
}

std::string children_target(std::string_view institution, std::size_t limit,
                            std::string_view cursor)
{
    const auto n = limit != 0 ? std::to_string(limit) : std::string();
    return "/v1/institutions/" + segment(institution) + "/children" +
           query({{"limit", n}, {"cursor", cursor}});
}

std::string changes_target(std::string_view cursor, std::size_t limit)
{
    const auto n = limit != 0 ? std::to_string(limit) : std::string();
    return "/v1/changes" + query({{"cursor", cursor}, {"limit", n}});
}

std::string validate_target(std::string_view profile)
{
    return "/v1/validate" + query({{"profile", profile}});
}

std::string corrections_target(std::string_view status, std::string_view institution)
{
    return "/v1/correction-requests" + query({{"status", status}, {"institution", institution}});
}

std::string completeness_target(std::string_view institution, std::string_view as_of,
                                std::string_view deadline)
{
    return "/v1/reports/completeness" +
           query({{"institution", institution}, {"as_of", as_of}, {"deadline", deadline}});
}

std::string correction_target(std::string_view id, std::string_view action)
{
    std::string t = "/v1/correction-requests/" + segment(id);
    if (!action.empty()) {
        t += "/" + std::string(action);
    }
    return t;
}

std::string encode_cursor(std::string_view kind, std::string_view value)
{
    std::string raw = std::string(kind) + ":" + std::string(value);
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : raw) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(b64url[(acc >> bits) & 0x3F]);
        }
    }
    if (bits > 0) {
        out.push_back(b64url[(acc << (6 - bits)) & 0x3F]);
    }
    return out;
}

std::optional<std::string> decode_cursor(std::string_view cursor, std::string_view kind)
{
    if (cursor.empty() || cursor.size() > 512) {
        return std::nullopt;
    }
    std::string raw;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : cursor) {
        const int v = b64url_value(c);
        if (v < 0) {
            return std::nullopt;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            raw.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    const std::string prefix = std::string(kind) + ":";
    if (!std::string_view(raw).starts_with(prefix)) {
        return std::nullopt;
    }
    return raw.substr(prefix.size());
}

std::string change_cursor(std::int64_t seq) { return encode_cursor("c", std::to_string(seq)); }

std::optional<std::int64_t> parse_change_cursor(std::string_view cursor)
{
    const auto v = decode_cursor(cursor, "c");
    if (!v || v->empty()) {
        return std::nullopt;
    }
    std::int64_t seq = 0;
    const auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), seq);
    if (ec != std::errc{} || p != v->data() + v->size() || seq < 0) {
        return std::nullopt;
    }
    return seq;
}

} // namespace aikom::protocol
