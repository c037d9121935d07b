#include "protocol/json_util.hpp"

#include <aikom/protocol/error.hpp>

namespace aikom::protocol::detail {

boost::system::result<boost::json::object> parse_object(std::string_view json)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec || !v.is_object()) {
        return make_error_code(protocol_errc::malformed_json);
    }
    return std::move(v.as_object());
}

std::string get_string(const boost::json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return {};
    }
    return std::string(v->as_string());
}

boost::json::object issue_value(const check::issue& i)
{
    boost::json::object o;
    o["pointer"] = i.pointer;
    o["code"] = i.code;
    o["severity"] = check::to_string(i.severity);
    o["message"] = i.message_en;
    o["message_uk"] = i.message_uk;
    if (i.suggestion) {
        o["suggestion"] = *i.suggestion;
    }
    return o;
}

boost::json::array issues_value(const std::vector<check::issue>& issues)
{
    boost::json::array a;
    a.reserve(issues.size());
    for (const auto& i : issues) {
        a.push_back(issue_value(i));
    }
    return a;
}

std::vector<check::issue> parse_issues(const boost::json::array& a)
{
    std::vector<check::issue> out;
    for (const auto& v : a) {
        if (!v.is_object()) {
            continue;
        }
        const auto& o = v.as_object();
        check::issue i;
        i.pointer = get_string(o, "pointer");
        i.code = get_string(o, "code");
        i.message_en = get_string(o, "message");
        i.message_uk = get_string(o, "message_uk");
        const auto sev = get_string(o, "severity");
        i.severity = sev == "warning" ? check::severity::warning
                     : sev == "fix"   ? check::severity::fix
                                      : check::severity::error;
        if (const auto* s = o.if_contains("suggestion"); s != nullptr && s->is_string()) {
            i.suggestion = std::string(s->as_string());
        }
        out.push_back(std::move(i));
    }
    return out;
}

std::string quoted(std::string_view text)
{
    return boost::json::serialize(boost::json::string(text));
}

} // namespace aikom::protocol::detail
