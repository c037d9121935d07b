#ifndef AIKOM_CLIENT_RETRY_HPP
#define AIKOM_CLIENT_RETRY_HPP

/// @file
/// The client's retry policy as data plus a pure function: a `retry_policy` and what one attempt
/// came to go in, "retry after this delay" or "give up, because …" comes out. No I/O and no
/// waiting here: the session waits on an Asio timer for the delay it is given. The random source
/// and the clock are injected (`retry_environment`), so every decision can be reproduced in a
/// test.
///
/// Thread safety: the functions are pure and may be called from any thread. The default
/// environment's random source is one engine per thread, so a `retry_environment` from
/// `default_retry_environment()` may be shared between threads.

#include <aikom/protocol/problem.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

namespace aikom::client {

/// Full-jitter exponential backoff with a cap and a total budget. Units in the names.
///
/// The wait before attempt n+1 is drawn uniformly from [0, min(max_delay, base_delay·2^(n-1))),
/// unless the server said how long to wait with `Retry-After` (and `honour_retry_after`), in which
/// case exactly that. A retry whose wait would end past `budget` is not made.
struct retry_policy {
    /// Attempts in all, the first included; 1 = never retry.
    unsigned max_attempts = 4;
    /// The backoff before the 2nd attempt is drawn from [0, base); it doubles with each attempt.
    std::chrono::milliseconds base_delay{200};
    /// The cap of one computed wait (a Retry-After value is not capped, only held to the budget).
    std::chrono::milliseconds max_delay{10'000};
    /// A call never retries past this much time since it started.
    std::chrono::milliseconds budget{30'000};
    /// Wait what a valid `Retry-After` asks, instead of the backoff.
    bool honour_retry_after = true;
};

/// What one attempt came to, as the decision needs it.
struct attempt_outcome {
    /// 1 for the first attempt.
    unsigned attempt = 1;
    /// A safe/idempotent method, or the request carries an Idempotency-Key.
    bool replayable = false;
    /// No complete response was read (connection reset, EOF, timeout of a phase).
    bool transport_failure = false;
    /// The HTTP status when a response was read.
    unsigned status = 0;
    /// The problem kind of an error response, when it had one.
    std::optional<protocol::problem_kind> problem;
    /// The raw Retry-After header value, empty when absent. Read during the call only.
    std::string_view retry_after;
    /// Since the call started (all attempts and waits).
    std::chrono::milliseconds elapsed{0};
};

/// The answer: retry after `delay`, or give up. `delay` is zero when `retry` is false.
struct retry_decision {
    bool retry = false;
    std::chrono::milliseconds delay{0};
    /// Static text for logs: why retried or why not ("429 with Retry-After", "budget exhausted",
    /// "not replayable", "4xx is final", …). Points to a string literal: valid forever.
    std::string_view reason;
};

/// Injectable sources, so tests are deterministic. An empty function means the default source.
struct retry_environment {
    /// A number in [0, 1); default: a per-thread std::mt19937_64 seeded from std::random_device.
    std::function<double()> uniform;
    /// For HTTP-date Retry-After; default: system_clock::now.
    std::function<std::chrono::system_clock::time_point()> now;
};

/// Both sources set to their defaults (see `retry_environment`).
[[nodiscard]] retry_environment default_retry_environment();

/// The longest wait a Retry-After value can ask for; longer ones saturate to it. 2^31 seconds,
/// the value RFC 9111 §1.2.2 gives for a delta-seconds too large to represent.
inline constexpr std::chrono::milliseconds retry_after_max{std::chrono::seconds{2'147'483'648}};

/// The delay a Retry-After value asks for, or nullopt when the value is not one. Never throws,
/// never reads outside `value`.
///
/// - delay-seconds (RFC 9110 §10.2.3): one or more ASCII digits and nothing else, so "-1", "+1",
///   "1.5" and "1e3" are not values. Leading zeros are fine. Huge values saturate to
///   `retry_after_max`.
/// - HTTP-date (RFC 9110 §5.6.7), relative to `now`: IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`,
///   and the obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime
///   `Sun Nov  6 08:49:37 1994` (the day of month as two digits or a space and one digit) forms.
///   Names are case-sensitive and separators exact, as in the grammar. The date must exist
///   (no Feb 30, Feb 29 only in leap years), hour 00–23, minute 00–59, second 00–60 (a leap
///   second). The weekday name must be one of the seven for the form, but it is not checked
///   against the date: it is redundant, and the date alone says when to come back. An RFC 850
///   two-digit year is the one in `now`'s century, or the century before when that would put it
///   more than 50 years (counted in years) after `now`'s year. A date in the past means 0; a
///   wait is rounded up to the next millisecond and saturates to `retry_after_max`.
///
/// Leading and trailing spaces and tabs are ignored (they are not part of an HTTP field value,
/// RFC 9110 §5.5); inside the value they must match the grammar.
[[nodiscard]] std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) noexcept;

/// Whether and when to make another attempt after `outcome`.
///
/// - Success (2xx/3xx) is final; so is an unexpected status (1xx, or none without a transport
///   failure).
/// - Retried: a transport failure; 408, 429, 500, 502, 503, 504; 409 only when its problem is
///   `idempotency_in_progress` (any other 409 is final). Every other 4xx and 5xx is final.
/// - Never retried when the request is not replayable, or when `outcome.attempt` has reached
///   `policy.max_attempts` (an attempt number of 0 counts as 1, a `max_attempts` of 0 as 1).
/// - The delay: the valid Retry-After value when `policy.honour_retry_after` (whatever the
///   retried outcome; an invalid value is ignored), otherwise full jitter as in `retry_policy`.
/// - Give up with "budget exhausted" when `outcome.elapsed + delay > policy.budget`, whether the
///   delay came from Retry-After or from the backoff.
///
/// Calls `env.uniform` only for a backoff, and `env.now` only when there is a Retry-After value
/// to honour; each at most once.
[[nodiscard]] retry_decision decide_retry(const retry_policy& policy,
                                          const attempt_outcome& outcome,
                                          const retry_environment& env);

} // namespace aikom::client

#endif
