// The push journal (aikom::sync::journal) on its own, without a server: what a push's writes
// cost as the journal grows.
#include <aikom/sync/journal.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using aikom::sync::journal;
using aikom::sync::journal_entry;
using aikom::sync::pending_batch;
using aikom::sync::record_state;

TEST_CASE("sync journal: a push's writes walk indexes, none scans the journal as it grows")
{
    // A batch's end once scanned every record of the journal to find the records its answer did
    // not name: a million-record push read the whole journal a thousand times.
    aikom::test::temp_dir dir;
    journal log(dir.file("journal.db"), "https://sandbox.test", "client-a");
    log.begin_run();
    const std::string institution = "12345678";
    constexpr int batches = 40;
    constexpr int per_batch = 50;
    for (int b = 0; b < batches; ++b) {
        std::vector<journal_entry> records;
        for (int i = 0; i < per_batch; ++i) {
            const auto id = "r-" + std::to_string(b * per_batch + i);
            CHECK_FALSE(log.find(institution, id));
            log.mark_seen(institution, id, "roster.ndjson:" + std::to_string(b * per_batch + i));
            records.push_back({.institution = institution,
                               .id = id,
                               .content_hash = "h" + id,
                               .position = "roster.ndjson:1"});
        }
        const pending_batch batch{"key-" + std::to_string(b), "{\"items\":[]}"};
        log.add_batch(batch, records);
        log.mark_sent(batch.key);
        // The answer names all but the batch's last record, which stays resendable.
        std::vector<journal_entry> outcomes;
        for (int i = 0; i + 1 < per_batch; ++i) {
            auto e = records[static_cast<std::size_t>(i)];
            e.state = record_state::accepted;
            e.etag = "\"e" + e.id + "\"";
            outcomes.push_back(std::move(e));
        }
        log.finish_batch(batch.key, outcomes);
    }
    CHECK(log.full_scan_steps() == 0);

    const auto counts = log.counts();
    CHECK(counts.accepted == batches * (per_batch - 1));
    CHECK(counts.pending == batches);
    CHECK(counts.sent == 0);
    CHECK(log.pending_batches().empty());
    const auto unnamed = log.find(institution, "r-" + std::to_string(per_batch - 1));
    REQUIRE(unnamed);
    CHECK(unnamed->state == record_state::pending);
    CHECK(unnamed->batch_key.empty());
    CHECK(unnamed->content_hash.empty()); // sent again by the next run whatever it holds
    const auto named = log.find(institution, "r-0");
    REQUIRE(named);
    CHECK(named->state == record_state::accepted);
    CHECK(named->etag == "\"er-0\"");
}
