// The streaming readers. Each reads its stream in fixed-size chunks and copies one record (a
// line, an array element, a CSV row) into a buffer bounded by max_record_bytes, so memory stays
// bounded whatever the size of the file.
#include <aikom/codec/reader.hpp>

#include "codec/csv_layout.hpp"

#include "codec/schema.hpp"
#include "codec/text_encoding.hpp"
#include <aikom/check/issue_codes.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <stdexcept>
#include <unordered_map>

namespace aikom::codec {

record_reader::~record_reader() = default;

std::string record_reader::position(const read_item& item) const
{
    std::string s = source_name_;
    s += ':';
    s += std::to_string(item.line);
    if (item.column != 0) {
        s += ':';
        s += std::to_string(item.column);
    }
    return s;
}

std::optional<input_format> format_from_extension(const std::filesystem::path& path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".json") {
        return input_format::json_array;
    }
    if (ext == ".ndjson" || ext == ".jsonl") {
        return input_format::ndjson;
    }
    if (ext == ".csv") {
        return input_format::csv;
    }
    return std::nullopt;
}

namespace {

// A chunk of the stream at a time.
class chunk_input {
public:
    chunk_input(std::istream& in, std::size_t chunk_bytes)
        : in_(&in)
        , buf_(std::max<std::size_t>(chunk_bytes, 16))
    {}

    // Makes at least one byte available; false at the end of the stream.
    bool fill()
    {
        if (pos_ < end_) {
            return true;
        }
        if (eof_) {
            return false;
        }
        in_->read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
        if (in_->bad()) {
            throw std::ios_base::failure("aikom::codec: reading the input failed");
        }
        pos_ = 0;
        end_ = static_cast<std::size_t>(in_->gcount());
        if (end_ == 0) {
            eof_ = true;
            return false;
        }
        return true;
    }

    [[nodiscard]] const char* data() const noexcept { return buf_.data() + pos_; }
    [[nodiscard]] std::size_t available() const noexcept { return end_ - pos_; }
    void consume(std::size_t n) noexcept { pos_ += n; }

    // -1 at the end of the stream.
    int get()
    {
        if (!fill()) {
            return -1;
        }
        return static_cast<unsigned char>(buf_[pos_++]);
    }

    int peek()
    {
        if (!fill()) {
            return -1;
        }
        return static_cast<unsigned char>(buf_[pos_]);
    }

    // Drops a UTF-8 byte-order mark at the current position, if there is one.
    void skip_bom()
    {
        if (fill() && available() >= 3 && std::memcmp(data(), "\xEF\xBB\xBF", 3) == 0) {
            consume(3);
        }
    }

    [[nodiscard]] std::size_t capacity() const noexcept { return buf_.size(); }

private:
    std::istream* in_;
    std::vector<char> buf_;
    std::size_t pos_ = 0;
    std::size_t end_ = 0;
    bool eof_ = false;
};

bool is_blank(std::string_view s) noexcept
{
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// Starts a fresh item, keeping the storage of the record the caller got last time.
void begin_item(read_item& item, model::child& spare)
{
    if (item.record) {
        spare = std::move(*item.record);
        item.record.reset();
    }
    item.issues.clear();
    item.index = 0;
    item.line = 0;
    item.column = 0;
}

// Decodes `text` into `item`, reusing `spare`'s storage.
decode_status decode_item(record_decoder& decoder, std::string_view text, read_item& item,
                          model::child& spare)
{
    const auto status = decoder.decode_into(text, spare, item.issues);
    if (status.ok) {
        item.record = std::move(spare);
    }
    return status;
}

// ---- NDJSON -----------------------------------------------------------------------------------

class ndjson_reader final : public record_reader {
public:
    ndjson_reader(std::istream& in, std::string name, const reader_options& o)
        : record_reader(std::move(name))
        , in_(in, o.chunk_bytes)
        , decoder_(o.decode)
        , max_(o.decode.max_record_bytes)
    {
        in_.skip_bom();
    }

    bool next(read_item& item) override
    {
        for (;;) {
            line_buf_.clear();
            bool overflow = false;
            bool any = false;
            for (;;) {
                if (!in_.fill()) {
                    break;
                }
                any = true;
                const char* b = in_.data();
                const std::size_t n = in_.available();
                const auto* nl = static_cast<const char*>(std::memchr(b, '\n', n));
                const std::size_t len = nl != nullptr ? static_cast<std::size_t>(nl - b) : n;
                if (!overflow) {
                    if (line_buf_.size() + len > max_) {
                        overflow = true;
                    } else {
                        line_buf_.append(b, len);
                    }
                }
                in_.consume(len + (nl != nullptr ? 1 : 0));
                if (nl != nullptr) {
                    break;
                }
            }
            if (!any) {
                return false;
            }
            ++line_;
            high_water_ = std::max(high_water_, in_.capacity() + line_buf_.capacity());
            if (!overflow && is_blank(line_buf_)) {
                continue;
            }
            begin_item(item, spare_);
            item.index = index_++;
            item.line = line_;
            if (overflow) {
                detail::add_too_large(item.issues, max_);
                return true;
            }
            const auto st = decode_item(decoder_, line_buf_, item, spare_);
            if (st.syntax_error_offset != decode_result::npos) {
                item.column = st.syntax_error_offset + 1;
            }
            return true;
        }
    }

    std::size_t buffer_limit() const noexcept override { return in_.capacity() + 2 * max_; }
    std::size_t buffer_high_water() const noexcept override { return high_water_; }

private:
    chunk_input in_;
    record_decoder decoder_;
    model::child spare_;
    std::size_t max_;
    std::string line_buf_;
    std::uint64_t line_ = 0;
    std::uint64_t index_ = 0;
    std::size_t high_water_ = 0;
};

// ---- JSON array -------------------------------------------------------------------------------

class json_array_reader final : public record_reader {
public:
    json_array_reader(std::istream& in, std::string name, const reader_options& o)
        : record_reader(std::move(name))
        , in_(in, o.chunk_bytes)
        , decoder_(o.decode)
        , max_(o.decode.max_record_bytes)
    {
        in_.skip_bom();
    }

    bool next(read_item& item) override
    {
        if (state_ == state::done) {
            return false;
        }
        begin_item(item, spare_);
        item.index = index_;
        if (state_ == state::start) {
            skip_space();
            if (in_.peek() != '[') {
                return framing_error(item, "expected '[' at the start of a JSON array of records",
                                     "очікується '[' на початку масиву записів JSON");
            }
            get();
            skip_space();
            if (in_.peek() == ']') {
                get();
                return finish(item);
            }
            state_ = state::element;
        } else {
            skip_space();
            const int c = in_.peek();
            if (c == ']') {
                get();
                return finish(item);
            }
            if (c != ',') {
                return framing_error(item, "expected ',' or ']' after a record",
                                     "очікується ',' або ']' після запису");
            }
            get();
            skip_space();
        }

        // One element: copy its bytes, following strings and nesting to find its end.
        item.line = line_;
        item.column = column_ + 1;
        const std::uint64_t start_column = column_;
        elem_.clear();
        bool overflow = false;
        auto keep = [&](int c) {
            if (elem_.size() < max_) {
                elem_.push_back(static_cast<char>(c));
            } else {
                overflow = true;
            }
        };
        const int first = in_.peek();
        if (first == -1) {
            return framing_error(item, "the array ends without ']'", "масив обривається без ']'");
        }
        if (first == ']' || first == ',') {
            return framing_error(item, "expected a record", "очікується запис");
        }
        if (first == '{' || first == '[' || first == '"') {
            // A buffered span at a time (a batch body on the server is read this way: a call
            // per byte was 5 % of a push's server CPU), following strings and nesting.
            element_scan scan;
            while (!scan.done) {
                if (!in_.fill()) {
                    return framing_error(item, "the input ends inside a record",
                                         "файл обривається посеред запису");
                }
                const std::string_view span(in_.data(), in_.available());
                const std::size_t used = scan.feed(span);
                const auto taken = span.substr(0, used);
                const std::size_t room = max_ - std::min(max_, elem_.size());
                elem_.append(taken.substr(0, room));
                overflow = overflow || taken.size() > room;
                advance_position(taken);
                in_.consume(used);
            }
        } else {
            for (int c = in_.peek();
                 c != -1 && c != ',' && c != ']' && c != ' ' && c != '\n' && c != '\r' && c != '\t';
                 c = in_.peek()) {
                keep(get());
            }
        }
        high_water_ = std::max(high_water_, in_.capacity() + elem_.capacity());
        ++index_;
        state_ = state::after;
        if (overflow) {
            detail::add_too_large(item.issues, max_);
            return true;
        }
        const auto st = decode_item(decoder_, elem_, item, spare_);
        if (st.syntax_error_offset != decode_result::npos) {
            locate(st.syntax_error_offset, start_column, item);
        } else {
            item.column = 0;
        }
        return true;
    }

    std::size_t buffer_limit() const noexcept override { return in_.capacity() + 2 * max_; }
    std::size_t buffer_high_water() const noexcept override { return high_water_; }

private:
    enum class state { start, element, after, done };

    int get()
    {
        const int c = in_.get();
        if (c == '\n') {
            ++line_;
            column_ = 0;
        } else if (c != -1) {
            ++column_;
        }
        return c;
    }

    // Line and column after `bytes`, as `get` would count them one at a time.
    void advance_position(std::string_view bytes) noexcept
    {
        const auto last = bytes.rfind('\n');
        if (last == std::string_view::npos) {
            column_ += bytes.size();
            return;
        }
        line_ += static_cast<std::uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
        column_ = bytes.size() - last - 1;
    }

    // Where an element (object, array or string) ends: its state carried across spans.
    struct element_scan {
        int depth = 0;
        bool in_string = false;
        bool escape = false;
        bool done = false;

        // Bytes of `span` that belong to the element (all of them unless it ends inside).
        std::size_t feed(std::string_view span) noexcept
        {
            for (std::size_t i = 0; i < span.size(); ++i) {
                const char c = span[i];
                if (in_string) {
                    if (escape) {
                        escape = false;
                    } else if (c == '\\') {
                        escape = true;
                    } else if (c == '"') {
                        in_string = false;
                        if (depth == 0) {
                            done = true;
                            return i + 1;
                        }
                    }
                } else if (c == '"') {
                    in_string = true;
                } else if (c == '{' || c == '[') {
                    ++depth;
                } else if ((c == '}' || c == ']') && --depth == 0) {
                    done = true;
                    return i + 1;
                }
            }
            return span.size();
        }
    };

    void skip_space()
    {
        for (int c = in_.peek(); c == ' ' || c == '\n' || c == '\r' || c == '\t'; c = in_.peek()) {
            get();
        }
    }

    // Line and column of byte `offset` of the element that started at item.line/start_column.
    void locate(std::size_t offset, std::uint64_t start_column, read_item& item) const
    {
        std::uint64_t line = item.line;
        std::uint64_t column = start_column;
        for (std::size_t i = 0; i < offset && i < elem_.size(); ++i) {
            if (elem_[i] == '\n') {
                ++line;
                column = 0;
            } else {
                ++column;
            }
        }
        item.line = line;
        item.column = column + 1;
    }

    bool finish(read_item& item)
    {
        skip_space();
        if (in_.peek() != -1) {
            return framing_error(item, "unexpected data after the end of the array",
                                 "зайві дані після кінця масиву");
        }
        state_ = state::done;
        return false;
    }

    bool framing_error(read_item& item, const char* en, const char* uk)
    {
        item.line = line_;
        item.column = column_ + 1;
        item.record.reset();
        item.issues.push_back(check::make_issue("json.array", std::string(), {{"detail", en, uk}}));
        state_ = state::done;
        return true;
    }

    chunk_input in_;
    record_decoder decoder_;
    model::child spare_;
    std::size_t max_;
    std::string elem_;
    state state_ = state::start;
    std::uint64_t line_ = 1;
    std::uint64_t column_ = 0;
    std::uint64_t index_ = 0;
    std::size_t high_water_ = 0;
};

// ---- CSV --------------------------------------------------------------------------------------

// Header names may number guardians up to this.
constexpr std::size_t max_csv_guardians = 9;
constexpr std::size_t max_csv_columns = 1024;

class fixed_pointer final : public detail::pointer_source {
public:
    explicit fixed_pointer(const std::string& p)
        : p_(&p)
    {}
    std::string pointer() const override { return *p_; }

private:
    const std::string* p_;
};

std::optional<bool> parse_csv_bool(std::string_view t)
{
    static constexpr std::string_view yes[] = {"true", "TRUE", "True", "1",   "так",
                                               "Так",  "ТАК",  "yes",  "Yes", "YES"};
    static constexpr std::string_view no[] = {"false", "FALSE", "False", "0",  "ні",
                                              "Ні",    "НІ",    "no",    "No", "NO"};
    if (std::find(std::begin(yes), std::end(yes), t) != std::end(yes)) {
        return true;
    }
    if (std::find(std::begin(no), std::end(no), t) != std::end(no)) {
        return false;
    }
    return std::nullopt;
}

std::optional<std::int32_t> parse_csv_int(std::string_view t)
{
    if (t.empty() || t.size() > 11) {
        return std::nullopt;
    }
    std::size_t i = 0;
    const bool negative = t[0] == '-';
    if (negative || t[0] == '+') {
        i = 1;
    }
    if (i == t.size()) {
        return std::nullopt;
    }
    std::int64_t v = 0;
    for (; i < t.size(); ++i) {
        if (t[i] < '0' || t[i] > '9') {
            return std::nullopt;
        }
        v = v * 10 + (t[i] - '0');
    }
    v = negative ? -v : v;
    if (v < INT32_MIN || v > INT32_MAX) {
        return std::nullopt;
    }
    return static_cast<std::int32_t>(v);
}

std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

std::string column_pointer(std::string_view name)
{
    std::string p;
    std::size_t start = 0;
    for (;;) {
        const auto dot = name.find('.', start);
        check::append_pointer_token(p, name.substr(start, dot - start));
        if (dot == std::string_view::npos) {
            return p;
        }
        start = dot + 1;
    }
}

class csv_reader final : public record_reader {
public:
    csv_reader(std::istream& in, std::string name, const reader_options& o)
        : record_reader(std::move(name))
        , in_(in, o.chunk_bytes)
        , options_(o)
        , max_(o.decode.max_record_bytes)
        , encoding_(o.csv_encoding)
        , layout_(detail::csv_layout(max_csv_guardians))
    {
        if (encoding_ != text_encoding::windows_1251) {
            // Unless the caller insists on Windows-1251, a BOM means UTF-8.
            if (in_.fill() && in_.available() >= 3 &&
                std::memcmp(in_.data(), "\xEF\xBB\xBF", 3) == 0) {
                in_.consume(3);
                encoding_ = text_encoding::utf8;
            }
        }
        separator_ = o.csv_separator != '\0' ? o.csv_separator : detect_separator();
        for (std::size_t i = 0; i < layout_.size(); ++i) {
            by_name_.emplace(layout_[i].name, i);
        }
    }

    bool next(read_item& item) override
    {
        if (done_) {
            return false;
        }
        if (!header_read_ && !read_header(item)) {
            return true; // an unusable header: one item that says why, then the end
        }
        for (;;) {
            item = read_item{};
            std::uint64_t start_line = 0;
            const row_status st = read_row(start_line, header_.size() + 1);
            if (st == row_status::eof) {
                done_ = true;
                return false;
            }
            item.line = start_line;
            if (st == row_status::ok && row_is_empty()) {
                continue; // spreadsheets leave rows of empty cells behind
            }
            item.index = index_++;
            switch (st) {
            case row_status::too_long:
                detail::add_too_large(item.issues, max_);
                return true;
            case row_status::too_many_cells:
                row_error(item, "csv.columns");
                return true;
            case row_status::unterminated:
                row_error(item, "csv.syntax");
                done_ = true;
                return true;
            default:
                break;
            }
            map_row(item);
            return true;
        }
    }

    std::size_t buffer_limit() const noexcept override
    {
        // chunk + row bytes (string growth may double) + converted text (a byte of 1251 may take
        // 3 of UTF-8) + cell table.
        return in_.capacity() + 2 * max_ + 6 * max_ + 2 * (max_csv_columns + 1) * sizeof(cell);
    }
    std::size_t buffer_high_water() const noexcept override { return high_water_; }

private:
    enum class row_status { ok, eof, too_long, too_many_cells, unterminated };

    struct cell {
        std::uint32_t offset;
        std::uint32_t size;
        bool quoted;
    };

    // Counts ';' and ',' outside quotes on the first line available.
    char detect_separator()
    {
        if (!in_.fill()) {
            return ';';
        }
        std::size_t semicolons = 0;
        std::size_t commas = 0;
        bool quoted = false;
        const char* p = in_.data();
        for (std::size_t i = 0; i < in_.available(); ++i) {
            const char c = p[i];
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '\n') {
                break;
            } else if (!quoted && c == ';') {
                ++semicolons;
            } else if (!quoted && c == ',') {
                ++commas;
            }
        }
        return commas > semicolons ? ',' : ';';
    }

    row_status read_row(std::uint64_t& start_line, std::size_t max_cells)
    {
        row_.clear();
        cells_.clear();
        start_line = line_ + 1;
        if (in_.peek() == -1) {
            return row_status::eof;
        }
        bool overflow = false;
        bool too_many = false;
        bool in_quotes = false;
        bool quoted = false;
        std::size_t cell_start = 0;
        auto finish_cell = [&] {
            if (cells_.size() >= max_cells) {
                too_many = true;
            } else {
                cells_.push_back({static_cast<std::uint32_t>(cell_start),
                                  static_cast<std::uint32_t>(row_.size() - cell_start), quoted});
            }
            cell_start = row_.size();
            quoted = false;
        };
        auto keep = [&](char c) {
            if (row_.size() < max_) {
                row_.push_back(c);
            } else {
                overflow = true;
            }
        };
        for (;;) {
            const int c = in_.get();
            if (c == -1) {
                if (in_quotes) {
                    return row_status::unterminated;
                }
                finish_cell();
                ++line_;
                break;
            }
            if (in_quotes) {
                if (c == '"') {
                    if (in_.peek() == '"') {
                        in_.get();
                        keep('"');
                    } else {
                        in_quotes = false;
                    }
                } else {
                    if (c == '\n') {
                        ++line_;
                    }
                    keep(static_cast<char>(c));
                }
                continue;
            }
            if (c == separator_) {
                finish_cell();
            } else if (c == '\n') {
                finish_cell();
                ++line_;
                break;
            } else if (c == '\r') {
                // CRLF line ends; a bare CR inside an unquoted cell is dropped too
            } else if (c == '"' && trim(std::string_view(row_).substr(cell_start)).empty()) {
                row_.resize(cell_start); // spaces before an opening quote are not content
                in_quotes = true;
                quoted = true;
            } else {
                keep(static_cast<char>(c));
            }
        }
        text_ = row_; // the cells point into the raw bytes until decode_row() converts them
        high_water_ =
            std::max(high_water_, in_.capacity() + row_.capacity() + converted_.capacity() +
                                      cells_.capacity() * sizeof(cell));
        if (overflow) {
            return row_status::too_long;
        }
        if (too_many) {
            return row_status::too_many_cells;
        }
        return row_status::ok;
    }

    std::string_view cell_text(const cell& c) const noexcept
    {
        const std::string_view raw(text_.data() + c.offset, c.size);
        return detail::csv_without_formula_guard(c.quoted ? raw : trim(raw));
    }

    bool row_is_empty() const noexcept
    {
        return std::all_of(cells_.begin(), cells_.end(),
                           [this](const cell& c) { return cell_text(c).empty(); });
    }

    static void row_error(read_item& item, std::string_view code)
    {
        item.issues.push_back(check::make_issue(code, std::string()));
    }

    // Converts the row to UTF-8 in place if the file is Windows-1251; false if the bytes are
    // not valid in the file's encoding.
    // Whether every cell is valid UTF-8 on its own (a character split across two cells is not).
    bool cells_are_utf8() const noexcept
    {
        return std::all_of(cells_.begin(), cells_.end(), [this](const cell& c) {
            return detail::is_valid_utf8(std::string_view(row_.data() + c.offset, c.size));
        });
    }

    bool decode_row()
    {
        text_ = row_;
        if (is_ascii(row_)) {
            return true;
        }
        if (encoding_ == text_encoding::automatic) {
            encoding_ = cells_are_utf8() ? text_encoding::utf8 : text_encoding::windows_1251;
        }
        if (encoding_ == text_encoding::utf8) {
            return cells_are_utf8();
        }
        // Re-encode cell by cell so that the cell table points into the converted text.
        converted_.clear();
        for (auto& c : cells_) {
            const auto start = converted_.size();
            detail::append_cp1251_as_utf8(std::string_view(row_.data() + c.offset, c.size),
                                          converted_);
            c.offset = static_cast<std::uint32_t>(start);
            c.size = static_cast<std::uint32_t>(converted_.size() - start);
        }
        text_ = converted_;
        return true;
    }

    static bool is_ascii(std::string_view s) noexcept { return detail::is_ascii(s); }

    bool read_header(read_item& item)
    {
        header_read_ = true;
        std::uint64_t start_line = 0;
        const row_status st = read_row(start_line, max_csv_columns);
        item = read_item{};
        item.line = start_line;
        auto fail = [&](std::string_view en, std::string_view uk) {
            item.issues.push_back(
                check::make_issue("csv.header", std::string(), {{"detail", en, uk}}));
            done_ = true;
            return false;
        };
        if (st == row_status::eof) {
            done_ = true;
            return fail("the file is empty", "файл порожній");
        }
        if (st != row_status::ok) {
            return fail("it is too long, has too many columns or an unclosed quote",
                        "він задовгий, має забагато стовпців або незакриті лапки");
        }
        if (!decode_row()) {
            return fail("it is not valid UTF-8", "він не є коректним UTF-8");
        }
        bool has_id = false;
        for (const auto& c : cells_) {
            const std::string name(cell_text(c));
            const auto it = by_name_.find(name);
            const std::size_t column = it != by_name_.end() ? it->second : unknown_column;
            if (column != unknown_column &&
                std::find(header_.begin(), header_.end(), column) != header_.end()) {
                return fail("it names the column " + name + " more than once",
                            "стовпець " + name + " у ньому повторюється");
            }
            has_id = has_id || name == "id";
            header_.push_back(column);
            header_names_.push_back(name);
        }
        if (!has_id) {
            return fail("it has no 'id' column", "у ньому немає стовпця 'id'");
        }
        for (std::size_t i = 0; i < layout_.size(); ++i) {
            if (layout_[i].leaf().required) {
                required_.push_back(i);
            }
        }
        set_.assign(layout_.size(), 0);
        return true;
    }

    void map_row(read_item& item)
    {
        if (!decode_row()) {
            row_error(item, "csv.encoding");
            return;
        }
        model::child record;
        std::fill(set_.begin(), set_.end(), 0);
        const bool strict = options_.decode.unknown_fields == unknown_field_policy::reject;
        for (std::size_t i = 0; i < cells_.size(); ++i) {
            if (item.issues.size() >= options_.decode.max_issues) {
                // Stop, and refuse the record: the rest of the row was not looked at.
                item.issues.push_back(check::make_issue("json.too_many_issues", std::string()));
                return;
            }
            const std::string_view text = cell_text(cells_[i]);
            if (text.empty()) {
                continue;
            }
            if (i >= header_.size()) {
                row_error(item, "csv.columns");
                continue;
            }
            const std::size_t col = header_[i];
            if (col == unknown_column) {
                detail::add_unknown_field(item.issues, column_pointer(header_names_[i]), strict);
                continue;
            }
            set_.at(col) = set_cell(layout_[col], text, record, item.issues) ? 1 : 0;
        }
        for (const std::size_t r : required_) {
            if (set_[r] == 0 && detail::csv_find_parent(layout_[r], record) != nullptr &&
                !has_error_at(item.issues, layout_[r].pointer)) {
                item.issues.push_back(check::make_issue("field.required", layout_[r].pointer));
            }
        }
        // guardian2 without guardian1 leaves an empty element: drop it.
        std::erase(record.guardians, model::guardian{});
        for (const auto& i : item.issues) {
            if (i.severity == check::severity::error) {
                return;
            }
        }
        item.record = std::move(record);
    }

    static bool has_error_at(const std::vector<check::issue>& issues, const std::string& pointer)
    {
        return std::any_of(issues.begin(), issues.end(),
                           [&](const check::issue& i) { return i.pointer == pointer; });
    }

    bool set_cell(const detail::csv_column& col, std::string_view text, model::child& record,
                  std::vector<check::issue>& issues)
    {
        const auto& leaf = col.leaf();
        void* member = leaf.member(detail::csv_make_parent(col, record));
        const fixed_pointer where(col.pointer);
        switch (leaf.kind()) {
        case detail::value_kind::date:
            if (const auto d = model::parse_dotted_date(text)) {
                char iso[10];
                model::format_iso_date(*d, iso);
                return detail::set_text_leaf(leaf, member, std::string_view(iso, 10), where,
                                             issues);
            }
            return detail::set_text_leaf(leaf, member, text, where, issues);
        case detail::value_kind::boolean:
            if (const auto b = parse_csv_bool(text)) {
                leaf.ops->set_bool(member, *b);
                return true;
            }
            issues.push_back(check::make_issue("format.type", col.pointer,
                                               {{"expected", "true or false (also 1/0, так/ні)",
                                                 "true або false (також 1/0, так/ні)"},
                                                {"got", "other text", "інший текст"}}));
            return false;
        case detail::value_kind::integer:
            if (const auto v = parse_csv_int(text)) {
                leaf.ops->set_integer(member, *v);
                return true;
            }
            issues.push_back(check::make_issue("format.integer", col.pointer));
            return false;
        default:
            return detail::set_text_leaf(leaf, member, text, where, issues);
        }
    }

    static constexpr std::size_t unknown_column = static_cast<std::size_t>(-1);

    chunk_input in_;
    reader_options options_;
    std::size_t max_;
    text_encoding encoding_;
    char separator_ = ';';
    std::vector<detail::csv_column> layout_;
    std::unordered_map<std::string, std::size_t> by_name_;
    std::vector<std::size_t> header_; // layout column of each header cell
    std::vector<std::string> header_names_;
    std::vector<std::size_t> required_;
    std::vector<char> set_;
    std::string row_;       // the row's bytes as read
    std::string converted_; // the row in UTF-8, when the file is Windows-1251
    std::string_view text_; // the cells' text: row_ or converted_
    std::vector<cell> cells_;
    bool header_read_ = false;
    bool done_ = false;
    std::uint64_t line_ = 0;
    std::uint64_t index_ = 0;
    std::size_t high_water_ = 0;
};

// Owns the file stream its reader reads.
template <class Reader>
class owning_reader final : public record_reader {
public:
    owning_reader(std::unique_ptr<std::ifstream> file, std::string name, const reader_options& o)
        : record_reader(name)
        , file_(std::move(file))
        , reader_(*file_, std::move(name), o)
    {}
    bool next(read_item& item) override { return reader_.next(item); }
    std::size_t buffer_limit() const noexcept override { return reader_.buffer_limit(); }
    std::size_t buffer_high_water() const noexcept override { return reader_.buffer_high_water(); }

private:
    std::unique_ptr<std::ifstream> file_;
    Reader reader_;
};

} // namespace

std::unique_ptr<record_reader> make_reader(std::istream& input, input_format format,
                                           std::string source_name, reader_options options)
{
    switch (format) {
    case input_format::ndjson:
        return std::make_unique<ndjson_reader>(input, std::move(source_name), options);
    case input_format::json_array:
        return std::make_unique<json_array_reader>(input, std::move(source_name), options);
    case input_format::csv:
        return std::make_unique<csv_reader>(input, std::move(source_name), options);
    }
    throw std::invalid_argument("aikom::codec::make_reader: unknown input format");
}

std::unique_ptr<record_reader> open_reader(const std::filesystem::path& path,
                                           reader_options options,
                                           std::optional<input_format> format)
{
    if (!format) {
        format = format_from_extension(path);
        if (!format) {
            throw std::invalid_argument("cannot tell the format of '" + path.string() +
                                        "' from its extension: expected .json, .ndjson, .jsonl "
                                        "or .csv");
        }
    }
    auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*file) {
        const int err = errno;
        throw std::filesystem::filesystem_error(
            "cannot open the input", path,
            std::error_code(err != 0 ? err : ENOENT, std::generic_category()));
    }
    std::string name = path.string();
    switch (*format) {
    case input_format::ndjson:
        return std::make_unique<owning_reader<ndjson_reader>>(std::move(file), name, options);
    case input_format::json_array:
        return std::make_unique<owning_reader<json_array_reader>>(std::move(file), name, options);
    case input_format::csv:
        return std::make_unique<owning_reader<csv_reader>>(std::move(file), name, options);
    }
    throw std::invalid_argument("aikom::codec::open_reader: unknown input format");
}

} // namespace aikom::codec
