// Private: the record decoder's fast path, for json_decode.cpp only. A scanner led by the schema
// reads a record straight into the model: it compares each key with the fields of the object it
// is in, checks each value against the one field it can be, and never tokenizes anything the
// schema does not ask for. It accepts a subset of what the full decoder (basic_parser and its
// handler) accepts, and fills the record exactly as the full decoder would; at anything else -
// an escape, a number that is not a small non-negative integer, an unknown or repeated key, a
// value its field does not take, a missing required field, bad syntax or bad UTF-8 - it gives
// up, and the caller decodes the record again with the full decoder, which reports the issues.
// What it reads is what our own encoder writes, in any key order and with any whitespace.
#ifndef AIKOM_SRC_CODEC_JSON_DIRECT_HPP
#define AIKOM_SRC_CODEC_JSON_DIRECT_HPP

#include "codec/schema.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace aikom::codec::detail {

class direct_scanner {
public:
    direct_scanner(std::string_view text, std::size_t max_depth) noexcept
        : p_(text.data())
        , end_(text.data() + text.size())
        , max_depth_(max_depth)
    {}

    /// Decodes the whole text into `out`. False: not decoded (`out` may be partly written).
    bool record(model::child& out)
    {
        skip_space();
        if (!object(child_schema(), &out, 1)) {
            return false;
        }
        skip_space();
        return p_ == end_;
    }

private:
    void skip_space() noexcept
    {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) {
            ++p_;
        }
    }

    bool consume(char c) noexcept
    {
        if (p_ != end_ && *p_ == c) {
            ++p_;
            return true;
        }
        return false;
    }

    // `depth` counts objects and arrays as basic_parser's max_depth does; the scanner gives up
    // one level early, leaving the limit's exact edge to the full decoder.
    bool object(const object_schema& schema, void* target, std::size_t depth)
    {
        if (depth >= max_depth_ || !consume('{')) {
            return false;
        }
        std::uint64_t seen = 0;
        std::size_t next = 0; // keys usually come in the schema's order
        skip_space();
        if (!consume('}')) {
            do {
                skip_space();
                const int i = key(schema, next);
                if (i < 0) {
                    return false;
                }
                const auto bit = std::uint64_t{1} << i;
                if ((seen & bit) != 0) {
                    return false;
                }
                seen |= bit;
                next = static_cast<std::size_t>(i) + 1;
                skip_space();
                const field_schema& f = schema.fields[static_cast<std::size_t>(i)];
                if (!value(f, f.member(target), depth)) {
                    return false;
                }
                skip_space();
            } while (consume(','));
            if (!consume('}')) {
                return false;
            }
        }
        if ((schema.required_mask & ~seen) != 0) {
            return false;
        }
        reset_unseen(schema, target, seen);
        return true;
    }

    // Reads a key and its colon: the index of its field, or -1 (not a field, or not simple).
    int key(const object_schema& schema, std::size_t next) noexcept
    {
        // The likely field's `"name":` token, compared in place, needs no scanning and no lookup.
        if (next < schema.fields.size()) {
            const std::string_view token = schema.fields[next].json_key;
            if (static_cast<std::size_t>(end_ - p_) >= token.size() &&
                same_bytes(p_, token.data(), token.size())) {
                p_ += token.size();
                return static_cast<int>(next);
            }
        }
        std::string_view name;
        if (!consume('"') || !string_text(name)) {
            return -1;
        }
        const int i = schema.find(name);
        skip_space();
        return consume(':') ? i : -1;
    }

    bool array(const field_schema& f, void* member, std::size_t depth)
    {
        if (depth >= max_depth_ || !consume('[')) {
            return false;
        }
        std::size_t n = 0;
        skip_space();
        if (!consume(']')) {
            do {
                skip_space();
                // Checked before an element is added, as the full decoder would not add it.
                if (p_ == end_ || *p_ != '{' || depth + 1 >= max_depth_ ||
                    !object(*f.nested, f.ops->enter(member, n), depth + 1)) {
                    return false;
                }
                ++n;
                skip_space();
            } while (consume(','));
            if (!consume(']')) {
                return false;
            }
        }
        f.ops->truncate(member, n);
        return true;
    }

    bool value(const field_schema& f, void* member, std::size_t depth)
    {
        if (p_ == end_) {
            return false;
        }
        const value_kind kind = f.kind();
        switch (*p_) {
        case '"': {
            ++p_;
            std::string_view text;
            return string_text(text) &&
                   (kind == value_kind::string || kind == value_kind::date ||
                    kind == value_kind::enumeration) &&
                   set_text_leaf_quiet(f, member, text);
        }
        case '{':
            return kind == value_kind::object && depth + 1 < max_depth_ &&
                   object(*f.nested, f.ops->enter(member, 0), depth + 1);
        case '[':
            return kind == value_kind::array && array(f, member, depth + 1);
        case 't':
        case 'f': {
            const bool b = *p_ == 't';
            if (kind != value_kind::boolean || !literal(b ? "true" : "false")) {
                return false;
            }
            f.ops->set_bool(member, b);
            return true;
        }
        case 'n':
            if (!f.ops->nullable || !literal("null")) {
                return false;
            }
            f.ops->reset(member);
            return true;
        default:
            return kind == value_kind::integer && integer(f, member);
        }
    }

    bool literal(std::string_view word) noexcept
    {
        if (static_cast<std::size_t>(end_ - p_) < word.size() ||
            std::memcmp(p_, word.data(), word.size()) != 0) {
            return false;
        }
        p_ += word.size();
        return true;
    }

    // 0 or 1-9 followed by at most eight digits: what fits an int32 with no question. A digit,
    // fraction or exponent after it is not a delimiter, so the caller gives up there.
    bool integer(const field_schema& f, void* member) noexcept
    {
        std::int32_t v = 0;
        if (*p_ == '0') {
            ++p_;
        } else if (*p_ >= '1' && *p_ <= '9') {
            for (int digits = 0; digits < 9 && p_ != end_ && *p_ >= '0' && *p_ <= '9'; ++digits) {
                v = v * 10 + (*p_++ - '0');
            }
        } else {
            return false;
        }
        f.ops->set_integer(member, v);
        return true;
    }

    // The text of a string whose opening quote has been read, up to its closing quote (which is
    // consumed). Only text that needs no unescaping: printable ASCII and well-formed UTF-8.
    bool string_text(std::string_view& out) noexcept
    {
        const char* const start = p_;
        for (;;) {
            skip_plain_ascii();
            if (p_ == end_) {
                return false;
            }
            auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                out = std::string_view(start, static_cast<std::size_t>(p_ - start));
                ++p_;
                return true;
            }
            if (c < 0x20 || c == '\\') {
                return false;
            }
            if (c < 0x80) {
                ++p_;
                continue;
            }
            // A run of multi-byte characters (Cyrillic: two bytes each).
            do {
                if (c >= 0xC2 && c <= 0xDF && end_ - p_ >= 2 &&
                    (static_cast<unsigned char>(p_[1]) & 0xC0u) == 0x80u) {
                    p_ += 2;
                } else if (const std::size_t n = utf8_sequence(); n != 0) {
                    p_ += n;
                } else {
                    return false;
                }
                if (p_ == end_) {
                    return false;
                }
                c = static_cast<unsigned char>(*p_);
            } while (c >= 0x80);
        }
    }

    // Moves p_ over printable ASCII other than a quote or a backslash, many bytes at a time; it
    // may stop early, before such a byte.
    void skip_plain_ascii() noexcept
    {
#if defined(__SSE2__)
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i slash = _mm_set1_epi8('\\');
        const __m128i space = _mm_set1_epi8(0x20);
        while (end_ - p_ >= 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
            // Signed: bytes from 0x80 up are negative, below a space like control characters.
            const __m128i hits =
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)),
                             _mm_cmplt_epi8(v, space));
            if (const int mask = _mm_movemask_epi8(hits); mask != 0) {
                p_ += std::countr_zero(static_cast<unsigned>(mask));
                return;
            }
            p_ += 16;
        }
#endif
        while (end_ - p_ >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p_, sizeof w);
            if ((json_special_bytes(w) | (w & 0x8080808080808080u)) != 0) {
                return;
            }
            p_ += 8;
        }
    }

    // Length of the well-formed UTF-8 sequence at p_ (Unicode Table 3-7), or 0.
    [[nodiscard]] std::size_t utf8_sequence() const noexcept
    {
        const auto at = [this](std::size_t i) { return static_cast<unsigned char>(p_[i]); };
        const auto left = static_cast<std::size_t>(end_ - p_);
        const auto tail = [&](std::size_t from, std::size_t n) {
            for (std::size_t i = from; i < n; ++i) {
                if ((at(i) & 0xC0u) != 0x80u) {
                    return false;
                }
            }
            return true;
        };
        const unsigned char c = at(0);
        if (c >= 0xC2 && c <= 0xDF) {
            return left >= 2 && tail(1, 2) ? 2 : 0;
        }
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        std::size_t n = 0;
        if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return 0;
        }
        if (left < n || at(1) < lo || at(1) > hi || !tail(2, n)) {
            return 0;
        }
        return n;
    }

    const char* p_;
    const char* end_;
    std::size_t max_depth_;
};

} // namespace aikom::codec::detail

#endif
