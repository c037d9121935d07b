#ifndef AIKOM_PROTOCOL_ERROR_HPP
#define AIKOM_PROTOCOL_ERROR_HPP

/// @file
/// Error codes of the protocol layer (category `aikom.protocol`): what went wrong reading a
/// response or a request, phrased so that the message says what to do. The problem kinds a
/// server answers with (problem.hpp) are error codes too, in category `aikom.problem`, so a
/// caller compares `ec == protocol::problem_kind::resync_required`.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace aikom::protocol {

enum class protocol_errc {
    ok = 0,
    malformed_json = 1,      ///< the body is not JSON, or not the JSON the endpoint returns
    missing_field,           ///< a field the protocol requires is absent
    unexpected_status,       ///< the status code is not one the endpoint documents
    bad_cursor,              ///< a cursor that this server did not issue
    bad_target,              ///< a request target that is not an origin-form URI
    bad_value,               ///< a member has the wrong type or a value out of its range
    unexpected_content_type, ///< the response's media type is not the one the endpoint sends
    problem_without_details, ///< an error status whose body is not problem details
};

[[nodiscard]] const boost::system::error_category& protocol_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(protocol_errc e) noexcept
{
    return {static_cast<int>(e), protocol_category()};
}

} // namespace aikom::protocol

template <>
struct boost::system::is_error_code_enum<aikom::protocol::protocol_errc> : std::true_type {};

#endif
