// Record writers for the three formats the readers read.
#include <aikom/codec/json.hpp>
#include <aikom/codec/writer.hpp>

#include <ostream>
#include <stdexcept>
#include <string>

namespace aikom::codec {
namespace {

class ndjson_writer final : public record_writer {
public:
    explicit ndjson_writer(std::ostream& out)
        : out_(&out)
    {}
    void write(const model::child& record) override
    {
        line_.clear();
        encode(record, line_);
        line_.push_back('\n');
        out_->write(line_.data(), static_cast<std::streamsize>(line_.size()));
    }
    void finish() override {}

private:
    std::ostream* out_;
    std::string line_;
};

class json_array_writer final : public record_writer {
public:
    explicit json_array_writer(std::ostream& out)
        : out_(&out)
    {}
    void write(const model::child& record) override
    {
        buf_.assign(first_ ? "[\n" : ",\n");
        first_ = false;
        encode(record, buf_);
        out_->write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    }
    void finish() override { *out_ << (first_ ? "[]\n" : "\n]\n"); }

private:
    std::ostream* out_;
    std::string buf_;
    bool first_ = true;
};

class csv_record_writer final : public record_writer {
public:
    csv_record_writer(std::ostream& out, csv_write_options o)
        : writer_(out, o)
    {}
    void write(const model::child& record) override { writer_.write(record); }
    void finish() override {}

private:
    csv_writer writer_;
};

} // namespace

record_writer::~record_writer() = default;

std::unique_ptr<record_writer> make_writer(std::ostream& out, input_format format,
                                           csv_write_options csv)
{
    switch (format) {
    case input_format::ndjson:
        return std::make_unique<ndjson_writer>(out);
    case input_format::json_array:
        return std::make_unique<json_array_writer>(out);
    case input_format::csv:
        return std::make_unique<csv_record_writer>(out, csv);
    }
    throw std::invalid_argument("aikom::codec::make_writer: unknown format");
}

} // namespace aikom::codec
