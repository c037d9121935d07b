// decode.limit_simdjson's work: simdjson's on-demand parser over every line, visiting every key
// and value (strings unescaped, numbers converted), so that it really parses what our decoder
// parses.
//
// simdjson's on-demand front end chooses its kernel when it is compiled, not at run time: built
// for plain x86-64 it is the scalar fallback. This file alone is therefore compiled with
// -march=native (bench/CMakeLists.txt), so that the limit line is simdjson at its best on the
// machine that runs the benchmark. It is the only file that includes simdjson.h.
#include "sections.hpp"

#include <simdjson.h>

#include <stdexcept>
#include <utility>

namespace aikom::bench {
namespace {

namespace od = simdjson::ondemand;

bool visit(od::value v, std::size_t& acc);

bool visit_object(od::object o, std::size_t& acc)
{
    for (auto f : o) {
        od::field field;
        std::string_view key;
        if (std::move(f).get(field) || field.unescaped_key().get(key)) {
            return false;
        }
        acc += key.size();
        if (!visit(field.value(), acc)) {
            return false;
        }
    }
    return true;
}

bool visit(od::value v, std::size_t& acc)
{
    od::json_type t{};
    if (v.type().get(t)) {
        return false;
    }
    switch (t) {
    case od::json_type::object: {
        od::object o;
        return !v.get_object().get(o) && visit_object(o, acc);
    }
    case od::json_type::array: {
        od::array a;
        if (v.get_array().get(a)) {
            return false;
        }
        for (auto e : a) {
            od::value element;
            if (std::move(e).get(element) || !visit(element, acc)) {
                return false;
            }
        }
        return true;
    }
    case od::json_type::string: {
        std::string_view s;
        if (v.get_string().get(s)) {
            return false;
        }
        acc += s.size();
        return true;
    }
    case od::json_type::number: {
        double d = 0;
        if (v.get_double().get(d)) {
            return false;
        }
        acc += d > 0 ? 1 : 0;
        return true;
    }
    case od::json_type::boolean: {
        bool b = false;
        if (v.get_bool().get(b)) {
            return false;
        }
        acc += b ? 1 : 0;
        return true;
    }
    case od::json_type::null: {
        bool n = false;
        return !v.is_null().get(n) && n;
    }
    }
    return false;
}

} // namespace

void parse_with_simdjson(const corpus& c)
{
    od::parser parser;
    std::size_t acc = 0;
    const char* const end = c.storage.data() + c.storage.size();
    for (const auto line : c.lines) {
        // The line's bytes are followed by the next lines and 64 spare bytes: its padding.
        const simdjson::padded_string_view padded(line.data(), line.size(),
                                                  static_cast<std::size_t>(end - line.data()));
        od::document doc;
        od::object o;
        if (parser.iterate(padded).get(doc) || doc.get_object().get(o) || !visit_object(o, acc)) {
            throw std::runtime_error("aikom_bench: simdjson could not parse a generated record");
        }
    }
    keep(acc);
}

} // namespace aikom::bench
