// The reference server's storage: records with ETags and preconditions, the change feed and its
// pruning, idempotency keys, transactions, correction requests, the audit trail, durability
// across reopening, and the feed's ordering while writers run. Synthetic data only.
#include "sandbox/storage.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace aikom::sandbox::detail;

namespace {

constexpr std::string_view inst_a = "32855961";
constexpr std::string_view inst_b = "14360570";

const std::optional<std::vector<std::string>> everything{};
const auto everything_listing = [](std::string_view) { return true; };

std::string record(std::string_view id, int version = 1)
{
    return R"({"id":")" + std::string(id) + R"(","v":)" + std::to_string(version) + "}";
}

/// A database file in the temporary directory, removed (with its -wal and -shm) afterwards.
class temp_db {
public:
    temp_db()
    {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("aikom-storage-test-" + std::to_string(rd()) + "-" + std::to_string(rd()) + ".db");
        remove_all();
    }
    ~temp_db() { remove_all(); }
    temp_db(const temp_db&) = delete;
    temp_db& operator=(const temp_db&) = delete;
    [[nodiscard]] std::string path() const { return path_.string(); }

private:
    void remove_all()
    {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            std::filesystem::remove(path_.string() + suffix, ec);
        }
    }
    std::filesystem::path path_;
};

std::vector<std::int64_t> seqs(const std::vector<change_event>& events)
{
    std::vector<std::int64_t> out;
    for (const auto& e : events) {
        out.push_back(e.seq);
    }
    return out;
}

} // namespace

TEST_CASE("storage: create, update, unchanged, get")
{
    storage db(":memory:");
    CHECK_FALSE(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-1"); }).has_value());
    CHECK(db.read([&](storage::transaction& tx) { return tx.last_seq(); }) == 0);

    const auto created = db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1"), "e1"); });
    CHECK(created.outcome == write_outcome::created);
    CHECK(created.etag == "e1");
    CHECK(created.seq == 1);

    auto got = db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-1"); });
    REQUIRE(got.has_value());
    CHECK(got->institution == inst_a);
    CHECK(got->id == "kd-1");
    CHECK(got->json == record("kd-1"));
    CHECK(got->etag == "e1");
    CHECK(got->seq == 1);
    // The same id under another institution is another record.
    CHECK_FALSE(db.read([&](storage::transaction& tx) { return tx.get_child(inst_b, "kd-1"); }).has_value());

    const auto same = db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1"), "e1"); });
    CHECK(same.outcome == write_outcome::unchanged);
    CHECK(same.etag == "e1");
    CHECK(same.seq == 0);
    CHECK(db.read([&](storage::transaction& tx) { return tx.last_seq(); }) == 1); // no change event for an unchanged record

    const auto updated = db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1", 2), "e2"); });
    CHECK(updated.outcome == write_outcome::updated);
    CHECK(updated.etag == "e2");
    CHECK(updated.seq == 2);
    got = db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-1"); });
    REQUIRE(got.has_value());
    CHECK(got->json == record("kd-1", 2));
    CHECK(got->etag == "e2");
    CHECK(got->seq == 2);

    // Values with quotes, NULs and Cyrillic round-trip byte for byte.
    const std::string odd = std::string("{\"name\":\"Тарас 'x'\"}") + '\0' + "tail";
    CHECK(db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-2", odd, "e3"); }).outcome == write_outcome::created);
    CHECK(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-2"); })->json == odd);
}

TEST_CASE("storage: If-Match and If-None-Match preconditions")
{
    storage db(":memory:");

    SUBCASE("If-None-Match: * creates only")
    {
        const write_condition none{.if_none_match_any = true};
        CHECK(db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1"), "e1", none); }).outcome ==
              write_outcome::created);
        const auto again = db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1", 2), "e2", none); });
        CHECK(again.outcome == write_outcome::precondition_failed);
        CHECK(again.etag == "e1"); // the current one
        CHECK(again.seq == 0);
        // Checked before "unchanged": the same content still fails the precondition.
        CHECK(db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1"), "e1", none); }).outcome ==
              write_outcome::precondition_failed);
        CHECK(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-1"); })->etag == "e1");
    }
    SUBCASE("If-Match")
    {
        REQUIRE(db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1"), "e1"); }).outcome ==
                write_outcome::created);
        const auto stale =
            db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1", 3), "e3", {.if_match = "e0"}); });
        CHECK(stale.outcome == write_outcome::precondition_failed);
        CHECK(stale.etag == "e1");
        CHECK(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-1"); })->etag == "e1");
        CHECK(db.read([&](storage::transaction& tx) { return tx.last_seq(); }) == 1);

        const auto ok = db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1", 2), "e2", {.if_match = "e1"}); });
        CHECK(ok.outcome == write_outcome::updated);
        CHECK(ok.etag == "e2");
        // Unchanged content with a matching If-Match: still unchanged.
        CHECK(db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1", 2), "e2", {.if_match = "e2"}); }).outcome ==
              write_outcome::unchanged);
        // If-Match: * means "exists".
        CHECK(db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1", 4), "e4", {.if_match = "*"}); }).outcome ==
              write_outcome::updated);
        CHECK(db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-9", record("kd-9"), "e1", {.if_match = "*"}); }).outcome ==
              write_outcome::precondition_failed);
        // If-Match on an absent record fails and creates nothing.
        CHECK(db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-8", record("kd-8"), "e1", {.if_match = "e1"}); }).outcome ==
              write_outcome::precondition_failed);
        CHECK_FALSE(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-8"); }).has_value());
    }
}

TEST_CASE("storage: delete writes a tombstone")
{
    storage db(":memory:");
    REQUIRE(db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1"), "e1"); }).seq == 1);

    CHECK(db.write([&](storage::transaction& tx) { return tx.delete_child(inst_a, "kd-2"); }).outcome == write_outcome::not_found);
    CHECK(db.write([&](storage::transaction& tx) { return tx.delete_child(inst_a, "kd-2", {.if_match = "e1"}); }).outcome ==
          write_outcome::precondition_failed);
    const auto stale = db.write([&](storage::transaction& tx) { return tx.delete_child(inst_a, "kd-1", {.if_match = "e0"}); });
    CHECK(stale.outcome == write_outcome::precondition_failed);
    CHECK(stale.etag == "e1");
    CHECK(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-1"); }).has_value());
    CHECK(db.read([&](storage::transaction& tx) { return tx.last_seq(); }) == 1);

    const auto gone = db.write([&](storage::transaction& tx) { return tx.delete_child(inst_a, "kd-1", {.if_match = "e1"}); });
    CHECK(gone.outcome == write_outcome::deleted);
    CHECK(gone.etag.empty());
    CHECK(gone.seq == 2);
    CHECK_FALSE(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-1"); }).has_value());
    CHECK(db.write([&](storage::transaction& tx) { return tx.delete_child(inst_a, "kd-1"); }).outcome == write_outcome::not_found);

    const auto events = db.read([&](storage::transaction& tx) { return tx.changes_after(0, 10, everything); });
    REQUIRE(events.size() == 2);
    CHECK_FALSE(events[0].deleted);
    CHECK(events[0].json == record("kd-1"));
    CHECK(events[1].deleted);
    CHECK(events[1].seq == 2);
    CHECK(events[1].institution == inst_a);
    CHECK(events[1].id == "kd-1");
    CHECK(events[1].etag.empty());
    CHECK_FALSE(events[1].json.has_value());

    // Recreating after a delete is a create with a new event.
    const auto again = db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1", 2), "e2"); });
    CHECK(again.outcome == write_outcome::created);
    CHECK(again.seq == 3);
}

TEST_CASE("storage: list_children pages by id within one institution")
{
    storage db(":memory:");
    for (const char* id : {"kd-3", "kd-1", "kd-5", "kd-2", "kd-4"}) {
        db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, id, record(id), "e"); });
    }
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_b, "kd-0", record("kd-0"), "e"); });
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_b, "kd-9", record("kd-9"), "e"); });

    std::vector<std::string> ids;
    std::string after;
    int pages = 0;
    while (pages < 10) {
        const auto page = db.read([&](storage::transaction& tx) { return tx.list_children(inst_a, after, 2); });
        ++pages;
        if (page.empty()) {
            break;
        }
        CHECK(page.size() <= 2);
        for (const auto& c : page) {
            CHECK(c.institution == inst_a);
            ids.push_back(c.id);
        }
        after = page.back().id;
    }
    CHECK(pages == 4); // 2 + 2 + 1, then an empty page
    CHECK(ids == std::vector<std::string>{"kd-1", "kd-2", "kd-3", "kd-4", "kd-5"});
    CHECK(db.read([&](storage::transaction& tx) { return tx.list_children(inst_a, "", 0); }).empty());
    CHECK(db.read([&](storage::transaction& tx) { return tx.list_children(inst_a, "kd-5", 10); }).empty());
    CHECK(db.read([&](storage::transaction& tx) { return tx.list_children("00000000", "", 10); }).empty());

    std::vector<std::string> seen;
    db.read([&](storage::transaction& tx) { return tx.for_each_child({std::string(inst_b), std::string(inst_a), std::string(inst_b)},
                      [&](const stored_child& c) { seen.push_back(c.institution + "/" + c.id); }); });
    CHECK(seen == std::vector<std::string>{"14360570/kd-0", "14360570/kd-9", "32855961/kd-1",
                                           "32855961/kd-2", "32855961/kd-3", "32855961/kd-4",
                                           "32855961/kd-5"});
}

TEST_CASE("storage: changes_after orders, filters by scope and limits")
{
    storage db(":memory:");
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1"), "a1"); });    // 1
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_b, "kd-1", record("kd-1"), "b1"); });    // 2
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-2", record("kd-2"), "a2"); });    // 3
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_b, "kd-2", record("kd-2"), "b2"); });    // 4
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1", 2), "a3"); }); // 5
    db.write([&](storage::transaction& tx) { return tx.delete_child(inst_b, "kd-1"); });                       // 6
    REQUIRE(db.read([&](storage::transaction& tx) { return tx.last_seq(); }) == 6);

    const auto all = db.read([&](storage::transaction& tx) { return tx.changes_after(0, 100, everything); });
    CHECK(seqs(all) == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6});
    // Each upsert event carries the record as of that event, not as of now.
    CHECK(all[0].json == record("kd-1"));
    CHECK(all[0].etag == "a1");
    CHECK(all[4].json == record("kd-1", 2));
    CHECK(all[4].etag == "a3");

    CHECK(seqs(db.read([&](storage::transaction& tx) { return tx.changes_after(4, 100, everything); })) == std::vector<std::int64_t>{5, 6});
    CHECK(db.read([&](storage::transaction& tx) { return tx.changes_after(6, 100, everything); }).empty());
    CHECK(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 0, everything); }).empty());
    CHECK(seqs(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 2, everything); })) == std::vector<std::int64_t>{1, 2});

    const std::optional<std::vector<std::string>> only_b{{std::string(inst_b)}};
    CHECK(seqs(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 100, only_b); })) == std::vector<std::int64_t>{2, 4, 6});
    // Out-of-scope events are skipped without counting toward the limit.
    CHECK(seqs(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 2, only_b); })) == std::vector<std::int64_t>{2, 4});
    CHECK(seqs(db.read([&](storage::transaction& tx) { return tx.changes_after(2, 1, only_b); })) == std::vector<std::int64_t>{4});
    const std::optional<std::vector<std::string>> nobody{std::vector<std::string>{}};
    CHECK(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 100, nobody); }).empty());
}

TEST_CASE("storage: a feed of several institutions merges their walks and reads only the page")
{
    storage db(":memory:");
    // 20 institutions writing in turn, 50 events each: their events interleave in the feed.
    std::vector<std::string> codes;
    for (int i = 0; i < 20; ++i) {
        codes.push_back("300000" + std::to_string(10 + i));
    }
    db.write([&](storage::transaction& tx) {
        for (int n = 0; n < 50; ++n) {
            for (const auto& code : codes) {
                (void)tx.put_child(code, "kd-" + std::to_string(n), record("kd-1"),
                                   code + "-" + std::to_string(n));
            }
        }
    });
    const auto national = db.read([&](storage::transaction& tx) { return tx.changes_after(0, 5'000, everything); });
    REQUIRE(national.size() == 1'000);

    const std::optional<std::vector<std::string>> some{{codes[11], codes[3], codes[7]}};
    std::vector<std::int64_t> expected;
    for (const auto& e : national) {
        if (e.institution == codes[3] || e.institution == codes[7] || e.institution == codes[11]) {
            expected.push_back(e.seq);
        }
    }
    for (const std::size_t limit : {1, 2, 7, 100, 150, 1'000}) {
        CAPTURE(limit);
        std::vector<std::int64_t> got;
        std::int64_t after = 0;
        for (;;) {
            const auto page = db.read([&](storage::transaction& tx) { return tx.changes_after(after, limit, some); });
            if (page.empty()) {
                break;
            }
            CHECK(page.size() <= limit);
            for (const auto& e : page) {
                got.push_back(e.seq);
            }
            after = page.back().seq;
        }
        CHECK(got == expected); // each event once, in feed order, across page boundaries
    }

    // A page of 10 over all 20 institutions reads about 10 + 20 rows: a few times one
    // institution's page, not 20 times (a walk of 10 rows per institution, then a sort).
    const std::optional<std::vector<std::string>> one{{codes[0]}};
    const std::optional<std::vector<std::string>> all{codes};
    (void)db.read([&](storage::transaction& tx) { return tx.changes_after(0, 10, one); });
    const auto one_cost = db.last_feed_cost();
    const auto page = db.read([&](storage::transaction& tx) { return tx.changes_after(0, 10, all); });
    const auto all_cost = db.last_feed_cost();
    CHECK(seqs(page) == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    CHECK(one_cost > 0);
    CHECK(all_cost < 10 * one_cost);
}

TEST_CASE("storage: prune compacts the feed with an injected clock")
{
    storage db(":memory:");
    std::int64_t now = 1000;
    db.set_clock([&now] { return now; });
    CHECK(db.read([&](storage::transaction& tx) { return tx.first_retained_seq(); }) == 1);

    db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-a", record("kd-a"), "a1"); }); // 1
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-b", record("kd-b"), "b1"); }); // 2
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-c", record("kd-c"), "c1"); }); // 3
    now = 1100;
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-a", record("kd-a", 2), "a2"); }); // 4
    db.write([&](storage::transaction& tx) { return tx.delete_child(inst_a, "kd-c"); });                       // 5
    now = 3000;
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-d", record("kd-d"), "d1"); });    // 6
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-d", record("kd-d", 2), "d2"); }); // 7
    REQUIRE(db.read([&](storage::transaction& tx) { return tx.last_seq(); }) == 7);

    now = 3500;
    db.write([&](storage::transaction& tx) { return tx.prune_changes(std::chrono::seconds(3000)); }); // nothing is older than 500
    CHECK(seqs(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 100, everything); })) ==
          std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7});
    CHECK(db.read([&](storage::transaction& tx) { return tx.first_retained_seq(); }) == 1);

    db.write([&](storage::transaction& tx) { return tx.prune_changes(std::chrono::seconds(1000)); }); // cutoff 2500: seqs 1..5 are old
    // 1 (superseded by 4) and 3 (superseded by 5) go; the tombstone 5 goes; 2 and 4 are the
    // newest events of existing records and stay; 6 is superseded but recent, so it stays.
    CHECK(seqs(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 100, everything); })) == std::vector<std::int64_t>{2, 4, 6, 7});
    CHECK(db.read([&](storage::transaction& tx) { return tx.last_seq(); }) == 7);
    CHECK(db.read([&](storage::transaction& tx) { return tx.first_retained_seq(); }) == 6);
    // The cursor rule: 0 (seen nothing) and >= 5 are fine; 1..4 may have missed kd-c's deletion.
    const auto good = [&](std::int64_t n) { return n == 0 || n >= db.read([&](storage::transaction& tx) { return tx.first_retained_seq(); }) - 1; };
    CHECK(good(0));
    CHECK_FALSE(good(3));
    CHECK_FALSE(good(4));
    CHECK(good(5));
    CHECK(good(7));

    // Replaying from 0 rebuilds exactly the current records.
    std::map<std::string, std::string> replica;
    for (const auto& e : db.read([&](storage::transaction& tx) { return tx.changes_after(0, 100, everything); })) {
        if (e.deleted) {
            replica.erase(e.id);
        } else {
            replica[e.id] = e.etag;
        }
    }
    CHECK(replica ==
          std::map<std::string, std::string>{{"kd-a", "a2"}, {"kd-b", "b1"}, {"kd-d", "d2"}});

    now = 100000;
    db.write([&](storage::transaction& tx) { return tx.prune_changes(std::chrono::seconds(10)); }); // everything is old now
    CHECK(seqs(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 100, everything); })) == std::vector<std::int64_t>{2, 4, 7});
    CHECK(db.read([&](storage::transaction& tx) { return tx.first_retained_seq(); }) == 6); // no tombstone was pruned this time
    db.write([&](storage::transaction& tx) { return tx.delete_child(inst_a, "kd-b"); });     // 8
    now = 200000;
    db.write([&](storage::transaction& tx) { return tx.prune_changes(std::chrono::seconds(10)); });
    CHECK(seqs(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 100, everything); })) == std::vector<std::int64_t>{4, 7});
    CHECK(db.read([&](storage::transaction& tx) { return tx.first_retained_seq(); }) == 9);
    CHECK(db.read([&](storage::transaction& tx) { return tx.last_seq(); }) == 8);
    CHECK(db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-e", record("kd-e"), "e1"); }).seq == 9); // seqs never go back
}

TEST_CASE("storage: idempotency keys")
{
    storage db(":memory:");
    std::int64_t now = 5000;
    db.set_clock([&now] { return now; });
    idempotency_entry existing;

    CHECK(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-1", "key-1", "h1", existing); }) == idempotency_begin::started);
    CHECK(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-1", "key-1", "h1", existing); }) ==
          idempotency_begin::in_progress);
    CHECK(existing.status == idempotency_entry::state::in_progress);
    CHECK(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-1", "key-1", "h2", existing); }) == idempotency_begin::mismatch);
    // Keys are per client.
    CHECK(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-2", "key-1", "h2", existing); }) == idempotency_begin::started);

    const std::string body = std::string(R"({"results":[]})") + '\0' + "\xff";
    db.write([&](storage::transaction& tx) { return tx.finish_idempotent("vendor-1", "key-1", 207, "application/json", body); });
    existing = {};
    CHECK(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-1", "key-1", "h1", existing); }) == idempotency_begin::replay);
    CHECK(existing.status == idempotency_entry::state::completed);
    CHECK(existing.request_hash == "h1");
    CHECK(existing.http_status == 207);
    CHECK(existing.content_type == "application/json");
    CHECK(existing.body == body);
    CHECK(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-1", "key-1", "h9", existing); }) == idempotency_begin::mismatch);
    // A completed key cannot be finished again.
    CHECK_THROWS_AS(db.write([&](storage::transaction& tx) { return tx.finish_idempotent("vendor-1", "key-1", 200, "text/plain", "x"); }),
                    storage_error);
    CHECK_THROWS_AS(db.write([&](storage::transaction& tx) { return tx.finish_idempotent("vendor-1", "nope", 200, "text/plain", "x"); }),
                    storage_error);
    // A started key whose transaction rolls back leaves nothing: a retry starts again, with
    // any body.
    CHECK_THROWS_AS(db.write([&](storage::transaction& tx) {
        CHECK(tx.begin_idempotent("vendor-1", "key-2", "h1", existing) == idempotency_begin::started);
        throw storage_error("the request failed");
    }),
                    storage_error);
    CHECK(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-1", "key-2", "h3", existing); }) == idempotency_begin::started);

    // Pruning by age of first use.
    now = 5000 + 3600;
    CHECK(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-1", "key-3", "h1", existing); }) == idempotency_begin::started);
    db.write([&](storage::transaction& tx) { return tx.prune_idempotency(std::chrono::seconds(1800)); });
    CHECK(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-1", "key-1", "h7", existing); }) == idempotency_begin::started);
    CHECK(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-1", "key-3", "h1", existing); }) ==
          idempotency_begin::in_progress);
}

TEST_CASE("storage: a transaction that throws leaves nothing behind")
{
    storage db(":memory:");
    db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-0", record("kd-0"), "e0"); });

    CHECK_THROWS_AS(db.write([&](storage::transaction& tx) {
        CHECK(tx.put_child(inst_a, "kd-1", record("kd-1"), "e1").outcome ==
              write_outcome::created);
        CHECK(tx.put_child(inst_a, "kd-0", record("kd-0", 2), "e2").outcome ==
              write_outcome::updated);
        throw std::runtime_error("batch failed");
    }),
                    std::runtime_error);
    CHECK_FALSE(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-1"); }).has_value());
    CHECK(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-0"); })->etag == "e0");
    CHECK(db.read([&](storage::transaction& tx) { return tx.last_seq(); }) == 1);
    CHECK(seqs(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 100, everything); })) == std::vector<std::int64_t>{1});

    // A transaction that completes commits every write, with consecutive seqs.
    std::vector<write_result> results;
    db.write([&](storage::transaction& tx) {
        results.push_back(tx.put_child(inst_a, "kd-1", record("kd-1"), "e1"));
        results.push_back(tx.put_child(inst_a, "kd-2", record("kd-2"), "e1",
                                                {.if_none_match_any = true}));
        results.push_back(tx.put_child(inst_a, "kd-0", record("kd-0"), "e0"));
    });
    REQUIRE(results.size() == 3);
    CHECK(results[0].seq == 2);
    CHECK(results[1].seq == 3);
    CHECK(results[2].outcome == write_outcome::unchanged);
    CHECK(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-2"); }).has_value());
    CHECK(db.read([&](storage::transaction& tx) { return tx.last_seq(); }) == 3);

    // A read transaction refuses to write.
    CHECK_THROWS_AS(db.read([&](storage::transaction& tx) {
        return tx.put_child(inst_a, "kd-3", record("kd-3"), "e");
    }),
                    storage_error);
    CHECK_FALSE(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-3"); }).has_value());
}

TEST_CASE("storage: correction requests")
{
    storage db(":memory:");
    std::int64_t now = 7000;
    db.set_clock([&now] { return now; });

    correction_request in;
    in.institution = std::string(inst_a);
    in.child_id = "kd-1";
    in.record_json = record("kd-1", 2);
    in.reason = "document number typo";
    in.created_by = "zdo-1";
    in.status = "applied"; // ignored: a new request is pending
    in.reviewed_by = "someone";
    const auto first = db.write([&](storage::transaction& tx) { return tx.create_correction(in); });
    CHECK(first.id == "cr-1");
    CHECK(first.status == "pending");
    CHECK(first.created_at == 7000);
    CHECK(first.reviewed_by.empty());
    CHECK(first.reviewed_at == 0);

    in.institution = std::string(inst_b);
    in.child_id = "kd-2";
    const auto second = db.write([&](storage::transaction& tx) { return tx.create_correction(in); });
    CHECK(second.id == "cr-2");
    in.child_id = "kd-3";
    const auto third = db.write([&](storage::transaction& tx) { return tx.create_correction(in); });
    CHECK(third.id == "cr-3");

    const auto got = db.read([&](storage::transaction& tx) { return tx.get_correction("cr-1"); });
    REQUIRE(got.has_value());
    CHECK(got->institution == inst_a);
    CHECK(got->child_id == "kd-1");
    CHECK(got->record_json == record("kd-1", 2));
    CHECK(got->reason == "document number typo");
    CHECK(got->created_by == "zdo-1");
    CHECK(got->status == "pending");
    for (const char* bad : {"cr-9", "cr-", "cr-01", "cr-1x", "1", "", "cr--1", "CR-1"}) {
        CHECK_FALSE(db.read([&](storage::transaction& tx) { return tx.get_correction(bad); }).has_value());
    }

    now = 7100;
    CHECK(db.write([&](storage::transaction& tx) { return tx.review_correction("cr-1", "applied", "reviewer-1", "checked the certificate"); }));
    CHECK_FALSE(db.write([&](storage::transaction& tx) { return tx.review_correction("cr-1", "rejected", "reviewer-2", "late"); })); // not pending
    CHECK_FALSE(db.write([&](storage::transaction& tx) { return tx.review_correction("cr-9", "rejected", "reviewer-2", ""); }));
    CHECK_THROWS_AS(db.write([&](storage::transaction& tx) { return tx.review_correction("cr-2", "pending", "reviewer-2", ""); }),
                    std::invalid_argument);
    CHECK(db.write([&](storage::transaction& tx) { return tx.review_correction("cr-2", "rejected", "reviewer-2", "duplicate"); }));
    const auto applied = db.read([&](storage::transaction& tx) { return tx.get_correction("cr-1"); });
    REQUIRE(applied.has_value());
    CHECK(applied->status == "applied");
    CHECK(applied->reviewed_by == "reviewer-1");
    CHECK(applied->review_note == "checked the certificate");
    CHECK(applied->reviewed_at == 7100);

    const auto ids = [](const std::vector<correction_request>& list) {
        std::vector<std::string> out;
        for (const auto& r : list) {
            out.push_back(r.id);
        }
        return out;
    };
    CHECK(ids(db.read([&](storage::transaction& tx) { return tx.list_corrections(everything_listing, "", 0, 10); })) ==
          std::vector<std::string>{"cr-1", "cr-2", "cr-3"});
    CHECK(ids(db.read([&](storage::transaction& tx) { return tx.list_corrections(everything_listing, "pending", 0, 10); })) == std::vector<std::string>{"cr-3"});
    CHECK(ids(db.read([&](storage::transaction& tx) { return tx.list_corrections(everything_listing, "rejected", 0, 10); })) == std::vector<std::string>{"cr-2"});
    const auto only_b_listing = [](std::string_view institution) { return institution == inst_b; };
    CHECK(ids(db.read([&](storage::transaction& tx) { return tx.list_corrections(only_b_listing, "", 0, 10); })) == std::vector<std::string>{"cr-2", "cr-3"});
    CHECK(ids(db.read([&](storage::transaction& tx) { return tx.list_corrections(only_b_listing, "", 0, 1); })) == std::vector<std::string>{"cr-2"});
    CHECK(db.read([&](storage::transaction& tx) { return tx.list_corrections(everything_listing, "", 0, 0); }).empty());
}

TEST_CASE("storage: audit trail")
{
    storage db(":memory:");
    std::int64_t now = 100;
    db.set_clock([&now] { return now; });
    db.write([&](storage::transaction& tx) { return tx.audit("zdo-1", "child.put", "32855961/kd-1", "created"); });
    now = 101;
    db.write([&](storage::transaction& tx) { return tx.audit("vendor-1", "access.denied", "14360570/kd-1", "out of scope"); });
    db.write([&](storage::transaction& tx) { return tx.audit("reviewer-1", "correction.apply", "cr-7", ""); });
    db.write([&](storage::transaction& tx) { return tx.audit("zdo-1", "child.put", "32855961/kd-10", "updated"); });
    db.write([&](storage::transaction& tx) { return tx.audit("zdo-1", "odd", "32855961%/x", "LIKE wildcards are not special"); });

    const auto trail = db.read([&](storage::transaction& tx) { return tx.audit_trail("32855961/kd-1", 10); });
    REQUIRE(trail.size() == 2);
    CHECK(trail[0].at == 100);
    CHECK(trail[0].actor == "zdo-1");
    CHECK(trail[0].action == "child.put");
    CHECK(trail[0].target == "32855961/kd-1");
    CHECK(trail[0].detail == "created");
    CHECK(trail[1].target == "32855961/kd-10");
    CHECK(db.read([&](storage::transaction& tx) { return tx.audit_trail("cr-7", 10); }).size() == 1);
    CHECK(db.read([&](storage::transaction& tx) { return tx.audit_trail("", 10); }).size() == 5);
    CHECK(db.read([&](storage::transaction& tx) { return tx.audit_trail("", 2); }).size() == 2);
    // The newest two, in the order written.
    const auto newest = db.read([&](storage::transaction& tx) { return tx.audit_trail("", 2); });
    CHECK(newest[0].target == "32855961/kd-10");
    CHECK(newest[1].target == "32855961%/x");
    CHECK(db.read([&](storage::transaction& tx) { return tx.audit_trail("3285596_", 10); }).empty());
    CHECK(db.read([&](storage::transaction& tx) { return tx.audit_trail("32855961%", 10); }).size() == 1);
    CHECK(db.read([&](storage::transaction& tx) { return tx.audit_trail("nobody", 10); }).empty());
}

TEST_CASE("storage: a file database survives closing and reopening")
{
    temp_db file;
    std::int64_t now = 1000;
    {
        storage db(file.path());
        db.set_clock([&now] { return now; });
        db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1"), "e1"); });    // 1
        db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-2", record("kd-2"), "e2"); });    // 2
        CHECK(std::filesystem::exists(file.path() + "-wal"));  // journal_mode=WAL took effect
        db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-1", record("kd-1", 2), "e3"); }); // 3
        db.write([&](storage::transaction& tx) { return tx.delete_child(inst_a, "kd-2"); });                       // 4
        idempotency_entry existing;
        REQUIRE(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-1", "k", "h", existing); }) == idempotency_begin::started);
        db.write([&](storage::transaction& tx) { return tx.finish_idempotent("vendor-1", "k", 200, "application/json", "{}"); });
        correction_request cr;
        cr.institution = std::string(inst_a);
        cr.child_id = "kd-1";
        cr.record_json = record("kd-1", 9);
        REQUIRE(db.write([&](storage::transaction& tx) { return tx.create_correction(cr); }).id == "cr-1");
        db.write([&](storage::transaction& tx) { return tx.audit("zdo-1", "child.put", "32855961/kd-1", "created"); });
        now = 9000;
        db.write([&](storage::transaction& tx) { return tx.prune_changes(std::chrono::seconds(100)); }); // drops 1, 2 and the tombstone 4
        REQUIRE(db.read([&](storage::transaction& tx) { return tx.first_retained_seq(); }) == 5);
    }
    {
        storage db(file.path());
        const auto child = db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-1"); });
        REQUIRE(child.has_value());
        CHECK(child->json == record("kd-1", 2));
        CHECK(child->etag == "e3");
        CHECK(child->seq == 3);
        CHECK_FALSE(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-2"); }).has_value());
        CHECK(seqs(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 10, everything); })) == std::vector<std::int64_t>{3});
        CHECK(db.read([&](storage::transaction& tx) { return tx.last_seq(); }) == 4);
        CHECK(db.read([&](storage::transaction& tx) { return tx.first_retained_seq(); }) == 5);
        idempotency_entry existing;
        CHECK(db.write([&](storage::transaction& tx) { return tx.begin_idempotent("vendor-1", "k", "h", existing); }) == idempotency_begin::replay);
        CHECK(existing.body == "{}");
        CHECK(db.read([&](storage::transaction& tx) { return tx.get_correction("cr-1"); }).has_value());
        CHECK(db.read([&](storage::transaction& tx) { return tx.audit_trail("", 10); }).size() == 1);
        // Numbering continues where it was.
        CHECK(db.write([&](storage::transaction& tx) { return tx.put_child(inst_a, "kd-3", record("kd-3"), "e"); }).seq == 5);
        CHECK(db.write([&](storage::transaction& tx) { return tx.create_correction({}); }).id == "cr-2");
    }
}

TEST_CASE("storage: opening something that is not a database fails cleanly")
{
    CHECK_THROWS_AS(storage("/nonexistent-directory-for-aikom-tests/x.db"), storage_error);

    temp_db file;
    {
        std::ofstream out(file.path(), std::ios::binary);
        out << std::string(4096, 'x');
    }
    CHECK_THROWS_AS(storage(file.path()), storage_error);
}

TEST_CASE("storage: the change feed stays ordered and gap-free while writers run")
{
    temp_db file; // a real WAL database, as the server uses
    storage db(file.path());
    constexpr int writers = 3;
    constexpr int writes_per_writer = 40;

    std::atomic<int> writers_done{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&db, &writers_done, w] {
            const std::string institution = w % 2 == 0 ? std::string(inst_a) : std::string(inst_b);
            for (int i = 0; i < writes_per_writer; ++i) {
                // A few ids written repeatedly, some batches, some deletes.
                const std::string id = "kd-" + std::to_string(w) + "-" + std::to_string(i % 7);
                if (i % 10 == 9) {
                    db.write([&](storage::transaction& tx) { return tx.delete_child(institution, id); });
                } else if (i % 5 == 0) {
                    db.write([&](storage::transaction& tx) {
                        tx.put_child(institution, id, record(id, i),
                                              "v" + std::to_string(i));
                        tx.put_child(institution, id + "b", record(id, i),
                                              "v" + std::to_string(i));
                    });
                } else {
                    db.write([&](storage::transaction& tx) { return tx.put_child(institution, id, record(id, i), "v" + std::to_string(i)); });
                }
            }
            writers_done.fetch_add(1);
        });
    }

    std::vector<change_event> seen;
    std::vector<std::string> problems;
    std::int64_t cursor = 0;
    // Bounded: at most writers * writes * 2 events exist (pages of 5), plus idle polls 1 ms
    // apart while the writers' fsyncs run.
    for (int round = 0; round < 60000; ++round) {
        const bool finished = writers_done.load() == writers;
        const auto page = db.read([&](storage::transaction& tx) { return tx.changes_after(cursor, 5, everything); });
        for (const auto& e : page) {
            if (e.seq <= cursor) {
                problems.push_back("seq " + std::to_string(e.seq) + " after cursor " +
                                   std::to_string(cursor));
            }
            cursor = e.seq;
            seen.push_back(e);
        }
        if (page.empty()) {
            if (finished) {
                break; // writers were done before this read: nothing more will come
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(problems.empty());
    CHECK(writers_done.load() == writers);

    // Re-reading from 0 gives the same events in the same order: nothing appeared later below a
    // seq the reader had passed, and nothing it saw disappeared.
    const auto all = db.read([&](storage::transaction& tx) { return tx.changes_after(0, 100000, everything); });
    CHECK(all.size() == seen.size());
    CHECK(seqs(all) == seqs(seen));
    CHECK_FALSE(seen.empty());
    CHECK(cursor == db.read([&](storage::transaction& tx) { return tx.last_seq(); }));
    // Seqs are dense (no prune ran), so every committed event was seen exactly once.
    for (std::size_t i = 0; i < all.size(); ++i) {
        CHECK(all[i].seq == static_cast<std::int64_t>(i) + 1);
    }
    // And every upsert event carries the record as of that event.
    std::size_t mismatched = 0;
    for (std::size_t i = 0; i < std::min(all.size(), seen.size()); ++i) {
        if (all[i].etag != seen[i].etag || all[i].json != seen[i].json ||
            all[i].deleted != seen[i].deleted) {
            ++mismatched;
        }
    }
    CHECK(mismatched == 0);
}

TEST_CASE("storage: a narrow feed reads O(page) rows whatever the size of the national feed")
{
    storage db(":memory:");
    // 100,000 events of other institutions, then a few of ours.
    db.write([&](storage::transaction& tx) {
        for (int i = 0; i < 100'000; ++i) {
            const std::string id = "kd-" + std::to_string(i);
            tx.put_child(inst_b, id, record(id), "e" + std::to_string(i));
        }
        for (int i = 0; i < 5; ++i) {
            const std::string id = "own-" + std::to_string(i);
            tx.put_child(inst_a, id, record(id), "e");
        }
    });
    const std::optional<std::vector<std::string>> only_a{{std::string(inst_a)}};
    const auto page = db.read([&](storage::transaction& tx) { return tx.changes_after(0, 3, only_a); });
    CHECK(seqs(page) == std::vector<std::int64_t>{100'001, 100'002, 100'003});
    const auto narrow_cost = db.last_feed_cost();
    // The same page size read through the national feed, for scale.
    (void)db.read([&](storage::transaction& tx) { return tx.changes_after(0, 3, everything); });
    const auto national_page_cost = db.last_feed_cost();
    CHECK(narrow_cost > 0);
    // A scan past the other institution's 100,000 events would cost at least one step per row.
    CHECK(narrow_cost < 1'000);
    CHECK(narrow_cost < 20 * national_page_cost);
    // Empty for an institution with no events, at the same cost scale.
    const std::optional<std::vector<std::string>> other{{"00000000"}};
    CHECK(db.read([&](storage::transaction& tx) { return tx.changes_after(0, 3, other); }).empty());
    CHECK(db.last_feed_cost() < 1'000);
}

TEST_CASE("storage: the feed's epoch is written once per database")
{
    temp_db file;
    std::string first;
    {
        storage db(file.path());
        first = db.read([](storage::transaction& tx) { return tx.epoch(); });
        CHECK(first.size() == 16);
    }
    storage reopened(file.path());
    CHECK(reopened.read([](storage::transaction& tx) { return tx.epoch(); }) == first);
    storage other(":memory:");
    CHECK(other.read([](storage::transaction& tx) { return tx.epoch(); }) != first);
}

TEST_CASE("storage: grants, seeded once, revocations kept across reopening")
{
    temp_db file;
    {
        storage db(file.path());
        db.write([&](storage::transaction& tx) {
            CHECK(tx.seed_grant(inst_a, "platform-1"));
            CHECK(tx.put_grant(inst_b, "platform-1", "delegated by the order 15", "ouo-1"));
            CHECK_FALSE(tx.put_grant(inst_b, "platform-1", "note changed", "ouo-2")); // update
        });
        CHECK(db.read([](storage::transaction& tx) { return tx.granted_institutions("platform-1"); }) ==
              std::vector<std::string>{std::string(inst_b), std::string(inst_a)});
        const auto g = db.read([](storage::transaction& tx) { return tx.get_grant(inst_b, "platform-1"); });
        REQUIRE(g);
        CHECK(g->note == "note changed");
        CHECK(g->granted_by == "ouo-1"); // kept from the first grant
        const auto seeded = db.read([](storage::transaction& tx) { return tx.get_grant(inst_a, "platform-1"); });
        REQUIRE(seeded);
        CHECK(seeded->granted_by.empty());
        db.write([&](storage::transaction& tx) {
            CHECK(tx.revoke_grant(inst_a, "platform-1"));
            CHECK_FALSE(tx.revoke_grant(inst_a, "platform-1"));
        });
    }
    storage db(file.path());
    db.write([&](storage::transaction& tx) {
        CHECK_FALSE(tx.seed_grant(inst_a, "platform-1")); // seeded before: the revocation stands
        CHECK(tx.seed_grant(inst_a, "platform-2"));       // a new line of the clients file
    });
    CHECK(db.read([](storage::transaction& tx) { return tx.granted_institutions("platform-1"); }) ==
          std::vector<std::string>{std::string(inst_b)});
    CHECK(db.read([](storage::transaction& tx) { return tx.grants_of(inst_a); }).size() == 1);
}

TEST_CASE("storage: readiness by day answers for past days")
{
    using namespace std::chrono;
    storage db(":memory:");
    const sys_days d1{2025y / June / 1};
    db.write([&](storage::transaction& tx) {
        tx.track_readiness(inst_a, "kd-1", d1, readiness_state{true, false});
        tx.track_readiness(inst_a, "kd-2", d1, readiness_state{true, true});
        tx.track_readiness(inst_a, "kd-1", d1 + days(2), readiness_state{true, true});
        tx.track_readiness(inst_a, "kd-2", d1 + days(3), readiness_state{false, false}); // withdrawn
        tx.track_readiness(inst_a, "kd-3", d1 + days(3), readiness_state{true, false});
        tx.track_readiness(inst_a, "kd-3", d1 + days(3), readiness_state{true, true}); // same day
        tx.track_readiness(inst_a, "kd-1", d1 + days(4), std::nullopt);                // deleted
    });
    const auto p = db.read([&](storage::transaction& tx) {
        return tx.progress({std::string(inst_a), std::string(inst_b)}, d1 - days(1), d1 + days(5));
    });
    REQUIRE(p.size() == 2);
    REQUIRE(p[0].size() == 7);
    auto at = [&](int day) { return p[0][static_cast<std::size_t>(day + 1)]; };
    CHECK(at(-1).records == 0);
    CHECK((at(0).records == 2 && at(0).active == 2 && at(0).ready == 1));
    CHECK((at(1).records == 2 && at(1).ready == 1));
    CHECK((at(2).records == 2 && at(2).ready == 2));
    CHECK((at(3).records == 3 && at(3).active == 2 && at(3).ready == 2));
    CHECK((at(4).records == 2 && at(4).active == 1 && at(4).ready == 1));
    CHECK((at(5).records == 2 && at(5).ready == 1));
    CHECK(std::all_of(p[1].begin(), p[1].end(), [](const day_counts& d) { return d.records == 0; }));
}

TEST_CASE("storage: a correction request keeps its fields, base ETag, issues and applied ETag")
{
    storage db(":memory:");
    correction_request cr;
    cr.institution = std::string(inst_a);
    cr.child_id = "kd-1";
    cr.record_json = record("kd-1");
    cr.reason = "the registry cannot find the certificate";
    cr.created_by = "zdo-1";
    cr.fields_json = R"(["/document/series"])";
    cr.base_etag = "e1";
    cr.issues_json = R"([{"pointer":"/document/series"}])";
    const auto stored = db.write([&](storage::transaction& tx) { return tx.create_correction(cr); });
    db.write([&](storage::transaction& tx) {
        CHECK(tx.review_correction(stored.id, "applied", "reviewer-1", "", std::string_view("e2")));
    });
    const auto back = db.read([&](storage::transaction& tx) { return tx.get_correction(stored.id); });
    REQUIRE(back);
    CHECK(back->fields_json == cr.fields_json);
    CHECK(back->base_etag == std::optional<std::string>("e1"));
    CHECK(back->issues_json == cr.issues_json);
    CHECK(back->etag == std::optional<std::string>("e2"));
    CHECK(back->status == "applied");
}

TEST_CASE("storage: a read of a file database waits for no other reader and no writer")
{
    temp_db file;
    storage db(file.path());
    db.write([&](storage::transaction& tx) { tx.put_child(inst_a, "kd-0", record("kd-0"), "e0"); });

    std::mutex mutex;
    std::condition_variable changed;
    bool reading = false;
    bool released = false;
    constexpr std::chrono::seconds hang_guard{60};
    // A long read (a report, a feed scan): it holds its snapshot until released.
    auto long_read = std::async(std::launch::async, [&] {
        return db.read([&](storage::transaction& tx) {
            const auto before = tx.get_child(inst_a, "kd-1").has_value();
            std::unique_lock lock(mutex);
            reading = true;
            changed.notify_all();
            changed.wait(lock, [&] { return released; });
            return before || tx.get_child(inst_a, "kd-1").has_value();
        });
    });
    {
        std::unique_lock lock(mutex);
        REQUIRE(changed.wait_for(lock, hang_guard, [&] { return reading; }));
    }
    auto others = std::async(std::launch::async, [&] {
        const bool read = db.read([&](storage::transaction& tx) {
            return tx.get_child(inst_a, "kd-0").has_value();
        });
        const auto written = db.write([&](storage::transaction& tx) {
            return tx.put_child(inst_a, "kd-1", record("kd-1"), "e1").outcome;
        });
        return read && written == write_outcome::created;
    });
    const bool finished = others.wait_for(hang_guard) == std::future_status::ready;
    {
        const std::lock_guard lock(mutex);
        released = true;
    }
    changed.notify_all();
    CHECK(finished);
    CHECK(others.get());
    // The long read kept its snapshot: the write committed meanwhile is not in it.
    CHECK_FALSE(long_read.get());
    CHECK(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-1"); }).has_value());
}

TEST_CASE("storage: a write inside a write joins it, and a failing inner one is undone alone")
{
    storage db(":memory:");
    db.write([&](storage::transaction& outer) {
        outer.put_child(inst_a, "kd-1", record("kd-1"), "e1");
        CHECK_THROWS_AS(db.write([&](storage::transaction& inner) {
            inner.put_child(inst_a, "kd-2", record("kd-2"), "e2");
            throw std::runtime_error("this item failed");
        }),
                        std::runtime_error);
        db.write([&](storage::transaction& inner) {
            inner.put_child(inst_a, "kd-3", record("kd-3"), "e3");
        });
        // A read inside sees what this transaction wrote so far.
        CHECK(db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, "kd-3"); })
                  .has_value());
    });
    const auto exists = [&](std::string_view id) {
        return db.read([&](storage::transaction& tx) { return tx.get_child(inst_a, id); })
            .has_value();
    };
    CHECK(exists("kd-1"));
    CHECK_FALSE(exists("kd-2"));
    CHECK(exists("kd-3"));

    // When the outer one fails after an inner one completed, neither stays.
    CHECK_THROWS_AS(db.write([&](storage::transaction& outer) {
        db.write([&](storage::transaction& inner) {
            inner.put_child(inst_a, "kd-4", record("kd-4"), "e4");
        });
        outer.audit("zdo-1", "odd", "x", "");
        throw std::runtime_error("the answer could not be stored");
    }),
                    std::runtime_error);
    CHECK_FALSE(exists("kd-4"));
    CHECK(db.read([&](storage::transaction& tx) { return tx.audit_trail("", 10); }).empty());
    // A write inside a read is refused.
    CHECK_THROWS_AS(db.read([&](storage::transaction&) {
        db.write([&](storage::transaction& tx) { tx.audit("zdo-1", "odd", "x", ""); });
    }),
                    storage_error);
}

TEST_CASE("storage: refusals in the audit trail are pruned by age and count, the rest kept")
{
    storage db(":memory:");
    std::int64_t now = 1000;
    db.set_clock([&now] { return now; });
    const auto refuse = [&] {
        db.write([&](storage::transaction& tx) { tx.audit("zdo-1", "access.denied", "child", "x"); },
                 durability::relaxed);
    };
    refuse();
    db.write([&](storage::transaction& tx) { tx.audit("authority", "grant.create", "grant:a", ""); });
    now = 2000;
    refuse();
    refuse();
    refuse();
    const auto actions = [&] {
        std::vector<std::pair<std::string, std::int64_t>> out;
        for (const auto& e : db.read([&](storage::transaction& tx) { return tx.audit_trail("", 100); })) {
            out.emplace_back(e.action, e.at);
        }
        return out;
    };
    // By count: the newest two refusals.
    db.write([&](storage::transaction& tx) { tx.prune_refusals(std::chrono::seconds(5000), 2); });
    using entries = std::vector<std::pair<std::string, std::int64_t>>;
    CHECK(actions() == entries{{"grant.create", 1000}, {"access.denied", 2000}, {"access.denied", 2000}});
    // By age: none older than the retention, whatever the count allows.
    now = 2000 + 600;
    refuse();
    db.write([&](storage::transaction& tx) { tx.prune_refusals(std::chrono::seconds(300), 100); });
    CHECK(actions() == entries{{"grant.create", 1000}, {"access.denied", 2600}});
}

TEST_CASE("storage: a client holds at most its maximum of idempotency keys")
{
    storage db(":memory:");
    std::int64_t now = 5000;
    db.set_clock([&now] { return now; });
    idempotency_entry existing;
    const auto begin = [&](std::string_view client, std::string_view key) {
        return db.write([&](storage::transaction& tx) {
            return tx.begin_idempotent(client, key, "h", existing, 2);
        });
    };
    CHECK(begin("vendor-1", "k-1") == idempotency_begin::started);
    now = 5010;
    CHECK(begin("vendor-1", "k-2") == idempotency_begin::started);
    CHECK(begin("vendor-1", "k-3") == idempotency_begin::over_quota);
    CHECK(existing.created_at == 5000); // the oldest key's: when room appears
    // The keys held still answer; another client has room of its own.
    CHECK(begin("vendor-1", "k-1") == idempotency_begin::in_progress);
    CHECK(begin("vendor-2", "k-3") == idempotency_begin::started);
    // When the oldest expires, a new key fits again.
    now = 5000 + 100;
    db.write([&](storage::transaction& tx) { tx.prune_idempotency(std::chrono::seconds(95)); });
    CHECK(begin("vendor-1", "k-3") == idempotency_begin::started);
}
