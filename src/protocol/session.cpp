#include <aikom/protocol/session.hpp>

#include "protocol/json_util.hpp"

#include <climits>
#include <limits>

namespace aikom::protocol {

using detail::member_reader;
namespace json = boost::json;

namespace {

constexpr std::uint64_t size_max = std::numeric_limits<std::size_t>::max();

std::chrono::seconds seconds_or(member_reader& r, std::string_view key, std::chrono::seconds d)
{
    return std::chrono::seconds(static_cast<std::int64_t>(r.uint_or(
        key, 0, detail::max_seconds, static_cast<std::uint64_t>(d.count()))));
}

} // namespace

// ---- discovery ----------------------------------------------------------------------------------

std::string to_json(const discovery& d)
{
    json::object o;
    o["protocol"] = d.protocol;
    o["version"] = d.version;
    o["record_schema"] = d.record_schema;
    o["token_url"] = d.token_url;
    json::object limits{{"max_body_bytes", d.limits.max_body_bytes},
                        {"max_record_bytes", d.limits.max_record_bytes},
                        {"max_batch_items", d.limits.max_batch_items},
                        {"page_size_default", d.limits.page_size_default},
                        {"page_size_max", d.limits.page_size_max}};
    const auto cap = [&](std::string_view key, const std::optional<std::size_t>& value) {
        if (value) {
            limits[key] = *value;
        }
    };
    cap("connections_per_address", d.limits.connections_per_address);
    cap("tokens_per_client", d.limits.tokens_per_client);
    cap("idempotency_keys_per_client", d.limits.idempotency_keys_per_client);
    o["limits"] = std::move(limits);
    o["change_feed_retention_seconds"] = d.change_feed_retention.count();
    o["idempotency_retention_seconds"] = d.idempotency_retention.count();
    o["scopes"] = detail::strings_value(d.scopes);
    o["roles"] = detail::strings_value(d.roles);
    return json::serialize(o);
}

boost::system::result<discovery> parse_discovery(std::string_view text)
{
    auto o = detail::parse_object(text);
    if (!o) {
        return o.error();
    }
    member_reader r(*o);
    discovery d;
    d.protocol = r.string("protocol");
    d.version = r.string("version");
    d.record_schema = static_cast<int>(r.uint_or("record_schema", 1, INT_MAX, 1));
    d.token_url = r.string_or("token_url", d.token_url);
    if (const auto* l = r.optional_object("limits")) {
        member_reader lr(*l);
        auto size = [&](std::string_view key, std::size_t fallback) {
            return static_cast<std::size_t>(lr.uint_or(key, 1, size_max, fallback));
        };
        d.limits.max_body_bytes = size("max_body_bytes", d.limits.max_body_bytes);
        d.limits.max_record_bytes = size("max_record_bytes", d.limits.max_record_bytes);
        d.limits.max_batch_items = size("max_batch_items", d.limits.max_batch_items);
        d.limits.page_size_default = size("page_size_default", d.limits.page_size_default);
        d.limits.page_size_max = size("page_size_max", d.limits.page_size_max);
        auto cap = [&](std::string_view key) -> std::optional<std::size_t> {
            const auto v = lr.optional_integer(key, 1, std::numeric_limits<std::int64_t>::max());
            return v ? std::optional<std::size_t>(static_cast<std::size_t>(*v)) : std::nullopt;
        };
        d.limits.connections_per_address = cap("connections_per_address");
        d.limits.tokens_per_client = cap("tokens_per_client");
        d.limits.idempotency_keys_per_client = cap("idempotency_keys_per_client");
        r.fail(lr.error());
    }
    d.change_feed_retention =
        seconds_or(r, "change_feed_retention_seconds", d.change_feed_retention);
    d.idempotency_retention =
        seconds_or(r, "idempotency_retention_seconds", d.idempotency_retention);
    d.scopes = r.strings_or_empty("scopes");
    d.roles = r.strings_or_empty("roles");
    if (!r.ok()) {
        return r.error();
    }
    if (d.protocol.empty() || d.version.empty()) {
        return make_error_code(protocol_errc::missing_field);
    }
    return d;
}

// ---- token ------------------------------------------------------------------------------------

std::string to_json(const token_response& t)
{
    json::object o;
    o["access_token"] = t.access_token;
    o["token_type"] = t.token_type;
    o["expires_in"] = t.expires_in.count();
    o["scope"] = t.scope;
    return json::serialize(o);
}

boost::system::result<token_response> parse_token_response(std::string_view text)
{
    auto o = detail::parse_object(text);
    if (!o) {
        return o.error();
    }
    member_reader r(*o);
    token_response t;
    t.access_token = r.string("access_token");
    t.token_type = r.string("token_type");
    t.scope = r.string_or("scope");
    t.expires_in = seconds_or(r, "expires_in", std::chrono::seconds(0));
    if (!r.ok()) {
        return r.error();
    }
    if (t.access_token.empty() || t.token_type.empty()) {
        return make_error_code(protocol_errc::missing_field);
    }
    return t;
}

std::string to_json(const oauth_error& e)
{
    json::object o;
    o["error"] = e.error;
    if (!e.error_description.empty()) {
        o["error_description"] = e.error_description;
    }
    return json::serialize(o);
}

boost::system::result<oauth_error> parse_oauth_error(std::string_view text)
{
    auto o = detail::parse_object(text);
    if (!o) {
        return o.error();
    }
    member_reader r(*o);
    oauth_error e;
    e.error = r.string("error");
    e.error_description = r.string_or("error_description");
    if (!r.ok()) {
        return r.error();
    }
    if (e.error.empty()) {
        return make_error_code(protocol_errc::missing_field);
    }
    return e;
}

} // namespace aikom::protocol
