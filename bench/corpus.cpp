#include "sections.hpp"

#include <aikom/codec/json.hpp>
#include <aikom/synthetic/roster_generator.hpp>

namespace aikom::bench {

corpus make_corpus(std::size_t count, std::optional<model::date> reference)
{
    // The generator behind `aikom-gen --institutions 20 --seed 1`: clean records, so that every
    // row measures the same successful work.
    synthetic::roster_options options{.institutions = 20, .seed = 1};
    if (reference) {
        options.reference_date = *reference;
    }
    synthetic::roster_generator generator(options);
    corpus c;
    c.reference_date = options.reference_date;
    c.records.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        c.records.push_back(generator.next());
        codec::encode(c.records.back(), c.storage);
        c.storage.push_back('\n');
    }
    const std::size_t text_size = c.storage.size();
    c.storage.append(64, ' '); // simdjson's padding, never part of the text
    c.ndjson = std::string_view(c.storage).substr(0, text_size);
    c.lines.reserve(count);
    std::size_t start = 0;
    while (start < text_size) {
        const std::size_t end = c.ndjson.find('\n', start);
        c.lines.push_back(c.ndjson.substr(start, end - start));
        c.json_bytes += end - start;
        start = end + 1;
    }
    return c;
}

} // namespace aikom::bench
