// Private: a Boost.JSON basic_parser handler that accepts every event and keeps nothing.
// basic_parser<null_handler> checks syntax only (and still validates UTF-8 and converts
// numbers): the protocol's valid_json uses it, and aikom_bench measures it as the ceiling of
// any decoder built on basic_parser.
#ifndef AIKOM_SRC_SUPPORT_JSON_NULL_HANDLER_HPP
#define AIKOM_SRC_SUPPORT_JSON_NULL_HANDLER_HPP

#include <boost/json/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace aikom::detail {

struct json_null_handler {
    using error_code = boost::json::error_code;

    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_object_begin(error_code&) { return true; }
    bool on_object_end(std::size_t, error_code&) { return true; }
    bool on_array_begin(error_code&) { return true; }
    bool on_array_end(std::size_t, error_code&) { return true; }
    bool on_key_part(std::string_view, std::size_t, error_code&) { return true; }
    bool on_key(std::string_view, std::size_t, error_code&) { return true; }
    bool on_string_part(std::string_view, std::size_t, error_code&) { return true; }
    bool on_string(std::string_view, std::size_t, error_code&) { return true; }
    bool on_number_part(std::string_view, error_code&) { return true; }
    bool on_int64(std::int64_t, std::string_view, error_code&) { return true; }
    bool on_uint64(std::uint64_t, std::string_view, error_code&) { return true; }
    bool on_double(double, std::string_view, error_code&) { return true; }
    bool on_bool(bool, error_code&) { return true; }
    bool on_null(error_code&) { return true; }
    bool on_comment_part(std::string_view, error_code&) { return true; }
    bool on_comment(std::string_view, error_code&) { return true; }
};

} // namespace aikom::detail

#endif
