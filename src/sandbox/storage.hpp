// Private: the reference server's storage, on SQLite in WAL mode.
//
// One transaction API: every operation is a member of `storage::transaction`, reached through
// `storage::read` or `storage::write`, so several operations that belong together (a batch's
// writes, a review with the record it applies and its audit entry) are one transaction by
// construction. Durability: a write transaction is committed with synchronous=FULL before
// `write` returns, so a 2xx answered after it survives `kill -9` (a `relaxed` one, for the audit
// lines of refused requests, with synchronous=NORMAL: the next FULL commit makes it durable).
//
// Thread safety: `read`/`write` may be called from any thread. Writes are serialised on one
// writer connection under a mutex, so the change feed's sequence numbers are assigned in commit
// order: a reader that has seen seq N has seen everything committed before it (no gaps appear
// later below N). In a file database every read transaction takes a connection of its own from
// a small pool (WAL lets readers go on beside the writer and one another), so a long report
// delays no other request. An in-memory database cannot be shared between connections without
// SQLite's shared cache, whose table locks would make readers wait for the writer anyway: there
// reads take the writer's connection and its mutex, one at a time.
//
// Transactions nest: a `read` or `write` called inside another on the same thread joins it (a
// nested write is a savepoint, undone alone when its body throws), so a handler's own writes and
// the idempotency record around them commit together.
//
// Records are stored as canonical JSON (aikom::codec::encode) with their ETag; the storage never
// parses or validates them — that is the service's job.
#ifndef AIKOM_SRC_SANDBOX_STORAGE_HPP
#define AIKOM_SRC_SANDBOX_STORAGE_HPP

#include "support/sqlite.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace aikom::sandbox::detail {

/// A calendar day (the protocol's dates): days since 1970-01-01.
using model_day = std::chrono::sys_days;

/// Thrown when SQLite fails (disk full, corrupt file…): the service answers 500/503.
using storage_error = support::sqlite_error;

struct stored_child {
    std::string institution; ///< ЄДРПОУ
    std::string id;          ///< the caller's record id
    std::string json;        ///< canonical JSON of the record
    std::string etag;        ///< opaque, without quotes
    std::int64_t seq = 0;    ///< change-feed sequence of the last write
};

/// Preconditions of a write (HTTP If-Match / If-None-Match: *).
struct write_condition {
    std::optional<std::string> if_match{}; ///< the current ETag must equal this ("*": must exist)
    bool if_none_match_any = false;        ///< the record must not exist
};

enum class write_outcome {
    created,
    updated,
    unchanged,           ///< same ETag as stored: nothing written, no change event
    precondition_failed, ///< If-Match / If-None-Match not satisfied
    not_found,           ///< delete of a record that does not exist (and no If-Match given)
    deleted,             ///< delete done: the record is gone and a tombstone event was written
};

struct write_result {
    write_outcome outcome = write_outcome::unchanged;
    std::string etag{};   ///< the ETag now stored (empty after a delete or when absent); on
                          ///< precondition_failed, the current one
    std::int64_t seq = 0; ///< the change event written, 0 if none
};

/// One event of the change feed.
struct change_event {
    std::int64_t seq = 0;
    bool deleted = false; ///< a tombstone: the record was deleted
    std::string institution{};
    std::string id{};
    std::string etag{};                ///< the record's ETag after the change (empty if deleted)
    std::optional<std::string> json{}; ///< the record after the change (absent if deleted)
};

/// The state of an idempotency key (scoped per client id).
struct idempotency_entry {
    enum class state { in_progress, completed };
    state status = state::in_progress;
    std::string request_hash{}; ///< hash of method + target + body the key was first used with
    int http_status = 0;        ///< completed only
    std::string content_type{}; ///< completed only
    std::string body{};         ///< completed only
    std::int64_t created_at = 0; ///< unix seconds of the first use; on `over_quota`, the oldest
                                 ///< key's of the client
};

enum class idempotency_begin {
    started,     ///< the key is new: it is now in progress; call finish_idempotent in the same
                 ///< transaction (a failure then rolls both back, and a retry starts afresh)
    replay,      ///< completed with the same request: `existing` holds the stored response
    in_progress, ///< still in progress (409)
    mismatch,    ///< used before with another request (422)
    over_quota,  ///< a new key, but the client already holds its maximum of keys (429)
};

struct correction_request {
    std::string id{}; ///< assigned by the storage: "cr-" + number
    std::string institution{};
    std::string child_id{};
    std::string record_json{}; ///< the proposed record
    std::string reason{};
    std::string fields_json{"[]"}; ///< the "red fields": a JSON array of JSON Pointers
    std::optional<std::string> base_etag{}; ///< the record's ETag when the request was made
    std::string issues_json{"[]"};          ///< the submission issues at creation, as JSON
    std::optional<std::string> etag{};      ///< the ETag of the record `apply` wrote
    std::string status{};                   ///< "pending", "applied", "rejected"
    std::string created_by{};
    std::string reviewed_by{};
    std::string review_note{};
    std::int64_t created_at = 0;  ///< unix seconds
    std::int64_t reviewed_at = 0; ///< unix seconds, 0 while pending
};

/// One line of the audit trail (who did what to which record, never the record's content).
struct audit_entry {
    std::int64_t at = 0;  ///< unix seconds
    std::string actor{};  ///< client id; empty for the server itself (a grant seeded at start)
    std::string action{}; ///< e.g. "correction.apply", "access.denied", "grant.create"
    std::string target{}; ///< e.g. "32855961/kd-000001", "cr-7", "grant:32855961/platform-a"
    std::string detail{}; ///< free text without personal data
};

/// Access of an `institution` or `platform` client to one institution.
struct grant_row {
    std::string institution{};
    std::string client_id{};
    std::string note{};
    std::string granted_by{}; ///< empty: seeded from the clients file
    std::int64_t granted_at = 0;
};

/// How a write transaction reaches the disk (see the file's comment).
enum class durability {
    full,    ///< synchronous=FULL: on the disk when `write` returns
    relaxed, ///< synchronous=NORMAL: the audit line of a refusal; durable with the next full one
};

/// A record's state for the progress report, as of the day it was written.
struct readiness_state {
    bool active = false; ///< not withdrawn
    bool ready = false;  ///< active and ready on the four indicators
};

/// One institution's counts on one day of the progress report.
struct day_counts {
    std::int64_t records = 0;
    std::int64_t active = 0;
    std::int64_t ready = 0;
};

class storage {
public:
    class transaction;

    /// Opens (creating if needed) the database at `path`; ":memory:" for a throwaway one.
    /// Sets journal_mode=WAL (except in memory), synchronous=FULL, foreign_keys=ON, creates or
    /// upgrades the schema, and writes the feed's epoch when the database is new. Read
    /// transactions of a file database use up to `max_readers` connections of their own
    /// (opened when first needed; a reader beyond them waits for one). Throws storage_error.
    explicit storage(const std::string& path, std::size_t max_readers = 4);
    ~storage();
    storage(const storage&) = delete;
    storage& operator=(const storage&) = delete;

    /// Runs `body(transaction&)` in one read transaction (one consistent snapshot) and returns
    /// what it returns. Writing through it throws storage_error.
    template <class Body>
    decltype(auto) read(Body&& body)
    {
        return run(support::sqlite_transaction::kind::read, std::forward<Body>(body));
    }

    /// Runs `body(transaction&)` in one write transaction, committed with synchronous=FULL when
    /// `body` returns and rolled back (nothing written, no change event) when it throws.
    template <class Body>
    decltype(auto) write(Body&& body, durability how = durability::full)
    {
        return run(support::sqlite_transaction::kind::write, std::forward<Body>(body), how);
    }

    /// Test seam: called with the operation's name ("put_child", "finish_idempotent", …) at the
    /// start of every writing operation, inside its transaction; what it throws aborts the
    /// transaction like a failing disk would. Set it before the storage is shared.
    void set_write_hook(std::function<void(std::string_view operation)> hook);

    /// Injectable clock (unix seconds) for tests of retention; an empty function restores the
    /// default (system_clock).
    void set_clock(std::function<std::int64_t()> now);

    /// The virtual-machine steps of the last change-feed query (a machine-independent measure of
    /// the rows it examined), for tests that a narrow client's poll costs O(page).
    [[nodiscard]] std::int64_t last_feed_cost() const noexcept { return feed_cost_.load(); }

private:
    class scope;
    class reader_pool;

    template <class Body>
    decltype(auto) run(support::sqlite_transaction::kind kind, Body&& body,
                       durability how = durability::full);

    friend class transaction;
    std::mutex mutex_; ///< the writer connection's
    support::sqlite_db db_;
    std::unique_ptr<reader_pool> readers_; ///< null in memory
    std::function<std::int64_t()> now_;
    std::function<void(std::string_view)> write_hook_;
    std::atomic<std::int64_t> feed_cost_{0};
};

/// Every operation of the storage, inside one transaction (`storage::read`/`write`). Valid only
/// inside the body it was given to; not thread-safe (its connection is this thread's meanwhile).
class storage::transaction {
public:
    transaction(storage& owner, support::sqlite_db& db, bool writable)
        : s_(owner), db_(db), writable_(writable)
    {}
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;

    /// Now by the storage's clock (unix seconds).
    [[nodiscard]] std::int64_t now() const { return s_.now_(); }

    // ---- children -------------------------------------------------------------------------
    [[nodiscard]] std::optional<stored_child> get_child(std::string_view institution,
                                                        std::string_view id);

    /// Upserts the record. `etag` is the new record's ETag (the service computes it from the
    /// content): if the stored ETag equals it, nothing is written (`unchanged`, but the
    /// precondition is still checked first). A change event is appended for created/updated.
    write_result put_child(std::string_view institution, std::string_view id, std::string_view json,
                           std::string_view etag, const write_condition& condition = {});

    /// Deletes the record and appends a tombstone event (`deleted`). A missing record is
    /// `not_found`, or `precondition_failed` when an If-Match was given (RFC 9110 §13.1.1).
    write_result delete_child(std::string_view institution, std::string_view id,
                              const write_condition& condition = {});

    /// Up to `limit` records of `institution` with id > `after_id`, ordered by id.
    [[nodiscard]] std::vector<stored_child>
    list_children(std::string_view institution, std::string_view after_id, std::size_t limit);

    /// Every record of the given institutions, ordered by institution and id, delivered one at
    /// a time to `sink` (no list is built).
    void for_each_child(const std::vector<std::string>& institutions,
                        const std::function<void(const stored_child&)>& sink);

    /// The codes of every institution that has at least one record, sorted.
    [[nodiscard]] std::vector<std::string> institutions();

    // ---- change feed ----------------------------------------------------------------------
    /// The feed's identity: random, written when the database was created. Cursors carry it.
    [[nodiscard]] std::string epoch();

    /// Events with seq > `after`, ascending, at most `limit`: of `only` when it is given (read
    /// through the index by institution, so the cost is O(|only| × limit) whatever the size of
    /// the feed), else of every institution.
    ///
    /// Cursor rule. A client whose cursor is N has applied every event with seq <= N. Its
    /// cursor is still good iff
    ///     N == 0  ||  first_retained_seq() - 1 <= N <= last_seq();
    /// otherwise an event it needed was pruned (or the cursor is from another feed) and it must
    /// resync (410). Reading from 0 always rebuilds the current state, because prune_changes
    /// keeps the newest event of every existing record (see there).
    [[nodiscard]] std::vector<change_event>
    changes_after(std::int64_t after, std::size_t limit,
                  const std::optional<std::vector<std::string>>& only = std::nullopt);

    /// The highest seq written so far (0 if none).
    [[nodiscard]] std::int64_t last_seq();

    /// One more than the highest seq of a pruned event that a client could still have needed
    /// (a tombstone); 1 while none was. Survives restarts.
    [[nodiscard]] std::int64_t first_retained_seq();

    /// Compacts the feed: among events older than `max_age` (committed before the last event
    /// whose commit time is older than now - max_age), drops
    ///   - every event superseded by a newer event of the same record (harmless: a client that
    ///     needed it reads the newer one, which carries the whole record), and
    ///   - tombstones that are the newest event of their record (the record is gone; this
    ///     raises first_retained_seq() above the tombstone's seq).
    /// The newest event of every existing record is kept whatever its age.
    void prune_changes(std::chrono::seconds max_age);

    // ---- progress (per-record readiness by day) ---------------------------------------------
    /// Records the state of a record from `day` on (`nullopt`: the record no longer exists).
    /// A second call on the same day replaces the first; the same state again changes nothing.
    void track_readiness(std::string_view institution, std::string_view id, model_day day,
                         std::optional<readiness_state> state);

    /// Every record without a readiness state (written before the server kept them: a database
    /// of an earlier version), for the service to track from today.
    void for_each_untracked_child(const std::function<void(const stored_child&)>& sink);

    /// For each institution of `institutions` and each day of [from, to], the records that
    /// existed at the end of that day, the active ones and the ready ones. Days are indexes
    /// from `from`; the result has one vector of `(to - from + 1)` entries per institution.
    [[nodiscard]] std::vector<std::vector<day_counts>>
    progress(const std::vector<std::string>& institutions, model_day from, model_day to);

    // ---- idempotency ----------------------------------------------------------------------
    /// Starts or looks up `key` for `client`. A key used with another `request_hash` is
    /// `mismatch` even while in progress. When the key exists (`replay`, `in_progress`,
    /// `mismatch`), `existing` is filled; on `replay` it holds the stored response. A new key
    /// of a client that holds `max_keys` keys already (0: no maximum) is not started
    /// (`over_quota`, with the client's oldest key's `created_at`).
    idempotency_begin begin_idempotent(std::string_view client, std::string_view key,
                                       std::string_view request_hash, idempotency_entry& existing,
                                       std::size_t max_keys = 0);
    /// Stores the response of a started key (the key becomes `completed`). Throws storage_error
    /// if the key is not in progress.
    void finish_idempotent(std::string_view client, std::string_view key, int http_status,
                           std::string_view content_type, std::string_view body);
    /// Drops keys (in progress or completed) first used more than `max_age` ago.
    void prune_idempotency(std::chrono::seconds max_age);

    // ---- correction requests --------------------------------------------------------------
    /// Stores a new request: fills id, status ("pending") and created_at, clears the review
    /// fields and `etag`, and returns what was stored. Ids are never reused.
    correction_request create_correction(correction_request request);
    [[nodiscard]] std::optional<correction_request> get_correction(std::string_view id);
    /// Sets status ("applied" or "rejected", else std::invalid_argument), reviewer, note, time
    /// and the applied record's ETag; false if the request does not exist or is not pending.
    bool review_correction(std::string_view id, std::string_view status, std::string_view reviewer,
                           std::string_view note, std::optional<std::string_view> etag = {});
    /// Oldest first, requests with a number above `after` (0: from the start), at most `limit`
    /// of those `in_scope` (the others are skipped and not counted), with the given status
    /// (empty: any). `in_scope` must not call the storage.
    [[nodiscard]] std::vector<correction_request>
    list_corrections(const std::function<bool(std::string_view institution)>& in_scope,
                     std::string_view status_filter, std::int64_t after, std::size_t limit);

    // ---- grants -----------------------------------------------------------------------------
    /// The institutions `client` has been granted, sorted.
    [[nodiscard]] std::vector<std::string> granted_institutions(std::string_view client);
    /// The grants of one institution, by client id.
    [[nodiscard]] std::vector<grant_row> grants_of(std::string_view institution);
    [[nodiscard]] std::optional<grant_row> get_grant(std::string_view institution,
                                                     std::string_view client);
    /// Creates or updates (the note only) a grant; true if it was created.
    bool put_grant(std::string_view institution, std::string_view client, std::string_view note,
                   std::string_view granted_by);
    /// False if there was no such grant.
    bool revoke_grant(std::string_view institution, std::string_view client);
    /// Grants a clients-file pair unless it was seeded before (even if revoked since); true if
    /// it granted now.
    bool seed_grant(std::string_view institution, std::string_view client);

    // ---- audit ------------------------------------------------------------------------------
    void audit(std::string_view actor, std::string_view action, std::string_view target,
               std::string_view detail);
    /// Bounds the refusals (`access.denied`) in the trail: drops those older than `max_age`
    /// and all but the newest `keep`. The other entries (grants, reviews, faults) are kept.
    void prune_refusals(std::chrono::seconds max_age, std::size_t keep);
    /// The entries whose target is exactly `target`, in the order written, at most `limit`.
    [[nodiscard]] std::vector<audit_entry> audit_of(std::string_view target, std::size_t limit);
    /// The newest `limit` entries whose target starts with `target_prefix`, oldest first.
    [[nodiscard]] std::vector<audit_entry> audit_trail(std::string_view target_prefix,
                                                       std::size_t limit);

private:
    friend class storage::scope;
    support::sqlite_db& db() { return db_; }
    void require_writable(const char* what) const;
    std::vector<audit_entry> audit_query(const char* where, std::string_view target,
                                         std::size_t limit, bool newest);

    storage& s_;
    support::sqlite_db& db_;
    bool writable_;
};

/// One `read` or `write`: a connection (the writer's under its mutex, or a reader's from the
/// pool) with BEGIN … COMMIT, or, inside another transaction of this thread, that transaction
/// (a savepoint for a write). Rolls back on destruction unless committed.
class storage::scope {
public:
    scope(storage& owner, support::sqlite_transaction::kind kind, durability how);
    ~scope();
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;

    [[nodiscard]] transaction& tx() noexcept { return *tx_; }
    void commit();

private:
    void restore_synchronous() noexcept;

    storage& s_;
    std::unique_lock<std::mutex> writer_;
    support::sqlite_db* reader_ = nullptr; ///< leased from the pool, returned on destruction
    std::optional<support::sqlite_transaction> txn_{};
    bool savepoint_ = false;
    bool relaxed_ = false;
    bool done_ = false;
    std::optional<transaction> tx_{};
    scope* outer_ = nullptr; ///< this thread's transaction before this one

    static thread_local scope* current_; ///< this thread's innermost transaction
};

template <class Body>
decltype(auto) storage::run(support::sqlite_transaction::kind kind, Body&& body, durability how)
{
    scope s(*this, kind, how);
    if constexpr (std::is_void_v<decltype(body(s.tx()))>) {
        body(s.tx());
        s.commit();
    } else {
        auto result = body(s.tx());
        s.commit();
        return result;
    }
}

} // namespace aikom::sandbox::detail

#endif
