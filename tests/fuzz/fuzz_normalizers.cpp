// libFuzzer target: identifier validators and normalisers. Invariants: never crash; a
// normaliser's output validates (series, phone), is a fixed point, and a valid input is never
// changed.
#include <aikom/check/identifiers.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace aikom::check;
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    (void)validate_rnokpp(s);
    (void)validate_edrpou(s);
    (void)validate_unzr(s);
    (void)validate_katottg(s);
    (void)validate_country_code(s);
    (void)validate_certificate_number(s);
    (void)validate_idp_certificate_number(s);

    const bool series_valid = validate_certificate_series(s) == id_error::ok;
    if (const auto n = normalize_certificate_series(s)) {
        if (series_valid || validate_certificate_series(*n) != id_error::ok ||
            normalize_certificate_series(*n)) {
            std::abort();
        }
    }
    const bool phone_valid = validate_phone(s) == id_error::ok;
    if (const auto n = normalize_phone(s)) {
        if (phone_valid || validate_phone(*n) != id_error::ok || normalize_phone(*n)) {
            std::abort();
        }
    }
    const bool name_valid = validate_name_part(s) == id_error::ok;
    if (const auto n = normalize_name_part(s)) {
        if (name_valid || normalize_name_part(*n)) {
            std::abort();
        }
    }
    return 0;
}
