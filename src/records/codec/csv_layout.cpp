#include "codec/csv_layout.hpp"

namespace aikom::codec::detail {
namespace {

void add_columns(const object_schema& schema, std::string name_prefix, std::string pointer_prefix,
                 std::vector<csv_step>& path, std::size_t elements, std::vector<csv_column>& out)
{
    for (const auto& f : schema.fields) {
        std::string pointer = pointer_prefix;
        check::append_pointer_token(pointer, f.name);
        switch (f.kind()) {
        case value_kind::object:
            path.push_back({&f, 0});
            add_columns(*f.nested, name_prefix + std::string(f.name) + ".", pointer, path, elements,
                        out);
            path.pop_back();
            break;
        case value_kind::array: {
            std::string singular(f.name);
            if (singular.ends_with('s')) {
                singular.pop_back();
            }
            for (std::size_t i = 0; i < elements; ++i) {
                path.push_back({&f, static_cast<std::uint32_t>(i)});
                add_columns(*f.nested, name_prefix + singular + std::to_string(i + 1) + ".",
                            pointer + "/" + std::to_string(i), path, elements, out);
                path.pop_back();
            }
            break;
        }
        default:
            path.push_back({&f, 0});
            out.push_back({name_prefix + std::string(f.name), std::move(pointer), path});
            path.pop_back();
        }
    }
}

} // namespace

std::vector<csv_column> csv_layout(std::size_t array_elements)
{
    std::vector<csv_column> out;
    std::vector<csv_step> path;
    add_columns(child_schema(), std::string(), std::string(), path, array_elements, out);
    return out;
}

void* csv_make_parent(const csv_column& column, model::child& record)
{
    void* object = &record;
    for (std::size_t i = 0; i + 1 < column.path.size(); ++i) {
        const auto& step = column.path[i];
        void* m = step.field->member(object);
        const value_ops& ops = *step.field->ops;
        if (step.field->kind() == value_kind::array) {
            while (ops.size(m) < step.index) {
                (void)ops.enter(m, ops.size(m));
            }
        }
        object = ops.enter(m, step.index);
    }
    return object;
}

const void* csv_find_parent(const csv_column& column, const model::child& record)
{
    const void* object = &record;
    for (std::size_t i = 0; i + 1 < column.path.size(); ++i) {
        const auto& step = column.path[i];
        const void* m = step.field->member_of(object);
        const value_ops& ops = *step.field->ops;
        if (step.field->kind() == value_kind::array) {
            if (ops.size(m) <= step.index) {
                return nullptr;
            }
            object = ops.at(m, step.index);
        } else if (ops.present(m)) {
            object = ops.object(m);
        } else {
            return nullptr;
        }
    }
    return object;
}

namespace {

constexpr bool starts_formula(char c) noexcept
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

// The first character after the leading `'`s, or '\0' when there is none.
char after_apostrophes(std::string_view text) noexcept
{
    const auto i = text.find_first_not_of('\'');
    return i == std::string_view::npos ? '\0' : text[i];
}

} // namespace

bool csv_needs_formula_guard(std::string_view text) noexcept
{
    return !text.empty() && starts_formula(after_apostrophes(text));
}

std::string_view csv_without_formula_guard(std::string_view cell) noexcept
{
    if (cell.size() >= 2 && cell.front() == '\'' && starts_formula(after_apostrophes(cell))) {
        cell.remove_prefix(1);
    }
    return cell;
}

} // namespace aikom::codec::detail
