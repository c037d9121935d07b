// Canonical encoding: walks the schema tables in order and appends to one string.
#include <aikom/codec/json.hpp>

#include "codec/schema.hpp"

namespace aikom::codec {
namespace {

using detail::object_schema;
using detail::value_kind;

void encode_object(const object_schema& schema, const void* object, std::string& out)
{
    out.push_back('{');
    bool first = true;
    for (const auto& f : schema.fields) {
        const void* m = f.member_of(object);
        if (!f.ops->present(m)) {
            continue;
        }
        if (!first) {
            out.push_back(',');
        }
        first = false;
        out.append(f.json_key);
        switch (f.kind()) {
        case value_kind::object:
            encode_object(*f.nested, f.ops->object(m), out);
            break;
        case value_kind::array: {
            out.push_back('[');
            const std::size_t n = f.ops->size(m);
            for (std::size_t i = 0; i < n; ++i) {
                if (i != 0) {
                    out.push_back(',');
                }
                encode_object(*f.nested, f.ops->at(m, i), out);
            }
            out.push_back(']');
            break;
        }
        default:
            f.ops->encode(m, out);
        }
    }
    out.push_back('}');
}

} // namespace

void encode(const model::child& record, std::string& out)
{
    encode_object(detail::child_schema(), &record, out);
}

std::string encode(const model::child& record)
{
    // Written into a buffer this thread keeps (as large as the longest record it encoded),
    // then copied into a string of exactly its size: one allocation per record. Reserving a
    // guess instead (it was 1024 bytes) made every longer record, a quarter of typical ones,
    // grow its string and copy it (bench/README.md, encode).
    thread_local std::string buffer;
    buffer.clear();
    encode(record, buffer);
    return std::string(buffer);
}

} // namespace aikom::codec
