#ifndef AIKOM_CODEC_WRITER_HPP
#define AIKOM_CODEC_WRITER_HPP

/// @file
/// Writing records in any of the reader's formats: a JSON array, NDJSON or CSV. Streaming: one
/// record at a time, nothing is held back but the CSV header and the array's brackets.

#include <aikom/codec/csv.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/model/child.hpp>

#include <iosfwd>
#include <memory>

namespace aikom::codec {

/// Writes records to a stream that must outlive it. Not thread-safe.
class record_writer {
public:
    virtual ~record_writer();

    /// Writes one record (canonical JSON, or a CSV row). See `csv_writer::write` for the
    /// exceptions CSV can raise.
    virtual void write(const model::child& record) = 0;

    /// Completes the output (closes a JSON array). Call once, after the last record.
    virtual void finish() = 0;
};

/// A writer for `format`. `csv` applies to CSV output only.
[[nodiscard]] std::unique_ptr<record_writer> make_writer(std::ostream& out, input_format format,
                                                         csv_write_options csv = {});

} // namespace aikom::codec

#endif
