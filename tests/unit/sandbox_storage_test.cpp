// The reference server's storage: records with ETags and preconditions, the change feed and its
// pruning, idempotency keys, transactions, correction requests, the audit trail, durability
// across reopening, and the feed's ordering while writers run. Synthetic data only.
#include "sandbox/storage.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace aikom::sandbox::detail;

namespace {

constexpr std::string_view inst_a = "32855961";
constexpr std::string_view inst_b = "14360570";

const auto everything = [](std::string_view) { return true; };

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
    CHECK_FALSE(db.get_child(inst_a, "kd-1").has_value());
    CHECK(db.last_seq() == 0);

    const auto created = db.put_child(inst_a, "kd-1", record("kd-1"), "e1");
    CHECK(created.outcome == write_outcome::created);
    CHECK(created.etag == "e1");
    CHECK(created.seq == 1);

    auto got = db.get_child(inst_a, "kd-1");
    REQUIRE(got.has_value());
    CHECK(got->institution == inst_a);
    CHECK(got->id == "kd-1");
    CHECK(got->json == record("kd-1"));
    CHECK(got->etag == "e1");
    CHECK(got->seq == 1);
    // The same id under another institution is another record.
    CHECK_FALSE(db.get_child(inst_b, "kd-1").has_value());

    const auto same = db.put_child(inst_a, "kd-1", record("kd-1"), "e1");
    CHECK(same.outcome == write_outcome::unchanged);
    CHECK(same.etag == "e1");
    CHECK(same.seq == 0);
    CHECK(db.last_seq() == 1); // no change event for an unchanged record

    const auto updated = db.put_child(inst_a, "kd-1", record("kd-1", 2), "e2");
    CHECK(updated.outcome == write_outcome::updated);
    CHECK(updated.etag == "e2");
    CHECK(updated.seq == 2);
    got = db.get_child(inst_a, "kd-1");
    REQUIRE(got.has_value());
    CHECK(got->json == record("kd-1", 2));
    CHECK(got->etag == "e2");
    CHECK(got->seq == 2);

    // Values with quotes, NULs and Cyrillic round-trip byte for byte.
    const std::string odd = std::string("{\"name\":\"Тарас 'x'\"}") + '\0' + "tail";
    CHECK(db.put_child(inst_a, "kd-2", odd, "e3").outcome == write_outcome::created);
    CHECK(db.get_child(inst_a, "kd-2")->json == odd);
}

TEST_CASE("storage: If-Match and If-None-Match preconditions")
{
    storage db(":memory:");

    SUBCASE("If-None-Match: * creates only")
    {
        const write_condition none{.if_none_match_any = true};
        CHECK(db.put_child(inst_a, "kd-1", record("kd-1"), "e1", none).outcome ==
              write_outcome::created);
        const auto again = db.put_child(inst_a, "kd-1", record("kd-1", 2), "e2", none);
        CHECK(again.outcome == write_outcome::precondition_failed);
        CHECK(again.etag == "e1"); // the current one
        CHECK(again.seq == 0);
        // Checked before "unchanged": the same content still fails the precondition.
        CHECK(db.put_child(inst_a, "kd-1", record("kd-1"), "e1", none).outcome ==
              write_outcome::precondition_failed);
        CHECK(db.get_child(inst_a, "kd-1")->etag == "e1");
    }
    SUBCASE("If-Match")
    {
        REQUIRE(db.put_child(inst_a, "kd-1", record("kd-1"), "e1").outcome ==
                write_outcome::created);
        const auto stale =
            db.put_child(inst_a, "kd-1", record("kd-1", 3), "e3", {.if_match = "e0"});
        CHECK(stale.outcome == write_outcome::precondition_failed);
        CHECK(stale.etag == "e1");
        CHECK(db.get_child(inst_a, "kd-1")->etag == "e1");
        CHECK(db.last_seq() == 1);

        const auto ok = db.put_child(inst_a, "kd-1", record("kd-1", 2), "e2", {.if_match = "e1"});
        CHECK(ok.outcome == write_outcome::updated);
        CHECK(ok.etag == "e2");
        // Unchanged content with a matching If-Match: still unchanged.
        CHECK(db.put_child(inst_a, "kd-1", record("kd-1", 2), "e2", {.if_match = "e2"}).outcome ==
              write_outcome::unchanged);
        // If-Match: * means "exists".
        CHECK(db.put_child(inst_a, "kd-1", record("kd-1", 4), "e4", {.if_match = "*"}).outcome ==
              write_outcome::updated);
        CHECK(db.put_child(inst_a, "kd-9", record("kd-9"), "e1", {.if_match = "*"}).outcome ==
              write_outcome::precondition_failed);
        // If-Match on an absent record fails and creates nothing.
        CHECK(db.put_child(inst_a, "kd-8", record("kd-8"), "e1", {.if_match = "e1"}).outcome ==
              write_outcome::precondition_failed);
        CHECK_FALSE(db.get_child(inst_a, "kd-8").has_value());
    }
}

TEST_CASE("storage: delete writes a tombstone")
{
    storage db(":memory:");
    REQUIRE(db.put_child(inst_a, "kd-1", record("kd-1"), "e1").seq == 1);

    CHECK(db.delete_child(inst_a, "kd-2").outcome == write_outcome::not_found);
    CHECK(db.delete_child(inst_a, "kd-2", {.if_match = "e1"}).outcome ==
          write_outcome::precondition_failed);
    const auto stale = db.delete_child(inst_a, "kd-1", {.if_match = "e0"});
    CHECK(stale.outcome == write_outcome::precondition_failed);
    CHECK(stale.etag == "e1");
    CHECK(db.get_child(inst_a, "kd-1").has_value());
    CHECK(db.last_seq() == 1);

    const auto gone = db.delete_child(inst_a, "kd-1", {.if_match = "e1"});
    CHECK(gone.outcome == write_outcome::deleted);
    CHECK(gone.etag.empty());
    CHECK(gone.seq == 2);
    CHECK_FALSE(db.get_child(inst_a, "kd-1").has_value());
    CHECK(db.delete_child(inst_a, "kd-1").outcome == write_outcome::not_found);

    const auto events = db.changes_after(0, 10, everything);
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
    const auto again = db.put_child(inst_a, "kd-1", record("kd-1", 2), "e2");
    CHECK(again.outcome == write_outcome::created);
    CHECK(again.seq == 3);
}

TEST_CASE("storage: list_children pages by id within one institution")
{
    storage db(":memory:");
    for (const char* id : {"kd-3", "kd-1", "kd-5", "kd-2", "kd-4"}) {
        db.put_child(inst_a, id, record(id), "e");
    }
    db.put_child(inst_b, "kd-0", record("kd-0"), "e");
    db.put_child(inst_b, "kd-9", record("kd-9"), "e");

    std::vector<std::string> ids;
    std::string after;
    int pages = 0;
    while (pages < 10) {
        const auto page = db.list_children(inst_a, after, 2);
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
    CHECK(db.list_children(inst_a, "", 0).empty());
    CHECK(db.list_children(inst_a, "kd-5", 10).empty());
    CHECK(db.list_children("00000000", "", 10).empty());

    std::vector<std::string> seen;
    db.for_each_child({std::string(inst_b), std::string(inst_a), std::string(inst_b)},
                      [&](const stored_child& c) { seen.push_back(c.institution + "/" + c.id); });
    CHECK(seen == std::vector<std::string>{"14360570/kd-0", "14360570/kd-9", "32855961/kd-1",
                                           "32855961/kd-2", "32855961/kd-3", "32855961/kd-4",
                                           "32855961/kd-5"});
}

TEST_CASE("storage: changes_after orders, filters by scope and limits")
{
    storage db(":memory:");
    db.put_child(inst_a, "kd-1", record("kd-1"), "a1");    // 1
    db.put_child(inst_b, "kd-1", record("kd-1"), "b1");    // 2
    db.put_child(inst_a, "kd-2", record("kd-2"), "a2");    // 3
    db.put_child(inst_b, "kd-2", record("kd-2"), "b2");    // 4
    db.put_child(inst_a, "kd-1", record("kd-1", 2), "a3"); // 5
    db.delete_child(inst_b, "kd-1");                       // 6
    REQUIRE(db.last_seq() == 6);

    const auto all = db.changes_after(0, 100, everything);
    CHECK(seqs(all) == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6});
    // Each upsert event carries the record as of that event, not as of now.
    CHECK(all[0].json == record("kd-1"));
    CHECK(all[0].etag == "a1");
    CHECK(all[4].json == record("kd-1", 2));
    CHECK(all[4].etag == "a3");

    CHECK(seqs(db.changes_after(4, 100, everything)) == std::vector<std::int64_t>{5, 6});
    CHECK(db.changes_after(6, 100, everything).empty());
    CHECK(db.changes_after(0, 0, everything).empty());
    CHECK(seqs(db.changes_after(0, 2, everything)) == std::vector<std::int64_t>{1, 2});

    const auto only_b = [](std::string_view institution) { return institution == inst_b; };
    CHECK(seqs(db.changes_after(0, 100, only_b)) == std::vector<std::int64_t>{2, 4, 6});
    // Out-of-scope events are skipped without counting toward the limit.
    CHECK(seqs(db.changes_after(0, 2, only_b)) == std::vector<std::int64_t>{2, 4});
    CHECK(seqs(db.changes_after(2, 1, only_b)) == std::vector<std::int64_t>{4});
    const auto nobody = [](std::string_view) { return false; };
    CHECK(db.changes_after(0, 100, nobody).empty());
}

TEST_CASE("storage: prune compacts the feed with an injected clock")
{
    storage db(":memory:");
    std::int64_t now = 1000;
    db.set_clock([&now] { return now; });
    CHECK(db.first_retained_seq() == 1);

    db.put_child(inst_a, "kd-a", record("kd-a"), "a1"); // 1
    db.put_child(inst_a, "kd-b", record("kd-b"), "b1"); // 2
    db.put_child(inst_a, "kd-c", record("kd-c"), "c1"); // 3
    now = 1100;
    db.put_child(inst_a, "kd-a", record("kd-a", 2), "a2"); // 4
    db.delete_child(inst_a, "kd-c");                       // 5
    now = 3000;
    db.put_child(inst_a, "kd-d", record("kd-d"), "d1");    // 6
    db.put_child(inst_a, "kd-d", record("kd-d", 2), "d2"); // 7
    REQUIRE(db.last_seq() == 7);

    now = 3500;
    db.prune_changes(std::chrono::seconds(3000)); // nothing is older than 500
    CHECK(seqs(db.changes_after(0, 100, everything)) ==
          std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7});
    CHECK(db.first_retained_seq() == 1);

    db.prune_changes(std::chrono::seconds(1000)); // cutoff 2500: seqs 1..5 are old
    // 1 (superseded by 4) and 3 (superseded by 5) go; the tombstone 5 goes; 2 and 4 are the
    // newest events of existing records and stay; 6 is superseded but recent, so it stays.
    CHECK(seqs(db.changes_after(0, 100, everything)) == std::vector<std::int64_t>{2, 4, 6, 7});
    CHECK(db.last_seq() == 7);
    CHECK(db.first_retained_seq() == 6);
    // The cursor rule: 0 (seen nothing) and >= 5 are fine; 1..4 may have missed kd-c's deletion.
    const auto good = [&](std::int64_t n) { return n == 0 || n >= db.first_retained_seq() - 1; };
    CHECK(good(0));
    CHECK_FALSE(good(3));
    CHECK_FALSE(good(4));
    CHECK(good(5));
    CHECK(good(7));

    // Replaying from 0 rebuilds exactly the current records.
    std::map<std::string, std::string> replica;
    for (const auto& e : db.changes_after(0, 100, everything)) {
        if (e.deleted) {
            replica.erase(e.id);
        } else {
            replica[e.id] = e.etag;
        }
    }
    CHECK(replica ==
          std::map<std::string, std::string>{{"kd-a", "a2"}, {"kd-b", "b1"}, {"kd-d", "d2"}});

    now = 100000;
    db.prune_changes(std::chrono::seconds(10)); // everything is old now
    CHECK(seqs(db.changes_after(0, 100, everything)) == std::vector<std::int64_t>{2, 4, 7});
    CHECK(db.first_retained_seq() == 6); // no tombstone was pruned this time
    db.delete_child(inst_a, "kd-b");     // 8
    now = 200000;
    db.prune_changes(std::chrono::seconds(10));
    CHECK(seqs(db.changes_after(0, 100, everything)) == std::vector<std::int64_t>{4, 7});
    CHECK(db.first_retained_seq() == 9);
    CHECK(db.last_seq() == 8);
    CHECK(db.put_child(inst_a, "kd-e", record("kd-e"), "e1").seq == 9); // seqs never go back
}

TEST_CASE("storage: idempotency keys")
{
    storage db(":memory:");
    std::int64_t now = 5000;
    db.set_clock([&now] { return now; });
    idempotency_entry existing;

    CHECK(db.begin_idempotent("vendor-1", "key-1", "h1", existing) == idempotency_begin::started);
    CHECK(db.begin_idempotent("vendor-1", "key-1", "h1", existing) ==
          idempotency_begin::in_progress);
    CHECK(existing.status == idempotency_entry::state::in_progress);
    CHECK(db.begin_idempotent("vendor-1", "key-1", "h2", existing) == idempotency_begin::mismatch);
    // Keys are per client.
    CHECK(db.begin_idempotent("vendor-2", "key-1", "h2", existing) == idempotency_begin::started);

    const std::string body = std::string(R"({"results":[]})") + '\0' + "\xff";
    db.finish_idempotent("vendor-1", "key-1", 207, "application/json", body);
    existing = {};
    CHECK(db.begin_idempotent("vendor-1", "key-1", "h1", existing) == idempotency_begin::replay);
    CHECK(existing.status == idempotency_entry::state::completed);
    CHECK(existing.request_hash == "h1");
    CHECK(existing.http_status == 207);
    CHECK(existing.content_type == "application/json");
    CHECK(existing.body == body);
    CHECK(db.begin_idempotent("vendor-1", "key-1", "h9", existing) == idempotency_begin::mismatch);
    // A completed key cannot be finished again, nor abandoned.
    CHECK_THROWS_AS(db.finish_idempotent("vendor-1", "key-1", 200, "text/plain", "x"),
                    storage_error);
    CHECK_THROWS_AS(db.finish_idempotent("vendor-1", "nope", 200, "text/plain", "x"),
                    storage_error);
    db.abandon_idempotent("vendor-1", "key-1");
    CHECK(db.begin_idempotent("vendor-1", "key-1", "h1", existing) == idempotency_begin::replay);

    // Abandoning a started key lets a retry start again, with any body.
    CHECK(db.begin_idempotent("vendor-1", "key-2", "h1", existing) == idempotency_begin::started);
    db.abandon_idempotent("vendor-1", "key-2");
    db.abandon_idempotent("vendor-1", "unknown"); // ignored
    CHECK(db.begin_idempotent("vendor-1", "key-2", "h3", existing) == idempotency_begin::started);

    // Pruning by age of first use.
    now = 5000 + 3600;
    CHECK(db.begin_idempotent("vendor-1", "key-3", "h1", existing) == idempotency_begin::started);
    db.prune_idempotency(std::chrono::seconds(1800));
    CHECK(db.begin_idempotent("vendor-1", "key-1", "h7", existing) == idempotency_begin::started);
    CHECK(db.begin_idempotent("vendor-1", "key-3", "h1", existing) ==
          idempotency_begin::in_progress);
}

TEST_CASE("storage: a transaction that throws leaves nothing behind")
{
    storage db(":memory:");
    db.put_child(inst_a, "kd-0", record("kd-0"), "e0");

    CHECK_THROWS_AS(db.transaction([&] {
        CHECK(db.put_child_unlocked(inst_a, "kd-1", record("kd-1"), "e1").outcome ==
              write_outcome::created);
        CHECK(db.put_child_unlocked(inst_a, "kd-0", record("kd-0", 2), "e2").outcome ==
              write_outcome::updated);
        throw std::runtime_error("batch failed");
    }),
                    std::runtime_error);
    CHECK_FALSE(db.get_child(inst_a, "kd-1").has_value());
    CHECK(db.get_child(inst_a, "kd-0")->etag == "e0");
    CHECK(db.last_seq() == 1);
    CHECK(seqs(db.changes_after(0, 100, everything)) == std::vector<std::int64_t>{1});

    // A transaction that completes commits every write, with consecutive seqs.
    std::vector<write_result> results;
    db.transaction([&] {
        results.push_back(db.put_child_unlocked(inst_a, "kd-1", record("kd-1"), "e1"));
        results.push_back(db.put_child_unlocked(inst_a, "kd-2", record("kd-2"), "e1",
                                                {.if_none_match_any = true}));
        results.push_back(db.put_child_unlocked(inst_a, "kd-0", record("kd-0"), "e0"));
    });
    REQUIRE(results.size() == 3);
    CHECK(results[0].seq == 2);
    CHECK(results[1].seq == 3);
    CHECK(results[2].outcome == write_outcome::unchanged);
    CHECK(db.get_child(inst_a, "kd-2").has_value());
    CHECK(db.last_seq() == 3);

    // The unlocked members refuse to run outside a transaction.
    CHECK_THROWS_AS(db.put_child_unlocked(inst_a, "kd-3", record("kd-3"), "e"), storage_error);
    CHECK_FALSE(db.get_child(inst_a, "kd-3").has_value());
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
    const auto first = db.create_correction(in);
    CHECK(first.id == "cr-1");
    CHECK(first.status == "pending");
    CHECK(first.created_at == 7000);
    CHECK(first.reviewed_by.empty());
    CHECK(first.reviewed_at == 0);

    in.institution = std::string(inst_b);
    in.child_id = "kd-2";
    const auto second = db.create_correction(in);
    CHECK(second.id == "cr-2");
    in.child_id = "kd-3";
    const auto third = db.create_correction(in);
    CHECK(third.id == "cr-3");

    const auto got = db.get_correction("cr-1");
    REQUIRE(got.has_value());
    CHECK(got->institution == inst_a);
    CHECK(got->child_id == "kd-1");
    CHECK(got->record_json == record("kd-1", 2));
    CHECK(got->reason == "document number typo");
    CHECK(got->created_by == "zdo-1");
    CHECK(got->status == "pending");
    for (const char* bad : {"cr-9", "cr-", "cr-01", "cr-1x", "1", "", "cr--1", "CR-1"}) {
        CHECK_FALSE(db.get_correction(bad).has_value());
    }

    now = 7100;
    CHECK(db.review_correction("cr-1", "applied", "reviewer-1", "checked the certificate"));
    CHECK_FALSE(db.review_correction("cr-1", "rejected", "reviewer-2", "late")); // not pending
    CHECK_FALSE(db.review_correction("cr-9", "rejected", "reviewer-2", ""));
    CHECK_THROWS_AS(db.review_correction("cr-2", "pending", "reviewer-2", ""),
                    std::invalid_argument);
    CHECK(db.review_correction("cr-2", "rejected", "reviewer-2", "duplicate"));
    const auto applied = db.get_correction("cr-1");
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
    CHECK(ids(db.list_corrections(everything, "", 10)) ==
          std::vector<std::string>{"cr-1", "cr-2", "cr-3"});
    CHECK(ids(db.list_corrections(everything, "pending", 10)) == std::vector<std::string>{"cr-3"});
    CHECK(ids(db.list_corrections(everything, "rejected", 10)) == std::vector<std::string>{"cr-2"});
    const auto only_b = [](std::string_view institution) { return institution == inst_b; };
    CHECK(ids(db.list_corrections(only_b, "", 10)) == std::vector<std::string>{"cr-2", "cr-3"});
    CHECK(ids(db.list_corrections(only_b, "", 1)) == std::vector<std::string>{"cr-2"});
    CHECK(db.list_corrections(everything, "", 0).empty());
}

TEST_CASE("storage: audit trail")
{
    storage db(":memory:");
    std::int64_t now = 100;
    db.set_clock([&now] { return now; });
    db.audit("zdo-1", "child.put", "32855961/kd-1", "created");
    now = 101;
    db.audit("vendor-1", "access.denied", "14360570/kd-1", "out of scope");
    db.audit("reviewer-1", "correction.apply", "cr-7", "");
    db.audit("zdo-1", "child.put", "32855961/kd-10", "updated");
    db.audit("zdo-1", "odd", "32855961%/x", "LIKE wildcards are not special");

    const auto trail = db.audit_trail("32855961/kd-1", 10);
    REQUIRE(trail.size() == 2);
    CHECK(trail[0].at == 100);
    CHECK(trail[0].actor == "zdo-1");
    CHECK(trail[0].action == "child.put");
    CHECK(trail[0].target == "32855961/kd-1");
    CHECK(trail[0].detail == "created");
    CHECK(trail[1].target == "32855961/kd-10");
    CHECK(db.audit_trail("cr-7", 10).size() == 1);
    CHECK(db.audit_trail("", 10).size() == 5);
    CHECK(db.audit_trail("", 2).size() == 2);
    CHECK(db.audit_trail("", 2)[1].actor == "vendor-1"); // in the order written
    CHECK(db.audit_trail("3285596_", 10).empty());
    CHECK(db.audit_trail("32855961%", 10).size() == 1);
    CHECK(db.audit_trail("nobody", 10).empty());
}

TEST_CASE("storage: a file database survives closing and reopening")
{
    temp_db file;
    std::int64_t now = 1000;
    {
        storage db(file.path());
        db.set_clock([&now] { return now; });
        db.put_child(inst_a, "kd-1", record("kd-1"), "e1");    // 1
        db.put_child(inst_a, "kd-2", record("kd-2"), "e2");    // 2
        CHECK(std::filesystem::exists(file.path() + "-wal"));  // journal_mode=WAL took effect
        db.put_child(inst_a, "kd-1", record("kd-1", 2), "e3"); // 3
        db.delete_child(inst_a, "kd-2");                       // 4
        idempotency_entry existing;
        REQUIRE(db.begin_idempotent("vendor-1", "k", "h", existing) == idempotency_begin::started);
        db.finish_idempotent("vendor-1", "k", 200, "application/json", "{}");
        correction_request cr;
        cr.institution = std::string(inst_a);
        cr.child_id = "kd-1";
        cr.record_json = record("kd-1", 9);
        REQUIRE(db.create_correction(cr).id == "cr-1");
        db.audit("zdo-1", "child.put", "32855961/kd-1", "created");
        now = 9000;
        db.prune_changes(std::chrono::seconds(100)); // drops 1, 2 and the tombstone 4
        REQUIRE(db.first_retained_seq() == 5);
    }
    {
        storage db(file.path());
        const auto child = db.get_child(inst_a, "kd-1");
        REQUIRE(child.has_value());
        CHECK(child->json == record("kd-1", 2));
        CHECK(child->etag == "e3");
        CHECK(child->seq == 3);
        CHECK_FALSE(db.get_child(inst_a, "kd-2").has_value());
        CHECK(seqs(db.changes_after(0, 10, everything)) == std::vector<std::int64_t>{3});
        CHECK(db.last_seq() == 4);
        CHECK(db.first_retained_seq() == 5);
        idempotency_entry existing;
        CHECK(db.begin_idempotent("vendor-1", "k", "h", existing) == idempotency_begin::replay);
        CHECK(existing.body == "{}");
        CHECK(db.get_correction("cr-1").has_value());
        CHECK(db.audit_trail("", 10).size() == 1);
        // Numbering continues where it was.
        CHECK(db.put_child(inst_a, "kd-3", record("kd-3"), "e").seq == 5);
        CHECK(db.create_correction({}).id == "cr-2");
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
                    db.delete_child(institution, id);
                } else if (i % 5 == 0) {
                    db.transaction([&] {
                        db.put_child_unlocked(institution, id, record(id, i),
                                              "v" + std::to_string(i));
                        db.put_child_unlocked(institution, id + "b", record(id, i),
                                              "v" + std::to_string(i));
                    });
                } else {
                    db.put_child(institution, id, record(id, i), "v" + std::to_string(i));
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
        const auto page = db.changes_after(cursor, 5, everything);
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
    const auto all = db.changes_after(0, 100000, everything);
    CHECK(all.size() == seen.size());
    CHECK(seqs(all) == seqs(seen));
    CHECK_FALSE(seen.empty());
    CHECK(cursor == db.last_seq());
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
