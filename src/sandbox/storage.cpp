#include "sandbox/storage.hpp"

#include "sandbox/auth.hpp"

#include <algorithm>
#include <condition_variable>
#include <charconv>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
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
CREATE INDEX IF NOT EXISTS changes_by_institution ON changes(institution, seq);
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
  fields_json TEXT NOT NULL DEFAULT '[]',
  base_etag TEXT,
  issues_json TEXT NOT NULL DEFAULT '[]',
  etag TEXT,
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
CREATE INDEX IF NOT EXISTS audit_by_target ON audit(target);
CREATE INDEX IF NOT EXISTS audit_by_action ON audit(action, num);
CREATE TABLE IF NOT EXISTS meta(
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS grants(
  institution TEXT NOT NULL,
  client_id TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  granted_by TEXT NOT NULL DEFAULT '',
  granted_at INTEGER NOT NULL,
  PRIMARY KEY(institution, client_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS grants_by_client ON grants(client_id, institution);
CREATE TABLE IF NOT EXISTS grant_seeds(
  client_id TEXT NOT NULL,
  institution TEXT NOT NULL,
  PRIMARY KEY(client_id, institution)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS readiness_days(
  institution TEXT NOT NULL,
  id TEXT NOT NULL,
  from_day INTEGER NOT NULL,
  to_day INTEGER,
  active INTEGER NOT NULL,
  ready INTEGER NOT NULL,
  PRIMARY KEY(institution, id, from_day)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS readiness_open ON readiness_days(institution, id) WHERE to_day IS NULL;
CREATE TABLE IF NOT EXISTS feed_identity(
  epoch TEXT NOT NULL
);
)sql";

// 1: v1. 2: v1.1 (correction request columns, grants, readiness by day, the feed's epoch).
constexpr std::int64_t schema_version = 2;

constexpr const char* upgrade_1_to_2_sql = R"sql(
ALTER TABLE corrections ADD COLUMN fields_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE corrections ADD COLUMN base_etag TEXT;
ALTER TABLE corrections ADD COLUMN issues_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE corrections ADD COLUMN etag TEXT;
)sql";

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

std::optional<std::string> optional_text(const statement& s, int column)
{
    return s.is_null(column) ? std::nullopt : std::optional<std::string>(s.text(column));
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
    r.fields_json = s.text(11);
    r.base_etag = optional_text(s, 12);
    r.issues_json = s.text(13);
    r.etag = optional_text(s, 14);
    return r;
}

constexpr const char* correction_columns =
    "num, institution, child_id, record_json, reason, status, created_by, reviewed_by, "
    "review_note, created_at, reviewed_at, fields_json, base_etag, issues_json, etag";

void bind_optional(statement& s, int index, const std::optional<std::string_view>& v)
{
    if (v) {
        s.bind(index, *v);
    } else {
        s.bind_null(index);
    }
}

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
    bind_optional(s, 5, json);
    s.bind(6, now);
    s.run();
    return db.last_insert_rowid();
}

stored_child read_child(const statement& s)
{
    return {s.text(0), s.text(1), s.text(2), s.text(3), s.int64(4)};
}

std::int64_t day_number(model_day d)
{
    return d.time_since_epoch().count();
}

} // namespace

// ---- connections ----------------------------------------------------------------------------

/// The read connections of a file database: opened when first needed, at most `max`, each lent
/// to one read transaction at a time.
class storage::reader_pool {
public:
    reader_pool(std::string path, std::size_t max) : path_(std::move(path)), max_(max) {}

    support::sqlite_db* lease()
    {
        std::unique_lock lock(mutex_);
        freed_.wait(lock, [&] { return !idle_.empty() || all_.size() < max_; });
        if (!idle_.empty()) {
            auto* db = idle_.back();
            idle_.pop_back();
            return db;
        }
        auto db = std::make_unique<support::sqlite_db>(path_, "sandbox storage");
        db->exec("PRAGMA busy_timeout = 5000", "set busy_timeout");
        db->exec("PRAGMA query_only = ON", "set query_only");
        db->exec("PRAGMA cache_size = -8192", "set cache_size");
        db->exec("PRAGMA mmap_size = 268435456", "set mmap_size");
        all_.push_back(std::move(db));
        return all_.back().get();
    }

    void give_back(support::sqlite_db* db)
    {
        {
            const std::lock_guard lock(mutex_);
            idle_.push_back(db);
        }
        freed_.notify_one();
    }

private:
    std::string path_;
    std::size_t max_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<support::sqlite_db>> all_;
    std::vector<support::sqlite_db*> idle_;
};

thread_local storage::scope* storage::scope::current_ = nullptr;

storage::scope::scope(storage& owner, sql_transaction::kind kind, durability how)
    : s_(owner)
    , outer_(current_)
{
    const bool write = kind == sql_transaction::kind::write;
    if (outer_ != nullptr && &outer_->s_ == &owner) {
        // Inside another transaction of this storage on this thread: join it.
        auto& db = outer_->tx_->db();
        if (write && !outer_->tx_->writable_) {
            throw storage_error("sandbox storage: a write inside a read transaction");
        }
        tx_.emplace(owner, db, write);
        if (write) {
            db.exec("SAVEPOINT nested", "begin a nested transaction");
            savepoint_ = true;
        }
    } else if (write || !owner.readers_) {
        writer_ = std::unique_lock(owner.mutex_);
        if (write && how == durability::relaxed) {
            owner.db_.exec("PRAGMA synchronous = NORMAL", "relax synchronous");
            relaxed_ = true;
        }
        try {
            txn_.emplace(owner.db_, kind);
        } catch (...) {
            restore_synchronous();
            throw;
        }
        tx_.emplace(owner, owner.db_, write);
    } else {
        reader_ = owner.readers_->lease();
        try {
            txn_.emplace(*reader_, kind);
        } catch (...) {
            owner.readers_->give_back(reader_);
            throw;
        }
        tx_.emplace(owner, *reader_, false);
    }
    current_ = this;
}

storage::scope::~scope()
{
    current_ = outer_;
    if (savepoint_ && !done_) {
        // SQLite may have rolled the whole transaction back already (e.g. SQLITE_FULL).
        auto& db = tx_->db();
        if (db.in_transaction()) {
            try {
                db.exec("ROLLBACK TO nested; RELEASE nested", "undo a nested transaction");
            } catch (const storage_error&) {
                // the outer transaction fails in its turn
            }
        }
    }
    txn_.reset(); // rolls back unless committed
    restore_synchronous();
    if (reader_ != nullptr) {
        s_.readers_->give_back(reader_);
    }
}

void storage::scope::restore_synchronous() noexcept
{
    if (relaxed_) {
        try {
            s_.db_.exec("PRAGMA synchronous = FULL", "restore synchronous");
        } catch (const std::exception&) {
            // the next full write's own commit fails the same way, and says so
        }
        relaxed_ = false;
    }
}

void storage::scope::commit()
{
    if (savepoint_) {
        tx_->db().exec("RELEASE nested", "end a nested transaction");
    } else if (txn_) {
        txn_->commit();
    } // else a read inside another transaction, which ends with it
    done_ = true;
}

storage::storage(const std::string& path, std::size_t max_readers)
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
    // SQLite's default page cache is 2 MB and every other page is a read() from the OS's cache:
    // a feed page or a progress report of a large database reads rows scattered over the file.
    // 32 MiB of cache, and reads of the first 256 MiB through a memory map, no system call each.
    db_.exec("PRAGMA cache_size = -32768", "set cache_size");
    db_.exec("PRAGMA mmap_size = 268435456", "set mmap_size");

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
    if (version == 1) {
        db_.exec(upgrade_1_to_2_sql, "upgrade the schema from version 1");
    }
    db_.exec(schema_sql, "create schema");
    db_.exec("PRAGMA user_version = 2", "set schema version");
    {
        statement s(db_, "SELECT COUNT(*) FROM feed_identity");
        if (s.step() && s.int64(0) == 0) {
            // A feed written before epochs existed gets one now: its old cursors are refused
            // (410), which is always safe.
            statement ins(db_, "INSERT INTO feed_identity(epoch) VALUES(?1)");
            ins.bind(1, random_hex(8));
            ins.run();
        }
    }
    txn.commit();
    if (!in_memory) {
        readers_ = std::make_unique<reader_pool>(path, std::max<std::size_t>(1, max_readers));
    }
}

storage::~storage() = default;

void storage::set_write_hook(std::function<void(std::string_view operation)> hook)
{
    std::lock_guard lock(mutex_);
    write_hook_ = std::move(hook);
}

void storage::set_clock(std::function<std::int64_t()> now)
{
    std::lock_guard lock(mutex_);
    now_ = now ? std::move(now) : std::function<std::int64_t()>(system_now);
}

void storage::transaction::require_writable(const char* what) const
{
    if (!writable_) {
        throw storage_error(std::string("sandbox storage: ") + what +
                            " inside a read transaction");
    }
    if (s_.write_hook_) {
        s_.write_hook_(what);
    }
}

// ---- children -------------------------------------------------------------------------------

std::optional<stored_child> storage::transaction::get_child(std::string_view institution,
                                                            std::string_view id)
{
    statement s(db(), "SELECT institution, id, json, etag, seq FROM children "
                      "WHERE institution = ?1 AND id = ?2");
    s.bind(1, institution).bind(2, id);
    if (!s.step()) {
        return std::nullopt;
    }
    return read_child(s);
}

write_result storage::transaction::put_child(std::string_view institution, std::string_view id,
                                             std::string_view json, std::string_view etag,
                                             const write_condition& condition)
{
    require_writable("put_child");
    const auto current = read_current(db(), institution, id);
    if (!precondition_holds(current, condition)) {
        return {write_outcome::precondition_failed, current.etag, 0};
    }
    if (current.exists && current.etag == etag) {
        return {write_outcome::unchanged, current.etag, 0};
    }
    const auto seq = append_change(db(), now(), institution, id, etag, json);
    statement s(db(), "INSERT INTO children(institution, id, json, etag, seq) "
                      "VALUES(?1, ?2, ?3, ?4, ?5) "
                      "ON CONFLICT(institution, id) DO UPDATE SET "
                      "json = excluded.json, etag = excluded.etag, seq = excluded.seq");
    s.bind(1, institution).bind(2, id).bind(3, json).bind(4, etag).bind(5, seq);
    s.run();
    return {current.exists ? write_outcome::updated : write_outcome::created, std::string(etag),
            seq};
}

write_result storage::transaction::delete_child(std::string_view institution, std::string_view id,
                                                const write_condition& condition)
{
    require_writable("delete_child");
    const auto current = read_current(db(), institution, id);
    if (!current.exists && !condition.if_match) {
        return {write_outcome::not_found, {}, 0};
    }
    if (!precondition_holds(current, condition)) {
        return {write_outcome::precondition_failed, current.etag, 0};
    }
    const auto seq = append_change(db(), now(), institution, id, {}, std::nullopt);
    statement s(db(), "DELETE FROM children WHERE institution = ?1 AND id = ?2");
    s.bind(1, institution).bind(2, id);
    s.run();
    return {write_outcome::deleted, {}, seq};
}

std::vector<stored_child> storage::transaction::list_children(std::string_view institution,
                                                              std::string_view after_id,
                                                              std::size_t limit)
{
    std::vector<stored_child> out;
    if (limit == 0) {
        return out;
    }
    statement s(db(), "SELECT institution, id, json, etag, seq FROM children "
                      "WHERE institution = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
    s.bind(1, institution).bind(2, after_id).bind(3, checked_limit(limit));
    while (s.step()) {
        out.push_back(read_child(s));
    }
    return out;
}

void storage::transaction::for_each_child(const std::vector<std::string>& institutions,
                                          const std::function<void(const stored_child&)>& sink)
{
    auto sorted = institutions;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    statement s(db(), "SELECT institution, id, json, etag, seq FROM children "
                      "WHERE institution = ?1 ORDER BY id");
    for (const auto& institution : sorted) {
        s.reset();
        s.bind(1, institution);
        while (s.step()) {
            sink(read_child(s));
        }
    }
}

std::vector<std::string> storage::transaction::institutions()
{
    statement s(db(), "SELECT DISTINCT institution FROM children ORDER BY institution");
    std::vector<std::string> out;
    while (s.step()) {
        out.push_back(s.text(0));
    }
    return out;
}

// ---- change feed ----------------------------------------------------------------------------

std::string storage::transaction::epoch()
{
    statement s(db(), "SELECT epoch FROM feed_identity");
    if (!s.step()) {
        throw storage_error("sandbox storage: the feed has no epoch");
    }
    return s.text(0);
}

std::vector<change_event>
storage::transaction::changes_after(std::int64_t after, std::size_t limit,
                                    const std::optional<std::vector<std::string>>& only)
{
    std::vector<change_event> out;
    if (limit == 0) {
        s_.feed_cost_ = 0;
        return out;
    }
    // The row a statement stands on, as an event.
    const auto event_of = [](const statement& s) {
        change_event e;
        e.institution = s.text(0);
        e.seq = s.int64(1);
        e.deleted = s.int64(2) != 0;
        e.id = s.text(3);
        e.etag = s.text(4);
        if (!e.deleted && !s.is_null(5)) {
            e.json = s.text(5);
        }
        return e;
    };
    std::int64_t cost = 0;
    if (!only) {
        statement s(db(), "SELECT institution, seq, deleted, id, etag, json FROM changes "
                          "WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        s.bind(1, after).bind(2, checked_limit(limit));
        while (s.step()) {
            out.push_back(event_of(s));
        }
        cost = s.vm_steps();
    } else {
        // A merge of one walk of the (institution, seq) index per institution, each advanced
        // only when its row is taken: at most `limit` + institutions rows are read (and only
        // `limit` copied), however many institutions and events there are.
        std::vector<std::unique_ptr<statement>> walks;
        for (const auto& institution : *only) {
            auto s = std::make_unique<statement>(
                db(), "SELECT institution, seq, deleted, id, etag, json FROM changes "
                      "WHERE institution = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
            s->bind(1, institution).bind(2, after).bind(3, checked_limit(limit));
            if (s->step()) {
                walks.push_back(std::move(s));
            } else {
                cost += s->vm_steps();
            }
        }
        while (out.size() < limit && !walks.empty()) {
            const auto next = std::min_element(
                walks.begin(), walks.end(),
                [](const auto& a, const auto& b) { return a->int64(1) < b->int64(1); });
            out.push_back(event_of(**next));
            if (!(*next)->step()) {
                cost += (*next)->vm_steps();
                walks.erase(next);
            }
        }
        for (const auto& w : walks) {
            cost += w->vm_steps();
        }
    }
    s_.feed_cost_ = cost;
    return out;
}

std::int64_t storage::transaction::last_seq()
{
    // AUTOINCREMENT keeps the highest seq ever used here, even after every row was pruned.
    statement s(db(), "SELECT seq FROM sqlite_sequence WHERE name = 'changes'");
    return s.step() ? s.int64(0) : 0;
}

std::int64_t storage::transaction::first_retained_seq()
{
    statement s(db(), "SELECT value FROM meta WHERE name = ?1");
    s.bind(1, horizon_key);
    return (s.step() ? s.int64(0) : 0) + 1;
}

void storage::transaction::prune_changes(std::chrono::seconds max_age)
{
    require_writable("prune_changes");
    const std::int64_t cutoff = now() - max_age.count();

    // "Old" is a prefix of the feed, so a clock that went backwards cannot leave an old upsert
    // behind a pruned tombstone of the same record.
    std::int64_t old_through = 0;
    {
        statement s(db(), "SELECT MAX(seq) FROM changes WHERE at < ?1");
        s.bind(1, cutoff);
        if (!s.step() || s.is_null(0)) {
            return; // nothing old enough
        }
        old_through = s.int64(0);
    }
    {
        statement s(db(), "DELETE FROM changes WHERE seq <= ?1 AND EXISTS ("
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
        statement s(db(), "SELECT MAX(seq) FROM changes WHERE seq <= ?1 AND deleted = 1");
        s.bind(1, old_through);
        if (s.step() && !s.is_null(0)) {
            horizon = s.int64(0);
        }
    }
    if (horizon > 0) {
        statement del(db(), "DELETE FROM changes WHERE seq <= ?1 AND deleted = 1");
        del.bind(1, old_through);
        del.run();
        statement s(db(), "INSERT INTO meta(name, value) VALUES(?1, ?2) "
                          "ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)");
        s.bind(1, horizon_key).bind(2, horizon);
        s.run();
    }
}

// ---- progress ---------------------------------------------------------------------------------

void storage::transaction::track_readiness(std::string_view institution, std::string_view id,
                                           model_day day, std::optional<readiness_state> state)
{
    require_writable("track_readiness");
    const std::int64_t today = day_number(day);
    std::optional<std::int64_t> open_from;
    {
        statement s(db(), "SELECT from_day, active, ready FROM readiness_days "
                          "WHERE institution = ?1 AND id = ?2 AND to_day IS NULL");
        s.bind(1, institution).bind(2, id);
        if (s.step()) {
            open_from = s.int64(0);
            if (state && state->active == (s.int64(1) != 0) && state->ready == (s.int64(2) != 0)) {
                return; // the same state goes on
            }
        }
    }
    if (open_from && *open_from >= today) {
        // Written again on the same day (or the clock went back): the day's last state counts.
        statement del(db(), "DELETE FROM readiness_days "
                            "WHERE institution = ?1 AND id = ?2 AND from_day = ?3");
        del.bind(1, institution).bind(2, id).bind(3, *open_from);
        del.run();
    } else if (open_from) {
        statement close(db(), "UPDATE readiness_days SET to_day = ?3 "
                              "WHERE institution = ?1 AND id = ?2 AND to_day IS NULL");
        close.bind(1, institution).bind(2, id).bind(3, today);
        close.run();
    }
    if (state) {
        statement ins(db(), "INSERT INTO readiness_days(institution, id, from_day, to_day, "
                            "active, ready) VALUES(?1, ?2, ?3, NULL, ?4, ?5) "
                            "ON CONFLICT(institution, id, from_day) DO UPDATE SET "
                            "to_day = NULL, active = excluded.active, ready = excluded.ready");
        ins.bind(1, institution).bind(2, id).bind(3, std::max(today, open_from.value_or(today)));
        ins.bind(4, std::int64_t{state->active}).bind(5, std::int64_t{state->ready});
        ins.run();
    }
}

std::vector<std::vector<day_counts>>
storage::transaction::progress(const std::vector<std::string>& institutions, model_day from,
                               model_day to)
{
    const std::int64_t first = day_number(from);
    const std::int64_t last = day_number(to);
    const auto days = static_cast<std::size_t>(std::max<std::int64_t>(0, last - first + 1));
    std::vector<std::vector<day_counts>> out(institutions.size(),
                                             std::vector<day_counts>(days));
    // A sweep: each state span adds itself to the days it covers within [from, to], through
    // difference arrays (+1 where it starts, -1 where it ends), so the cost is one pass over
    // the spans plus one over the days.
    statement s(db(), "SELECT from_day, to_day, active, ready FROM readiness_days "
                      "WHERE institution = ?1 AND from_day <= ?3 "
                      "AND (to_day IS NULL OR to_day > ?2)");
    for (std::size_t k = 0; k < institutions.size(); ++k) {
        std::vector<day_counts> delta(days + 1);
        s.reset();
        s.bind(1, institutions[k]).bind(2, first).bind(3, last);
        while (s.step()) {
            const auto begin = static_cast<std::size_t>(std::max(s.int64(0), first) - first);
            const auto end = s.is_null(1) ? days
                                          : static_cast<std::size_t>(
                                                std::min(s.int64(1), last + 1) - first);
            const std::int64_t active = s.int64(2);
            const std::int64_t ready = s.int64(3);
            delta[begin].records += 1;
            delta[begin].active += active;
            delta[begin].ready += ready;
            delta[end].records -= 1;
            delta[end].active -= active;
            delta[end].ready -= ready;
        }
        day_counts running;
        for (std::size_t d = 0; d < days; ++d) {
            running.records += delta[d].records;
            running.active += delta[d].active;
            running.ready += delta[d].ready;
            out[k][d] = running;
        }
    }
    return out;
}

void storage::transaction::for_each_untracked_child(
    const std::function<void(const stored_child&)>& sink)
{
    statement s(db(), "SELECT institution, id, json, etag, seq FROM children AS c WHERE NOT EXISTS "
                      "(SELECT 1 FROM readiness_days AS r WHERE r.institution = c.institution "
                      "AND r.id = c.id AND r.to_day IS NULL)");
    while (s.step()) {
        sink(read_child(s));
    }
}

// ---- idempotency ----------------------------------------------------------------------------

idempotency_begin storage::transaction::begin_idempotent(std::string_view client,
                                                         std::string_view key,
                                                         std::string_view request_hash,
                                                         idempotency_entry& existing,
                                                         std::size_t max_keys)
{
    require_writable("begin_idempotent");
    {
        statement s(db(), "SELECT state, request_hash, http_status, content_type, body, "
                          "created_at FROM idempotency WHERE client = ?1 AND key = ?2");
        s.bind(1, client).bind(2, key);
        if (s.step()) {
            idempotency_entry entry;
            entry.status = s.text(0) == "completed" ? idempotency_entry::state::completed
                                                    : idempotency_entry::state::in_progress;
            entry.request_hash = s.text(1);
            entry.http_status = static_cast<int>(s.int64(2));
            entry.content_type = s.text(3);
            entry.body = s.text(4);
            entry.created_at = s.int64(5);
            existing = std::move(entry);
            if (existing.request_hash != request_hash) {
                return idempotency_begin::mismatch;
            }
            return existing.status == idempotency_entry::state::completed
                       ? idempotency_begin::replay
                       : idempotency_begin::in_progress;
        }
    }
    if (max_keys > 0) {
        statement held(db(), "SELECT COUNT(*), MIN(created_at) FROM idempotency WHERE client = ?1");
        held.bind(1, client);
        if (held.step() && held.int64(0) >= checked_limit(max_keys)) {
            existing = idempotency_entry{};
            existing.created_at = held.int64(1);
            return idempotency_begin::over_quota;
        }
    }
    statement s(db(), "INSERT INTO idempotency(client, key, request_hash, state, created_at) "
                      "VALUES(?1, ?2, ?3, 'in_progress', ?4)");
    s.bind(1, client).bind(2, key).bind(3, request_hash).bind(4, now());
    s.run();
    return idempotency_begin::started;
}

void storage::transaction::finish_idempotent(std::string_view client, std::string_view key,
                                             int http_status, std::string_view content_type,
                                             std::string_view body)
{
    require_writable("finish_idempotent");
    statement s(db(), "UPDATE idempotency SET state = 'completed', http_status = ?3, "
                      "content_type = ?4, body = ?5 "
                      "WHERE client = ?1 AND key = ?2 AND state = 'in_progress'");
    s.bind(1, client).bind(2, key).bind(3, std::int64_t{http_status}).bind(4, content_type);
    s.bind_blob(5, body);
    s.run();
    if (db().changes() != 1) {
        throw storage_error("sandbox storage: finish_idempotent: the key is not in progress");
    }
}

void storage::transaction::prune_idempotency(std::chrono::seconds max_age)
{
    require_writable("prune_idempotency");
    statement s(db(), "DELETE FROM idempotency WHERE created_at < ?1");
    s.bind(1, now() - max_age.count());
    s.run();
}

// ---- correction requests --------------------------------------------------------------------

correction_request storage::transaction::create_correction(correction_request request)
{
    require_writable("create_correction");
    request.status = "pending";
    request.reviewed_by.clear();
    request.review_note.clear();
    request.reviewed_at = 0;
    request.etag.reset();
    request.created_at = now();
    statement s(db(), "INSERT INTO corrections(institution, child_id, record_json, reason, "
                      "status, created_by, created_at, fields_json, base_etag, issues_json) "
                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    s.bind(1, request.institution).bind(2, request.child_id).bind(3, request.record_json);
    s.bind(4, request.reason).bind(5, request.status).bind(6, request.created_by);
    s.bind(7, request.created_at).bind(8, request.fields_json);
    bind_optional(s, 9, request.base_etag);
    s.bind(10, request.issues_json);
    s.run();
    request.id = "cr-" + std::to_string(db().last_insert_rowid());
    return request;
}

std::optional<correction_request> storage::transaction::get_correction(std::string_view id)
{
    const auto num = parse_correction_id(id);
    if (!num) {
        return std::nullopt;
    }
    statement s(db(),
                std::string("SELECT ") + correction_columns + " FROM corrections WHERE num = ?1");
    s.bind(1, *num);
    if (!s.step()) {
        return std::nullopt;
    }
    return read_correction(s);
}

bool storage::transaction::review_correction(std::string_view id, std::string_view status,
                                             std::string_view reviewer, std::string_view note,
                                             std::optional<std::string_view> etag)
{
    require_writable("review_correction");
    if (status != "applied" && status != "rejected") {
        throw std::invalid_argument("review_correction: status must be applied or rejected");
    }
    const auto num = parse_correction_id(id);
    if (!num) {
        return false;
    }
    statement s(db(), "UPDATE corrections SET status = ?2, reviewed_by = ?3, review_note = ?4, "
                      "reviewed_at = ?5, etag = ?6 WHERE num = ?1 AND status = 'pending'");
    s.bind(1, *num).bind(2, status).bind(3, reviewer).bind(4, note).bind(5, now());
    bind_optional(s, 6, etag);
    s.run();
    return db().changes() == 1;
}

std::vector<correction_request> storage::transaction::list_corrections(
    const std::function<bool(std::string_view institution)>& in_scope,
    std::string_view status_filter, std::int64_t after, std::size_t limit)
{
    std::vector<correction_request> out;
    if (limit == 0) {
        return out;
    }
    statement s(db(), std::string("SELECT ") + correction_columns +
                          " FROM corrections WHERE (?1 = '' OR status = ?1) AND num > ?2 "
                          "ORDER BY num");
    s.bind(1, status_filter).bind(2, after);
    while (out.size() < limit && s.step()) {
        auto request = read_correction(s);
        if (in_scope && !in_scope(request.institution)) {
            continue;
        }
        out.push_back(std::move(request));
    }
    return out;
}

// ---- grants -----------------------------------------------------------------------------------

namespace {

grant_row read_grant(const statement& s)
{
    return {s.text(0), s.text(1), s.text(2), s.text(3), s.int64(4)};
}

constexpr const char* grant_columns = "institution, client_id, note, granted_by, granted_at";

} // namespace

std::vector<std::string> storage::transaction::granted_institutions(std::string_view client)
{
    statement s(db(), "SELECT institution FROM grants WHERE client_id = ?1 ORDER BY institution");
    s.bind(1, client);
    std::vector<std::string> out;
    while (s.step()) {
        out.push_back(s.text(0));
    }
    return out;
}

std::vector<grant_row> storage::transaction::grants_of(std::string_view institution)
{
    statement s(db(), std::string("SELECT ") + grant_columns +
                          " FROM grants WHERE institution = ?1 ORDER BY client_id");
    s.bind(1, institution);
    std::vector<grant_row> out;
    while (s.step()) {
        out.push_back(read_grant(s));
    }
    return out;
}

std::optional<grant_row> storage::transaction::get_grant(std::string_view institution,
                                                         std::string_view client)
{
    statement s(db(), std::string("SELECT ") + grant_columns +
                          " FROM grants WHERE institution = ?1 AND client_id = ?2");
    s.bind(1, institution).bind(2, client);
    if (!s.step()) {
        return std::nullopt;
    }
    return read_grant(s);
}

bool storage::transaction::put_grant(std::string_view institution, std::string_view client,
                                     std::string_view note, std::string_view granted_by)
{
    require_writable("put_grant");
    const bool existed = get_grant(institution, client).has_value();
    statement s(db(), "INSERT INTO grants(institution, client_id, note, granted_by, granted_at) "
                      "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(institution, client_id) "
                      "DO UPDATE SET note = excluded.note");
    s.bind(1, institution).bind(2, client).bind(3, note).bind(4, granted_by).bind(5, now());
    s.run();
    return !existed;
}

bool storage::transaction::revoke_grant(std::string_view institution, std::string_view client)
{
    require_writable("revoke_grant");
    statement s(db(), "DELETE FROM grants WHERE institution = ?1 AND client_id = ?2");
    s.bind(1, institution).bind(2, client);
    s.run();
    return db().changes() == 1;
}

bool storage::transaction::seed_grant(std::string_view institution, std::string_view client)
{
    require_writable("seed_grant");
    statement seen(db(), "INSERT OR IGNORE INTO grant_seeds(client_id, institution) "
                         "VALUES(?1, ?2)");
    seen.bind(1, client).bind(2, institution);
    seen.run();
    if (db().changes() != 1) {
        return false; // seeded before: a revocation since then stands
    }
    return put_grant(institution, client, "", "");
}

// ---- audit ----------------------------------------------------------------------------------

void storage::transaction::audit(std::string_view actor, std::string_view action,
                                 std::string_view target, std::string_view detail)
{
    require_writable("audit");
    statement s(db(), "INSERT INTO audit(at, actor, action, target, detail) "
                      "VALUES(?1, ?2, ?3, ?4, ?5)");
    s.bind(1, now()).bind(2, actor).bind(3, action).bind(4, target).bind(5, detail);
    s.run();
}

void storage::transaction::prune_refusals(std::chrono::seconds max_age, std::size_t keep)
{
    require_writable("prune_refusals");
    // Through audit_by_action: the refusals only, newest first, whatever else the trail holds.
    statement s(db(), "DELETE FROM audit WHERE action = 'access.denied' AND (at < ?1 OR num <= "
                      "(SELECT num FROM audit WHERE action = 'access.denied' "
                      "ORDER BY num DESC LIMIT 1 OFFSET ?2))");
    s.bind(1, now() - max_age.count()).bind(2, checked_limit(keep));
    s.run();
}

// The audit entries `where` selects (with ?1 = `target`), in the order written: the first
// `limit`, or the last `limit` when `newest`.
std::vector<audit_entry> storage::transaction::audit_query(const char* where,
                                                           std::string_view target,
                                                           std::size_t limit, bool newest)
{
    std::vector<audit_entry> out;
    if (limit == 0) {
        return out;
    }
    statement s(db(), std::string("SELECT at, actor, action, target, detail FROM audit WHERE ") +
                          where + (newest ? " ORDER BY num DESC LIMIT ?2" : " ORDER BY num LIMIT ?2"));
    s.bind(1, target).bind(2, checked_limit(limit));
    while (s.step()) {
        out.push_back({s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4)});
    }
    if (newest) {
        std::reverse(out.begin(), out.end());
    }
    return out;
}

std::vector<audit_entry> storage::transaction::audit_trail(std::string_view target_prefix,
                                                           std::size_t limit)
{
    // A byte-wise prefix test: no LIKE, so '%' and '_' in a target mean themselves.
    return audit_query("substr(CAST(target AS BLOB), 1, length(CAST(?1 AS BLOB))) = "
                       "CAST(?1 AS BLOB)",
                       target_prefix, limit, true);
}

std::vector<audit_entry> storage::transaction::audit_of(std::string_view target,
                                                        std::size_t limit)
{
    return audit_query("target = ?1", target, limit, false);
}

} // namespace aikom::sandbox::detail
