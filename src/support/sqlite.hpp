// Private: the one small SQLite wrapper shared by the sandbox's storage and the sync journal.
// A connection that knows whose it is (every error message starts with its owner: "sandbox
// storage: …", "journal <file>: …"), prepared statements kept for reuse, and a transaction as a
// scope. Errors throw `sqlite_error`; messages name the operation and SQLite's
// diagnosis, never a bound value (SQL texts carry no data: everything is bound).
//
// Not thread-safe: callers serialise access to a connection (the sandbox with a mutex, the
// journal by being used from one thread at a time).
#ifndef AIKOM_SRC_SUPPORT_SQLITE_HPP
#define AIKOM_SRC_SUPPORT_SQLITE_HPP

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace aikom::support {

/// Thrown when SQLite fails (disk full, corrupt file, not a database…).
class sqlite_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An open connection. `path` ":memory:" opens a throwaway in-memory database ("" a private
/// temporary one).
class sqlite_db {
public:
    /// Opens `path`, creating it owner-only (mode 0600, and so its -wal, -shm and -journal
    /// files) when it does not exist; `owner` starts every error message.
    sqlite_db(const std::string& path, std::string owner);
    ~sqlite_db();
    sqlite_db(const sqlite_db&) = delete;
    sqlite_db& operator=(const sqlite_db&) = delete;

    [[nodiscard]] sqlite3* handle() const noexcept { return db_; }
    [[nodiscard]] const std::string& owner() const noexcept { return owner_; }

    /// Throws `<owner>: <what>: <SQLite's diagnosis>`.
    [[noreturn]] void fail(int rc, std::string_view what) const;
    /// Throws `<owner>: <message>`.
    [[noreturn]] void fail(std::string_view message) const;

    /// Runs one or more statements that return no rows.
    void exec(const char* sql, std::string_view what);
    /// True inside BEGIN … COMMIT.
    [[nodiscard]] bool in_transaction() const noexcept;
    [[nodiscard]] std::int64_t last_insert_rowid() const noexcept;
    /// Rows changed by the last INSERT, UPDATE or DELETE.
    [[nodiscard]] std::int64_t changes() const noexcept;
    /// Rows stepped through in full table scans by this connection's statements so far
    /// (SQLITE_STMTSTATUS_FULLSCAN_STEP, summed as each run ends): for tests that a write or a
    /// lookup walks an index and does not read a table that grows with the data.
    [[nodiscard]] std::int64_t full_scan_steps() const noexcept { return full_scan_steps_; }

private:
    friend class sqlite_statement;

    // Prepared statements by SQL text, reused by the next `sqlite_statement` of the same text
    // (parsing and planning a statement cost more than running a small one: a record's write
    // runs several). A text in use more than once at a time (a merge of several walks of one
    // query) gets more statements, up to `max_per_text`; at most `max_texts` texts are kept.
    // Beyond either, a statement is prepared afresh and finalised after.
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept
        {
            return std::hash<std::string_view>{}(s);
        }
    };
    struct cached_statement {
        sqlite3_stmt* stmt = nullptr;
        bool in_use = false;
    };
    static constexpr std::size_t max_texts = 64;
    static constexpr std::size_t max_per_text = 32;
    // unique_ptr: an entry's address is held by the statement using it while the list grows.
    std::unordered_map<std::string, std::vector<std::unique_ptr<cached_statement>>, string_hash,
                       std::equal_to<>>
        cache_;

    sqlite3* db_ = nullptr;
    std::string owner_;
    std::int64_t full_scan_steps_ = 0;
};

/// A prepared statement: its connection's cached one for this SQL text when free (reset and
/// unbound on destruction, its counters restarted when taken), else one of its own.
class sqlite_statement {
public:
    sqlite_statement(sqlite_db& db, std::string_view sql);
    ~sqlite_statement();
    sqlite_statement(const sqlite_statement&) = delete;
    sqlite_statement& operator=(const sqlite_statement&) = delete;

    /// Binds text (copied by SQLite: temporaries are safe; an empty view binds '', not NULL).
    sqlite_statement& bind(int index, std::string_view text);
    sqlite_statement& bind(int index, std::int64_t value);
    sqlite_statement& bind_blob(int index, std::string_view bytes);
    sqlite_statement& bind_null(int index);

    /// True when a row is available, false when done.
    bool step();
    /// Makes the statement ready to run again with new bindings.
    void reset();
    /// Runs a statement that returns no row.
    void run();

    [[nodiscard]] std::int64_t int64(int column) const;
    [[nodiscard]] bool is_null(int column) const;
    [[nodiscard]] std::string text(int column) const;
    /// Virtual-machine steps run so far (SQLITE_STMTSTATUS_VM_STEP): what a query cost,
    /// independent of the machine's speed.
    [[nodiscard]] std::int64_t vm_steps() const noexcept;

private:
    void check(int rc, std::string_view what);
    // Adds this run's full-scan steps to the connection's count and restarts the counter.
    void count_full_scans() noexcept;

    sqlite_db* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
    sqlite_db::cached_statement* cached_ = nullptr; ///< the cache's entry, when taken from it
};

/// BEGIN (IMMEDIATE for writes) … COMMIT; rolls back on destruction unless committed.
class sqlite_transaction {
public:
    enum class kind { read, write };
    sqlite_transaction(sqlite_db& db, kind k);
    ~sqlite_transaction();
    sqlite_transaction(const sqlite_transaction&) = delete;
    sqlite_transaction& operator=(const sqlite_transaction&) = delete;

    void commit();

private:
    sqlite_db* db_ = nullptr;
    bool done_ = false;
};

} // namespace aikom::support

#endif
