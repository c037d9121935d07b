// Private: small Boost.JSON helpers shared by the protocol's bodies.
#ifndef AIKOM_SRC_PROTOCOL_JSON_UTIL_HPP
#define AIKOM_SRC_PROTOCOL_JSON_UTIL_HPP

#include <aikom/check/issue.hpp>

#include <boost/json.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace aikom::protocol::detail {

/// Parses `json` as an object; `protocol_errc::malformed_json` otherwise.
boost::system::result<boost::json::object> parse_object(std::string_view json);

/// The string at `key`, or "" when absent or not a string.
std::string get_string(const boost::json::object& o, std::string_view key);

boost::json::object issue_value(const check::issue& i);
boost::json::array issues_value(const std::vector<check::issue>& issues);

/// Issues from an array of objects; malformed entries are skipped.
std::vector<check::issue> parse_issues(const boost::json::array& a);

/// `text` as a JSON string literal.
std::string quoted(std::string_view text);

} // namespace aikom::protocol::detail

#endif
