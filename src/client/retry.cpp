#include <aikom/client/retry.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <thread>

namespace aikom::client {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// ---- Retry-After ---------------------------------------------------------------------------

constexpr std::array<std::string_view, 7> short_day_names = {"Sun", "Mon", "Tue", "Wed",
                                                             "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> long_day_names = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Reads a value left to right; every step checks the remaining length first.
class cursor {
public:
    explicit cursor(std::string_view text) noexcept
        : rest_(text)
    {}

    bool literal(std::string_view expected) noexcept
    {
        if (!rest_.starts_with(expected))
            return false;
        rest_.remove_prefix(expected.size());
        return true;
    }

    // Exactly `count` ASCII digits.
    bool digits(std::size_t count, int& out) noexcept
    {
        if (rest_.size() < count)
            return false;
        int value = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const char c = rest_[i];
            if (c < '0' || c > '9')
                return false;
            value = value * 10 + (c - '0');
        }
        rest_.remove_prefix(count);
        out = value;
        return true;
    }

    // One of `names`; `index` is its position.
    template <std::size_t N>
    bool one_of(const std::array<std::string_view, N>& names, int& index) noexcept
    {
        for (std::size_t i = 0; i < N; ++i) {
            if (literal(names[i])) {
                index = static_cast<int>(i);
                return true;
            }
        }
        return false;
    }

    [[nodiscard]] bool at_end() const noexcept { return rest_.empty(); }

private:
    std::string_view rest_;
};

struct date_fields {
    int year = 0;
    int month = 0; // 0-based index into month_names
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
};

// time-of-day = hour ":" minute ":" second
bool time_of_day(cursor& c, date_fields& f) noexcept
{
    return c.digits(2, f.hour) && c.literal(":") && c.digits(2, f.minute) && c.literal(":") &&
           c.digits(2, f.second);
}

// IMF-fixdate = day-name "," SP DD SP month SP YYYY SP time-of-day SP "GMT"
bool imf_fixdate(std::string_view text, date_fields& f) noexcept
{
    cursor c(text);
    int weekday = 0;
    return c.one_of(short_day_names, weekday) && c.literal(", ") && c.digits(2, f.day) &&
           c.literal(" ") && c.one_of(month_names, f.month) && c.literal(" ") &&
           c.digits(4, f.year) && c.literal(" ") && time_of_day(c, f) && c.literal(" GMT") &&
           c.at_end();
}

// rfc850-date = day-name-l "," SP DD "-" month "-" YY SP time-of-day SP "GMT"
// The two-digit year is left in f.year for the caller to place in a century.
bool rfc850_date(std::string_view text, date_fields& f) noexcept
{
    cursor c(text);
    int weekday = 0;
    return c.one_of(long_day_names, weekday) && c.literal(", ") && c.digits(2, f.day) &&
           c.literal("-") && c.one_of(month_names, f.month) && c.literal("-") &&
           c.digits(2, f.year) && c.literal(" ") && time_of_day(c, f) && c.literal(" GMT") &&
           c.at_end();
}

// asctime-date = day-name SP month SP ( DD / ( SP D ) ) SP time-of-day SP YYYY
bool asctime_date(std::string_view text, date_fields& f) noexcept
{
    cursor c(text);
    int weekday = 0;
    if (!(c.one_of(short_day_names, weekday) && c.literal(" ") && c.one_of(month_names, f.month) &&
          c.literal(" ")))
        return false;
    if (!(c.literal(" ") ? c.digits(1, f.day) : c.digits(2, f.day)))
        return false;
    return c.literal(" ") && time_of_day(c, f) && c.literal(" ") && c.digits(4, f.year) &&
           c.at_end();
}

int year_of(system_clock::time_point t) noexcept
{
    const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
    return static_cast<int>(ymd.year());
}

// RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century.
int rfc850_year(int two_digits, system_clock::time_point now) noexcept
{
    const int now_year = year_of(now);
    int year = now_year - now_year % 100 + two_digits;
    if (year - now_year > 50)
        year -= 100;
    return year;
}

// The instant `f` names, in milliseconds since the epoch (wide enough for years 0000-9999),
// or nullopt when there is no such instant.
std::optional<milliseconds> instant_of(const date_fields& f) noexcept
{
    const std::chrono::year_month_day ymd{std::chrono::year{f.year},
                                          std::chrono::month{static_cast<unsigned>(f.month + 1)},
                                          std::chrono::day{static_cast<unsigned>(f.day)}};
    if (!ymd.ok() || f.hour > 23 || f.minute > 59 || f.second > 60)
        return std::nullopt;
    const auto since_epoch = std::chrono::sys_days{ymd}.time_since_epoch() +
                             std::chrono::hours{f.hour} + std::chrono::minutes{f.minute} +
                             std::chrono::seconds{f.second};
    return std::chrono::duration_cast<milliseconds>(since_epoch);
}

milliseconds saturate(milliseconds d) noexcept
{
    return d > retry_after_max ? retry_after_max : d;
}

std::optional<milliseconds> delay_seconds(std::string_view text) noexcept
{
    constexpr std::uint64_t limit = 2'147'483'648; // retry_after_max in seconds
    static_assert(milliseconds{std::chrono::seconds{limit}} == retry_after_max);
    if (text.empty())
        return std::nullopt;
    std::uint64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        if (value <= limit) // stays far below 2^64: at most 10 * 2^31 + 9
            value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return milliseconds{std::chrono::seconds{value < limit ? value : limit}};
}

std::string_view trim_ows(std::string_view s) noexcept
{
    const auto is_ows = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && is_ows(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back()))
        s.remove_suffix(1);
    return s;
}

// ---- The decision --------------------------------------------------------------------------

// How one outcome is classified: final, or retryable with the reason for each kind of delay.
struct classification {
    bool retryable = false;
    std::string_view reason;             // why final, or why retried after a backoff
    std::string_view reason_retry_after; // why retried after the server's Retry-After
};

constexpr classification final_because(std::string_view reason) noexcept
{
    return {false, reason, {}};
}

classification classify(const attempt_outcome& o) noexcept
{
    if (o.transport_failure)
        return {true, "transport failure, backoff", "transport failure with Retry-After"};
    const unsigned s = o.status;
    switch (s) {
    case 408:
        return {true, "408 request timeout, backoff", "408 with Retry-After"};
    case 409:
        if (o.problem == protocol::problem_kind::idempotency_in_progress)
            return {true, "409 idempotency in progress, backoff",
                    "409 idempotency in progress with Retry-After"};
        return final_because("409 conflict is final");
    case 429:
        return {true, "429 too many requests, backoff", "429 with Retry-After"};
    case 500:
        return {true, "500 internal server error, backoff", "500 with Retry-After"};
    case 502:
        return {true, "502 bad gateway, backoff", "502 with Retry-After"};
    case 503:
        return {true, "503 service unavailable, backoff", "503 with Retry-After"};
    case 504:
        return {true, "504 gateway timeout, backoff", "504 with Retry-After"};
    default:
        break;
    }
    if (s >= 200 && s < 400)
        return final_because("success is final");
    if (s >= 400 && s < 500)
        return final_because("4xx is final");
    if (s >= 500 && s < 600)
        return final_because("5xx is final");
    return final_because("unexpected status is final");
}

// min(max_delay, base_delay * 2^(attempt-1)), never negative, without overflow.
milliseconds backoff_ceiling(const retry_policy& p, unsigned attempt) noexcept
{
    const std::int64_t base = p.base_delay.count();
    const std::int64_t cap = p.max_delay.count();
    if (base <= 0 || cap <= 0)
        return milliseconds{0};
    const unsigned shift = attempt - 1;
    // base * 2^shift > cap  <=>  base > floor(cap / 2^shift), for non-negative integers.
    if (shift >= 63 || base > (cap >> shift))
        return milliseconds{cap};
    return milliseconds{base << shift};
}

// Full jitter: a draw from [0, ceiling). Tolerates a source that strays out of [0, 1).
milliseconds full_jitter(milliseconds ceiling, double u) noexcept
{
    if (ceiling.count() <= 0 || !(u > 0.0)) // also NaN
        return milliseconds{0};
    const double scaled = std::floor(u * static_cast<double>(ceiling.count()));
    if (!(scaled < static_cast<double>(ceiling.count())))
        return ceiling - milliseconds{1};
    return milliseconds{static_cast<std::int64_t>(scaled)};
}

std::uint64_t seed_from_entropy() noexcept
{
    try {
        std::random_device device;
        return (static_cast<std::uint64_t>(device()) << 32) ^ device();
    } catch (...) {
        // No entropy source: the time and this thread's id keep threads apart.
        const auto t =
            static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        return t ^ (std::hash<std::thread::id>{}(std::this_thread::get_id()) << 1);
    }
}

double default_uniform()
{
    thread_local std::mt19937_64 engine{seed_from_entropy()};
    // The top 53 bits as a fraction: exactly representable, so strictly below 1.
    return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

system_clock::time_point default_now()
{
    return system_clock::now();
}

} // namespace

retry_environment default_retry_environment()
{
    return {default_uniform, default_now};
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              system_clock::time_point now) noexcept
{
    value = trim_ows(value);
    if (value.empty())
        return std::nullopt;
    if (value.front() >= '0' && value.front() <= '9')
        return delay_seconds(value);

    std::optional<milliseconds> instant;
    if (date_fields f; imf_fixdate(value, f)) {
        instant = instant_of(f);
    } else if (date_fields g; rfc850_date(value, g)) {
        g.year = rfc850_year(g.year, now);
        instant = instant_of(g);
    } else if (date_fields h; asctime_date(value, h)) {
        instant = instant_of(h);
    }
    if (!instant)
        return std::nullopt;
    // Whole milliseconds, rounding `now` down: the wait never ends before the date.
    const auto now_ms = std::chrono::floor<milliseconds>(now.time_since_epoch());
    const milliseconds wait = *instant - now_ms;
    return wait.count() > 0 ? saturate(wait) : milliseconds{0};
}

retry_decision decide_retry(const retry_policy& policy, const attempt_outcome& outcome,
                            const retry_environment& env)
{
    const classification c = classify(outcome);
    if (!c.retryable)
        return {false, milliseconds{0}, c.reason};
    if (!outcome.replayable)
        return {false, milliseconds{0}, "not replayable"};
    const unsigned attempt = outcome.attempt == 0 ? 1 : outcome.attempt;
    const unsigned max_attempts = policy.max_attempts == 0 ? 1 : policy.max_attempts;
    if (attempt >= max_attempts)
        return {false, milliseconds{0}, "attempts exhausted"};

    std::optional<milliseconds> asked;
    if (policy.honour_retry_after && !outcome.retry_after.empty())
        asked = parse_retry_after(outcome.retry_after, env.now ? env.now() : default_now());

    retry_decision d{true, milliseconds{0}, c.reason};
    if (asked) {
        d.delay = *asked;
        d.reason = c.reason_retry_after;
    } else {
        const double u = env.uniform ? env.uniform() : default_uniform();
        d.delay = full_jitter(backoff_ceiling(policy, attempt), u);
    }

    // elapsed + delay > budget, written so that nothing overflows.
    const milliseconds elapsed = outcome.elapsed.count() > 0 ? outcome.elapsed : milliseconds{0};
    if (elapsed > policy.budget || d.delay > policy.budget - elapsed)
        return {false, milliseconds{0}, "budget exhausted"};
    return d;
}

} // namespace aikom::client
