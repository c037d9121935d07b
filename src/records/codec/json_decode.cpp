// The record decoder: a Boost.JSON basic_parser handler that fills the model straight from the
// parser's events. No DOM is built. The handler keeps a small stack of frames (one per object or
// array it is inside) and builds a JSON Pointer only when it has an issue to report.
#include <aikom/codec/json.hpp>

#include "codec/json_direct.hpp"
#include "codec/schema.hpp"

#include <aikom/check/issue_codes.hpp>

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <limits>

namespace aikom::codec {
namespace {

namespace json = boost::json;
using detail::field_schema;
using detail::object_schema;
using detail::value_kind;

// The format nests four levels (record → guardians → guardian → name); deeper input is either
// skipped (inside an unknown field) or refused by the parser's max_depth.
constexpr std::size_t max_frames = 8;

enum class json_type { object, array, string, number, boolean, null };

constexpr std::string_view type_en(json_type t)
{
    switch (t) {
    case json_type::object:
        return "an object";
    case json_type::array:
        return "an array";
    case json_type::string:
        return "a string";
    case json_type::number:
        return "a number";
    case json_type::boolean:
        return "a boolean";
    case json_type::null:
        return "null";
    }
    return "a value";
}

constexpr std::string_view type_uk(json_type t)
{
    switch (t) {
    case json_type::object:
        return "об’єкт";
    case json_type::array:
        return "масив";
    case json_type::string:
        return "рядок";
    case json_type::number:
        return "число";
    case json_type::boolean:
        return "логічне значення";
    case json_type::null:
        return "null";
    }
    return "значення";
}

struct frame {
    const object_schema* schema = nullptr;     // object frames
    const field_schema* array_field = nullptr; // array frames
    void* target = nullptr;                    // the struct (object) or the member (array)
    std::uint64_t seen = 0;
    const field_schema* field = nullptr; // object: the field whose value comes next, if wanted
    std::string unknown_key;             // object: storage for a key that is not a field
    std::string_view key;                // object: the key being read (empty before the first)
    bool has_key = false;
    std::uint32_t index = 0; // array: elements started so far
};

class record_handler final : public detail::pointer_source {
public:
    static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();

    explicit record_handler(const decode_options& options)
        : options_(&options)
    {}

    void start(model::child& out, std::vector<check::issue>& issues)
    {
        record_ = &out;
        issues_ = &issues;
        depth_ = 0;
        skip_ = 0;
        key_buf_.clear();
        str_buf_.clear();
    }

    // The pointer of the value being read: every frame's current key or index.
    [[nodiscard]] std::string pointer() const override { return pointer_upto(depth_); }

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }

    bool on_object_begin(json::error_code& ec)
    {
        if (skip_ != 0) {
            ++skip_;
            return true;
        }
        if (depth_ == 0) {
            return push_object(detail::child_schema(), record_, ec);
        }
        frame& top = frames_[depth_ - 1];
        if (top.array_field != nullptr) {
            void* element = top.array_field->ops->enter(top.target, top.index++);
            return push_object(*top.array_field->nested, element, ec);
        }
        const field_schema* f = top.field;
        if (f == nullptr) {
            skip_ = 1;
            return true;
        }
        if (f->kind() != value_kind::object) {
            type_mismatch(*f, json_type::object);
            skip_ = 1;
            return true;
        }
        return push_object(*f->nested, f->ops->enter(f->member(top.target), 0), ec);
    }

    bool on_object_end(std::size_t, json::error_code& ec)
    {
        if (skip_ != 0) {
            --skip_;
            return true;
        }
        const frame& top = frames_[depth_ - 1];
        const object_schema& schema = *top.schema;
        detail::reset_unseen(schema, top.target, top.seen);
        if (const auto missing = schema.required_mask & ~top.seen; missing != 0) [[unlikely]] {
            missing_fields(schema, missing);
        }
        --depth_;
        value_done();
        return !over_issue_limit(ec);
    }

    [[gnu::noinline]] void missing_fields(const object_schema& schema, std::uint64_t missing)
    {
        for (; missing != 0; missing &= missing - 1) {
            std::string p = pointer_upto(depth_ - 1);
            check::append_pointer_token(
                p, schema.fields[static_cast<std::size_t>(std::countr_zero(missing))].name);
            report(std::move(p), "field.required");
        }
    }

    bool on_array_begin(json::error_code& ec)
    {
        if (skip_ != 0) {
            ++skip_;
            return true;
        }
        if (depth_ == 0) {
            root_mismatch(json_type::array);
            skip_ = 1;
            return true;
        }
        frame& top = frames_[depth_ - 1];
        if (top.array_field != nullptr) {
            ++top.index;
            element_mismatch(json_type::array);
            skip_ = 1;
            return true;
        }
        const field_schema* f = top.field;
        if (f == nullptr) {
            skip_ = 1;
            return true;
        }
        if (f->kind() != value_kind::array) {
            type_mismatch(*f, json_type::array);
            skip_ = 1;
            return true;
        }
        if (depth_ == max_frames) {
            return too_deep(ec);
        }
        frame& fr = frames_[depth_++];
        fr.schema = nullptr;
        fr.array_field = f;
        fr.target = f->member(top.target);
        fr.index = 0;
        return !over_issue_limit(ec);
    }

    bool on_array_end(std::size_t, json::error_code&)
    {
        if (skip_ != 0) {
            --skip_;
            return true;
        }
        const frame& top = frames_[depth_ - 1];
        top.array_field->ops->truncate(top.target, top.index);
        --depth_;
        value_done();
        return true;
    }

    bool on_key_part(std::string_view s, std::size_t, json::error_code&)
    {
        if (skip_ == 0) {
            key_buf_.append(s);
        }
        return true;
    }

    bool on_key(std::string_view s, std::size_t, json::error_code& ec)
    {
        if (skip_ != 0) {
            return true;
        }
        std::string_view key = s;
        if (!key_buf_.empty()) [[unlikely]] {
            key_buf_.append(s);
            key = key_buf_;
        }
        frame& top = frames_[depth_ - 1];
        top.has_key = true;
        const int i = top.schema->find(key);
        bool ok = true;
        if (i < 0) [[unlikely]] {
            ok = unknown_key(top, key, ec);
        } else {
            const auto index = static_cast<std::size_t>(i);
            const auto bit = std::uint64_t{1} << index;
            const field_schema* f = &top.schema->fields[index];
            top.key = f->name;
            if ((top.seen & bit) != 0) [[unlikely]] {
                ok = duplicate_key(top, ec);
            } else {
                top.seen |= bit;
                top.field = f;
            }
        }
        key_buf_.clear();
        return ok;
    }

    [[gnu::noinline]] bool unknown_key(frame& top, std::string_view key, json::error_code& ec)
    {
        top.field = nullptr;
        top.unknown_key.assign(key);
        top.key = top.unknown_key;
        detail::add_unknown_field(*issues_, pointer(),
                                  options_->unknown_fields == unknown_field_policy::reject);
        return !over_issue_limit(ec);
    }

    [[gnu::noinline]] bool duplicate_key(frame& top, json::error_code& ec)
    {
        top.field = nullptr; // keep the first value, report the repetition
        report(pointer(), "field.duplicate");
        return !over_issue_limit(ec);
    }

    bool on_string_part(std::string_view s, std::size_t, json::error_code&)
    {
        if (skip_ == 0) {
            str_buf_.append(s);
        }
        return true;
    }

    bool on_string(std::string_view s, std::size_t, json::error_code& ec)
    {
        if (skip_ != 0) {
            return true;
        }
        std::string_view text = s;
        if (!str_buf_.empty()) {
            str_buf_.append(s);
            text = str_buf_;
        }
        const field_schema* f = scalar_target(json_type::string);
        if (f != nullptr) {
            const auto k = f->kind();
            if (k == value_kind::string || k == value_kind::date || k == value_kind::enumeration) {
                detail::set_text_leaf(*f, f->member(frames_[depth_ - 1].target), text, *this,
                                      *issues_);
            } else {
                type_mismatch(*f, json_type::string);
            }
        }
        str_buf_.clear();
        value_done();
        return !over_issue_limit(ec);
    }

    bool on_number_part(std::string_view, json::error_code&) { return true; }

    bool on_int64(std::int64_t v, std::string_view, json::error_code& ec)
    {
        return on_integer(v >= std::numeric_limits<std::int32_t>::min() &&
                              v <= std::numeric_limits<std::int32_t>::max(),
                          static_cast<std::int32_t>(v), ec);
    }

    bool on_uint64(std::uint64_t v, std::string_view, json::error_code& ec)
    {
        return on_integer(v <= static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()),
                          static_cast<std::int32_t>(v), ec);
    }

    bool on_double(double, std::string_view, json::error_code& ec)
    {
        if (skip_ != 0) {
            return true;
        }
        if (const field_schema* f = scalar_target(json_type::number)) {
            if (f->kind() == value_kind::integer) {
                report(pointer(), "format.integer");
            } else {
                type_mismatch(*f, json_type::number);
            }
        }
        value_done();
        return !over_issue_limit(ec);
    }

    bool on_bool(bool b, json::error_code& ec)
    {
        if (skip_ != 0) {
            return true;
        }
        if (const field_schema* f = scalar_target(json_type::boolean)) {
            if (f->kind() == value_kind::boolean) {
                f->ops->set_bool(f->member(frames_[depth_ - 1].target), b);
            } else {
                type_mismatch(*f, json_type::boolean);
            }
        }
        value_done();
        return !over_issue_limit(ec);
    }

    bool on_null(json::error_code& ec)
    {
        if (skip_ != 0) {
            return true;
        }
        // null means "unknown" for an optional field: it stays absent.
        if (const field_schema* f = scalar_target(json_type::null); f != nullptr) {
            if (f->ops->nullable) {
                f->ops->reset(f->member(frames_[depth_ - 1].target));
            } else {
                report(pointer(), "field.required");
            }
        }
        value_done();
        return !over_issue_limit(ec);
    }

    bool on_comment_part(std::string_view, json::error_code&) { return true; }
    bool on_comment(std::string_view, json::error_code&) { return true; }

    /// Issue for a failure the parser reports (syntax, depth): at the current position.
    [[nodiscard]] std::string current_pointer() const { return pointer_upto(depth_); }

private:
    // The value of the current key is complete: positions no longer point into it.
    void value_done() noexcept
    {
        if (depth_ != 0) {
            frames_[depth_ - 1].has_key = false;
        }
    }

    bool push_object(const object_schema& schema, void* target, json::error_code& ec)
    {
        if (depth_ == max_frames) {
            return too_deep(ec);
        }
        frame& fr = frames_[depth_++];
        fr.schema = &schema;
        fr.array_field = nullptr;
        fr.target = target;
        fr.seen = 0;
        fr.field = nullptr;
        fr.has_key = false;
        fr.key = {};
        return true;
    }

    bool too_deep(json::error_code& ec)
    {
        ec = json::error::too_deep;
        return false;
    }

    // The field that receives a scalar value at the current position, or nullptr when the
    // value is to be ignored (unknown or repeated key; a mismatch already reported).
    const field_schema* scalar_target(json_type t)
    {
        if (depth_ == 0) {
            root_mismatch(t);
            return nullptr;
        }
        frame& top = frames_[depth_ - 1];
        if (top.array_field != nullptr) {
            ++top.index;
            element_mismatch(t);
            return nullptr;
        }
        return top.field;
    }

    bool on_integer(bool in_range, std::int32_t v, json::error_code& ec)
    {
        if (skip_ != 0) {
            return true;
        }
        if (const field_schema* f = scalar_target(json_type::number)) {
            if (f->kind() != value_kind::integer) {
                type_mismatch(*f, json_type::number);
            } else if (!in_range) {
                report(pointer(), "format.integer");
            } else {
                f->ops->set_integer(f->member(frames_[depth_ - 1].target), v);
            }
        }
        value_done();
        return !over_issue_limit(ec);
    }

    void type_mismatch(const field_schema& f, json_type got)
    {
        wrong_type(pointer(), detail::expected_en(f), detail::expected_uk(f), got);
    }

    void element_mismatch(json_type got) { wrong_type(pointer(), "an object", "об’єкт", got); }

    void root_mismatch(json_type got)
    {
        wrong_type(std::string(), "a JSON object (one record)", "об’єкт JSON (один запис)", got);
    }

    void wrong_type(std::string where, std::string_view en, std::string_view uk, json_type got)
    {
        issues_->push_back(
            check::make_issue("format.type", std::move(where),
                              {{"expected", en, uk}, {"got", type_en(got), type_uk(got)}}));
    }

    void report(std::string where, std::string_view code)
    {
        issues_->push_back(check::make_issue(code, std::move(where)));
    }

    bool over_issue_limit(json::error_code& ec) const
    {
        if (issues_->size() >= options_->max_issues) {
            ec = json::error::exception; // stops the parser; decode() reports the limit
            return true;
        }
        return false;
    }

    std::string pointer_upto(std::size_t depth) const
    {
        std::string p;
        for (std::size_t i = 0; i < depth; ++i) {
            const frame& fr = frames_[i];
            if (fr.array_field != nullptr) {
                if (fr.index != 0) {
                    check::append_pointer_token(p, std::to_string(fr.index - 1));
                }
            } else if (fr.has_key) {
                check::append_pointer_token(p, fr.key);
            }
        }
        return p;
    }

    const decode_options* options_;
    model::child* record_ = nullptr;
    std::vector<check::issue>* issues_ = nullptr;
    std::array<frame, max_frames> frames_{};
    std::size_t depth_ = 0;
    std::size_t skip_ = 0;
    std::string key_buf_;
    std::string str_buf_;
};

json::parse_options parser_options(const decode_options& o)
{
    json::parse_options p;
    p.max_depth = o.max_depth;
    p.allow_comments = false;
    p.allow_trailing_commas = false;
    p.allow_invalid_utf8 = false;
    return p;
}

} // namespace

struct record_decoder::impl {
    explicit impl(decode_options o)
        : options(o)
        , parser(parser_options(options), options)
    {}

    decode_options options;
    json::basic_parser<record_handler> parser;
};

record_decoder::record_decoder(decode_options options)
    : impl_(std::make_unique<impl>(options))
{}

record_decoder::~record_decoder() = default;
record_decoder::record_decoder(record_decoder&&) noexcept = default;
record_decoder& record_decoder::operator=(record_decoder&&) noexcept = default;

const decode_options& record_decoder::options() const noexcept
{
    return impl_->options;
}

decode_status record_decoder::decode_into(std::string_view json_text, model::child& out,
                                          std::vector<check::issue>& issues)
{
    issues.clear();
    decode_status status;
    const auto& o = impl_->options;
    if (json_text.size() > o.max_record_bytes) {
        detail::add_too_large(issues, o.max_record_bytes);
        return status;
    }

    // Most records are read in one pass by the fast path; the full decoder reads what it does
    // not take, and finds the issues. (With max_issues 0 the full decoder refuses every record.)
    if (o.max_issues != 0 && detail::direct_scanner(json_text, o.max_depth).record(out)) {
        status.ok = true;
        return status;
    }

    auto& parser = impl_->parser;
    parser.reset();
    parser.handler().start(out, issues);
    json::error_code ec;
    const std::size_t used = parser.write_some(false, json_text.data(), json_text.size(), ec);

    if (ec) {
        if (ec == json::error::exception && issues.size() >= o.max_issues) {
            issues.push_back(check::make_issue("json.too_many_issues", std::string()));
        } else if (ec == json::error::too_deep) {
            const auto max = std::to_string(o.max_depth);
            issues.push_back(check::make_issue("json.too_deep", parser.handler().current_pointer(),
                                               {{"max", max, max}}));
        } else {
            status.syntax_error_offset = used;
            const auto at = std::to_string(used);
            const auto what = ec.message();
            issues.push_back(
                check::make_issue("json.syntax", parser.handler().current_pointer(),
                                  {{"offset", at, at}, {"detail", what, "синтаксична помилка"}}));
        }
        return status;
    }

    // write_some stops after one value: anything but whitespace after it is an error.
    const auto rest = json_text.substr(used);
    if (const auto extra = rest.find_first_not_of(" \t\r\n"); extra != std::string_view::npos) {
        status.syntax_error_offset = used + extra;
        const auto at = std::to_string(status.syntax_error_offset);
        issues.push_back(check::make_issue(
            "json.syntax", std::string(),
            {{"offset", at, at},
             {"detail", "unexpected data after the record", "зайві дані після запису"}}));
        return status;
    }
    status.ok = std::none_of(issues.begin(), issues.end(), [](const check::issue& i) {
        return i.severity == check::severity::error;
    });
    return status;
}

decode_result record_decoder::decode(std::string_view json_text)
{
    decode_result result;
    model::child record;
    const auto status = decode_into(json_text, record, result.issues);
    result.syntax_error_offset = status.syntax_error_offset;
    if (status.ok) {
        result.record = std::move(record);
    }
    return result;
}

decode_result decode_child(std::string_view json_text, const decode_options& options)
{
    record_decoder d(options);
    return d.decode(json_text);
}

} // namespace aikom::codec
