// Section 1: decoding NDJSON records, one line at a time.
//
//   decode.dom_default      boost::json::parse into a DOM, default allocator     (baseline)
//   decode.dom_monotonic    boost::json::parse with a monotonic_resource per line (baseline)
//   decode.typed            record_decoder::decode: full strictness, a new record each time
//   decode.into             record_decoder::decode_into one reused record (what the readers do)
//   decode.into_readiness   decode_into + readiness_builder::add: what an audit does per record
//   decode.limit_null_parser  Boost.JSON's basic_parser with a handler that does nothing: the
//                           ceiling of any decoder built on that parser, ours included
//   decode.limit_simdjson   simdjson's on-demand parser visiting every key and value (strings
//                           unescaped, numbers converted): what another parser can do
//                           (simdjson_limit.cpp)
#include "sections.hpp"

#include "support/json_null_handler.hpp"

#include <aikom/check/readiness.hpp>
#include <aikom/codec/json.hpp>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

#include <chrono>
#include <cstdint>
#include <stdexcept>

namespace aikom::bench {
namespace {

namespace json = boost::json;

// The same parse options as the record decoder (codec/json_decode.cpp).
json::parse_options strict_options()
{
    json::parse_options p;
    p.max_depth = 16;
    return p;
}

void require(bool ok, const char* what)
{
    if (!ok) {
        throw std::runtime_error(std::string("aikom_bench: a generated record failed: ") + what);
    }
}

} // namespace

void add_decode_section(suite& s, const corpus& c)
{
    const volume size{.bytes = c.json_bytes, .items = c.lines.size()};

    s.add("decode.dom_default", size, [&c] {
        for (const auto line : c.lines) {
            json::error_code ec;
            const json::value v = json::parse(line, ec);
            keep(v.is_object() ? 1 : 0);
        }
    });
    s.add("decode.dom_monotonic", size, [&c] {
        unsigned char buffer[4096];
        for (const auto line : c.lines) {
            json::monotonic_resource mr(buffer, sizeof buffer);
            json::error_code ec;
            const json::value v = json::parse(line, ec, &mr);
            keep(v.is_object() ? 1 : 0);
        }
    });
    s.add("decode.typed", size, [&c] {
        codec::record_decoder decoder;
        for (const auto line : c.lines) {
            const auto r = decoder.decode(line);
            require(r.ok(), "decode");
            keep(r.record->id.size());
        }
    });
    s.add("decode.into", size, [&c] {
        codec::record_decoder decoder;
        model::child target;
        std::vector<check::issue> issues;
        for (const auto line : c.lines) {
            require(decoder.decode_into(line, target, issues).ok, "decode_into");
            keep(target.id.size());
        }
    });
    s.add("decode.into_readiness", size, [&c] {
        codec::record_decoder decoder;
        model::child target;
        std::vector<check::issue> issues;
        // The generator's reference date: its records are judged as of the day they were made for.
        check::readiness_builder audit({.as_of = model::date{std::chrono::year{2025},
                                                             std::chrono::June,
                                                             std::chrono::day{1}}});
        for (const auto line : c.lines) {
            require(decoder.decode_into(line, target, issues).ok, "decode_into");
            audit.add(target);
        }
        keep(audit.report().total.ready);
    });
    s.add("decode.limit_null_parser", size, [&c] {
        json::basic_parser<aikom::detail::json_null_handler> parser(strict_options());
        for (const auto line : c.lines) {
            parser.reset();
            json::error_code ec;
            parser.write_some(false, line.data(), line.size(), ec);
            require(!ec && parser.done(), "basic_parser");
        }
    });
#ifdef AIKOM_BENCH_HAVE_SIMDJSON
    s.add("decode.limit_simdjson", size, [&c] { parse_with_simdjson(c); });
#else
    s.add_skipped("decode.limit_simdjson", size,
                  "simdjson not found at build time (Debian: libsimdjson-dev)");
#endif

    s.compare("decode.typed", "decode.dom_default");
    s.compare("decode.typed", "decode.dom_monotonic");
    s.compare("decode.into", "decode.dom_default", 2.2);
    s.compare("decode.into", "decode.dom_monotonic", 1.6);
    s.compare("decode.into", "decode.limit_null_parser");
    s.compare("decode.into", "decode.limit_simdjson");
    s.compare("decode.into_readiness", "decode.dom_default", 1.0);
    s.compare("decode.limit_null_parser", "decode.dom_default");
    s.compare("decode.limit_simdjson", "decode.dom_default");
}

} // namespace aikom::bench
