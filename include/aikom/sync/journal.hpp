#ifndef AIKOM_SYNC_JOURNAL_HPP
#define AIKOM_SYNC_JOURNAL_HPP

/// @file
/// The push journal: a SQLite file (created owner-only, 0600) that remembers, per record
/// (institution, id), the content hash last sent, the state, the server's ETag and the issues
/// of a rejection, and, per batch in flight, its `Idempotency-Key` and the exact request body.
/// The key and the body are written (and committed) *before* the request is sent, so a process
/// killed at any instant resumes by sending the same bytes with the same key: the server answers
/// the first request's result (or runs it once), never a second copy.
///
/// Durability: WAL with synchronous=FULL; every write but `mark_seen` commits before it returns
/// (marks are grouped into larger transactions, committed by the next write). A file is
/// recognised by its schema version (refused when another), and by the server and client id.
///
/// Not thread-safe: one journal per push, used from one thread (or strand) at a time. Holds
/// personal data (pending batch bodies): keep the file where the roster itself is kept.

#include <aikom/check/issue.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::sync {

enum class record_state {
    pending,  ///< in a batch whose key is persisted; not yet sent
    sent,     ///< the batch was handed to the client; no answer recorded yet
    accepted, ///< the server stored it (created, updated or unchanged)
    rejected, ///< the server refused it (validation issues, or out of scope)
    invalid,  ///< refused locally by the `submission` profile; never sent
    withdrawn ///< withdrawn on the server because it left the roster (`--withdraw-missing`)
};

[[nodiscard]] std::string_view to_string(record_state s) noexcept;

/// One record's row.
struct journal_entry {
    std::string institution{};
    std::string id{};
    std::string content_hash{}; ///< of the canonical record last sent or checked
    record_state state = record_state::pending;
    std::string etag{};                 ///< accepted records
    std::string batch_key{};            ///< pending and sent records
    std::vector<check::issue> issues{}; ///< rejected and invalid records
    std::string position{};             ///< `file:line` where the record was last read
};

/// A batch written before it was sent and not yet answered.
struct pending_batch {
    std::string key{};  ///< the Idempotency-Key
    std::string body{}; ///< the exact request body (`{"items":[…]}`)
};

/// Counts per state.
struct journal_counts {
    std::uint64_t pending = 0, sent = 0, accepted = 0, rejected = 0, invalid = 0, withdrawn = 0;
};

class journal {
public:
    /// Opens or creates `path` (parent directory must exist). Throws `std::runtime_error` naming
    /// the file when it cannot be opened, is not a journal, or belongs to another server or
    /// client id (`server` and `client_id` are stored on creation and checked on every open).
    /// Both empty: opens an existing journal whoever it belongs to, to read it (counts,
    /// problems); a missing or empty file is refused, never created.
    journal(const std::filesystem::path& path, std::string_view server, std::string_view client_id);
    ~journal();
    journal(journal&&) noexcept;
    journal& operator=(journal&&) noexcept;

    [[nodiscard]] std::optional<journal_entry> find(std::string_view institution,
                                                    std::string_view id) const;

    /// Begins a run: records not seen in it are "missing" at its end (see `for_each_missing`).
    /// Forgets the `invalid` records of earlier runs (a run puts again those still refused).
    void begin_run();
    /// Marks a record already in the journal as seen in the current run (and keeps its last
    /// position); does nothing for a record the journal does not hold.
    void mark_seen(std::string_view institution, std::string_view id, std::string_view position);

    /// Records a batch before it is sent: its key and body, and each of its records as
    /// `pending` with its hash. One transaction, committed when this returns.
    void add_batch(const pending_batch& batch, const std::vector<journal_entry>& records);
    void mark_sent(std::string_view batch_key);
    /// Records the server's answer for each record of a batch and forgets the batch body.
    void finish_batch(std::string_view batch_key, const std::vector<journal_entry>& outcomes);
    /// The batches written but not answered (to send again, same bytes, same key).
    [[nodiscard]] std::vector<pending_batch> pending_batches() const;

    /// Records a local refusal (`invalid`) or any other single state change.
    void put(const journal_entry& entry);

    [[nodiscard]] journal_counts counts() const;
    /// Rejected and invalid records, in (institution, id) order, a row at a time.
    void for_each_problem(const std::function<void(const journal_entry&)>& f) const;
    /// Accepted records not seen in the current run.
    void for_each_missing(const std::function<void(const journal_entry&)>& f) const;

    /// Rows SQLite stepped through in full table scans on this journal since it was opened. A
    /// push's per-record and per-batch writes walk indexes only, so their cost does not grow
    /// with the journal (tests hold this); the reports above may scan.
    [[nodiscard]] std::int64_t full_scan_steps() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace aikom::sync

#endif
