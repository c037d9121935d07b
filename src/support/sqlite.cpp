#include "support/sqlite.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace aikom::support {

// ---- sqlite_db ------------------------------------------------------------------------------

namespace {

// A database file that does not exist yet is created owner-only (0600, whatever the umask)
// before SQLite opens it. SQLite would create it with 0644 less the umask; the -wal, -shm and
// -journal files it creates later take the database file's permissions (it sets them with
// fchmod on creation), so they are owner-only too. An existing file keeps its permissions.
void create_owner_only(const std::string& path, const std::string& owner)
{
    if (path.empty() || path == ":memory:") {
        return;
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ::close(fd);
        return;
    }
    if (errno == EEXIST) {
        return;
    }
    const int err = errno;
    throw sqlite_error(owner + ": cannot create the file: " + std::strerror(err));
}

} // namespace

sqlite_db::sqlite_db(const std::string& path, std::string owner)
    : owner_(std::move(owner))
{
    create_owner_only(path, owner_);
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_close(db_); // db_ may be a handle in the error state, or null
        db_ = nullptr;
        throw sqlite_error(owner_ + ": cannot open the database: " + sqlite3_errstr(rc));
    }
}

sqlite_db::~sqlite_db()
{
    // Statements in use are scoped objects, destroyed before their connection; the cache's are
    // finalised here, so close cannot be busy.
    for (auto& [sql, entries] : cache_) {
        for (auto& entry : entries) {
            sqlite3_finalize(entry->stmt);
        }
    }
    sqlite3_close(db_);
}

void sqlite_db::fail(int rc, std::string_view what) const
{
    std::string message = owner_;
    message += ": ";
    message += what;
    message += ": ";
    message += sqlite3_errstr(rc);
    if (db_ != nullptr) {
        const char* detail = sqlite3_errmsg(db_);
        if (detail != nullptr && std::string_view(detail) != sqlite3_errstr(rc)) {
            message += " (";
            message += detail;
            message += ")";
        }
    }
    throw sqlite_error(message);
}

void sqlite_db::fail(std::string_view message) const
{
    throw sqlite_error(owner_ + ": " + std::string(message));
}

void sqlite_db::exec(const char* sql, std::string_view what)
{
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        fail(rc, what);
    }
}

bool sqlite_db::in_transaction() const noexcept
{
    return sqlite3_get_autocommit(db_) == 0;
}

std::int64_t sqlite_db::last_insert_rowid() const noexcept
{
    return sqlite3_last_insert_rowid(db_);
}

std::int64_t sqlite_db::changes() const noexcept
{
    return sqlite3_changes64(db_);
}

// ---- sqlite_statement -----------------------------------------------------------------------

namespace {
const char* non_null(std::string_view s)
{
    return s.data() != nullptr ? s.data() : "";
}
} // namespace

sqlite_statement::sqlite_statement(sqlite_db& db, std::string_view sql)
    : db_(&db)
{
    auto found = db.cache_.find(sql);
    if (found != db.cache_.end()) {
        for (auto& entry : found->second) {
            if (!entry->in_use) {
                cached_ = entry.get();
                cached_->in_use = true;
                stmt_ = cached_->stmt;
                sqlite3_stmt_status(stmt_, SQLITE_STMTSTATUS_VM_STEP, 1); // this run's cost only
                return;
            }
        }
    }
    const bool keep = found != db.cache_.end()
                          ? found->second.size() < sqlite_db::max_per_text
                          : db.cache_.size() < sqlite_db::max_texts;
    const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                                      keep ? SQLITE_PREPARE_PERSISTENT : 0, &stmt_, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt_);
        stmt_ = nullptr;
        db.fail(rc, "prepare");
    }
    if (keep) {
        if (found == db.cache_.end()) {
            found = db.cache_.try_emplace(std::string(sql)).first;
        }
        found->second.push_back(
            std::make_unique<sqlite_db::cached_statement>(sqlite_db::cached_statement{stmt_, true}));
        cached_ = found->second.back().get();
    }
}

sqlite_statement::~sqlite_statement()
{
    count_full_scans();
    if (cached_ == nullptr) {
        sqlite3_finalize(stmt_);
        return;
    }
    // Back to the cache, holding nothing: no open read, no bound value.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    cached_->in_use = false;
}

sqlite_statement& sqlite_statement::bind(int index, std::string_view text)
{
    // SQLITE_TRANSIENT: SQLite copies. A null pointer would bind NULL, not an empty string.
    check(sqlite3_bind_text64(stmt_, index, non_null(text), text.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8),
          "bind");
    return *this;
}

sqlite_statement& sqlite_statement::bind(int index, std::int64_t value)
{
    check(sqlite3_bind_int64(stmt_, index, value), "bind");
    return *this;
}

sqlite_statement& sqlite_statement::bind_blob(int index, std::string_view bytes)
{
    check(sqlite3_bind_blob64(stmt_, index, non_null(bytes), bytes.size(), SQLITE_TRANSIENT),
          "bind");
    return *this;
}

sqlite_statement& sqlite_statement::bind_null(int index)
{
    check(sqlite3_bind_null(stmt_, index), "bind");
    return *this;
}

bool sqlite_statement::step()
{
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    db_->fail(rc, "step");
}

void sqlite_statement::reset()
{
    count_full_scans();
    // sqlite3_reset repeats the last step's error, which step() already reported.
    sqlite3_reset(stmt_);
    check(sqlite3_clear_bindings(stmt_), "clear bindings");
}

void sqlite_statement::run()
{
    if (step()) {
        db_->fail("a statement returned an unexpected row");
    }
}

std::int64_t sqlite_statement::int64(int column) const
{
    return sqlite3_column_int64(stmt_, column);
}

bool sqlite_statement::is_null(int column) const
{
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string sqlite_statement::text(int column) const
{
    // column_blob first, then column_bytes (SQLite's documented order).
    const auto* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    if (size <= 0) {
        return {};
    }
    if (data == nullptr) {
        db_->fail(SQLITE_NOMEM, "read column");
    }
    return {static_cast<const char*>(data), static_cast<std::size_t>(size)};
}

void sqlite_statement::check(int rc, std::string_view what)
{
    if (rc != SQLITE_OK) {
        db_->fail(rc, what);
    }
}

// ---- sqlite_transaction ---------------------------------------------------------------------

sqlite_transaction::sqlite_transaction(sqlite_db& db, kind k)
    : db_(&db)
{
    db.exec(k == kind::write ? "BEGIN IMMEDIATE" : "BEGIN", "begin transaction");
}

sqlite_transaction::~sqlite_transaction()
{
    // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
    if (!done_ && db_->in_transaction()) {
        sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void sqlite_transaction::commit()
{
    db_->exec("COMMIT", "commit");
    done_ = true;
}

void sqlite_statement::count_full_scans() noexcept
{
    db_->full_scan_steps_ += sqlite3_stmt_status(stmt_, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
}

std::int64_t sqlite_statement::vm_steps() const noexcept
{
    return sqlite3_stmt_status(stmt_, SQLITE_STMTSTATUS_VM_STEP, 0);
}

} // namespace aikom::support
