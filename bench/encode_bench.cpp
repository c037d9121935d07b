// Section 2: encoding records to canonical JSON, against Boost.JSON serializing equivalent DOMs
// (the DOMs parsed from the same canonical lines, so both write the same bytes).
//
//   encode.dom_serialize         boost::json::serialize: a new string per record   (baseline)
//   encode.canonical             codec::encode(record): a new string per record
//   encode.dom_serialize_reused  boost::json::serializer into one reused buffer     (baseline)
//   encode.canonical_reused      codec::encode(record, out) appending to one reused string
//
// The pair with new strings is what the target is about; the reused pair takes the
// allocator out, which is how the run-to-run variation was traced (see bench/README.md).
#include "sections.hpp"

#include <aikom/codec/json.hpp>

#include <boost/json.hpp>

#include <memory>
#include <stdexcept>

namespace aikom::bench {

void add_encode_section(suite& s, const corpus& c)
{
    // Shared by the closures below and freed with them; parsed outside every timing.
    auto doms = std::make_shared<std::vector<boost::json::value>>();
    doms->reserve(c.lines.size());
    for (const auto line : c.lines) {
        doms->push_back(boost::json::parse(line));
    }
    // Both encoders must write what they were given: the canonical line.
    for (std::size_t i = 0; i < c.lines.size() && i < 100; ++i) {
        if (codec::encode(c.records[i]) != c.lines[i] ||
            boost::json::serialize((*doms)[i]) != c.lines[i]) {
            throw std::runtime_error("aikom_bench: the encoders do not write the same bytes");
        }
    }

    const volume size{.bytes = c.json_bytes, .items = c.records.size()};
    s.add("encode.dom_serialize", size, [doms] {
        for (const auto& v : *doms) {
            const std::string out = boost::json::serialize(v);
            keep(out.size());
        }
    });
    s.add("encode.canonical", size, [&c] {
        for (const auto& r : c.records) {
            const std::string out = codec::encode(r);
            keep(out.size());
        }
    });
    s.add("encode.dom_serialize_reused", size, [doms] {
        boost::json::serializer sr;
        std::string out;
        char buffer[4096];
        for (const auto& v : *doms) {
            out.clear();
            sr.reset(&v);
            while (!sr.done()) {
                const auto chunk = sr.read(buffer, sizeof buffer);
                out.append(chunk.data(), chunk.size());
            }
            keep(out.size());
        }
    });
    s.add("encode.canonical_reused", size, [&c] {
        std::string out;
        for (const auto& r : c.records) {
            out.clear();
            codec::encode(r, out);
            keep(out.size());
        }
    });

    s.compare("encode.canonical", "encode.dom_serialize", 1.3);
    s.compare("encode.canonical_reused", "encode.dom_serialize_reused");
}

} // namespace aikom::bench
