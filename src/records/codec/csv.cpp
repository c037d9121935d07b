#include <aikom/codec/csv.hpp>

#include "codec/csv_layout.hpp"
#include "codec/text_encoding.hpp"

#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace aikom::codec {
namespace {

bool needs_quotes(std::string_view cell, char separator) noexcept
{
    if (cell.empty()) {
        return false;
    }
    if (cell.front() == ' ' || cell.back() == ' ' || cell.front() == '\t' || cell.back() == '\t') {
        return true; // the reader trims unquoted cells
    }
    for (char c : cell) {
        if (c == separator || c == '"' || c == '\n' || c == '\r') {
            return true;
        }
    }
    return false;
}

void append_cell(std::string& row, std::string_view cell, char separator)
{
    const bool guard = detail::csv_needs_formula_guard(cell);
    if (!guard && !needs_quotes(cell, separator)) {
        row.append(cell);
        return;
    }
    row.push_back('"');
    if (guard) {
        row.push_back('\'');
    }
    for (char c : cell) {
        if (c == '"') {
            row.push_back('"');
        }
        row.push_back(c);
    }
    row.push_back('"');
}

const std::vector<detail::csv_column>& layout_for(std::size_t guardians)
{
    static const auto two = detail::csv_layout(2);
    if (guardians == 2) {
        return two;
    }
    thread_local std::vector<detail::csv_column> other;
    thread_local std::size_t other_size = static_cast<std::size_t>(-1);
    if (other_size != guardians) {
        other = detail::csv_layout(guardians);
        other_size = guardians;
    }
    return other;
}

} // namespace

std::vector<std::string> csv_columns(std::size_t guardians)
{
    std::vector<std::string> names;
    for (const auto& c : detail::csv_layout(guardians)) {
        names.push_back(c.name);
    }
    return names;
}

csv_writer::csv_writer(std::ostream& out, csv_write_options options)
    : out_(&out)
    , options_(options)
{
    if (options_.encoding == text_encoding::automatic) {
        options_.encoding = text_encoding::utf8;
    }
    std::string header;
    if (options_.encoding == text_encoding::utf8 && options_.byte_order_mark) {
        header.append("\xEF\xBB\xBF");
    }
    bool first = true;
    for (const auto& c : layout_for(options_.guardian_columns)) {
        if (!first) {
            header.push_back(options_.separator);
        }
        first = false;
        append_cell(header, c.name, options_.separator);
    }
    header.append("\r\n");
    out_->write(header.data(), static_cast<std::streamsize>(header.size()));
}

void csv_writer::write(const model::child& record)
{
    if (record.guardians.size() > options_.guardian_columns) {
        throw std::length_error(
            "aikom::codec::csv_writer: the record has " + std::to_string(record.guardians.size()) +
            " guardians, the header has room for " + std::to_string(options_.guardian_columns));
    }
    row_.clear();
    std::string cell;
    bool first = true;
    for (const auto& c : layout_for(options_.guardian_columns)) {
        if (!first) {
            row_.push_back(options_.separator);
        }
        first = false;
        const void* parent = detail::csv_find_parent(c, record);
        if (parent == nullptr) {
            continue;
        }
        const auto& leaf = c.leaf();
        const void* m = leaf.member_of(parent);
        if (!leaf.ops->present(m)) {
            continue;
        }
        cell.clear();
        leaf.ops->to_text(m, cell);
        append_cell(row_, cell, options_.separator);
    }
    row_.append("\r\n");
    if (options_.encoding == text_encoding::windows_1251) {
        std::string converted;
        if (const char32_t bad = detail::append_utf8_as_cp1251(row_, converted); bad != 0) {
            char hex[16];
            std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(bad));
            throw std::invalid_argument(std::string("aikom::codec::csv_writer: character ") + hex +
                                        " cannot be written in Windows-1251");
        }
        out_->write(converted.data(), static_cast<std::streamsize>(converted.size()));
        return;
    }
    out_->write(row_.data(), static_cast<std::streamsize>(row_.size()));
}

} // namespace aikom::codec
