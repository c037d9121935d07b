// Files that hold personal data are created owner-only whatever the umask: the sandbox's
// database and every file SQLite makes beside it (-wal, -shm, and -journal in rollback mode).
// The sync journal, which uses the same SQLite wrapper, is checked in the integration tier.
#include "sandbox/storage.hpp"
#include "support/sqlite.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using namespace aikom;

namespace {

std::filesystem::path beside(const std::filesystem::path& database, std::string_view suffix)
{
    auto p = database;
    p += std::string(suffix);
    return p;
}

} // namespace

TEST_CASE("owner-only: the sandbox's database and its -wal and -shm files, under umask 022")
{
    test::temp_dir dir;
    const test::scoped_umask permissive(022);
    const auto file = dir.file("sandbox.db");
    sandbox::detail::storage store(file.string());
    store.write([](sandbox::detail::storage::transaction& tx) {
        tx.audit("admin", "test.event", "test", "owner-only files");
    });
    // While the storage is open, WAL mode keeps the -wal and -shm files beside the database.
    CHECK(test::group_and_other_bits(file) == 0);
    CHECK(test::group_and_other_bits(beside(file, "-wal")) == 0);
    CHECK(test::group_and_other_bits(beside(file, "-shm")) == 0);
}

TEST_CASE("owner-only: a rollback -journal takes the database's mode, under umask 022")
{
    test::temp_dir dir;
    const test::scoped_umask permissive(022);
    const auto file = dir.file("plain.db");
    support::sqlite_db db(file.string(), "test database");
    // PERSIST leaves the -journal file in place after the commit, so it can be looked at.
    db.exec("PRAGMA journal_mode = PERSIST", "set journal_mode");
    db.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)", "write");
    CHECK(test::group_and_other_bits(file) == 0);
    CHECK(test::group_and_other_bits(beside(file, "-journal")) == 0);
}

TEST_CASE("owner-only: a file created under umask 022 by other means is not, so the check can "
          "fail")
{
    test::temp_dir dir;
    const test::scoped_umask permissive(022);
    const auto file = dir.file("plain.txt");
    test::write_file(file, "x");
    CHECK(test::group_and_other_bits(file) == 044);
    CHECK(test::group_and_other_bits(dir.file("missing")) == -1);
}

TEST_CASE("owner-only: an existing database keeps the permissions it has")
{
    test::temp_dir dir;
    const test::scoped_umask permissive(022);
    const auto file = dir.file("shared.db");
    test::write_file(file, "");
    REQUIRE(test::group_and_other_bits(file) == 044);
    { support::sqlite_db db(file.string(), "test database"); }
    CHECK(test::group_and_other_bits(file) == 044);
}
