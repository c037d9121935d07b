#ifndef AIKOM_SYNC_PUSH_HPP
#define AIKOM_SYNC_PUSH_HPP

/// @file
/// Push a roster: make the server agree with it. Each record is checked locally first
/// (`submission` profile: records with errors are not sent and are reported with their issues;
/// `readiness` warnings are counted, never blocking); a record whose content hash equals what
/// the server last accepted is not sent again; the rest go in batches (size from discovery's
/// limits), `concurrency` batches in flight, reading the roster only as fast as batches complete
/// (memory stays bounded whatever the roster's size). Every batch is journaled before it is
/// sent (journal.hpp), so a killed push resumes with nothing lost and nothing doubled.
///
/// A run: the batches a killed run left in the journal are sent first (same key, same bytes),
/// then the roster is read; at the end the journal's accepted records the roster no longer holds
/// are counted as `missing` (and withdrawn with `withdraw_missing`, `left_on` = `as_of`). A
/// record that cannot be decoded at all is journaled `invalid` under institution "" with its
/// position as id. Errors: a transport failure or an error status of a batch (after the client's
/// retries) stops the push with that code (a batch refused as a whole with a final 4xx, such as
/// `too_many_items`, is dropped from the journal: its records are batched again next run)
/// (`protocol::problem_kind`, `client::client_errc`); a journal failure completes with
/// `errc::io_error` and the journal's message in `diag`.

#include <aikom/client/session.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/model/date.hpp>
#include <aikom/sync/journal.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace aikom::sync {

/// Where records come from: any reader of the records layer (CSV, NDJSON, JSON array), or a
/// callback that fills `item` and returns false at the end. `position` names an item.
struct record_source {
    std::function<bool(codec::read_item& item)> next{};
    std::function<std::string(const codec::read_item& item)> position{};
    /// Optional, for a rate and an ETA: bytes of input consumed so far (e.g. a counting
    /// stream buffer under the reader), and the input's total size (0: unknown).
    std::function<std::uint64_t()> bytes_read{};
    std::uint64_t bytes_total = 0;

    /// A source over a reader (which must outlive the source).
    [[nodiscard]] static record_source from(codec::record_reader& reader);
};

/// Counts so far; passed to the progress callback and returned as the summary.
struct push_progress {
    std::uint64_t read = 0;      ///< records read from the roster (bad ones included)
    std::uint64_t invalid = 0;   ///< refused locally (not sent)
    std::uint64_t unchanged = 0; ///< same content hash as last accepted: not sent
    std::uint64_t sent = 0;      ///< sent in a batch (resent batches of a killed run included)
    std::uint64_t accepted = 0;  ///< stored by the server
    std::uint64_t rejected = 0;  ///< refused by the server (validation or scope)
    std::uint64_t warnings = 0;  ///< readiness warnings on records that were sent
    std::uint64_t missing = 0;   ///< in the journal but gone from the roster
    std::uint64_t withdrawn = 0; ///< of which withdrawn on the server (`withdraw_missing`)
    /// From `record_source::bytes_read` and `bytes_total`, when the source gives them.
    std::uint64_t bytes_read = 0, bytes_total = 0;
    std::chrono::milliseconds elapsed{0};
};

struct push_options {
    std::size_t batch_size = 0;  ///< records per batch; 0: discovery's `max_batch_items`
    std::size_t concurrency = 2; ///< batches in flight at most
    bool withdraw_missing = false;
    std::optional<model::date> as_of{}; ///< the day the checks are made for (default today)
    /// Called on the engine's strand at most every `progress_interval`, and once at the end.
    std::function<void(const push_progress&)> on_progress{};
    std::chrono::milliseconds progress_interval{500};
    /// Filled when the push completes with an error (must outlive the push): the failing call's
    /// diagnostics (server problem, request id), or the journal's message.
    client::diagnostics* diag = nullptr;
};

namespace detail {
void start_push(
    client::session& session, record_source source, journal& log, push_options options,
    boost::asio::any_completion_handler<void(boost::system::error_code, push_progress)> handler);
} // namespace detail

/// Pushes `source` through `session`, journaling in `log`; completes with the final counts.
/// A connection or server failure (after the client's retries) completes with its error and
/// leaves the journal ready to resume. Handler: `void(error_code, push_progress)`; any
/// completion token (callback, `use_future`, `use_awaitable`, `deferred`). The source, journal
/// and session must outlive the operation. Supports terminal cancellation (batches in flight
/// are cancelled; the journal stays resumable).
template <class Token>
auto async_push(client::session& session, record_source source, journal& log, push_options options,
                Token&& token)
{
    return boost::asio::async_initiate<Token, void(boost::system::error_code, push_progress)>(
        [&session, &log](auto handler, record_source src, push_options opts) {
            detail::start_push(session, std::move(src), log, std::move(opts), std::move(handler));
        },
        token, std::move(source), std::move(options));
}

} // namespace aikom::sync

#endif
