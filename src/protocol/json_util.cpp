#include "protocol/json_util.hpp"

#include "support/json_null_handler.hpp"

#include <aikom/check/issue_codes.hpp>
#include <aikom/protocol/timestamp.hpp>

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <cmath>

namespace aikom::protocol::detail {
namespace {

json::parse_options strict_options() noexcept
{
    json::parse_options p;
    p.max_depth = max_depth;
    p.allow_comments = false;
    p.allow_trailing_commas = false;
    p.allow_invalid_utf8 = false;
    return p;
}

bool is_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skip_space(std::string_view s, std::size_t i) noexcept
{
    while (i < s.size() && is_space(s[i])) {
        ++i;
    }
    return i;
}

// The end of the string literal starting at s[i] == '"'.
std::size_t string_end(std::string_view s, std::size_t i) noexcept
{
    ++i;
    while (i < s.size() && s[i] != '"') {
        i += s[i] == '\\' ? 2 : 1;
    }
    return std::min(i + 1, s.size());
}

// The end of the (valid) JSON value starting at s[i].
std::size_t value_end(std::string_view s, std::size_t i) noexcept
{
    if (i >= s.size()) {
        return s.size();
    }
    if (s[i] == '"') {
        return string_end(s, i);
    }
    if (s[i] == '{' || s[i] == '[') {
        std::size_t depth = 0;
        while (i < s.size()) {
            const char c = s[i];
            if (c == '"') {
                i = string_end(s, i);
                continue;
            }
            if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    return i + 1;
                }
            }
            ++i;
        }
        return s.size();
    }
    while (i < s.size() && !is_space(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']') {
        ++i;
    }
    return i;
}

// Walks the members or elements of the container whose opening bracket is at s[i], calling
// `f(key_token, value_text)` (key_token empty for arrays).
template <class F>
void walk(std::string_view s, std::size_t i, bool object, F&& f)
{
    i = skip_space(s, i + 1);
    const char close = object ? '}' : ']';
    while (i < s.size() && s[i] != close) {
        std::string_view key;
        if (object) {
            const auto k_end = string_end(s, i);
            key = s.substr(i, k_end - i);
            i = skip_space(s, k_end);
            i = skip_space(s, i + 1); // ':'
        }
        const auto v_end = value_end(s, i);
        f(key, s.substr(i, v_end - i));
        i = skip_space(s, v_end);
        if (i < s.size() && s[i] == ',') {
            i = skip_space(s, i + 1);
        }
    }
}

// A key token (with its quotes) as text.
std::string key_text(std::string_view token)
{
    if (token.size() >= 2 && token.find('\\') == std::string_view::npos) {
        return std::string(token.substr(1, token.size() - 2));
    }
    json::error_code ec;
    auto v = json::parse(token, ec);
    return !ec && v.is_string() ? std::string(v.as_string()) : std::string();
}

} // namespace

// ---- parsing --------------------------------------------------------------------------------

result<json::object> parse_object(std::string_view text)
{
    json::error_code ec;
    auto v = json::parse(text, ec, json::storage_ptr(), strict_options());
    if (ec || !v.is_object()) {
        return make_error_code(protocol_errc::malformed_json);
    }
    return std::move(v.as_object());
}

bool valid_json(std::string_view text) noexcept
{
    json::basic_parser<aikom::detail::json_null_handler> p(strict_options());
    json::error_code ec;
    const auto used = p.write_some(false, text.data(), text.size(), ec);
    return !ec && skip_space(text, used) == text.size();
}

std::optional<std::string_view> split_object::raw_member(std::string_view key) const noexcept
{
    for (auto it = raw.rbegin(); it != raw.rend(); ++it) {
        if (it->first == key) {
            return it->second;
        }
    }
    return std::nullopt;
}

std::optional<split_object> split(std::string_view text,
                                  std::initializer_list<std::string_view> raw_keys)
{
    const auto start = skip_space(text, 0);
    if (start >= text.size() || text[start] != '{') {
        return std::nullopt;
    }
    split_object out;
    bool ok = true;
    walk(text, start, true, [&](std::string_view token, std::string_view value) {
        auto key = key_text(token);
        if (std::find(raw_keys.begin(), raw_keys.end(), key) != raw_keys.end()) {
            out.raw.emplace_back(std::move(key), value);
            return;
        }
        json::error_code ec;
        auto v = json::parse(value, ec, json::storage_ptr(), strict_options());
        if (ec) {
            ok = false; // cannot happen for valid input; refuse rather than guess
            return;
        }
        out.members[key] = std::move(v);
    });
    if (!ok) {
        return std::nullopt;
    }
    return out;
}

std::optional<std::vector<std::string_view>> split_array(std::string_view text)
{
    const auto start = skip_space(text, 0);
    if (start >= text.size() || text[start] != '[') {
        return std::nullopt;
    }
    std::vector<std::string_view> out;
    walk(text, start, false, [&](std::string_view, std::string_view value) {
        out.push_back(value);
    });
    return out;
}

char first_char(std::string_view text) noexcept
{
    const auto i = skip_space(text, 0);
    return i < text.size() ? text[i] : '\0';
}

// ---- checked values -------------------------------------------------------------------------

result<std::uint64_t> as_uint(const json::value& v, std::uint64_t min, std::uint64_t max) noexcept
{
    std::uint64_t n = 0;
    if (v.is_uint64()) {
        n = v.get_uint64();
    } else if (v.is_int64()) {
        if (v.get_int64() < 0) {
            return make_error_code(protocol_errc::bad_value);
        }
        n = static_cast<std::uint64_t>(v.get_int64());
    } else if (v.is_double()) {
        const double d = v.get_double();
        // 2^64 is exactly representable; anything at or above it does not fit.
        if (!std::isfinite(d) || d != std::floor(d) || d < 0 || d >= 18446744073709551616.0) {
            return make_error_code(protocol_errc::bad_value);
        }
        n = static_cast<std::uint64_t>(d);
    } else {
        return make_error_code(protocol_errc::bad_value);
    }
    if (n < min || n > max) {
        return make_error_code(protocol_errc::bad_value);
    }
    return n;
}

result<std::int64_t> as_int(const json::value& v, std::int64_t min, std::int64_t max) noexcept
{
    std::int64_t n = 0;
    if (v.is_int64()) {
        n = v.get_int64();
    } else if (v.is_uint64()) {
        if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return make_error_code(protocol_errc::bad_value);
        }
        n = static_cast<std::int64_t>(v.get_uint64());
    } else if (v.is_double()) {
        const double d = v.get_double();
        // [-2^63, 2^63): both bounds are exactly representable.
        if (!std::isfinite(d) || d != std::floor(d) || d < -9223372036854775808.0 ||
            d >= 9223372036854775808.0) {
            return make_error_code(protocol_errc::bad_value);
        }
        n = static_cast<std::int64_t>(d);
    } else {
        return make_error_code(protocol_errc::bad_value);
    }
    if (n < min || n > max) {
        return make_error_code(protocol_errc::bad_value);
    }
    return n;
}

result<double> as_double(const json::value& v, double min, double max) noexcept
{
    double d = 0;
    if (v.is_double()) {
        d = v.get_double();
    } else if (v.is_int64()) {
        d = static_cast<double>(v.get_int64());
    } else if (v.is_uint64()) {
        d = static_cast<double>(v.get_uint64());
    } else {
        return make_error_code(protocol_errc::bad_value);
    }
    if (!std::isfinite(d) || d < min || d > max) {
        return make_error_code(protocol_errc::bad_value);
    }
    return d;
}

std::size_t utf8_chars(std::string_view s) noexcept
{
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

result<array_body> split_array_body(std::string_view text, std::string_view key)
{
    if (!valid_json(text)) {
        return make_error_code(protocol_errc::malformed_json);
    }
    auto body = split(text, {key});
    if (!body) {
        return make_error_code(protocol_errc::malformed_json);
    }
    const auto array = body->raw_member(key);
    if (!array) {
        return make_error_code(protocol_errc::missing_field);
    }
    auto elements = split_array(*array);
    if (!elements) {
        return make_error_code(protocol_errc::bad_value);
    }
    return array_body{std::move(body->members), std::move(*elements)};
}

// ---- member_reader --------------------------------------------------------------------------

void member_reader::fail(protocol_errc e) noexcept
{
    if (!ec_) {
        ec_ = make_error_code(e);
    }
}

void member_reader::fail(const error_code& ec) noexcept
{
    if (!ec_) {
        ec_ = ec;
    }
}

const json::value* member_reader::find(std::string_view key, bool required)
{
    if (ec_) {
        return nullptr;
    }
    const auto* v = o_->if_contains(key);
    if (v == nullptr || v->is_null()) {
        if (required) {
            fail(protocol_errc::missing_field);
        }
        return nullptr;
    }
    return v;
}

namespace {

// The typed views of a member's value: bad_value for another type.
result<std::string> as_string(const json::value& v)
{
    if (!v.is_string()) {
        return make_error_code(protocol_errc::bad_value);
    }
    return std::string(v.get_string());
}

result<bool> as_bool(const json::value& v)
{
    if (!v.is_bool()) {
        return {boost::system::in_place_error, make_error_code(protocol_errc::bad_value)};
    }
    return v.get_bool();
}

result<const json::object*> as_object(const json::value& v)
{
    if (!v.is_object()) {
        return make_error_code(protocol_errc::bad_value);
    }
    return &v.get_object();
}

result<std::chrono::sys_seconds> as_timestamp(const json::value& v)
{
    const auto t = v.is_string() ? parse_timestamp(v.get_string()) : std::nullopt;
    if (!t) {
        return make_error_code(protocol_errc::bad_value);
    }
    return *t;
}

result<const json::array*> as_array(const json::value& v)
{
    if (!v.is_array()) {
        return make_error_code(protocol_errc::bad_value);
    }
    return &v.get_array();
}

} // namespace

template <class Convert>
auto member_reader::read(std::string_view key, bool required, Convert convert)
    -> std::optional<typename std::invoke_result_t<Convert, const json::value&>::value_type>
{
    const auto* v = find(key, required);
    if (v == nullptr) {
        return std::nullopt;
    }
    auto r = convert(*v);
    if (!r) {
        fail(r.error());
        return std::nullopt;
    }
    return std::move(*r);
}

std::string member_reader::string(std::string_view key)
{
    return read(key, true, as_string).value_or(std::string());
}

std::uint64_t member_reader::uint(std::string_view key, std::uint64_t min, std::uint64_t max)
{
    return read(key, true, [&](const json::value& v) { return as_uint(v, min, max); }).value_or(0);
}

std::int64_t member_reader::integer(std::string_view key, std::int64_t min, std::int64_t max)
{
    return read(key, true, [&](const json::value& v) { return as_int(v, min, max); }).value_or(0);
}

double member_reader::number(std::string_view key, double min, double max)
{
    return read(key, true, [&](const json::value& v) { return as_double(v, min, max); })
        .value_or(0.0);
}

bool member_reader::boolean(std::string_view key)
{
    return read(key, true, as_bool).value_or(false);
}

const json::object* member_reader::object(std::string_view key)
{
    return read(key, true, as_object).value_or(nullptr);
}

const json::array* member_reader::array(std::string_view key)
{
    return read(key, true, as_array).value_or(nullptr);
}

std::optional<std::string> member_reader::optional_string(std::string_view key)
{
    return read(key, false, as_string);
}

std::string member_reader::string_or(std::string_view key, std::string fallback)
{
    auto s = optional_string(key);
    return s ? std::move(*s) : std::move(fallback);
}

std::optional<std::int64_t> member_reader::optional_integer(std::string_view key,
                                                            std::int64_t min, std::int64_t max)
{
    return read(key, false, [&](const json::value& v) { return as_int(v, min, max); });
}

std::uint64_t member_reader::uint_or(std::string_view key, std::uint64_t min, std::uint64_t max,
                                     std::uint64_t fallback)
{
    // A member that is present but wrong fails the reader; the fallback is returned either way.
    return read(key, false, [&](const json::value& v) { return as_uint(v, min, max); })
        .value_or(fallback);
}

bool member_reader::boolean_or(std::string_view key, bool fallback)
{
    return read(key, false, as_bool).value_or(fallback);
}

const json::object* member_reader::optional_object(std::string_view key)
{
    return read(key, false, as_object).value_or(nullptr);
}

const json::array* member_reader::optional_array(std::string_view key)
{
    return read(key, false, as_array).value_or(nullptr);
}

std::vector<std::string> member_reader::strings_or_empty(std::string_view key)
{
    std::vector<std::string> out;
    const auto* a = optional_array(key);
    if (a == nullptr) {
        return out;
    }
    for (const auto& s : *a) {
        if (!s.is_string()) {
            fail(protocol_errc::bad_value);
            return {};
        }
        out.emplace_back(s.get_string());
    }
    return out;
}

std::chrono::sys_seconds member_reader::timestamp(std::string_view key)
{
    return read(key, true, as_timestamp).value_or(std::chrono::sys_seconds{});
}

std::optional<std::chrono::sys_seconds> member_reader::optional_timestamp(std::string_view key)
{
    return read(key, false, as_timestamp);
}

std::vector<check::issue> member_reader::issues(std::string_view key)
{
    const auto* a = optional_array(key);
    if (a == nullptr) {
        return {};
    }
    auto r = parse_issues(*a);
    if (!r) {
        fail(r.error());
        return {};
    }
    return std::move(*r);
}

result<std::vector<check::issue>> parse_issues(const json::array& a)
{
    std::vector<check::issue> out;
    out.reserve(a.size());
    for (const auto& v : a) {
        if (!v.is_object()) {
            return make_error_code(protocol_errc::bad_value);
        }
        member_reader r(v.get_object());
        check::issue i;
        i.pointer = r.string_or("pointer");
        i.code = r.string("code");
        const auto sev = r.string_or("severity", "error");
        i.severity = sev == "warning" ? check::severity::warning
                     : sev == "fix"   ? check::severity::fix
                                      : check::severity::error; // a newer severity: the strictest
        i.message_en = r.string_or("message");
        i.message_uk = r.string_or("message_uk");
        i.suggestion = r.optional_string("suggestion");
        i.parameter = r.optional_string("parameter");
        i.header = r.optional_string("header");
        if (!r.ok()) {
            return r.error();
        }
        out.push_back(std::move(i));
    }
    return out;
}

// ---- request bodies ---------------------------------------------------------------------------

std::string pointer_to(std::string_view key)
{
    std::string p;
    check::append_pointer_token(p, key);
    return p;
}

parsed_body<std::optional<std::string>> parse_note_body(std::string_view text, bool note_required)
{
    parsed_body<std::optional<std::string>> out;
    auto& errors = out.issues;
    if (!text.empty()) {
        const auto body = parse_object(text);
        if (!body) {
            out.fault = body_fault::malformed;
            return out;
        }
        for (const auto& [k, v] : *body) {
            if (k == "note" && v.is_string()) {
                out.value = std::string(v.get_string());
            } else if (k == "note") {
                errors.push_back(check::make_issue(
                    "format.type", "/note",
                    {{"expected", "a string", "рядок"}, {"got", "another type", "інший тип"}}));
            } else {
                errors.push_back(check::make_issue("field.unknown", pointer_to(k)));
            }
        }
    }
    const std::string_view note = out.value ? std::string_view(*out.value) : "";
    if (note_required && note.empty()) {
        errors.push_back(check::make_issue("required.missing", "/note"));
    }
    if (utf8_chars(note) > max_note_chars) {
        errors.push_back(check::make_issue("format.too_long", "/note", {{"max", "500", "500"}}));
    }
    if (!errors.empty()) {
        out.fault = body_fault::invalid;
    }
    return out;
}

std::string note_body_json(const std::optional<std::string>& note)
{
    json::object o;
    if (note) {
        o["note"] = *note;
    }
    return json::serialize(o);
}

// ---- records inside bodies ------------------------------------------------------------------

std::optional<model::child> decode_record(codec::record_decoder& decoder, std::string_view text,
                                          std::string_view pointer,
                                          std::vector<check::issue>* issues)
{
    model::child c;
    std::vector<check::issue> found;
    if (decoder.decode_into(text, c, found).ok) {
        return c;
    }
    if (issues != nullptr) {
        for (auto& i : found) {
            if (i.severity == check::severity::error) {
                i.pointer.insert(0, pointer);
                issues->push_back(std::move(i));
            }
        }
    }
    return std::nullopt;
}

// ---- writing --------------------------------------------------------------------------------

json::object issue_value(const check::issue& i)
{
    json::object o;
    if (i.parameter) {
        o["parameter"] = *i.parameter;
    } else if (i.header) {
        o["header"] = *i.header;
    } else {
        o["pointer"] = i.pointer;
    }
    o["code"] = i.code;
    o["severity"] = check::to_string(i.severity);
    o["message"] = i.message_en;
    o["message_uk"] = i.message_uk;
    if (i.suggestion) {
        o["suggestion"] = *i.suggestion;
    }
    return o;
}

json::array issues_value(const std::vector<check::issue>& issues)
{
    json::array a;
    a.reserve(issues.size());
    for (const auto& i : issues) {
        a.push_back(issue_value(i));
    }
    return a;
}

json::array strings_value(const std::vector<std::string>& v)
{
    json::array a;
    a.reserve(v.size());
    for (const auto& s : v) {
        a.emplace_back(s);
    }
    return a;
}

json::value timestamp_value(std::chrono::sys_seconds t)
{
    return json::string(format_timestamp(t));
}

json::value timestamp_value(const std::optional<std::chrono::sys_seconds>& t)
{
    return t ? timestamp_value(*t) : json::value(nullptr);
}

json::value string_or_null(const std::optional<std::string>& s)
{
    return s ? json::value(json::string(*s)) : json::value(nullptr);
}

std::string quoted(std::string_view text)
{
    return json::serialize(json::string(text));
}

} // namespace aikom::protocol::detail
