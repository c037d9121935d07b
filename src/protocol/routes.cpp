#include <aikom/protocol/error.hpp>
#include <aikom/protocol/routes.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/parse_path.hpp>
#include <boost/url/url_view.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/rfc/pchars.hpp>

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <span>

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

using query_params = std::vector<std::pair<std::string_view, std::string_view>>;

// `?a=1&b=2` from the pairs whose value is not empty; a name may repeat (`institution=`). The
// one place where a query is built.
std::string query(std::span<const std::pair<std::string_view, std::string_view>> params)
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

std::string query(std::initializer_list<std::pair<std::string_view, std::string_view>> params)
{
    return query(std::span(params.begin(), params.size()));
}

std::string count(std::size_t n)
{
    return n != 0 ? std::to_string(n) : std::string();
}

std::string institution_path(std::string_view institution)
{
    return "/v1/institutions/" + segment(institution);
}

// A change cursor's epoch: visible ASCII, so that it never needs escaping in a log.
bool valid_epoch(std::string_view e) noexcept
{
    return !e.empty() && e.size() <= 64 &&
           std::all_of(e.begin(), e.end(), [](char c) { return c >= '!' && c <= '~'; });
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
    } else if (n >= 4 && n <= 5 && s[1] == "institutions" && s[3] == "grants") {
        r.institution = s[2];
        r.endpoint = n == 4 ? endpoint::grants : endpoint::grant;
        if (n == 5) {
            r.client_id = s[4];
        }
    } else if (n == 4 && s[1] == "institutions" && s[3] == "grant-history") {
        r.institution = s[2];
        r.endpoint = endpoint::grant_history;
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
    } else if (n == 3 && s[1] == "reports" && s[2] == "progress") {
        r.endpoint = endpoint::progress_report;
    } else if (n == 3 && s[1] == "reports" && s[2] == "form-85k") {
        r.endpoint = endpoint::form85k_report;
    } else if (n == 2 && s[1] == "openapi.json") {
        r.endpoint = endpoint::openapi;
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
    return institution_path(institution) + "/children/" + segment(id);
}

std::string withdrawal_target(std::string_view institution, std::string_view id)
{
    return child_target(institution, id) + "/withdrawal";
}

std::string children_target(std::string_view institution, std::size_t limit,
                            std::string_view cursor)
{
    return institution_path(institution) + "/children" +
           query({{"limit", count(limit)}, {"cursor", cursor}});
}

std::string correction_target(std::string_view id, std::string_view action)
{
    std::string t = "/v1/correction-requests/" + segment(id);
    if (!action.empty()) {
        t += "/" + std::string(action);
    }
    return t;
}

std::string grants_target(std::string_view institution)
{
    return institution_path(institution) + "/grants";
}

std::string grant_target(std::string_view institution, std::string_view client_id)
{
    return grants_target(institution) + "/" + segment(client_id);
}

std::string grant_history_target(std::string_view institution)
{
    return institution_path(institution) + "/grant-history";
}

std::string validate_target(std::string_view profile)
{
    return "/v1/validate" + query({{"profile", profile}});
}

std::string changes_target(std::string_view cursor, std::size_t limit,
                           std::span<const std::string> institutions)
{
    const auto n = count(limit);
    query_params params{{"cursor", cursor}, {"limit", n}};
    for (const auto& i : institutions) {
        params.emplace_back("institution", i);
    }
    return "/v1/changes" + query(params);
}

std::string corrections_target(std::string_view status, std::string_view institution,
                               std::size_t limit, std::string_view cursor)
{
    return "/v1/correction-requests" + query({{"status", status},
                                              {"institution", institution},
                                              {"limit", count(limit)},
                                              {"cursor", cursor}});
}

std::string completeness_target(std::string_view institution, std::string_view as_of,
                                std::string_view deadline)
{
    return "/v1/reports/completeness" +
           query({{"institution", institution}, {"as_of", as_of}, {"deadline", deadline}});
}

std::string progress_target(std::string_view from, std::string_view to, std::string_view deadline,
                            std::string_view institution)
{
    return "/v1/reports/progress" + query({{"from", from},
                                           {"to", to},
                                           {"deadline", deadline},
                                           {"institution", institution}});
}

std::string form85k_target(std::string_view as_of, std::string_view institution)
{
    return "/v1/reports/form-85k" + query({{"as_of", as_of}, {"institution", institution}});
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

std::string change_cursor(std::string_view epoch, std::int64_t seq)
{
    return encode_cursor("f", std::string(epoch) + ":" + std::to_string(seq));
}

std::optional<change_position> parse_change_cursor(std::string_view cursor)
{
    const auto v = decode_cursor(cursor, "f");
    if (!v) {
        return std::nullopt;
    }
    const auto colon = v->rfind(':');
    if (colon == std::string::npos || colon + 1 == v->size()) {
        return std::nullopt;
    }
    change_position out{.epoch = v->substr(0, colon)};
    const char* first = v->data() + colon + 1;
    const char* last = v->data() + v->size();
    const auto [p, ec] = std::from_chars(first, last, out.seq);
    if (ec != std::errc{} || p != last || *first == '-' || *first == '+' ||
        !valid_epoch(out.epoch)) {
        return std::nullopt;
    }
    return out;
}

} // namespace aikom::protocol
