#ifndef AIKOM_CODEC_CSV_HPP
#define AIKOM_CODEC_CSV_HPP

/// @file
/// Writing rosters as CSV in the layout of `docs/csv.md` (reading is `reader.hpp`'s job).
/// One column per scalar field, named by its dotted path (`document.series`); guardians as
/// `guardian1.name.last`, `guardian1.relation`, … Dates are written `YYYY-MM-DD`, booleans
/// `true`/`false`, absent values as empty cells.

#include <aikom/codec/reader.hpp>
#include <aikom/model/child.hpp>

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace aikom::codec {

struct csv_write_options {
    char separator = ';';
    /// `utf8` or `windows_1251` (`automatic` means `utf8`).
    text_encoding encoding = text_encoding::utf8;
    /// Write a UTF-8 byte-order mark first (Excel needs it to read UTF-8). Ignored for 1251.
    bool byte_order_mark = true;
    /// How many guardians the header has room for.
    std::size_t guardian_columns = 2;
};

/// The CSV columns, in order, for a header with room for `guardians` guardians.
[[nodiscard]] std::vector<std::string> csv_columns(std::size_t guardians = 2);

/// Writes a header on construction, then one row per `write()`. `out` must outlive the writer.
class csv_writer {
public:
    explicit csv_writer(std::ostream& out, csv_write_options options = {});

    /// Writes one record. Throws `std::length_error` if it has more guardians than the header
    /// has room for, and `std::invalid_argument` if a character cannot be written in
    /// Windows-1251: nothing is dropped silently.
    void write(const model::child& record);

private:
    std::ostream* out_;
    csv_write_options options_;
    std::string row_;
};

} // namespace aikom::codec

#endif
