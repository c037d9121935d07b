// Private: the CSV columns, derived from the schema tables. Column names are dotted paths of
// the JSON format (`document.series`); the elements of an array are numbered from 1 and named
// by the array's singular (`guardians` → `guardian1.name.last`).
#ifndef AIKOM_SRC_CODEC_CSV_LAYOUT_HPP
#define AIKOM_SRC_CODEC_CSV_LAYOUT_HPP

#include "codec/schema.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::codec::detail {

struct csv_step {
    const field_schema* field;
    std::uint32_t index; ///< the element, when `field` is an array
};

struct csv_column {
    std::string name;           ///< `guardian1.name.last`
    std::string pointer;        ///< `/guardians/0/name/last`
    std::vector<csv_step> path; ///< from the record down; the last step is the leaf

    [[nodiscard]] const field_schema& leaf() const noexcept { return *path.back().field; }
};

/// Every column, in the canonical order, with room for `array_elements` elements per array.
[[nodiscard]] std::vector<csv_column> csv_layout(std::size_t array_elements);

/// The object that holds the column's leaf, creating the objects and elements on the way.
[[nodiscard]] void* csv_make_parent(const csv_column& column, model::child& record);

/// The object that holds the column's leaf, or nullptr when something on the way is absent.
[[nodiscard]] const void* csv_find_parent(const csv_column& column, const model::child& record);

/// Spreadsheet formulas (docs/csv.md, "Cells"): a cell whose text starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return is one a spreadsheet may run. The writer writes such a text,
/// and any text that starts with one or more `'` followed by one of those, with one more `'` in
/// front (and in quotes); the reader takes exactly one `'` off a cell that starts with one or
/// more `'` followed by one of those. So every text reads back as written, and no written cell
/// starts with a formula character.
[[nodiscard]] bool csv_needs_formula_guard(std::string_view text) noexcept;

/// The cell's text without the guard `csv_needs_formula_guard` made the writer add.
[[nodiscard]] std::string_view csv_without_formula_guard(std::string_view cell) noexcept;

} // namespace aikom::codec::detail

#endif
