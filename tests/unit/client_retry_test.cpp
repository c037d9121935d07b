// The client's retry policy: which outcomes are retried, how long to wait, Retry-After in all
// its forms, and the budget. Pure functions with an injected random source and clock.
#include <aikom/client/retry.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

using namespace std::chrono_literals;
using aikom::client::attempt_outcome;
using aikom::client::decide_retry;
using aikom::client::parse_retry_after;
using aikom::client::retry_after_max;
using aikom::client::retry_decision;
using aikom::client::retry_environment;
using aikom::client::retry_policy;
using aikom::protocol::problem_kind;
using std::chrono::milliseconds;
using std::chrono::system_clock;

namespace {

// 1994-11-06 08:49:00 UTC, a Sunday: 37 s before the RFC's example date.
system_clock::time_point fixed_now()
{
    return std::chrono::sys_days{std::chrono::year{1994} / 11 / 6} + 8h + 49min;
}

// A source whose "random" number is `u`, and the clock above.
retry_environment fixed(double u)
{
    return {[u] { return u; }, [] { return fixed_now(); }};
}

const double just_below_one = std::nextafter(1.0, 0.0);

// A replayable outcome of the first attempt with `status`.
attempt_outcome response(unsigned status)
{
    attempt_outcome o;
    o.replayable = true;
    o.status = status;
    return o;
}

std::optional<milliseconds> parse(std::string_view value)
{
    return parse_retry_after(value, fixed_now());
}

} // namespace

// ---- Which outcomes are retried --------------------------------------------------------------

TEST_CASE("client retry: success is final")
{
    for (const unsigned status : {200u, 201u, 204u, 301u, 304u, 307u}) {
        CAPTURE(status);
        const retry_decision d = decide_retry({}, response(status), fixed(0.5));
        CHECK_FALSE(d.retry);
        CHECK(d.delay == 0ms);
        CHECK(d.reason == "success is final");
    }
}

TEST_CASE("client retry: a transport failure is retried after a backoff")
{
    attempt_outcome o;
    o.replayable = true;
    o.transport_failure = true;
    const retry_decision d = decide_retry({}, o, fixed(0.5));
    CHECK(d.retry);
    CHECK(d.delay == 100ms); // half of the 200 ms base
    CHECK(d.reason == "transport failure, backoff");
}

TEST_CASE("client retry: 408, 429, 500, 502, 503 and 504 are retried")
{
    struct row {
        unsigned status;
        std::string_view reason;
    };
    const row rows[] = {
        {408, "408 request timeout, backoff"},       {429, "429 too many requests, backoff"},
        {500, "500 internal server error, backoff"}, {502, "502 bad gateway, backoff"},
        {503, "503 service unavailable, backoff"},   {504, "504 gateway timeout, backoff"},
    };
    for (const row& r : rows) {
        CAPTURE(r.status);
        const retry_decision d = decide_retry({}, response(r.status), fixed(0.25));
        CHECK(d.retry);
        CHECK(d.delay == 50ms);
        CHECK(d.reason == r.reason);
    }
}

TEST_CASE("client retry: every other 4xx and 5xx is final, and so is an unexpected status")
{
    for (const unsigned status : {400u, 401u, 403u, 404u, 405u, 410u, 412u, 413u, 415u, 422u}) {
        CAPTURE(status);
        const retry_decision d = decide_retry({}, response(status), fixed(0.5));
        CHECK_FALSE(d.retry);
        CHECK(d.reason == "4xx is final");
    }
    for (const unsigned status : {501u, 505u, 507u, 511u}) {
        CAPTURE(status);
        const retry_decision d = decide_retry({}, response(status), fixed(0.5));
        CHECK_FALSE(d.retry);
        CHECK(d.reason == "5xx is final");
    }
    // No response and no transport failure, an informational status, a status out of range.
    for (const unsigned status : {0u, 100u, 600u}) {
        CAPTURE(status);
        const retry_decision d = decide_retry({}, response(status), fixed(0.5));
        CHECK_FALSE(d.retry);
        CHECK(d.reason == "unexpected status is final");
    }
}

TEST_CASE("client retry: 409 is retried only while the same idempotent request is in progress")
{
    attempt_outcome in_progress = response(409);
    in_progress.problem = problem_kind::idempotency_in_progress;
    const retry_decision retried = decide_retry({}, in_progress, fixed(0.5));
    CHECK(retried.retry);
    CHECK(retried.delay == 100ms);
    CHECK(retried.reason == "409 idempotency in progress, backoff");

    in_progress.retry_after = "2";
    const retry_decision told = decide_retry({}, in_progress, fixed(0.5));
    CHECK(told.retry);
    CHECK(told.delay == 2000ms);
    CHECK(told.reason == "409 idempotency in progress with Retry-After");

    attempt_outcome conflict = response(409);
    conflict.problem = problem_kind::conflict;
    const retry_decision final_conflict = decide_retry({}, conflict, fixed(0.5));
    CHECK_FALSE(final_conflict.retry);
    CHECK(final_conflict.reason == "409 conflict is final");

    // A 409 without problem details is not known to be transient either.
    const retry_decision bare = decide_retry({}, response(409), fixed(0.5));
    CHECK_FALSE(bare.retry);
    CHECK(bare.reason == "409 conflict is final");
}

TEST_CASE("client retry: a request that is not replayable is never retried")
{
    attempt_outcome reset;
    reset.transport_failure = true;
    attempt_outcome busy = response(503);
    busy.replayable = false;
    busy.retry_after = "0";
    attempt_outcome in_progress = response(409);
    in_progress.replayable = false;
    in_progress.problem = problem_kind::idempotency_in_progress;

    for (const attempt_outcome& o : {reset, busy, in_progress}) {
        CAPTURE(o.status);
        const retry_decision d = decide_retry({}, o, fixed(0.0));
        CHECK_FALSE(d.retry);
        CHECK(d.delay == 0ms);
        CHECK(d.reason == "not replayable");
    }
}

TEST_CASE("client retry: max_attempts counts every attempt, the first included")
{
    retry_policy policy; // 4 attempts
    attempt_outcome o = response(503);
    for (unsigned attempt = 1; attempt <= 3; ++attempt) {
        CAPTURE(attempt);
        o.attempt = attempt;
        CHECK(decide_retry(policy, o, fixed(0.5)).retry);
    }
    o.attempt = 4;
    const retry_decision last = decide_retry(policy, o, fixed(0.5));
    CHECK_FALSE(last.retry);
    CHECK(last.reason == "attempts exhausted");

    policy.max_attempts = 1;
    o.attempt = 1;
    CHECK(decide_retry(policy, o, fixed(0.5)).reason == "attempts exhausted");
    policy.max_attempts = 0; // as 1: never retry
    CHECK_FALSE(decide_retry(policy, o, fixed(0.5)).retry);

    policy.max_attempts = 2;
    o.attempt = 0; // as 1
    CHECK(decide_retry(policy, o, fixed(0.5)).retry);
}

// ---- How long to wait ------------------------------------------------------------------------

TEST_CASE("client retry: full jitter draws from 0 up to min(max_delay, base * 2^(attempt-1))")
{
    retry_policy policy;
    policy.max_attempts = 10;
    policy.budget = 1h;
    attempt_outcome o = response(503);

    // base 200 ms: ceilings 200, 400, 800, 1600, 3200, 6400 ms for attempts 1..6.
    const milliseconds at_half[] = {100ms, 200ms, 400ms, 800ms, 1600ms, 3200ms};
    const milliseconds near_one[] = {199ms, 399ms, 799ms, 1599ms, 3199ms, 6399ms};
    for (unsigned attempt = 1; attempt <= 6; ++attempt) {
        CAPTURE(attempt);
        o.attempt = attempt;
        CHECK(decide_retry(policy, o, fixed(0.0)).delay == 0ms);
        CHECK(decide_retry(policy, o, fixed(0.5)).delay == at_half[attempt - 1]);
        CHECK(decide_retry(policy, o, fixed(just_below_one)).delay == near_one[attempt - 1]);
    }

    // A 1 s cap: ceilings 200, 400, 800, then 1000 ms from the 4th attempt on.
    policy.max_delay = 1000ms;
    const milliseconds capped_half[] = {100ms, 200ms, 400ms, 500ms, 500ms, 500ms};
    const milliseconds capped_near_one[] = {199ms, 399ms, 799ms, 999ms, 999ms, 999ms};
    for (unsigned attempt = 1; attempt <= 6; ++attempt) {
        CAPTURE(attempt);
        o.attempt = attempt;
        CHECK(decide_retry(policy, o, fixed(0.0)).delay == 0ms);
        CHECK(decide_retry(policy, o, fixed(0.5)).delay == capped_half[attempt - 1]);
        CHECK(decide_retry(policy, o, fixed(just_below_one)).delay == capped_near_one[attempt - 1]);
    }

    // A cap below the base caps the very first wait.
    policy.max_delay = 50ms;
    o.attempt = 1;
    CHECK(decide_retry(policy, o, fixed(just_below_one)).delay == 49ms);
}

TEST_CASE("client retry: the backoff ceiling does not overflow for large attempts or delays")
{
    retry_policy policy;
    policy.max_attempts = std::numeric_limits<unsigned>::max();
    policy.budget = milliseconds::max();
    attempt_outcome o = response(503);
    for (const unsigned attempt : {30u, 63u, 64u, 65u, 1000u, policy.max_attempts - 1}) {
        CAPTURE(attempt);
        o.attempt = attempt;
        const retry_decision d = decide_retry(policy, o, fixed(just_below_one));
        CHECK(d.retry);
        CHECK(d.delay == 9999ms);
    }

    // A base so large that doubling it once overflows: the cap still holds.
    policy.base_delay = milliseconds::max() / 2 + 1ms;
    policy.max_delay = 24h;
    o.attempt = 3;
    CHECK(decide_retry(policy, o, fixed(0.5)).delay == 12h);

    // A zero base means no wait.
    policy.base_delay = 0ms;
    CHECK(decide_retry(policy, o, fixed(just_below_one)).delay == 0ms);
}

TEST_CASE("client retry: a random source outside 0..1 still gives a wait within the bounds")
{
    attempt_outcome o = response(503);
    CHECK(decide_retry({}, o, fixed(-0.5)).delay == 0ms);
    CHECK(decide_retry({}, o, fixed(std::nan(""))).delay == 0ms);
    CHECK(decide_retry({}, o, fixed(1.0)).delay == 199ms);
    CHECK(decide_retry({}, o, fixed(7.0)).delay == 199ms);
}

// ---- Retry-After -----------------------------------------------------------------------------

TEST_CASE("client retry: Retry-After in delay-seconds")
{
    CHECK(parse("0") == 0ms);
    CHECK(parse("7") == 7000ms);
    CHECK(parse("120") == 120'000ms);
    CHECK(parse("007") == 7000ms);
    // Surrounding spaces and tabs are not part of the field value; inner ones are.
    CHECK(parse(" 7") == 7000ms);
    CHECK(parse("7 \t") == 7000ms);
    CHECK(parse("\t 7 ") == 7000ms);
    CHECK_FALSE(parse("7 7"));
    // Not a non-negative integer.
    CHECK_FALSE(parse("-1"));
    CHECK_FALSE(parse("+1"));
    CHECK_FALSE(parse("1.5"));
    CHECK_FALSE(parse("1e3"));
    CHECK_FALSE(parse("7s"));
    CHECK_FALSE(parse("abc"));
    CHECK_FALSE(parse(""));
    CHECK_FALSE(parse("   "));
    // Huge values saturate to 2^31 s instead of overflowing.
    CHECK(retry_after_max == std::chrono::seconds{2'147'483'648});
    CHECK(parse("2147483647") == std::chrono::seconds{2'147'483'647});
    CHECK(parse("2147483648") == retry_after_max);
    CHECK(parse("99999999999999999999999999999999999999999999") == retry_after_max);
}

TEST_CASE("client retry: Retry-After as an HTTP-date in each of the three forms")
{
    // The RFC's example instant, 37 s after fixed_now().
    CHECK(parse("Sun, 06 Nov 1994 08:49:37 GMT") == 37'000ms);
    CHECK(parse("Sunday, 06-Nov-94 08:49:37 GMT") == 37'000ms);
    CHECK(parse("Sun Nov  6 08:49:37 1994") == 37'000ms);
    CHECK(parse("Sun Nov 06 08:49:37 1994") == 37'000ms); // date3 allows two digits too
    CHECK(parse("  Sun, 06 Nov 1994 08:49:37 GMT\t") == 37'000ms);

    // Further away: a day and an hour later, across a month end in a leap year.
    CHECK(parse("Mon, 07 Nov 1994 09:49:00 GMT") == 25h);
    CHECK(parse_retry_after("Fri, 01 Mar 1996 00:00:00 GMT",
                            std::chrono::sys_days{std::chrono::year{1996} / 2 / 28}) == 48h);
    CHECK(parse_retry_after("Thu, 29 Feb 1996 00:00:00 GMT",
                            std::chrono::sys_days{std::chrono::year{1996} / 2 / 28}) == 24h);

    // A `now` between seconds: the wait is rounded up, never ending before the date.
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", fixed_now() + 36'250'400us) == 750ms);

    // A leap second is a valid time of day.
    CHECK(parse("Sun, 06 Nov 1994 08:49:60 GMT") == 60'000ms);

    // A date centuries ahead saturates like a huge delay-seconds.
    CHECK(parse("Fri, 31 Dec 9999 23:59:59 GMT") == retry_after_max);
}

TEST_CASE("client retry: an RFC 850 two-digit year is placed at most 50 years ahead")
{
    const system_clock::time_point mid_2025 =
        std::chrono::sys_days{std::chrono::year{2025} / 6 / 1};
    // 2030 (5 years ahead), not 1930.
    CHECK(parse_retry_after("Tuesday, 01-Jan-30 00:00:00 GMT", mid_2025) ==
          std::chrono::sys_days{std::chrono::year{2030} / 1 / 1} - mid_2025);
    // 2075 is 50 years ahead by year: still this century.
    CHECK(parse_retry_after("Tuesday, 01-Jan-75 00:00:00 GMT", mid_2025) ==
          std::chrono::sys_days{std::chrono::year{2075} / 1 / 1} - mid_2025);
    // 2076 would be 51: it is 1976, in the past.
    CHECK(parse_retry_after("Thursday, 01-Jan-76 00:00:00 GMT", mid_2025) == 0ms);
    // 94 is 1994 in 2025, in the past.
    CHECK(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", mid_2025) == 0ms);
}

TEST_CASE("client retry: a Retry-After date in the past means retry now")
{
    CHECK(parse("Sun, 06 Nov 1994 08:48:59 GMT") == 0ms);
    CHECK(parse("Sun, 06 Nov 1994 08:49:00 GMT") == 0ms); // exactly now
    CHECK(parse("Thu, 01 Jan 1970 00:00:00 GMT") == 0ms);
    CHECK(parse("Sat, 01 Jan 0000 00:00:00 GMT") == 0ms);
}

TEST_CASE("client retry: invalid HTTP-dates are not Retry-After values")
{
    const char* invalid[] = {
        "Thu, 30 Feb 1995 08:49:37 GMT",    // no Feb 30
        "Wed, 29 Feb 1995 08:49:37 GMT",    // 1995 is not a leap year
        "Mon, 31 Apr 1995 08:49:37 GMT",    // April has 30 days
        "Sun, 00 Nov 1994 08:49:37 GMT",    // no day 0
        "Sun, 06 Nov 1994 25:49:37 GMT",    // hour 25
        "Sun, 06 Nov 1994 24:00:00 GMT",    // hour 24
        "Sun, 06 Nov 1994 08:60:37 GMT",    // minute 60
        "Sun, 06 Nov 1994 08:49:61 GMT",    // second 61
        "Sun, 06 Foo 1994 08:49:37 GMT",    // no such month
        "Sun, 06 nov 1994 08:49:37 GMT",    // names are case-sensitive
        "Sun, 06 Nov 1994 08:49:37 UTC",    // only GMT
        "Sun, 06 Nov 1994 08:49:37",        // no zone
        "Sun, 06 Nov 1994 08:49:37 GMT ;",  // trailing text
        "Sun, 6 Nov 1994 08:49:37 GMT",     // IMF-fixdate has two-digit days
        "Sun,  06 Nov 1994 08:49:37 GMT",   // one space only
        "Sun, 06 Nov 94 08:49:37 GMT",      // IMF-fixdate has four-digit years
        "Sun, 06 Nov 1994 8:49:37 GMT",     // two-digit hours
        "Sun 06 Nov 1994 08:49:37 GMT",     // no comma
        "Sunday, 06 Nov 1994 08:49:37 GMT", // long name in the IMF form
        "Sun, 06-Nov-94 08:49:37 GMT",      // short name in the RFC 850 form
        "Sunday, 06-Nov-1994 08:49:37 GMT", // RFC 850 has two-digit years
        "Sunday, 30-Feb-94 08:49:37 GMT",   // RFC 850, no Feb 30
        "Sun Nov 6 08:49:37 1994",          // asctime pads the day with a space
        "Sun Nov  6 08:49:37 94",           // asctime has four-digit years
        "Sun Nov  6 25:49:37 1994",         // asctime, hour 25
        "Sun Feb 30 08:49:37 1994",         // asctime, no Feb 30
        "Sun Nov  6 08:49:37 1994 GMT",     // asctime has no zone
        "Xyz, 06 Nov 1994 08:49:37 GMT",    // no such weekday
        "Sun, 06 Nov 1994 08:49:3a GMT",    // not a digit
    };
    for (const char* value : invalid) {
        CAPTURE(value);
        CHECK_FALSE(parse(value));
    }
}

TEST_CASE("client retry: the weekday name is not checked against the date")
{
    // 6 Nov 1994 was a Sunday; the date alone decides when to come back.
    CHECK(parse("Mon, 06 Nov 1994 08:49:37 GMT") == 37'000ms);
    CHECK(parse("Friday, 06-Nov-94 08:49:37 GMT") == 37'000ms);
    CHECK(parse("Wed Nov  6 08:49:37 1994") == 37'000ms);
}

TEST_CASE("client retry: parse_retry_after reads nothing past the end of its value")
{
    // Every proper prefix of a valid date is invalid, even though the valid rest follows in
    // memory; and every prefix of a number is the shorter number.
    const std::string date = "Sun, 06 Nov 1994 08:49:37 GMT";
    for (std::size_t n = 0; n < date.size(); ++n) {
        CAPTURE(n);
        CHECK_FALSE(parse(std::string_view(date).substr(0, n)));
    }
    const std::string asctime = "Sun Nov  6 08:49:37 1994";
    for (std::size_t n = 0; n < asctime.size(); ++n) {
        CAPTURE(n);
        CHECK_FALSE(parse(std::string_view(asctime).substr(0, n)));
    }
    const std::string number = "12345";
    CHECK(parse(std::string_view(number).substr(0, 2)) == 12'000ms);
}

TEST_CASE("client retry: a valid Retry-After is waited exactly, not jittered")
{
    attempt_outcome o = response(429);
    o.retry_after = "7";
    for (const double u : {0.0, 0.5, just_below_one}) {
        CAPTURE(u);
        const retry_decision d = decide_retry({}, o, fixed(u));
        CHECK(d.retry);
        CHECK(d.delay == 7000ms);
        CHECK(d.reason == "429 with Retry-After");
    }

    o.status = 503;
    o.retry_after = "Sun, 06 Nov 1994 08:49:37 GMT"; // 37 s from fixed_now()
    retry_policy minute_budget;
    minute_budget.budget = 1min;
    const retry_decision dated = decide_retry(minute_budget, o, fixed(0.5));
    CHECK(dated.retry);
    CHECK(dated.delay == 37'000ms);
    CHECK(dated.reason == "503 with Retry-After");

    // Longer than max_delay is still honoured: the server knows when it will be back.
    o.retry_after = "15";
    CHECK(decide_retry({}, o, fixed(0.5)).delay == 15'000ms);

    // Not honoured by policy, or not a valid value: the backoff.
    retry_policy ignore;
    ignore.honour_retry_after = false;
    const retry_decision ignored = decide_retry(ignore, o, fixed(0.5));
    CHECK(ignored.delay == 100ms);
    CHECK(ignored.reason == "503 service unavailable, backoff");
    o.retry_after = "soon";
    const retry_decision invalid = decide_retry({}, o, fixed(0.5));
    CHECK(invalid.delay == 100ms);
    CHECK(invalid.reason == "503 service unavailable, backoff");
}

// ---- The budget ------------------------------------------------------------------------------

TEST_CASE("client retry: no retry whose wait would end past the budget (Retry-After)")
{
    retry_policy policy; // 30 s budget
    attempt_outcome o = response(503);
    o.elapsed = 20s;

    o.retry_after = "10"; // ends exactly at the budget: allowed
    const retry_decision at_edge = decide_retry(policy, o, fixed(0.5));
    CHECK(at_edge.retry);
    CHECK(at_edge.delay == 10s);

    o.retry_after = "11"; // the server asks for more than is left
    const retry_decision over = decide_retry(policy, o, fixed(0.5));
    CHECK_FALSE(over.retry);
    CHECK(over.delay == 0ms);
    CHECK(over.reason == "budget exhausted");

    o.elapsed = 0ms;
    o.retry_after = "Sun, 06 Nov 1994 09:00:00 GMT"; // 11 minutes from now
    CHECK(decide_retry(policy, o, fixed(0.5)).reason == "budget exhausted");

    o.retry_after = "99999999999999999999"; // saturated, still over
    CHECK(decide_retry(policy, o, fixed(0.5)).reason == "budget exhausted");
}

TEST_CASE("client retry: no retry whose wait would end past the budget (jitter)")
{
    retry_policy policy; // 30 s budget, 200 ms base
    attempt_outcome o = response(502);

    o.elapsed = 29'900ms; // 100 ms left
    const retry_decision fits = decide_retry(policy, o, fixed(0.5));
    CHECK(fits.retry);
    CHECK(fits.delay == 100ms);

    const retry_decision too_long = decide_retry(policy, o, fixed(0.75)); // 150 ms
    CHECK_FALSE(too_long.retry);
    CHECK(too_long.reason == "budget exhausted");

    // Already past the budget: even a zero wait is not made.
    o.elapsed = 31s;
    const retry_decision late = decide_retry(policy, o, fixed(0.0));
    CHECK_FALSE(late.retry);
    CHECK(late.reason == "budget exhausted");

    // A huge elapsed time against a huge budget does not overflow.
    policy.budget = milliseconds::max();
    o.elapsed = milliseconds::max() - 50ms;
    CHECK(decide_retry(policy, o, fixed(0.0)).retry);
    CHECK(decide_retry(policy, o, fixed(0.5)).reason == "budget exhausted");
}

// ---- The environment -------------------------------------------------------------------------

TEST_CASE("client retry: the default environment draws from 0..1 and tells the time")
{
    const retry_environment env = aikom::client::default_retry_environment();
    REQUIRE(env.uniform);
    REQUIRE(env.now);
    double lowest = 1.0;
    double highest = 0.0;
    for (int i = 0; i < 10'000; ++i) {
        const double u = env.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        lowest = std::min(lowest, u);
        highest = std::max(highest, u);
    }
    CHECK(lowest < 0.01); // spread over the interval, not stuck
    CHECK(highest > 0.99);
    const auto skew = env.now() - system_clock::now();
    CHECK(std::chrono::abs(skew) < 1min);

    // An empty environment falls back to the defaults instead of throwing.
    attempt_outcome o = response(503);
    const retry_decision d = decide_retry({}, o, retry_environment{});
    CHECK(d.retry);
    CHECK(d.delay >= 0ms);
    CHECK(d.delay < 200ms);
    o.retry_after = "Thu, 01 Jan 1970 00:00:00 GMT";
    CHECK(decide_retry({}, o, retry_environment{}).delay == 0ms);
}
