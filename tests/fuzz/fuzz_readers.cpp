// libFuzzer target: the streaming readers (the first byte picks NDJSON, JSON array or CSV and
// the options). Invariants: never crashes or loops; buffers stay within the reader's bound;
// every accepted record re-encodes and decodes back to itself.
#include <aikom/codec/json.hpp>
#include <aikom/codec/reader.hpp>

#include <cstdint>
#include <cstdlib>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) {
        return 0;
    }
    const std::uint8_t mode = data[0];
    aikom::codec::reader_options o;
    o.chunk_bytes = 16 + (mode >> 4) * 7;
    o.decode.max_record_bytes = 512;
    o.decode.max_issues = 8;
    if (mode & 0x04) {
        o.decode.unknown_fields = aikom::codec::unknown_field_policy::warn;
    }
    if (mode & 0x08) {
        o.csv_encoding = aikom::codec::text_encoding::windows_1251;
    }
    const auto format = static_cast<aikom::codec::input_format>((mode & 0x03) % 3);
    std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
    auto reader = aikom::codec::make_reader(in, format, "fuzz", o);
    aikom::codec::read_item item;
    std::size_t items = 0;
    while (reader->next(item)) {
        if (++items > size + 1) {
            std::abort(); // more items than bytes: a loop
        }
        if (reader->buffer_high_water() > reader->buffer_limit()) {
            std::abort();
        }
        if (item.record) {
            const auto json = aikom::codec::encode(*item.record);
            const auto back = aikom::codec::decode_child(json);
            if (!back.ok() || !(*back.record == *item.record)) {
                std::abort();
            }
        }
    }
    return 0;
}
