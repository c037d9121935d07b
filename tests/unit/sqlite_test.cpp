// The private SQLite wrapper shared by the sandbox's storage and the sync journal: its cache of
// prepared statements must be invisible (same results, no value left bound, per-run costs,
// nested and concurrent uses of one text).
#include "support/sqlite.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using aikom::support::sqlite_db;
using aikom::support::sqlite_error;
using aikom::support::sqlite_statement;
using aikom::support::sqlite_transaction;

namespace {

void fill(sqlite_db& db, int rows)
{
    db.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT NOT NULL)", "create");
    sqlite_transaction txn(db, sqlite_transaction::kind::write);
    for (int i = 1; i <= rows; ++i) {
        sqlite_statement s(db, "INSERT INTO t(k, v) VALUES(?1, ?2)");
        s.bind(1, std::int64_t{i}).bind(2, "v" + std::to_string(i));
        s.run();
    }
    txn.commit();
}

std::string value_of(sqlite_db& db, std::int64_t k)
{
    sqlite_statement s(db, "SELECT v FROM t WHERE k = ?1");
    s.bind(1, k);
    return s.step() ? s.text(0) : std::string("none");
}

} // namespace

TEST_CASE("sqlite: a statement taken again has new bindings and none of the old")
{
    sqlite_db db(":memory:", "test");
    fill(db, 3);
    CHECK(value_of(db, 1) == "v1");
    CHECK(value_of(db, 2) == "v2");
    CHECK(value_of(db, 9) == "none");
    {
        sqlite_statement s(db, "SELECT ?1 IS NULL");
        s.bind(1, "x");
        REQUIRE(s.step());
        CHECK(s.int64(0) == 0);
    }
    sqlite_statement again(db, "SELECT ?1 IS NULL"); // the same text, nothing bound
    REQUIRE(again.step());
    CHECK(again.int64(0) == 1);
}

TEST_CASE("sqlite: one text used inside its own loop, and by many statements at once")
{
    sqlite_db db(":memory:", "test");
    fill(db, 50);
    // A walk over the table that runs the same query for each row it stands on.
    sqlite_statement outer(db, "SELECT v FROM t WHERE k >= ?1 ORDER BY k");
    outer.bind(1, std::int64_t{1});
    int rows = 0;
    while (outer.step()) {
        ++rows;
        sqlite_statement inner(db, "SELECT v FROM t WHERE k >= ?1 ORDER BY k");
        inner.bind(1, std::int64_t{rows});
        REQUIRE(inner.step());
        CHECK(inner.text(0) == "v" + std::to_string(rows));
        CHECK(outer.text(0) == "v" + std::to_string(rows));
    }
    CHECK(rows == 50);

    // More statements of one text at once than the cache keeps for a text.
    std::vector<std::unique_ptr<sqlite_statement>> open;
    for (std::int64_t k = 1; k <= 45; ++k) {
        open.push_back(std::make_unique<sqlite_statement>(db, "SELECT v FROM t WHERE k = ?1"));
        open.back()->bind(1, k);
        REQUIRE(open.back()->step());
    }
    for (std::size_t i = 0; i < open.size(); ++i) {
        CHECK(open[i]->text(0) == "v" + std::to_string(i + 1));
    }
    open.clear();
    CHECK(value_of(db, 45) == "v45");
}

TEST_CASE("sqlite: a reused statement counts only its own run's steps")
{
    sqlite_db db(":memory:", "test");
    fill(db, 200);
    const auto steps = [&](std::int64_t from) {
        sqlite_statement s(db, "SELECT v FROM t WHERE k >= ?1 ORDER BY k");
        s.bind(1, from);
        while (s.step()) {
        }
        return s.vm_steps();
    };
    const auto all = steps(1);
    const auto few = steps(195);
    CHECK(all > 0);
    CHECK(few < all / 10); // not the sum of both runs
    CHECK(steps(1) == all);
}

TEST_CASE("sqlite: a statement that failed is reusable")
{
    sqlite_db db(":memory:", "test");
    fill(db, 2);
    {
        sqlite_statement s(db, "INSERT INTO t(k, v) VALUES(?1, ?2)");
        s.bind(1, std::int64_t{1}).bind(2, "again");
        CHECK_THROWS_AS(s.run(), sqlite_error); // the key exists
    }
    sqlite_statement s(db, "INSERT INTO t(k, v) VALUES(?1, ?2)");
    s.bind(1, std::int64_t{3}).bind(2, "v3");
    s.run();
    CHECK(value_of(db, 3) == "v3");
}

TEST_CASE("sqlite: full-scan steps are counted per connection, index walks are not")
{
    sqlite_db db(":memory:", "test");
    fill(db, 300);
    db.exec("CREATE TABLE u(a TEXT NOT NULL, b TEXT NOT NULL)", "create u");
    db.exec("CREATE INDEX u_by_a ON u(a)", "index u");
    for (int i = 0; i < 50; ++i) {
        sqlite_statement s(db, "INSERT INTO u(a, b) VALUES(?1, ?2)");
        s.bind(1, "a" + std::to_string(i)).bind(2, "b" + std::to_string(i));
        s.run();
    }
    const auto before = db.full_scan_steps();
    {
        sqlite_statement s(db, "SELECT v FROM t WHERE k = ?1");
        s.bind(1, std::int64_t{150});
        CHECK(s.step());
    }
    {
        sqlite_statement s(db, "UPDATE u SET b = 'x' WHERE a = ?1");
        s.bind(1, "a7");
        s.run();
    }
    CHECK(db.full_scan_steps() == before); // the key and the index: no scan

    {
        sqlite_statement s(db, "UPDATE u SET a = 'y' WHERE b = ?1"); // b has no index
        s.bind(1, "b7");
        s.run();
        s.reset(); // counted when a run ends, by reset as by destruction
        CHECK(db.full_scan_steps() >= before + 49);
        s.bind(1, "b8");
        s.run();
    }
    CHECK(db.full_scan_steps() >= before + 98);
}
