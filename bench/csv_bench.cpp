// Section 3: reading rosters as CSV, in UTF-8 and in Windows-1251, against reading the same
// records as NDJSON, all through the library's streaming readers (codec/reader.hpp) from memory.
//
//   csv.ndjson_reader        make_reader(ndjson) over the records' NDJSON        (baseline)
//   csv.utf8_reader          make_reader(csv), UTF-8 with BOM, as csv_writer writes it
//   csv.windows_1251_reader  make_reader(csv), Windows-1251 (transcoded to UTF-8 while read)
//
// The CSV files are written by the library's csv_writer from the same records. Ratios compare
// records per second: the CSV text is shorter than the NDJSON text, so MB/s alone would flatter
// neither side fairly.
#include "sections.hpp"

#include <aikom/codec/csv.hpp>
#include <aikom/codec/reader.hpp>

#include <istream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <streambuf>

namespace aikom::bench {
namespace {

// An istream's buffer over bytes already in memory: the readers copy out of it, nothing else.
class memory_buffer : public std::streambuf {
public:
    explicit memory_buffer(std::string_view text)
    {
        char* p = const_cast<char*>(text.data()); // only ever read
        setg(p, p, p + text.size());
    }
};

std::string write_csv(const corpus& c, codec::text_encoding encoding)
{
    std::ostringstream out;
    codec::csv_writer writer(out, {.encoding = encoding});
    for (const auto& r : c.records) {
        writer.write(r);
    }
    return std::move(out).str();
}

void read_all(std::string_view text, codec::input_format format, codec::text_encoding encoding,
              std::size_t expected)
{
    memory_buffer buffer(text);
    std::istream in(&buffer);
    auto reader = codec::make_reader(in, format, "bench", {.csv_encoding = encoding});
    codec::read_item item;
    std::size_t read = 0;
    while (reader->next(item)) {
        if (!item.ok()) {
            throw std::runtime_error("aikom_bench: a generated record did not read back: " +
                                     reader->position(item));
        }
        ++read;
    }
    if (read != expected) {
        throw std::runtime_error("aikom_bench: the reader did not return every record");
    }
    keep(read);
}

} // namespace

void add_csv_section(suite& s, const corpus& c)
{
    auto utf8 = std::make_shared<const std::string>(write_csv(c, codec::text_encoding::utf8));
    auto cp1251 =
        std::make_shared<const std::string>(write_csv(c, codec::text_encoding::windows_1251));
    const std::size_t n = c.records.size();

    s.add("csv.ndjson_reader", {.bytes = c.ndjson.size(), .items = n}, [&c, n] {
        read_all(c.ndjson, codec::input_format::ndjson, codec::text_encoding::utf8, n);
    });
    s.add("csv.utf8_reader", {.bytes = utf8->size(), .items = n}, [utf8, n] {
        read_all(*utf8, codec::input_format::csv, codec::text_encoding::utf8, n);
    });
    s.add("csv.windows_1251_reader", {.bytes = cp1251->size(), .items = n}, [cp1251, n] {
        read_all(*cp1251, codec::input_format::csv, codec::text_encoding::windows_1251, n);
    });

    s.compare("csv.utf8_reader", "csv.ndjson_reader");
    s.compare("csv.windows_1251_reader", "csv.ndjson_reader");
}

} // namespace aikom::bench
