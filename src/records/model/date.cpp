#include <aikom/model/date.hpp>

namespace aikom::model {
namespace {

constexpr bool digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

// Reads [first, last) as a non-negative decimal; every character must be a digit.
constexpr bool read_number(std::string_view text, unsigned& out) noexcept
{
    if (text.empty()) {
        return false;
    }
    unsigned v = 0;
    for (char c : text) {
        if (!digit(c)) {
            return false;
        }
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    out = v;
    return true;
}

std::optional<date> make_date(unsigned y, unsigned m, unsigned d) noexcept
{
    if (y < 1000 || y > 9999) {
        return std::nullopt;
    }
    const date result{std::chrono::year{static_cast<int>(y)}, std::chrono::month{m},
                      std::chrono::day{d}};
    if (!result.ok()) {
        return std::nullopt;
    }
    return result;
}

} // namespace

std::optional<date> parse_iso_date(std::string_view text) noexcept
{
    unsigned y = 0;
    unsigned m = 0;
    unsigned d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
        !read_number(text.substr(0, 4), y) || !read_number(text.substr(5, 2), m) ||
        !read_number(text.substr(8, 2), d)) {
        return std::nullopt;
    }
    return make_date(y, m, d);
}

std::optional<date> parse_dotted_date(std::string_view text) noexcept
{
    const auto first = text.find('.');
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    const auto second = text.find('.', first + 1);
    if (second == std::string_view::npos) {
        return std::nullopt;
    }
    const auto ds = text.substr(0, first);
    const auto ms = text.substr(first + 1, second - first - 1);
    const auto ys = text.substr(second + 1);
    unsigned y = 0;
    unsigned m = 0;
    unsigned d = 0;
    if (ds.size() > 2 || ms.size() > 2 || ys.size() != 4 || !read_number(ds, d) ||
        !read_number(ms, m) || !read_number(ys, y)) {
        return std::nullopt;
    }
    return make_date(y, m, d);
}

void format_iso_date(date d, char* out) noexcept
{
    auto y = static_cast<unsigned>(static_cast<int>(d.year()));
    const auto m = static_cast<unsigned>(d.month());
    const auto dd = static_cast<unsigned>(d.day());
    out[3] = static_cast<char>('0' + y % 10);
    y /= 10;
    out[2] = static_cast<char>('0' + y % 10);
    y /= 10;
    out[1] = static_cast<char>('0' + y % 10);
    y /= 10;
    out[0] = static_cast<char>('0' + y % 10);
    out[4] = '-';
    out[5] = static_cast<char>('0' + m / 10);
    out[6] = static_cast<char>('0' + m % 10);
    out[7] = '-';
    out[8] = static_cast<char>('0' + dd / 10);
    out[9] = static_cast<char>('0' + dd % 10);
}

std::string to_iso_string(date d)
{
    std::string s(10, '\0');
    format_iso_date(d, s.data());
    return s;
}

int full_years(date from, date to) noexcept
{
    int years = static_cast<int>(to.year()) - static_cast<int>(from.year());
    if (std::chrono::month_day{to.month(), to.day()} <
        std::chrono::month_day{from.month(), from.day()}) {
        --years;
    }
    return years;
}

date today_utc()
{
    return date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

namespace {

// 01:00 UTC on the last Sunday of `m` in year `y`: when the EU changes its clocks.
std::chrono::sys_seconds eu_switch(std::chrono::year y, std::chrono::month m)
{
    using namespace std::chrono;
    const sys_days last_sunday{year_month_weekday_last{y, m, weekday_last{Sunday}}};
    return last_sunday + hours(1);
}

} // namespace

date kyiv_date(std::chrono::sys_seconds at)
{
    using namespace std::chrono;
    const year y = year_month_day{floor<days>(at)}.year();
    const bool summer = at >= eu_switch(y, March) && at < eu_switch(y, October);
    return date{floor<days>(at + hours(summer ? 3 : 2))};
}

date today_kyiv()
{
    return kyiv_date(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

} // namespace aikom::model
