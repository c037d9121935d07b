#include <aikom/sync/journal.hpp>

#include <aikom/protocol/problem.hpp>

#include "support/sqlite.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <optional>
#include <stdexcept>
#include <utility>

namespace aikom::sync {

std::string_view to_string(record_state s) noexcept
{
    switch (s) {
    case record_state::pending:
        return "pending";
    case record_state::sent:
        return "sent";
    case record_state::accepted:
        return "accepted";
    case record_state::rejected:
        return "rejected";
    case record_state::invalid:
        return "invalid";
    case record_state::withdrawn:
        return "withdrawn";
    }
    return "pending";
}

namespace {

using support::sqlite_db;
using support::sqlite_statement;
using support::sqlite_transaction;

// Bump when the schema changes; an older library refuses a newer journal.
constexpr std::int64_t schema_version = 1;

constexpr const char* schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS journal_meta(
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records(
  institution TEXT NOT NULL,
  id TEXT NOT NULL,
  content_hash TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  etag TEXT NOT NULL DEFAULT '',
  batch_key TEXT NOT NULL DEFAULT '',
  issues TEXT NOT NULL DEFAULT '',
  position TEXT NOT NULL DEFAULT '',
  seen_run INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(institution, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_state ON records(state);
CREATE TABLE IF NOT EXISTS batches(
  num INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  body BLOB NOT NULL,
  sent INTEGER NOT NULL DEFAULT 0
);
)sql";

std::optional<record_state> state_from(std::string_view s)
{
    for (auto st : {record_state::pending, record_state::sent, record_state::accepted,
                    record_state::rejected, record_state::invalid, record_state::withdrawn}) {
        if (to_string(st) == s) {
            return st;
        }
    }
    return std::nullopt;
}

std::string issues_text(const std::vector<check::issue>& issues)
{
    return issues.empty() ? std::string() : protocol::issues_to_json(issues);
}

// The journal wrote this text itself; anything unreadable is skipped rather than thrown.
std::vector<check::issue> issues_from(std::string_view text)
{
    std::vector<check::issue> out;
    if (text.empty()) {
        return out;
    }
    boost::system::error_code ec;
    const auto v = boost::json::parse(text, ec);
    if (ec || !v.is_array()) {
        return out;
    }
    const auto str = [](const boost::json::object& o, std::string_view key) -> std::string {
        const auto* p = o.if_contains(key);
        return p != nullptr && p->is_string() ? std::string(p->get_string()) : std::string();
    };
    for (const auto& e : v.get_array()) {
        if (!e.is_object()) {
            continue;
        }
        const auto& o = e.get_object();
        check::issue i;
        i.pointer = str(o, "pointer");
        i.code = str(o, "code");
        const auto sev = str(o, "severity");
        for (auto s : {check::severity::error, check::severity::warning, check::severity::fix}) {
            if (check::to_string(s) == sev) {
                i.severity = s;
            }
        }
        i.message_en = str(o, "message");
        i.message_uk = str(o, "message_uk");
        if (const auto* s = o.if_contains("suggestion"); s != nullptr && s->is_string()) {
            i.suggestion = std::string(s->get_string());
        }
        out.push_back(std::move(i));
    }
    return out;
}

constexpr const char* entry_columns =
    "institution, id, content_hash, state, etag, batch_key, issues, position";

journal_entry read_entry(const sqlite_statement& s)
{
    journal_entry e;
    e.institution = s.text(0);
    e.id = s.text(1);
    e.content_hash = s.text(2);
    e.state = state_from(s.text(3)).value_or(record_state::pending);
    e.etag = s.text(4);
    e.batch_key = s.text(5);
    e.issues = issues_from(s.text(6));
    e.position = s.text(7);
    return e;
}

} // namespace

struct journal::impl {
    explicit impl(const std::filesystem::path& path)
        : db(path.string(), "journal " + path.string())
    {}

    sqlite_db db;
    std::int64_t run = 0;
    // Marks of `mark_seen` are batched into one open transaction (committed by the next write,
    // every `marks_per_commit` marks, and on destruction): they need no fsync each.
    std::optional<sqlite_transaction> open_txn{};
    std::size_t marks = 0;
    static constexpr std::size_t marks_per_commit = 4096;

    void begin()
    {
        if (!open_txn) {
            open_txn.emplace(db, sqlite_transaction::kind::write);
        }
    }
    void commit()
    {
        if (open_txn) {
            open_txn->commit();
            open_txn.reset();
            marks = 0;
        }
    }
    template <class F>
    void write(F&& f)
    {
        begin();
        std::forward<F>(f)();
        commit();
    }

    std::optional<std::string> meta(std::string_view name)
    {
        sqlite_statement s(db, "SELECT value FROM journal_meta WHERE name = ?1");
        s.bind(1, name);
        if (!s.step()) {
            return std::nullopt;
        }
        return s.text(0);
    }
    void set_meta(std::string_view name, std::string_view value)
    {
        sqlite_statement s(db, "INSERT INTO journal_meta(name, value) VALUES(?1, ?2) "
                               "ON CONFLICT(name) DO UPDATE SET value = excluded.value");
        s.bind(1, name).bind(2, value);
        s.run();
    }
};

journal::journal(const std::filesystem::path& path, std::string_view server,
                 std::string_view client_id)
{
    // Both empty: a reader of any journal (`aikom-sync status`), which must not create one.
    const bool any_owner = server.empty() && client_id.empty();
    if (any_owner && !std::filesystem::exists(path)) {
        throw std::runtime_error("journal " + path.string() + ": no such file");
    }
    impl_ = std::make_unique<impl>(path); // created owner-only (support::sqlite_db)
    auto& db = impl_->db;
    db.exec("PRAGMA busy_timeout = 5000", "set busy_timeout");
    {
        // Also the first read of the file: "not a database" surfaces here.
        sqlite_statement s(db, "PRAGMA journal_mode = WAL");
        if (!s.step() || s.text(0) != "wal") {
            db.fail("the file cannot use WAL journal mode");
        }
    }
    // FULL: a committed batch (key and body) is on disk before its request goes out.
    db.exec("PRAGMA synchronous = FULL", "set synchronous");

    sqlite_transaction txn(db, sqlite_transaction::kind::write);
    bool empty = false;
    {
        sqlite_statement s(db, "SELECT count(*) FROM sqlite_schema");
        empty = s.step() && s.int64(0) == 0;
    }
    if (empty && any_owner) {
        db.fail("not a push journal (an empty file)");
    }
    if (empty) {
        db.exec(schema_sql, "create schema");
        impl_->set_meta("schema", std::to_string(schema_version));
        impl_->set_meta("server", server);
        impl_->set_meta("client_id", client_id);
        impl_->set_meta("run", "0");
    } else {
        bool has_meta = false;
        {
            sqlite_statement s(
                db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'journal_meta'");
            has_meta = s.step();
        }
        const auto version = has_meta ? impl_->meta("schema") : std::nullopt;
        if (!version) {
            db.fail("not a push journal (a SQLite file of something else)");
        }
        if (*version != std::to_string(schema_version)) {
            db.fail("written by another version of the library (journal schema " + *version +
                    "); use a new journal file");
        }
        if (!any_owner && impl_->meta("server").value_or("") != server) {
            db.fail("belongs to another server (" + impl_->meta("server").value_or("") +
                    "); use one journal per server and client id");
        }
        if (!any_owner && impl_->meta("client_id").value_or("") != client_id) {
            db.fail("belongs to another client id (" + impl_->meta("client_id").value_or("") +
                    "); use one journal per server and client id");
        }
    }
    impl_->run = std::stoll(impl_->meta("run").value_or("0"));
    txn.commit();
}

journal::~journal()
{
    if (impl_) {
        try {
            impl_->commit();
        } catch (...) { // NOLINT(bugprone-empty-catch): marks are advisory; rolled back is fine
        }
    }
}

journal::journal(journal&&) noexcept = default;
journal& journal::operator=(journal&&) noexcept = default;

std::optional<journal_entry> journal::find(std::string_view institution, std::string_view id) const
{
    sqlite_statement s(impl_->db, std::string("SELECT ") + entry_columns +
                                      " FROM records WHERE institution = ?1 AND id = ?2");
    s.bind(1, institution).bind(2, id);
    if (!s.step()) {
        return std::nullopt;
    }
    return read_entry(s);
}

std::int64_t journal::full_scan_steps() const noexcept
{
    return impl_->db.full_scan_steps();
}

void journal::begin_run()
{
    impl_->write([&] {
        ++impl_->run;
        impl_->set_meta("run", std::to_string(impl_->run));
        // A local refusal holds for one run: this run puts again those still refused.
        sqlite_statement s(impl_->db, "DELETE FROM records WHERE state = 'invalid'");
        s.run();
    });
}

void journal::mark_seen(std::string_view institution, std::string_view id,
                        std::string_view position)
{
    impl_->begin();
    sqlite_statement s(impl_->db, "UPDATE records SET seen_run = ?3, position = ?4 "
                                  "WHERE institution = ?1 AND id = ?2");
    s.bind(1, institution).bind(2, id).bind(3, impl_->run).bind(4, position);
    s.run();
    if (++impl_->marks >= impl::marks_per_commit) {
        impl_->commit();
    }
}

void journal::add_batch(const pending_batch& batch, const std::vector<journal_entry>& records)
{
    impl_->write([&] {
        {
            sqlite_statement s(impl_->db, "INSERT INTO batches(key, body) VALUES(?1, ?2)");
            s.bind(1, batch.key).bind_blob(2, batch.body);
            s.run();
        }
        sqlite_statement s(
            impl_->db,
            "INSERT INTO records(institution, id, content_hash, state, batch_key, issues, "
            "position, seen_run) VALUES(?1, ?2, ?3, 'pending', ?4, '', ?5, ?6) "
            "ON CONFLICT(institution, id) DO UPDATE SET content_hash = excluded.content_hash, "
            "state = 'pending', batch_key = excluded.batch_key, issues = '', "
            "position = excluded.position, seen_run = excluded.seen_run");
        for (const auto& r : records) {
            s.bind(1, r.institution)
                .bind(2, r.id)
                .bind(3, r.content_hash)
                .bind(4, batch.key)
                .bind(5, r.position)
                .bind(6, impl_->run);
            s.run();
            s.reset();
        }
    });
}

void journal::mark_sent(std::string_view batch_key)
{
    impl_->write([&] {
        {
            sqlite_statement s(impl_->db, "UPDATE batches SET sent = 1 WHERE key = ?1");
            s.bind(1, batch_key);
            s.run();
        }
        sqlite_statement s(impl_->db, "UPDATE records SET state = 'sent' "
                                      "WHERE batch_key = ?1 AND state = 'pending'");
        s.bind(1, batch_key);
        s.run();
    });
}

void journal::finish_batch(std::string_view batch_key, const std::vector<journal_entry>& outcomes)
{
    impl_->write([&] {
        {
            sqlite_statement s(impl_->db,
                               "INSERT INTO records(institution, id, content_hash, state, etag, "
                               "issues, seen_run) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                               "ON CONFLICT(institution, id) DO UPDATE SET state = excluded.state, "
                               "etag = excluded.etag, issues = excluded.issues, batch_key = '', "
                               "content_hash = CASE WHEN excluded.content_hash = '' "
                               "THEN records.content_hash ELSE excluded.content_hash END");
            for (const auto& o : outcomes) {
                s.bind(1, o.institution)
                    .bind(2, o.id)
                    .bind(3, o.content_hash)
                    .bind(4, to_string(o.state))
                    .bind(5, o.etag)
                    .bind(6, issues_text(o.issues))
                    .bind(7, impl_->run);
                s.run();
                s.reset();
            }
        }
        {
            // Records of the batch the answer did not name stay resendable with the next run.
            // They are still pending or sent: the state keeps this a walk of records_by_state
            // over the batches in flight, not a scan of the whole journal once per batch.
            sqlite_statement s(impl_->db,
                               "UPDATE records SET state = 'pending', batch_key = '', "
                               "content_hash = '' "
                               "WHERE state IN ('pending', 'sent') AND batch_key = ?1");
            s.bind(1, batch_key);
            s.run();
        }
        sqlite_statement s(impl_->db, "DELETE FROM batches WHERE key = ?1");
        s.bind(1, batch_key);
        s.run();
    });
}

std::vector<pending_batch> journal::pending_batches() const
{
    std::vector<pending_batch> out;
    sqlite_statement s(impl_->db, "SELECT key, body FROM batches ORDER BY num");
    while (s.step()) {
        out.push_back({s.text(0), s.text(1)});
    }
    return out;
}

void journal::put(const journal_entry& entry)
{
    impl_->write([&] {
        sqlite_statement s(
            impl_->db,
            "INSERT INTO records(institution, id, content_hash, state, etag, batch_key, issues, "
            "position, seen_run) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
            "ON CONFLICT(institution, id) DO UPDATE SET content_hash = excluded.content_hash, "
            "state = excluded.state, etag = excluded.etag, batch_key = excluded.batch_key, "
            "issues = excluded.issues, position = excluded.position, "
            "seen_run = excluded.seen_run");
        s.bind(1, entry.institution)
            .bind(2, entry.id)
            .bind(3, entry.content_hash)
            .bind(4, to_string(entry.state))
            .bind(5, entry.etag)
            .bind(6, entry.batch_key)
            .bind(7, issues_text(entry.issues))
            .bind(8, entry.position)
            .bind(9, impl_->run);
        s.run();
    });
}

journal_counts journal::counts() const
{
    journal_counts c;
    sqlite_statement s(impl_->db, "SELECT state, count(*) FROM records GROUP BY state");
    while (s.step()) {
        const auto n = static_cast<std::uint64_t>(s.int64(1));
        switch (state_from(s.text(0)).value_or(record_state::pending)) {
        case record_state::pending:
            c.pending += n;
            break;
        case record_state::sent:
            c.sent += n;
            break;
        case record_state::accepted:
            c.accepted += n;
            break;
        case record_state::rejected:
            c.rejected += n;
            break;
        case record_state::invalid:
            c.invalid += n;
            break;
        case record_state::withdrawn:
            c.withdrawn += n;
            break;
        }
    }
    return c;
}

void journal::for_each_problem(const std::function<void(const journal_entry&)>& f) const
{
    sqlite_statement s(impl_->db, std::string("SELECT ") + entry_columns +
                                      " FROM records WHERE state IN ('rejected', 'invalid') "
                                      "ORDER BY institution, id");
    while (s.step()) {
        f(read_entry(s));
    }
}

void journal::for_each_missing(const std::function<void(const journal_entry&)>& f) const
{
    impl_->commit(); // the marks of this run
    sqlite_statement s(impl_->db, std::string("SELECT ") + entry_columns +
                                      " FROM records WHERE state = 'accepted' AND seen_run <> ?1 "
                                      "ORDER BY institution, id");
    s.bind(1, impl_->run);
    while (s.step()) {
        f(read_entry(s));
    }
}

} // namespace aikom::sync
