#include <aikom/protocol/timestamp.hpp>

#include <algorithm>

namespace aikom::protocol {
namespace {

void put_digits(std::string& out, long value, int width)
{
    std::string digits(static_cast<std::size_t>(width), '0');
    for (int i = width - 1; i >= 0 && value > 0; --i, value /= 10) {
        digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    }
    out += digits;
}

// The number in text[pos, pos + width), all digits; -1 otherwise.
int digits_at(std::string_view text, std::size_t pos, std::size_t width) noexcept
{
    int n = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return -1;
        }
        n = n * 10 + (text[i] - '0');
    }
    return n;
}

} // namespace

std::string format_timestamp(std::chrono::sys_seconds t)
{
    using namespace std::chrono;
    t = std::clamp(t, min_timestamp, max_timestamp);
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    std::string out;
    out.reserve(20);
    put_digits(out, static_cast<int>(ymd.year()), 4);
    out += '-';
    put_digits(out, static_cast<long>(static_cast<unsigned>(ymd.month())), 2);
    out += '-';
    put_digits(out, static_cast<long>(static_cast<unsigned>(ymd.day())), 2);
    out += 'T';
    put_digits(out, hms.hours().count(), 2);
    out += ':';
    put_digits(out, hms.minutes().count(), 2);
    out += ':';
    put_digits(out, static_cast<long>(hms.seconds().count()), 2);
    out += 'Z';
    return out;
}

std::optional<std::chrono::sys_seconds> parse_timestamp(std::string_view text) noexcept
{
    using namespace std::chrono;
    if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
        return std::nullopt;
    }
    const int y = digits_at(text, 0, 4);
    const int mo = digits_at(text, 5, 2);
    const int d = digits_at(text, 8, 2);
    const int h = digits_at(text, 11, 2);
    const int mi = digits_at(text, 14, 2);
    const int s = digits_at(text, 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
        return std::nullopt;
    }
    const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                             day(static_cast<unsigned>(d))};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return sys_days(ymd) + hours(h) + minutes(mi) + seconds(s);
}

} // namespace aikom::protocol
