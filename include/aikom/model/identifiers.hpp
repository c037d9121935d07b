#ifndef AIKOM_MODEL_IDENTIFIERS_HPP
#define AIKOM_MODEL_IDENTIFIERS_HPP

/// @file
/// Strong types for the identifiers a child record carries.
///
/// Each type holds the text exactly as it was received or set: constructing one does not
/// validate it, so that a record with a mistyped code can still be read, reported and fixed.
/// The validators in `aikom/check/` say whether a value is well formed (and why not). The types
/// exist so that an РНОКПП cannot be passed where an ЄДРПОУ is expected.

#include <compare>
#include <string>
#include <string_view>
#include <utility>

namespace aikom::model {

/// A text identifier of kind `Tag`. Regular value type; not thread-safe to mutate concurrently.
template <class Tag>
class basic_identifier {
public:
    basic_identifier() = default;
    explicit basic_identifier(std::string value)
        : value_(std::move(value))
    {}
    explicit basic_identifier(std::string_view value)
        : value_(value)
    {}
    explicit basic_identifier(const char* value)
        : value_(value)
    {}

    /// The identifier's text, as stored.
    [[nodiscard]] const std::string& str() const noexcept { return value_; }
    [[nodiscard]] bool empty() const noexcept { return value_.empty(); }

    /// Replaces the text, reusing the storage already held.
    void assign(std::string_view value) { value_.assign(value); }

    friend bool operator==(const basic_identifier&, const basic_identifier&) = default;
    friend auto operator<=>(const basic_identifier&, const basic_identifier&) = default;

private:
    std::string value_;
};

struct rnokpp_tag {};
struct unzr_tag {};
struct edrpou_tag {};
struct katottg_tag {};
struct country_code_tag {};

/// РНОКПП: the taxpayer's registration number, 10 digits with a check digit.
using rnokpp = basic_identifier<rnokpp_tag>;
/// УНЗР: the unique record number in the demographic register, `YYYYMMDD-NNNNC`.
using unzr = basic_identifier<unzr_tag>;
/// ЄДРПОУ: an organisation's code (here: the preschool institution), 8 digits with a check digit.
using edrpou = basic_identifier<edrpou_tag>;
/// КАТОТТГ: a code of the administrative-territorial codifier, `UA` followed by 17 digits.
using katottg = basic_identifier<katottg_tag>;
/// ISO 3166-1 alpha-2 country code, e.g. `UA`, `PL`.
using country_code = basic_identifier<country_code_tag>;

} // namespace aikom::model

#endif
