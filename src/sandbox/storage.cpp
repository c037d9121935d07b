#include "sandbox/storage.hpp"

#include <algorithm>
#include <charconv>
#include <exception>
#include <filesystem>
#include <limits>
#include <utility>

namespace aikom::sandbox::detail {
namespace {

std::int64_t system_now()
{
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

using statement = support::sqlite_statement;
using sql_transaction = support::sqlite_transaction;

constexpr const char* schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS children(
  institution TEXT NOT NULL,
  id TEXT NOT NULL,
  json TEXT NOT NULL,
  etag TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY(institution, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  institution TEXT NOT NULL,
  id TEXT NOT NULL,
  deleted INTEGER NOT NULL CHECK(deleted IN (0, 1)),
  etag TEXT NOT NULL,
  json TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_by_record ON changes(institution, id, seq);
CREATE INDEX IF NOT EXISTS changes_by_time ON changes(at);
CREATE TABLE IF NOT EXISTS idempotency(
  client TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('in_progress', 'completed')),
  http_status INTEGER NOT NULL DEFAULT 0,
  content_type TEXT NOT NULL DEFAULT '',
  body BLOB NOT NULL DEFAULT x'',
  created_at INTEGER NOT NULL,
  PRIMARY KEY(client, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_by_age ON idempotency(created_at);
CREATE TABLE IF NOT EXISTS corrections(
  num INTEGER PRIMARY KEY AUTOINCREMENT,
  institution TEXT NOT NULL,
  child_id TEXT NOT NULL,
  record_json TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('pending', 'applied', 'rejected')),
  created_by TEXT NOT NULL,
  reviewed_by TEXT NOT NULL DEFAULT '',
  review_note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  reviewed_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS audit(
  num INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta(
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

constexpr std::int64_t schema_version = 1;

// The highest seq of a pruned event some client could still have needed (see prune_changes).
constexpr std::string_view horizon_key = "changes_horizon";

std::int64_t checked_limit(std::size_t limit)
{
    return static_cast<std::int64_t>(
        std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

std::optional<std::int64_t> parse_correction_id(std::string_view id)
{
    constexpr std::string_view prefix = "cr-";
    if (id.size() <= prefix.size() || id.substr(0, prefix.size()) != prefix) {
        return std::nullopt;
    }
    const auto digits = id.substr(prefix.size());
    if (digits.front() == '0') {
        return std::nullopt; // ids are printed without leading zeros
    }
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size() || value <= 0) {
        return std::nullopt;
    }
    return value;
}

correction_request read_correction(const statement& s)
{
    correction_request r;
    r.id = "cr-" + std::to_string(s.int64(0));
    r.institution = s.text(1);
    r.child_id = s.text(2);
    r.record_json = s.text(3);
    r.reason = s.text(4);
    r.status = s.text(5);
    r.created_by = s.text(6);
    r.reviewed_by = s.text(7);
    r.review_note = s.text(8);
    r.created_at = s.int64(9);
    r.reviewed_at = s.int64(10);
    return r;
}

constexpr const char* correction_columns =
    "num, institution, child_id, record_json, reason, status, created_by, reviewed_by, "
    "review_note, created_at, reviewed_at";

struct current_state {
    bool exists = false;
    std::string etag{};
};

current_state read_current(support::sqlite_db& db, std::string_view institution, std::string_view id)
{
    statement s(db, "SELECT etag FROM children WHERE institution = ?1 AND id = ?2");
    s.bind(1, institution).bind(2, id);
    if (!s.step()) {
        return {};
    }
    return {true, s.text(0)};
}

bool precondition_holds(const current_state& current, const write_condition& condition)
{
    if (condition.if_none_match_any && current.exists) {
        return false;
    }
    if (condition.if_match) {
        if (!current.exists) {
            return false;
        }
        if (*condition.if_match != "*" && *condition.if_match != current.etag) {
            return false;
        }
    }
    return true;
}

std::int64_t append_change(support::sqlite_db& db, std::int64_t now, std::string_view institution,
                           std::string_view id, std::string_view etag,
                           std::optional<std::string_view> json)
{
    statement s(db, "INSERT INTO changes(institution, id, deleted, etag, json, at) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    s.bind(1, institution).bind(2, id).bind(3, std::int64_t{json ? 0 : 1}).bind(4, etag);
    if (json) {
        s.bind(5, *json);
    } else {
        s.bind_null(5);
    }
    s.bind(6, now);
    s.run();
    return db.last_insert_rowid();
}

write_result put_child_in(support::sqlite_db& db, std::int64_t now, std::string_view institution,
                          std::string_view id, std::string_view json, std::string_view etag,
                          const write_condition& condition)
{
    const auto current = read_current(db, institution, id);
    if (!precondition_holds(current, condition)) {
        return {write_outcome::precondition_failed, current.etag, 0};
    }
    if (current.exists && current.etag == etag) {
        return {write_outcome::unchanged, current.etag, 0};
    }
    const auto seq = append_change(db, now, institution, id, etag, json);
    statement s(db, "INSERT INTO children(institution, id, json, etag, seq) "
                    "VALUES(?1, ?2, ?3, ?4, ?5) "
                    "ON CONFLICT(institution, id) DO UPDATE SET "
                    "json = excluded.json, etag = excluded.etag, seq = excluded.seq");
    s.bind(1, institution).bind(2, id).bind(3, json).bind(4, etag).bind(5, seq);
    s.run();
    return {current.exists ? write_outcome::updated : write_outcome::created, std::string(etag),
            seq};
}

stored_child read_child(const statement& s)
{
    return {s.text(0), s.text(1), s.text(2), s.text(3), s.int64(4)};
}

} // namespace

storage::storage(const std::string& path)
    : db_(path, "sandbox storage"), now_(system_now)
{
    db_.exec("PRAGMA busy_timeout = 5000", "set busy_timeout");
    const bool in_memory = path.empty() || path == ":memory:";
    if (!in_memory) {
        // Children's records: readable by the owner only (SQLite gives its -wal and -shm
        // files the database file's permissions).
        std::error_code perm_ec;
        std::filesystem::permissions(
            path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
            perm_ec);
        statement s(db_, "PRAGMA journal_mode = WAL");
        if (!s.step() || s.text(0) != "wal") {
            throw storage_error("sandbox storage: the database cannot use WAL journal mode");
        }
    }
    db_.exec("PRAGMA synchronous = FULL", "set synchronous");
    db_.exec("PRAGMA foreign_keys = ON", "set foreign_keys");

    std::int64_t version = 0;
    {
        statement s(db_, "PRAGMA user_version");
        if (s.step()) {
            version = s.int64(0);
        }
    }
    if (version > schema_version) {
        throw storage_error("sandbox storage: the database was written by a newer version "
                            "(schema " +
                            std::to_string(version) + ")");
    }
    sql_transaction txn(db_, sql_transaction::kind::write);
    db_.exec(schema_sql, "create schema");
    db_.exec("PRAGMA user_version = 1", "set schema version");
    txn.commit();
}

storage::~storage() = default;

void storage::set_clock(std::function<std::int64_t()> now)
{
    std::lock_guard lock(mutex_);
    now_ = now ? std::move(now) : std::function<std::int64_t()>(system_now);
}

// ---- children -------------------------------------------------------------------------------

std::optional<stored_child> storage::get_child(std::string_view institution, std::string_view id)
{
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT institution, id, json, etag, seq FROM children "
                     "WHERE institution = ?1 AND id = ?2");
    s.bind(1, institution).bind(2, id);
    if (!s.step()) {
        return std::nullopt;
    }
    return read_child(s);
}

write_result storage::put_child(std::string_view institution, std::string_view id,
                                std::string_view json, std::string_view etag,
                                const write_condition& condition)
{
    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::write);
    auto result = put_child_in(db_, now_(), institution, id, json, etag, condition);
    txn.commit();
    return result;
}

write_result storage::put_child_unlocked(std::string_view institution, std::string_view id,
                                         std::string_view json, std::string_view etag,
                                         const write_condition& condition)
{
    if (!db_.in_transaction()) {
        throw storage_error("sandbox storage: put_child_unlocked called outside transaction()");
    }
    return put_child_in(db_, now_(), institution, id, json, etag, condition);
}

write_result storage::delete_child(std::string_view institution, std::string_view id,
                                   const write_condition& condition)
{
    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::write);
    const auto current = read_current(db_, institution, id);
    if (!current.exists && !condition.if_match) {
        return {write_outcome::not_found, {}, 0};
    }
    if (!precondition_holds(current, condition)) {
        return {write_outcome::precondition_failed, current.etag, 0};
    }
    const auto seq = append_change(db_, now_(), institution, id, {}, std::nullopt);
    statement s(db_, "DELETE FROM children WHERE institution = ?1 AND id = ?2");
    s.bind(1, institution).bind(2, id);
    s.run();
    txn.commit();
    return {write_outcome::deleted, {}, seq};
}

std::vector<stored_child> storage::list_children(std::string_view institution,
                                                 std::string_view after_id, std::size_t limit)
{
    std::lock_guard lock(mutex_);
    std::vector<stored_child> out;
    if (limit == 0) {
        return out;
    }
    statement s(db_, "SELECT institution, id, json, etag, seq FROM children "
                     "WHERE institution = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
    s.bind(1, institution).bind(2, after_id).bind(3, checked_limit(limit));
    while (s.step()) {
        out.push_back(read_child(s));
    }
    return out;
}

void storage::for_each_child(const std::vector<std::string>& institutions,
                             const std::function<void(const stored_child&)>& sink)
{
    auto sorted = institutions;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());

    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::read); // one snapshot for all of them
    statement s(db_, "SELECT institution, id, json, etag, seq FROM children "
                     "WHERE institution = ?1 ORDER BY id");
    for (const auto& institution : sorted) {
        s.reset();
        s.bind(1, institution);
        while (s.step()) {
            sink(read_child(s));
        }
    }
    txn.commit();
}

std::vector<std::string> storage::institutions()
{
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT DISTINCT institution FROM children ORDER BY institution");
    std::vector<std::string> out;
    while (s.step()) {
        out.push_back(s.text(0));
    }
    return out;
}

void storage::transaction(const std::function<void()>& body)
{
    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::write);
    body(); // an exception leaves through txn's destructor, which rolls back
    txn.commit();
}

// ---- change feed ----------------------------------------------------------------------------

std::vector<change_event>
storage::changes_after(std::int64_t after, std::size_t limit,
                       const std::function<bool(std::string_view institution)>& in_scope)
{
    std::lock_guard lock(mutex_);
    std::vector<change_event> out;
    if (limit == 0) {
        return out;
    }
    // Institution first, so out-of-scope rows are skipped before their JSON is copied.
    statement s(db_, "SELECT institution, seq, deleted, id, etag, json FROM changes "
                     "WHERE seq > ?1 ORDER BY seq");
    s.bind(1, after);
    while (out.size() < limit && s.step()) {
        auto institution = s.text(0);
        if (in_scope && !in_scope(institution)) {
            continue;
        }
        change_event e;
        e.seq = s.int64(1);
        e.deleted = s.int64(2) != 0;
        e.institution = std::move(institution);
        e.id = s.text(3);
        e.etag = s.text(4);
        if (!e.deleted && !s.is_null(5)) {
            e.json = s.text(5);
        }
        out.push_back(std::move(e));
    }
    return out;
}

std::int64_t storage::last_seq()
{
    std::lock_guard lock(mutex_);
    // AUTOINCREMENT keeps the highest seq ever used here, even after every row was pruned.
    statement s(db_, "SELECT seq FROM sqlite_sequence WHERE name = 'changes'");
    return s.step() ? s.int64(0) : 0;
}

std::int64_t storage::first_retained_seq()
{
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT value FROM meta WHERE name = ?1");
    s.bind(1, horizon_key);
    return (s.step() ? s.int64(0) : 0) + 1;
}

void storage::prune_changes(std::chrono::seconds max_age)
{
    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::write);
    const std::int64_t cutoff = now_() - max_age.count();

    // "Old" is a prefix of the feed, so a clock that went backwards cannot leave an old upsert
    // behind a pruned tombstone of the same record.
    std::int64_t old_through = 0;
    {
        statement s(db_, "SELECT MAX(seq) FROM changes WHERE at < ?1");
        s.bind(1, cutoff);
        if (!s.step() || s.is_null(0)) {
            return; // nothing old enough
        }
        old_through = s.int64(0);
    }
    {
        statement s(db_, "DELETE FROM changes WHERE seq <= ?1 AND EXISTS ("
                         "SELECT 1 FROM changes AS newer WHERE newer.institution = "
                         "changes.institution AND newer.id = changes.id AND newer.seq > "
                         "changes.seq)");
        s.bind(1, old_through);
        s.run();
    }
    // What is left of the old prefix is the newest event of its record. Tombstones among them
    // go, and a client whose cursor is below one of them can no longer catch up.
    std::int64_t horizon = 0;
    {
        statement s(db_, "SELECT MAX(seq) FROM changes WHERE seq <= ?1 AND deleted = 1");
        s.bind(1, old_through);
        if (s.step() && !s.is_null(0)) {
            horizon = s.int64(0);
        }
    }
    if (horizon > 0) {
        statement del(db_, "DELETE FROM changes WHERE seq <= ?1 AND deleted = 1");
        del.bind(1, old_through);
        del.run();
        statement s(db_, "INSERT INTO meta(name, value) VALUES(?1, ?2) "
                         "ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)");
        s.bind(1, horizon_key).bind(2, horizon);
        s.run();
    }
    txn.commit();
}

// ---- idempotency ----------------------------------------------------------------------------

idempotency_begin storage::begin_idempotent(std::string_view client, std::string_view key,
                                            std::string_view request_hash,
                                            idempotency_entry& existing)
{
    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::write);
    {
        statement s(db_, "SELECT state, request_hash, http_status, content_type, body "
                         "FROM idempotency WHERE client = ?1 AND key = ?2");
        s.bind(1, client).bind(2, key);
        if (s.step()) {
            idempotency_entry entry;
            entry.status = s.text(0) == "completed" ? idempotency_entry::state::completed
                                                    : idempotency_entry::state::in_progress;
            entry.request_hash = s.text(1);
            entry.http_status = static_cast<int>(s.int64(2));
            entry.content_type = s.text(3);
            entry.body = s.text(4);
            existing = std::move(entry);
            if (existing.request_hash != request_hash) {
                return idempotency_begin::mismatch;
            }
            return existing.status == idempotency_entry::state::completed
                       ? idempotency_begin::replay
                       : idempotency_begin::in_progress;
        }
    }
    statement s(db_, "INSERT INTO idempotency(client, key, request_hash, state, created_at) "
                     "VALUES(?1, ?2, ?3, 'in_progress', ?4)");
    s.bind(1, client).bind(2, key).bind(3, request_hash).bind(4, now_());
    s.run();
    txn.commit();
    return idempotency_begin::started;
}

void storage::finish_idempotent(std::string_view client, std::string_view key, int http_status,
                                std::string_view content_type, std::string_view body)
{
    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::write);
    statement s(db_, "UPDATE idempotency SET state = 'completed', http_status = ?3, "
                     "content_type = ?4, body = ?5 "
                     "WHERE client = ?1 AND key = ?2 AND state = 'in_progress'");
    s.bind(1, client).bind(2, key).bind(3, std::int64_t{http_status}).bind(4, content_type);
    s.bind_blob(5, body);
    s.run();
    if (db_.changes() != 1) {
        throw storage_error("sandbox storage: finish_idempotent: the key is not in progress");
    }
    txn.commit();
}

void storage::abandon_idempotent(std::string_view client, std::string_view key)
{
    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::write);
    statement s(db_, "DELETE FROM idempotency "
                     "WHERE client = ?1 AND key = ?2 AND state = 'in_progress'");
    s.bind(1, client).bind(2, key);
    s.run();
    txn.commit();
}

void storage::prune_idempotency(std::chrono::seconds max_age)
{
    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::write);
    statement s(db_, "DELETE FROM idempotency WHERE created_at < ?1");
    s.bind(1, now_() - max_age.count());
    s.run();
    txn.commit();
}

// ---- correction requests and audit ----------------------------------------------------------

correction_request storage::create_correction(correction_request request)
{
    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::write);
    request.status = "pending";
    request.reviewed_by.clear();
    request.review_note.clear();
    request.reviewed_at = 0;
    request.created_at = now_();
    statement s(db_, "INSERT INTO corrections(institution, child_id, record_json, reason, "
                     "status, created_by, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.bind(1, request.institution).bind(2, request.child_id).bind(3, request.record_json);
    s.bind(4, request.reason).bind(5, request.status).bind(6, request.created_by);
    s.bind(7, request.created_at);
    s.run();
    request.id = "cr-" + std::to_string(db_.last_insert_rowid());
    txn.commit();
    return request;
}

std::optional<correction_request> storage::get_correction(std::string_view id)
{
    const auto num = parse_correction_id(id);
    if (!num) {
        return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    statement s(db_,
                std::string("SELECT ") + correction_columns + " FROM corrections WHERE num = ?1");
    s.bind(1, *num);
    if (!s.step()) {
        return std::nullopt;
    }
    return read_correction(s);
}

bool storage::review_correction(std::string_view id, std::string_view status,
                                std::string_view reviewer, std::string_view note)
{
    if (status != "applied" && status != "rejected") {
        throw std::invalid_argument("review_correction: status must be applied or rejected");
    }
    const auto num = parse_correction_id(id);
    if (!num) {
        return false;
    }
    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::write);
    const bool reviewed = review_correction_unlocked(id, status, reviewer, note);
    txn.commit();
    return reviewed;
}

bool storage::review_correction_unlocked(std::string_view id, std::string_view status,
                                         std::string_view reviewer, std::string_view note)
{
    if (!db_.in_transaction()) {
        throw storage_error(
            "sandbox storage: review_correction_unlocked called outside transaction()");
    }
    if (status != "applied" && status != "rejected") {
        throw std::invalid_argument("review_correction: status must be applied or rejected");
    }
    const auto num = parse_correction_id(id);
    if (!num) {
        return false;
    }
    statement s(db_, "UPDATE corrections SET status = ?2, reviewed_by = ?3, review_note = ?4, "
                     "reviewed_at = ?5 WHERE num = ?1 AND status = 'pending'");
    s.bind(1, *num).bind(2, status).bind(3, reviewer).bind(4, note).bind(5, now_());
    s.run();
    return db_.changes() == 1;
}

std::vector<correction_request>
storage::list_corrections(const std::function<bool(std::string_view institution)>& in_scope,
                          std::string_view status_filter, std::size_t limit)
{
    std::lock_guard lock(mutex_);
    std::vector<correction_request> out;
    if (limit == 0) {
        return out;
    }
    statement s(db_, std::string("SELECT ") + correction_columns +
                         " FROM corrections WHERE ?1 = '' OR status = ?1 ORDER BY num");
    s.bind(1, status_filter);
    while (out.size() < limit && s.step()) {
        auto request = read_correction(s);
        if (in_scope && !in_scope(request.institution)) {
            continue;
        }
        out.push_back(std::move(request));
    }
    return out;
}

void storage::audit(std::string_view actor, std::string_view action, std::string_view target,
                    std::string_view detail)
{
    std::lock_guard lock(mutex_);
    sql_transaction txn(db_, sql_transaction::kind::write);
    audit_unlocked(actor, action, target, detail);
    txn.commit();
}

void storage::audit_unlocked(std::string_view actor, std::string_view action,
                             std::string_view target, std::string_view detail)
{
    if (!db_.in_transaction()) {
        throw storage_error("sandbox storage: audit_unlocked called outside transaction()");
    }
    statement s(db_, "INSERT INTO audit(at, actor, action, target, detail) "
                     "VALUES(?1, ?2, ?3, ?4, ?5)");
    s.bind(1, now_()).bind(2, actor).bind(3, action).bind(4, target).bind(5, detail);
    s.run();
}

// The audit entries `where` selects (with ?1 = `target`), in the order written.
std::vector<audit_entry> storage::audit_query(const char* where, std::string_view target,
                                              std::size_t limit)
{
    std::lock_guard lock(mutex_);
    std::vector<audit_entry> out;
    if (limit == 0) {
        return out;
    }
    statement s(db_, std::string("SELECT at, actor, action, target, detail FROM audit WHERE ") +
                         where + " ORDER BY num LIMIT ?2");
    s.bind(1, target).bind(2, checked_limit(limit));
    while (s.step()) {
        out.push_back({s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4)});
    }
    return out;
}

std::vector<audit_entry> storage::audit_trail(std::string_view target_prefix, std::size_t limit)
{
    // A byte-wise prefix test: no LIKE, so '%' and '_' in a target mean themselves.
    return audit_query("substr(CAST(target AS BLOB), 1, length(CAST(?1 AS BLOB))) = "
                       "CAST(?1 AS BLOB)",
                       target_prefix, limit);
}

std::vector<audit_entry> storage::audit_of(std::string_view target, std::size_t limit)
{
    return audit_query("target = ?1", target, limit);
}

} // namespace aikom::sandbox::detail
