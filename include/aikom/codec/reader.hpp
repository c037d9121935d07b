#ifndef AIKOM_CODEC_READER_HPP
#define AIKOM_CODEC_READER_HPP

/// @file
/// Streaming readers for rosters: a JSON array of records, NDJSON (one record per line) and CSV
/// (`docs/csv.md`). A reader holds one chunk of input and one record at a time, never the whole
/// file, so a file of a million records is read in bounded memory (`buffer_limit()`).
///
/// A bad record never stops the file: it comes out of `next()` as an item with issues and no
/// record, and reading continues with the next one. Only a JSON array whose framing is broken
/// (the reader cannot find where the next element starts) ends early, with a final item that
/// says so. Every item knows its position in the input: `source:line[:column]`.

#include <aikom/check/issue.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/model/child.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::codec {

enum class input_format {
    json_array, ///< `[ {…}, {…} ]`
    ndjson,     ///< one JSON object per line (`.ndjson`, `.jsonl`)
    csv,        ///< spreadsheet export, see docs/csv.md
};

/// The format implied by a file name's extension (`.json`, `.ndjson`/`.jsonl`, `.csv`, any
/// case), or `std::nullopt`.
[[nodiscard]] std::optional<input_format> format_from_extension(const std::filesystem::path& path);

enum class text_encoding {
    automatic, ///< UTF-8 (with or without BOM) unless the bytes are not UTF-8: then Windows-1251
    utf8,
    windows_1251, ///< the code page Excel uses for "CSV" on Ukrainian Windows
};

struct reader_options {
    /// Strictness and limits for each record (`max_record_bytes` bounds one line or element).
    decode_options decode{};
    /// Bytes read from the stream at a time.
    std::size_t chunk_bytes = 64 * 1024;
    /// CSV only: the separator, or `'\0'` to detect `;` or `,` from the header line.
    char csv_separator = '\0';
    /// CSV only: the text encoding.
    text_encoding csv_encoding = text_encoding::automatic;
};

/// One record read from the input, or the reason it could not be read.
struct read_item {
    std::uint64_t index = 0;  ///< 0-based ordinal of the record in the input (bad ones count)
    std::uint64_t line = 0;   ///< 1-based line on which the record starts
    std::uint64_t column = 0; ///< 1-based column of a syntax error, 0 where none applies
    std::optional<model::child> record{}; ///< present when the record decoded without errors
    std::vector<check::issue> issues{};   ///< problems found, errors and warnings

    [[nodiscard]] bool ok() const noexcept { return record.has_value(); }
};

/// A pull reader. Not thread-safe; one reader per input.
class record_reader {
public:
    virtual ~record_reader();

    /// Reads the next record into `item` (overwriting it). Returns `false` at the end of input.
    /// Does not throw on bad input; throws `std::ios_base::failure` if the stream itself fails.
    virtual bool next(read_item& item) = 0;

    /// The name used in positions: the file name, or what the caller passed.
    [[nodiscard]] const std::string& source_name() const noexcept { return source_name_; }

    /// The most bytes the reader's own buffers may hold at once: its bound on memory.
    [[nodiscard]] virtual std::size_t buffer_limit() const noexcept = 0;

    /// The most bytes the reader's own buffers have held so far (never above `buffer_limit()`).
    [[nodiscard]] virtual std::size_t buffer_high_water() const noexcept = 0;

    /// `source:line` or `source:line:column` for `item`.
    [[nodiscard]] std::string position(const read_item& item) const;

protected:
    explicit record_reader(std::string source_name)
        : source_name_(std::move(source_name))
    {}

private:
    std::string source_name_;
};

/// A reader over `input`, which must outlive it. `source_name` is used in positions.
[[nodiscard]] std::unique_ptr<record_reader> make_reader(std::istream& input, input_format format,
                                                         std::string source_name,
                                                         reader_options options = {});

/// Opens `path` and returns a reader that owns the file. The format comes from the extension
/// unless given. Throws `std::filesystem::filesystem_error` if the file cannot be opened, and
/// `std::invalid_argument` if the extension names no known format and none is given.
[[nodiscard]] std::unique_ptr<record_reader>
open_reader(const std::filesystem::path& path, reader_options options = {},
            std::optional<input_format> format = std::nullopt);

} // namespace aikom::codec

#endif
