#include <aikom/check/issue_codes.hpp>
#include <aikom/protocol/faults.hpp>

#include "protocol/json_util.hpp"

namespace aikom::protocol {

namespace json = boost::json;

std::string to_json(const fault_settings& f)
{
    return json::serialize(json::object{{"latency_ms", f.latency.count()},
                                        {"error_rate", f.error_rate},
                                        {"error_status", f.error_status},
                                        {"retry_after_seconds", f.retry_after.count()},
                                        {"drop_rate", f.drop_rate}});
}

parsed_body<fault_settings> parse_fault_settings(std::string_view text)
{
    parsed_body<fault_settings> out;
    const auto body = detail::parse_object(text);
    if (!body) {
        out.fault = body_fault::malformed;
        return out;
    }
    auto& errors = out.issues;
    auto number = [&](const char* key, double lo, double hi, double fallback) {
        const auto* v = body->if_contains(key);
        if (v == nullptr) {
            return fallback;
        }
        const auto d = detail::as_double(*v, lo, hi);
        if (!d) {
            auto& i = errors.emplace_back(check::make_issue("format.integer", "/" + std::string(key)));
            i.message_en = "out of range: " + std::to_string(lo) + ".." + std::to_string(hi);
            i.message_uk = "поза межами: " + std::to_string(lo) + ".." + std::to_string(hi);
            return fallback;
        }
        return *d;
    };
    auto& f = out.value;
    f.latency = std::chrono::milliseconds(static_cast<long>(number("latency_ms", 0, 60000, 0)));
    f.error_rate = number("error_rate", 0, 1, 0);
    f.error_status = static_cast<unsigned>(number("error_status", 429, 503, 503));
    if (f.error_status != 429 && f.error_status != 503) {
        errors.push_back(check::make_issue("format.enum", "/error_status",
                                           {{"expected", "429 or 503", "429 або 503"}}));
    }
    f.retry_after =
        std::chrono::seconds(static_cast<long>(number("retry_after_seconds", 0, 3600, 1)));
    f.drop_rate = number("drop_rate", 0, 1, 0);
    if (!errors.empty()) {
        out.fault = body_fault::invalid;
    }
    return out;
}

} // namespace aikom::protocol
