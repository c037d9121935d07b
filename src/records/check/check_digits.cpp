#include <aikom/check/check_digits.hpp>

#include <array>
#include <chrono>
#include <cstddef>

namespace aikom::check {
namespace {

constexpr bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

constexpr bool all_digits(std::string_view text, std::size_t length) noexcept
{
    if (text.size() != length) {
        return false;
    }
    for (char c : text) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return true;
}

constexpr int digit_at(std::string_view text, std::size_t i) noexcept
{
    return text[i] - '0';
}

/// Non-negative remainder: the C++ `%` keeps the sign of the dividend.
constexpr int floor_mod(int value, int divisor) noexcept
{
    const int r = value % divisor;
    return r < 0 ? r + divisor : r;
}

constexpr int weighted_sum(std::string_view digits, const std::array<int, 7>& weights,
                           int extra) noexcept
{
    int sum = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        sum += (weights[i] + extra) * digit_at(digits, i);
    }
    return sum;
}

// The РНОКПП epoch: day count 0 is 1899-12-31, so 1 is 1900-01-01.
constexpr std::chrono::sys_days rnokpp_epoch{std::chrono::year{1899} / std::chrono::December /
                                             std::chrono::day{31}};
constexpr int rnokpp_max_days = 99999;

} // namespace

std::optional<int> rnokpp_check_digit(std::string_view first9) noexcept
{
    if (!all_digits(first9, 9)) {
        return std::nullopt;
    }
    constexpr std::array<int, 9> weights{-1, 5, 7, 9, 4, 6, 10, 5, 7};
    int sum = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        sum += weights[i] * digit_at(first9, i);
    }
    return floor_mod(sum, 11) % 10;
}

bool rnokpp_check_digit_matches(std::string_view rnokpp) noexcept
{
    if (!all_digits(rnokpp, 10)) {
        return false;
    }
    return rnokpp_check_digit(rnokpp.substr(0, 9)) == digit_at(rnokpp, 9);
}

std::optional<model::date> rnokpp_birth_date(std::string_view rnokpp) noexcept
{
    if (!all_digits(rnokpp, 10)) {
        return std::nullopt;
    }
    int days = 0;
    for (std::size_t i = 0; i < 5; ++i) {
        days = days * 10 + digit_at(rnokpp, i);
    }
    if (days == 0) {
        return std::nullopt;
    }
    return model::date{rnokpp_epoch + std::chrono::days{days}};
}

std::optional<model::sex> rnokpp_sex(std::string_view rnokpp) noexcept
{
    if (!all_digits(rnokpp, 10)) {
        return std::nullopt;
    }
    return digit_at(rnokpp, 8) % 2 == 1 ? model::sex::male : model::sex::female;
}

std::optional<std::string> make_rnokpp(model::date birth, model::sex sex, int sequence)
{
    if (!birth.ok() || sequence < 0 || sequence > 4999) {
        return std::nullopt;
    }
    const auto days = (std::chrono::sys_days{birth} - rnokpp_epoch).count();
    if (days < 1 || days > rnokpp_max_days) {
        return std::nullopt;
    }
    const int tail = 2 * sequence + (sex == model::sex::male ? 1 : 0);

    std::string out(10, '0');
    auto put = [&out](std::size_t end, long long value, std::size_t width) {
        for (std::size_t i = 0; i < width; ++i) {
            out[end - 1 - i] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
    };
    put(5, days, 5);
    put(9, tail, 4);
    out[9] = static_cast<char>('0' + *rnokpp_check_digit(std::string_view{out}.substr(0, 9)));
    return out;
}

std::optional<int> edrpou_check_digit(std::string_view first7) noexcept
{
    if (!all_digits(first7, 7)) {
        return std::nullopt;
    }
    // 3000000..5999999 as a number is exactly "first digit is 3, 4 or 5".
    const char lead = first7[0];
    const bool middle_range = lead >= '3' && lead <= '5';
    constexpr std::array<int, 7> plain{1, 2, 3, 4, 5, 6, 7};
    constexpr std::array<int, 7> rotated{7, 1, 2, 3, 4, 5, 6};
    const auto& weights = middle_range ? rotated : plain;

    const int first = weighted_sum(first7, weights, 0) % 11;
    if (first < 10) {
        return first;
    }
    const int second = weighted_sum(first7, weights, 2) % 11;
    return second < 10 ? second : 0;
}

bool edrpou_check_digit_matches(std::string_view edrpou) noexcept
{
    if (!all_digits(edrpou, 8)) {
        return false;
    }
    return edrpou_check_digit(edrpou.substr(0, 7)) == digit_at(edrpou, 7);
}

std::optional<int> unzr_check_digit(std::string_view first12) noexcept
{
    if (!all_digits(first12, 12)) {
        return std::nullopt;
    }
    constexpr std::array<int, 3> weights{7, 3, 1};
    int sum = 0;
    for (std::size_t i = 0; i < first12.size(); ++i) {
        sum += weights[i % 3] * digit_at(first12, i);
    }
    return sum % 10;
}

bool unzr_check_digit_matches(std::string_view unzr) noexcept
{
    if (unzr.size() != 14 || unzr[8] != '-' || !all_digits(unzr.substr(0, 8), 8) ||
        !all_digits(unzr.substr(9), 5)) {
        return false;
    }
    std::array<char, 12> digits{};
    for (std::size_t i = 0; i < 8; ++i) {
        digits[i] = unzr[i];
    }
    for (std::size_t i = 0; i < 4; ++i) {
        digits[8 + i] = unzr[9 + i];
    }
    return unzr_check_digit(std::string_view{digits.data(), digits.size()}) == digit_at(unzr, 13);
}

} // namespace aikom::check
