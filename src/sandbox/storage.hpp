// Private: the reference server's storage, on SQLite in WAL mode.
//
// Durability: every mutating call is one transaction, committed with synchronous=FULL before it
// returns, so a 2xx answered after it survives `kill -9`. Thread safety: one connection guarded
// by a mutex; every public member may be called from any thread. Writes are serialised, so the
// change feed's sequence numbers are assigned in commit order: a reader that has seen seq N has
// seen everything committed before it (no gaps appear later below N).
//
// Records are stored as canonical JSON (aikom::codec::encode) with their ETag; the storage never
// parses or validates them — that is the service's job.
#ifndef AIKOM_SRC_SANDBOX_STORAGE_HPP
#define AIKOM_SRC_SANDBOX_STORAGE_HPP

#include "support/sqlite.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::sandbox::detail {

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
};

enum class idempotency_begin {
    started,     ///< the key is new: it is now in progress; call finish_idempotent afterwards
    replay,      ///< completed with the same request: `existing` holds the stored response
    in_progress, ///< still in progress (409)
    mismatch,    ///< used before with another request (422)
};

struct correction_request {
    std::string id{}; ///< assigned by the storage: "cr-" + number
    std::string institution{};
    std::string child_id{};
    std::string record_json{}; ///< the proposed record
    std::string reason{};
    std::string status{}; ///< "pending", "applied", "rejected"
    std::string created_by{};
    std::string reviewed_by{};
    std::string review_note{};
    std::int64_t created_at = 0;  ///< unix seconds
    std::int64_t reviewed_at = 0; ///< unix seconds, 0 while pending
};

/// One line of the audit trail (who did what to which record, never the record's content).
struct audit_entry {
    std::int64_t at = 0;  ///< unix seconds
    std::string actor{};  ///< client id
    std::string action{}; ///< e.g. "correction.apply", "access.denied"
    std::string target{}; ///< e.g. "32855961/kd-000001" or "cr-7"
    std::string detail{}; ///< free text without personal data
};

class storage {
public:
    /// Opens (creating if needed) the database at `path`; ":memory:" for a throwaway one.
    /// Sets journal_mode=WAL (except in memory), synchronous=FULL, foreign_keys=ON, and creates
    /// the schema. Throws storage_error.
    explicit storage(const std::string& path);
    ~storage();
    storage(const storage&) = delete;
    storage& operator=(const storage&) = delete;

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

    /// Every record of the given institutions (for reports), ordered by institution and id,
    /// delivered one at a time to `sink` (no list is built). One consistent snapshot; `sink`
    /// runs with the lock held and must not call the storage.
    void for_each_child(const std::vector<std::string>& institutions,
                        const std::function<void(const stored_child&)>& sink);

    /// The codes of every institution that has at least one record, sorted.
    [[nodiscard]] std::vector<std::string> institutions();

    /// Several writes in one transaction (a batch): `body` runs with the lock held and may call
    /// the `_unlocked` members only (calling a locking member from `body` deadlocks). Rolls back
    /// if `body` throws (nothing written, no change event), then rethrows.
    void transaction(const std::function<void()>& body);
    write_result put_child_unlocked(std::string_view institution, std::string_view id,
                                    std::string_view json, std::string_view etag,
                                    const write_condition& condition = {});
    // (put_child_unlocked throws storage_error when called outside transaction().)

    // ---- change feed ----------------------------------------------------------------------
    /// Events with seq > `after`, ascending, at most `limit`, of institutions for which
    /// `in_scope` is true (events out of scope are skipped but do not count toward `limit`).
    /// `in_scope` runs with the lock held and must not call the storage.
    ///
    /// Cursor rule. A client whose cursor is N has applied every event with seq <= N. Its
    /// cursor is still good iff
    ///     N == 0  ||  N >= first_retained_seq() - 1;
    /// otherwise an event it needed was pruned and it must resync (410): drop its copy and read
    /// the feed again from 0. Reading from 0 always rebuilds the current state, because
    /// prune_changes keeps the newest event of every existing record (see there).
    [[nodiscard]] std::vector<change_event>
    changes_after(std::int64_t after, std::size_t limit,
                  const std::function<bool(std::string_view institution)>& in_scope);

    /// The highest seq written so far (0 if none).
    [[nodiscard]] std::int64_t last_seq();

    /// One more than the highest seq of a pruned event that a client could still have needed
    /// (a tombstone); 1 while none was. The feed after first_retained_seq() - 1 is complete in
    /// the sense of the cursor rule above. Survives restarts.
    [[nodiscard]] std::int64_t first_retained_seq();

    /// Compacts the feed: among events older than `max_age` (committed before the last event
    /// whose commit time is older than now - max_age), drops
    ///   - every event superseded by a newer event of the same record (harmless: a client that
    ///     needed it reads the newer one, which carries the whole record), and
    ///   - tombstones that are the newest event of their record (the record is gone; this
    ///     raises first_retained_seq() above the tombstone's seq).
    /// The newest event of every existing record is kept whatever its age, so reading the feed
    /// from 0 rebuilds the current state. last_seq() is unaffected.
    void prune_changes(std::chrono::seconds max_age);

    // ---- idempotency ----------------------------------------------------------------------
    /// Starts or looks up `key` for `client`, in one transaction. A key used with another
    /// `request_hash` is `mismatch` even while in progress. When the key exists (every outcome
    /// but `started`), `existing` is filled; on `replay` it holds the stored response.
    idempotency_begin begin_idempotent(std::string_view client, std::string_view key,
                                       std::string_view request_hash, idempotency_entry& existing);
    /// Stores the response of a started key (the key becomes `completed`). Throws storage_error
    /// if the key is not in progress.
    void finish_idempotent(std::string_view client, std::string_view key, int http_status,
                           std::string_view content_type, std::string_view body);
    /// Forgets a started key whose request failed before doing anything (so a retry may run).
    /// Completed keys are kept; an unknown key is ignored.
    void abandon_idempotent(std::string_view client, std::string_view key);
    /// Drops keys (in progress or completed) first used more than `max_age` ago.
    void prune_idempotency(std::chrono::seconds max_age);

    // ---- correction requests and audit --------------------------------------------------------
    /// Stores a new request: fills id, status ("pending") and created_at, clears the review
    /// fields, and returns what was stored. Ids are never reused.
    correction_request create_correction(correction_request request);
    [[nodiscard]] std::optional<correction_request> get_correction(std::string_view id);
    /// Sets status ("applied" or "rejected", else std::invalid_argument), reviewer, note, time;
    /// false if the request does not exist or is not pending.
    bool review_correction(std::string_view id, std::string_view status, std::string_view reviewer,
                           std::string_view note);
    /// Oldest first, at most `limit` of those in scope (out of scope are skipped and not
    /// counted), with the given status (empty: any). `in_scope` must not call the storage.
    [[nodiscard]] std::vector<correction_request>
    list_corrections(const std::function<bool(std::string_view institution)>& in_scope,
                     std::string_view status_filter, std::size_t limit);

    void audit(std::string_view actor, std::string_view action, std::string_view target,
               std::string_view detail);

    /// Inside `transaction()` only (like `put_child_unlocked`): a review and its audit entry
    /// committed together with the write they accompany.
    bool review_correction_unlocked(std::string_view id, std::string_view status,
                                    std::string_view reviewer, std::string_view note);
    void audit_unlocked(std::string_view actor, std::string_view action, std::string_view target,
                        std::string_view detail);
    /// Entries whose target starts with `target_prefix`, in the order written, at most `limit`.
    /// The entries whose target is exactly `target`, in the order written.
    [[nodiscard]] std::vector<audit_entry> audit_of(std::string_view target, std::size_t limit);

    [[nodiscard]] std::vector<audit_entry> audit_trail(std::string_view target_prefix,
                                                       std::size_t limit);

    /// Injectable clock (unix seconds) for tests of retention; an empty function restores the
    /// default (system_clock).
    void set_clock(std::function<std::int64_t()> now);

private:
    std::vector<audit_entry> audit_query(const char* where, std::string_view target,
                                         std::size_t limit);

    std::mutex mutex_;
    support::sqlite_db db_;
    std::function<std::int64_t()> now_;
};

} // namespace aikom::sandbox::detail

#endif
