// The sync layer against the real reference server, in-process on port 0, over real TLS: push
// with its journal (change detection, resume of journaled batches, fault injection, defects),
// and pull with its state file (resume after a crash, rebuild after 410).
#include <aikom/check/check_digits.hpp>
#include <aikom/codec/content_hash.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/protocol/requests.hpp>
#include <aikom/protocol/routes.hpp>
#include <aikom/sandbox/server.hpp>
#include <aikom/sync/journal.hpp>
#include <aikom/sync/pull.hpp>
#include <aikom/sync/push.hpp>

#include "client_fixtures.hpp"
#include "fixtures.hpp"
#include "protocol_driver.hpp"
#include "running_server.hpp"
#include "tls_client.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace aikom;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

using test::io_threads;
using test::running_server;
using test::source_of;

client::client_options options_for(const running_server& s, std::string client_id = "platform")
{
    auto o = test::client_options_for(s, std::move(client_id), 5ms);
    o.retry.max_attempts = 10;
    return o;
}

const std::string inst_a(test::institution_a);
const std::string inst_b(test::institution_b);

std::vector<model::child> roster(std::size_t n, std::uint64_t seed = 8)
{
    return test::platform_roster(n, seed);
}

sync::push_progress push(client::session& s, const std::vector<model::child>& records,
                         sync::journal& log, sync::push_options o = {})
{
    if (o.batch_size == 0) {
        o.batch_size = 500;
    }
    return sync::async_push(s, source_of(records), log, std::move(o), asio::use_future).get();
}

// (institution, id) → content hash, of the roster and of what the server holds.
using holdings = std::map<std::pair<std::string, std::string>, std::string>;

holdings of_roster(const std::vector<model::child>& records)
{
    holdings h;
    for (const auto& c : records) {
        h[{c.institution->str(), c.id}] = codec::content_hash(c).to_hex();
    }
    return h;
}

holdings on_server(client::session& s)
{
    holdings h;
    for (const auto& inst : {inst_a, inst_b}) {
        auto pages = s.list_children(inst, 1000);
        while (!pages.done()) {
            for (const auto& c : pages.async_next(asio::use_future).get().items) {
                const auto [it, fresh] =
                    h.emplace(std::pair{inst, c.id}, codec::content_hash(c).to_hex());
                CHECK(fresh); // no record twice
            }
        }
    }
    return h;
}

std::vector<std::string> lines_of(const std::filesystem::path& p)
{
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

std::set<std::int64_t> seqs_of(const std::vector<std::string>& lines)
{
    std::set<std::int64_t> seqs;
    for (const auto& l : lines) {
        const auto v = boost::json::parse(l);
        CHECK(seqs.insert(v.at("seq").to_number<std::int64_t>()).second); // each event once
    }
    return seqs;
}

} // namespace

TEST_CASE("sync: 10,000 synthetic records pushed, the same again sends nothing, one change "
          "sends one")
{
    running_server s({.threads = 2});
    io_threads io;
    client::session platform(io.io.get_executor(), options_for(s));
    test::temp_dir dir;
    sync::journal log(dir.file("push.journal"), s.url(), "platform");

    auto records = roster(10'000);
    std::size_t progress_calls = 0;
    const auto started = std::chrono::steady_clock::now();
    auto first = push(
        platform, records, log,
        {.concurrency = 2, .on_progress = [&](const sync::push_progress&) { ++progress_calls; }});
    MESSAGE("10,000 records pushed in " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::steady_clock::now() - started)
                                               .count()
                                        << " ms");
    CHECK(first.read == 10'000);
    CHECK(first.invalid == 0);
    CHECK(first.sent == 10'000);
    CHECK(first.accepted == 10'000);
    CHECK(first.rejected == 0);
    CHECK(progress_calls >= 1);
    CHECK(first.elapsed.count() > 0);
    CHECK(log.counts().accepted == 10'000);
    CHECK(log.pending_batches().empty());
    CHECK(on_server(platform) == of_roster(records));

    auto again = push(platform, records, log);
    CHECK(again.sent == 0);
    CHECK(again.unchanged == 10'000);
    CHECK(again.missing == 0);

    records[1234].free_meals = !records[1234].free_meals.value_or(false);
    auto one = push(platform, records, log);
    CHECK(one.sent == 1);
    CHECK(one.accepted == 1);
    CHECK(one.unchanged == 9'999);
    CHECK(on_server(platform) == of_roster(records));

    // A record gone from the roster is missing; withdrawn only when asked.
    const auto gone = records.back();
    records.pop_back();
    CHECK(push(platform, records, log).missing == 1);
    CHECK(log.find(gone.institution->str(), gone.id)->state == sync::record_state::accepted);
    auto withdrawn = push(platform, records, log, {.withdraw_missing = true});
    CHECK(withdrawn.missing == 1);
    CHECK(withdrawn.withdrawn == 1);
    CHECK(log.find(gone.institution->str(), gone.id)->state == sync::record_state::withdrawn);
    CHECK(push(platform, records, log).missing == 0);
}

TEST_CASE("sync: 503 and 429 injection does not change the end state")
{
    for (const unsigned status : {503U, 429U}) {
        CAPTURE(status);
        running_server s({.threads = 2});
        io_threads io;
        client::session platform(io.io.get_executor(), options_for(s));
        test::temp_dir dir;
        sync::journal log(dir.file("push.journal"), s.url(), "platform");
        const auto records = roster(2'000, status);
        s.srv.set_faults({.error_rate = 0.3, .error_status = status, .retry_after = 0s});
        auto p = push(platform, records, log, {.batch_size = 100, .concurrency = 2});
        s.srv.set_faults({});
        CHECK(p.accepted == 2'000);
        CHECK(platform.stats().retries > 0);
        CHECK(on_server(platform) == of_roster(records));
        CHECK(push(platform, records, log).sent == 0);
    }
}

TEST_CASE("sync: records with defects end invalid or rejected, with their issues and pointers")
{
    running_server s;
    io_threads io;
    client::session zdo(io.io.get_executor(), options_for(s, "zdo-a"));
    test::temp_dir dir;
    sync::journal log(dir.file("push.journal"), s.url(), "zdo-a");

    std::vector<model::child> records{
        test::valid_child("kd-ok-1", inst_a), test::valid_child("kd-bad-birth", inst_a),
        test::valid_child("kd-other-inst", inst_b), test::valid_child("kd-ok-2", inst_a)};
    records[1].birth_date.reset();
    auto src = source_of(records);
    // An item that could not be read at all, after the four records.
    bool unreadable_sent = false;
    sync::record_source with_broken{[&](codec::read_item& item) {
                                        if (src.next(item)) {
                                            return true;
                                        }
                                        if (unreadable_sent) {
                                            return false;
                                        }
                                        unreadable_sent = true;
                                        item = {};
                                        item.line = 99;
                                        item.issues.push_back(
                                            {.pointer = "/birth_date", .code = "format.date"});
                                        return true;
                                    },
                                    src.position};
    auto p =
        sync::async_push(zdo, std::move(with_broken), log, {.batch_size = 10}, asio::use_future)
            .get();
    CHECK(p.read == 5);
    CHECK(p.invalid == 2);
    CHECK(p.sent == 3);
    CHECK(p.accepted == 2);
    CHECK(p.rejected == 1); // out of the client's scope

    std::map<std::string, sync::journal_entry> problems;
    log.for_each_problem([&](const sync::journal_entry& e) { problems[e.id] = e; });
    REQUIRE(problems.size() == 3);
    const auto& bad = problems.at("kd-bad-birth");
    CHECK(bad.state == sync::record_state::invalid);
    CHECK(bad.position == "roster:2");
    bool birth = false;
    for (const auto& i : bad.issues) {
        birth = birth || (i.pointer == "/birth_date" && !i.message_uk.empty());
    }
    CHECK(birth);
    const auto& other = problems.at("kd-other-inst");
    CHECK(other.state == sync::record_state::rejected);
    REQUIRE(other.issues.size() == 1); // the server says only "forbidden": the report says why
    CHECK(other.issues[0].code == "batch.forbidden");
    CHECK(other.issues[0].pointer == "/institution");
    CHECK_FALSE(other.issues[0].message_uk.empty());
    CHECK(problems.at("roster:99").state == sync::record_state::invalid);
    CHECK(problems.at("roster:99").issues.at(0).pointer == "/birth_date");
    CHECK(log.counts().accepted == 2);
}

TEST_CASE("sync: a batch journaled but never sent is sent by the next push, each record once")
{
    running_server s;
    io_threads io;
    test::temp_dir dir;
    const auto file = dir.file("push.journal");
    const auto records = roster(300, 21);
    {
        // A run killed after journaling its first batch and before sending it.
        sync::journal log(file, s.url(), "platform");
        log.begin_run();
        std::vector<model::child> first(records.begin(), records.begin() + 100);
        std::vector<sync::journal_entry> entries;
        for (const auto& c : first) {
            entries.push_back({.institution = c.institution->str(),
                               .id = c.id,
                               .content_hash = codec::content_hash(c).to_hex()});
        }
        log.add_batch({"sync-killed-run", protocol::batch_request(first).body}, entries);
    }
    sync::journal log(file, s.url(), "platform");
    REQUIRE(log.pending_batches().size() == 1);
    CHECK(log.counts().pending == 100);
    client::session platform(io.io.get_executor(), options_for(s));
    auto p = push(platform, records, log, {.batch_size = 100});
    CHECK(p.accepted == 300);
    CHECK(p.unchanged == 100); // the resent batch's records were accepted before the roster
    CHECK(log.pending_batches().empty());
    CHECK(on_server(platform) == of_roster(records));
    // The server wrote each record once: one event per record in the feed.
    std::size_t events = 0;
    auto feed = platform.changes();
    while (!feed.drained()) {
        events += feed.async_next(asio::use_future).get().changes.size();
    }
    CHECK(events == 300);
}

namespace {

void cancelled_push_resumes(std::chrono::milliseconds cancel_after)
{
    running_server s({.threads = 2});
    io_threads io;
    client::session platform(io.io.get_executor(), options_for(s));
    test::temp_dir dir;
    sync::journal log(dir.file("push.journal"), s.url(), "platform");
    const auto records = roster(2'000, 33);
    s.srv.set_faults({.latency = 100ms});
    asio::cancellation_signal cancel;
    auto pushed =
        sync::async_push(platform, source_of(records), log, {.batch_size = 100, .concurrency = 2},
                         asio::bind_cancellation_slot(cancel.slot(), asio::use_future));
    std::this_thread::sleep_for(cancel_after);
    asio::post(io.io, [&] { cancel.emit(asio::cancellation_type::terminal); });
    boost::system::error_code ec;
    try {
        (void)pushed.get();
    } catch (const boost::system::system_error& e) {
        ec = e.code();
    }
    CHECK(ec == asio::error::operation_aborted);
    CHECK(log.counts().accepted < 2'000);
    s.srv.set_faults({});

    auto p = push(platform, records, log, {.batch_size = 100});
    CHECK(log.pending_batches().empty());
    CHECK(log.counts().accepted == 2'000);
    CHECK(p.read == 2'000);
    // Batches the cancelled run left are resent first; their records then read as unchanged.
    CHECK(p.accepted + p.unchanged >= 2'000);
    CHECK(on_server(platform) == of_roster(records));
    std::size_t events = 0; // each record written once
    auto feed = platform.changes();
    while (!feed.drained()) {
        events += feed.async_next(asio::use_future).get().changes.size();
    }
    CHECK(events == 2'000);
}

} // namespace

TEST_CASE("sync: a cancelled push leaves the journal resumable, and the next push ends exact")
{
    // At once (the first batch fetching the token, the second waiting for it: this once left the
    // session's token refresh stuck) and later, with batches in flight on the server.
    for (const auto cancel_after : {0ms, 350ms}) {
        CAPTURE(cancel_after.count());
        cancelled_push_resumes(cancel_after);
    }
}

TEST_CASE("sync: a batch refused as a whole stops the push, and the next push with discovery's "
          "batch size sends it")
{
    running_server s;
    io_threads io;
    client::session platform(io.io.get_executor(), options_for(s));
    test::temp_dir dir;
    sync::journal log(dir.file("push.journal"), s.url(), "platform");
    const auto max_items = platform.async_discover(asio::use_future).get().limits.max_batch_items;
    const auto records = roster(max_items + 10, 44);
    client::diagnostics diag;
    boost::system::error_code ec;
    try {
        (void)sync::async_push(platform, source_of(records), log,
                               {.batch_size = max_items + 1, .diag = &diag}, asio::use_future)
            .get();
    } catch (const boost::system::system_error& e) {
        ec = e.code();
    }
    CHECK(ec == protocol::problem_kind::too_many_items);
    CHECK(diag.http_status == 422);
    CHECK(log.pending_batches().empty()); // not resent as it is: it would be refused again
    auto p = sync::async_push(platform, source_of(records), log, {}, asio::use_future).get();
    CHECK(p.accepted >= max_items + 1); // the refused batch's records, now in smaller batches
    CHECK(p.accepted + p.unchanged == records.size());
    CHECK(on_server(platform) == of_roster(records));
}

TEST_CASE("sync: a roster read from an NDJSON file, where a broken line is invalid at its position")
{
    running_server s;
    io_threads io;
    client::session platform(io.io.get_executor(), options_for(s));
    test::temp_dir dir;
    sync::journal log(dir.file("push.journal"), s.url(), "platform");
    const auto records = roster(40, 55);
    std::string text;
    for (std::size_t i = 0; i < records.size(); ++i) {
        text += codec::encode(records[i]) + "\n";
        if (i == 9) {
            text += "{\"id\": \"kd-broken\", \"unknown_member\": 1}\n"; // line 11
        }
    }
    std::istringstream in(text);
    auto reader = codec::make_reader(in, codec::input_format::ndjson, "roster.ndjson");
    auto p = sync::async_push(platform, sync::record_source::from(*reader), log, {.batch_size = 16},
                              asio::use_future)
                 .get();
    CHECK(p.read == 41);
    CHECK(p.invalid == 1);
    CHECK(p.accepted == 40);
    std::vector<sync::journal_entry> problems;
    log.for_each_problem([&](const sync::journal_entry& e) { problems.push_back(e); });
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].position.rfind("roster.ndjson:11", 0) == 0);
    CHECK_FALSE(problems[0].issues.empty());
    CHECK(on_server(platform) == of_roster(records));
}

TEST_CASE("sync: the journal is owner-only and belongs to one server and client id")
{
    test::temp_dir dir;
    const auto file = dir.file("push.journal");
    {
        const test::scoped_umask permissive(022);
        sync::journal log(file, "https://one.example", "zdo-a");
        // While it is open, WAL mode keeps the -wal and -shm files beside it: owner-only too.
        CHECK(test::group_and_other_bits(file.string() + "-wal") == 0);
        CHECK(test::group_and_other_bits(file.string() + "-shm") == 0);
    }
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_NOTHROW(sync::journal(file, "https://one.example", "zdo-a"));
    CHECK_THROWS_AS(sync::journal(file, "https://two.example", "zdo-a"), std::runtime_error);
    CHECK_THROWS_AS(sync::journal(file, "https://one.example", "zdo-b"), std::runtime_error);
    try {
        sync::journal(file, "https://one.example", "zdo-b");
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        CHECK(message.rfind("journal " + file.string() + ": ", 0) == 0); // names its file
        CHECK(message.find("another client id") != std::string::npos);
    }
    test::write_file(dir.file("not-a-journal"), "hello, this is not SQLite at all............");
    CHECK_THROWS_AS(sync::journal(dir.file("not-a-journal"), "https://one.example", "zdo-a"),
                    std::runtime_error);
}

TEST_CASE("sync: pull writes every event once and resumes after a crash")
{
    running_server s;
    io_threads io;
    client::session platform(io.io.get_executor(), options_for(s));
    test::temp_dir dir;
    const auto state = dir.file("pull.state");
    const auto out = dir.file("changes.ndjson");
    sync::journal log(dir.file("push.journal"), s.url(), "platform");

    auto records = roster(250, 5);
    push(platform, records, log, {.batch_size = 50});
    auto first = sync::async_pull(platform, state, out, {.page_size = 40}, asio::use_future).get();
    CHECK(first.events == 250);
    CHECK(first.pages >= 7);
    CHECK(lines_of(out).size() == 250);
    const auto state_after_first = [&] {
        std::ifstream in(state);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }();

    // Nothing new: nothing written.
    CHECK(sync::async_pull(platform, state, out, {}, asio::use_future).get().events == 0);

    auto more = roster(100, 6);
    push(platform, more, log, {.batch_size = 50});
    auto second = sync::async_pull(platform, state, out, {.page_size = 40}, asio::use_future).get();
    CHECK(second.events == 100);
    CHECK(seqs_of(lines_of(out)).size() == 350);

    // A crash after the output was written and before the state was replaced: the old state
    // with the longer output. The next pull cuts the output back and reads the pages again.
    test::write_file(state, state_after_first);
    auto resumed =
        sync::async_pull(platform, state, out, {.page_size = 40}, asio::use_future).get();
    CHECK(resumed.events == 100);
    CHECK_FALSE(resumed.resynced);
    const auto lines = lines_of(out);
    CHECK(lines.size() == 350);
    CHECK(seqs_of(lines).size() == 350);
}

TEST_CASE("sync: pull rebuilds the output after 410 (cursor older than the retention)")
{
    running_server s({.change_retention = 0s, .housekeeping_interval = 200ms});
    io_threads io;
    client::session zdo(io.io.get_executor(), options_for(s, "zdo-a"));
    test::temp_dir dir;
    const auto state = dir.file("pull.state");
    const auto out = dir.file("changes.ndjson");
    zdo.async_upsert(inst_a, test::valid_child("kd-rs-1", inst_a), asio::use_future).get();
    zdo.async_upsert(inst_a, test::valid_child("kd-rs-2", inst_a), asio::use_future).get();
    auto first = sync::async_pull(zdo, state, out, {}, asio::use_future).get();
    CHECK(first.events == 2);
    const auto old_state = [&] {
        std::ifstream in(state);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }();
    const auto old_output = lines_of(out);

    // Events the old cursor needs are pruned (a tombstone after the cursor is dropped).
    sync::pull_result rebuilt;
    for (int i = 0; i < 100 && !rebuilt.resynced; ++i) {
        std::this_thread::sleep_for(100ms);
        zdo.async_upsert(inst_a, test::valid_child("kd-rs-3", inst_a), asio::use_future).get();
        zdo.async_delete(inst_a, "kd-rs-3", asio::use_future).get();
        std::this_thread::sleep_for(300ms);
        test::write_file(state, old_state);
        {
            std::ofstream o(out, std::ios::trunc);
            for (const auto& l : old_output) {
                o << l << '\n';
            }
        }
        rebuilt = sync::async_pull(zdo, state, out, {}, asio::use_future).get();
    }
    REQUIRE(rebuilt.resynced);
    // The output is what the server still holds, once each, and no longer the old lines.
    const auto lines = lines_of(out);
    CHECK(lines.size() == rebuilt.events);
    seqs_of(lines);
    std::set<std::string> ids;
    for (const auto& l : lines) {
        ids.insert(std::string(boost::json::parse(l).at("id").as_string()));
    }
    CHECK(ids.count("kd-rs-1") == 1);
    CHECK(ids.count("kd-rs-2") == 1);
}

namespace {

// Synthetic personal data, each value distinctive enough that no log line can hold it by chance.
struct person_values {
    std::string last, first, patronymic, rnokpp, document_number, guardian_last, guardian_first,
        phone;
};

model::child child_with(std::string id, const std::string& institution, const person_values& v)
{
    auto c = test::valid_child(std::move(id), institution);
    c.name = model::person_name{.last = v.last, .first = v.first, .patronymic = v.patronymic};
    c.rnokpp = model::rnokpp(v.rnokpp);
    c.document->number = v.document_number;
    c.guardians = {model::guardian{
        .name = model::person_name{.last = v.guardian_last, .first = v.guardian_first},
        .relation = model::guardian_relation::mother,
        .phone = v.phone}};
    return c;
}

// What an issue says to a person, in both languages.
std::string text_of(const check::issue& i)
{
    return i.message_en + " " + i.message_uk + " " + i.suggestion.value_or("");
}

std::string read_text(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// While it lives, everything written to file descriptor 2 (the in-process sandbox's log lines)
// goes to `file` instead.
class stderr_capture {
public:
    explicit stderr_capture(const std::filesystem::path& file)
    {
        std::fflush(stderr);
        saved_ = ::dup(2);
        const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        REQUIRE(saved_ >= 0);
        REQUIRE(fd >= 0);
        ::dup2(fd, 2);
        ::close(fd);
    }
    ~stderr_capture()
    {
        std::clog.flush();
        std::fflush(stderr);
        ::dup2(saved_, 2);
        ::close(saved_);
    }
    stderr_capture(const stderr_capture&) = delete;
    stderr_capture& operator=(const stderr_capture&) = delete;

private:
    int saved_ = -1;
};

} // namespace

TEST_CASE("sync: a push and a pull logged at trace level show no personal data, token or secret")
{
    using model::sex;
    const auto rnokpp_of = [](model::date birth, sex s, int sequence) {
        auto r = check::make_rnokpp(birth, s, sequence);
        REQUIRE(r.has_value());
        return *r;
    };
    const model::date born = std::chrono::year{2021} / std::chrono::March / 14;
    auto bad_rnokpp = rnokpp_of(born, sex::female, 1234);
    bad_rnokpp.back() = bad_rnokpp.back() == '9' ? '0' : static_cast<char>(bad_rnokpp.back() + 1);
    const std::vector<person_values> people = {
        // accepted
        {"Заболотнюковська", "Євпраксія", "Мирославівна", rnokpp_of(born, sex::female, 2417),
         "739164", "Перепеличенко", "Доброгоста", "+380671234987"},
        // refused before sending: a document number of seven digits, a wrong check digit, a
        // phone one digit short
        {"Коломийцевська", "Ярославна", "Всеволодівна", bad_rnokpp, "8412736", "Вишнепольська",
         "Златослава", "+38093555712"},
        // refused by the server: an institution outside the client's scope
        {"Переяславцева", "Богуміла", "Святозарівна", rnokpp_of(born, sex::female, 3141), "582946",
         "Квітчастенко", "Милослава", "+380503318274"},
    };
    const std::vector<model::child> records = {child_with("kd-pd-1", inst_a, people[0]),
                                               child_with("kd-pd-2", inst_a, people[1]),
                                               child_with("kd-pd-3", inst_b, people[2])};
    const std::string secret = "Sekret-Vyshyvanka-5821-Qx";

    test::temp_dir dir;
    std::vector<std::string> lines;    // every log line of both sessions
    std::vector<std::string> messages; // every error message the library gave
    std::string sandbox_log;
    std::string known_token;
    {
        stderr_capture capture(dir.file("sandbox.err"));
        auto clients = test::test_clients();
        clients.push_back({"pd-platform", secret, sandbox::role::platform, {inst_a}});
        running_server s({.clients = clients});
        io_threads io;
        std::mutex lines_mutex;
        auto traced = options_for(s, "pd-platform");
        traced.credentials.client_secret = secret;
        traced.retry.max_attempts = 2;
        traced.log = {.level = client::log_level::trace,
                      .sink = [&](client::log_level, std::string_view line) {
                          const std::lock_guard lock(lines_mutex);
                          lines.emplace_back(line);
                      }};
        client::session platform(io.io.get_executor(), traced);
        const auto keep = [&](const client::diagnostics& d) {
            messages.push_back(d.message);
            if (d.problem) {
                messages.push_back(d.problem->title + " " + d.problem->detail);
                for (const auto& i : d.problem->errors) {
                    messages.push_back(text_of(i));
                }
            }
        };

        // The push: one record accepted, one refused locally, one refused by the server.
        sync::journal log(dir.file("push.journal"), s.url(), "pd-platform");
        const auto pushed = push(platform, records, log);
        CHECK(pushed.accepted == 1);
        CHECK(pushed.invalid == 1);
        CHECK(pushed.rejected == 1);
        log.for_each_problem([&](const sync::journal_entry& e) {
            for (const auto& i : e.issues) {
                messages.push_back(text_of(i));
            }
        });

        // The pull of what the server holds (the output file is data, not a log).
        client::diagnostics pull_diag;
        const auto pulled =
            sync::async_pull(platform, dir.file("pull.state"), dir.file("pull.ndjson"),
                             {.diag = &pull_diag}, asio::use_future)
                .get();
        CHECK(pulled.events == 1);

        // Failing requests: the invalid record sent anyway (422), the other institution (403),
        // a wrong secret (401 at the token endpoint), a token the caller set itself on a request
        // that fails.
        for (const auto& [inst, c] :
             {std::pair{inst_a, records[1]}, std::pair{inst_b, records[2]}}) {
            client::diagnostics diag;
            const client::call_options with_diag{.diag = &diag};
            CHECK_THROWS((void)platform.async_upsert(inst, c, with_diag, asio::use_future).get());
            CHECK(diag.http_status / 100 == 4);
            keep(diag);
        }
        auto wrong = traced;
        wrong.credentials.client_secret = secret + "-wrong";
        client::session stranger(io.io.get_executor(), wrong);
        client::diagnostics refused;
        const client::call_options with_refused{.diag = &refused};
        CHECK_THROWS(
            (void)stranger.async_get(inst_a, "kd-pd-1", with_refused, asio::use_future).get());
        keep(refused);
        test::tls_client other(s.srv.port(), s.srv.ca_pem());
        test::protocol_driver d(other.as_transport());
        known_token = d.token("zdo-a");
        protocol::request_spec own{.method = boost::beast::http::verb::get,
                                   .target = protocol::child_target(inst_b, "kd-pd-3"),
                                   .authenticated = false,
                                   .headers = {{"Authorization", "Bearer " + known_token}}};
        const auto forbidden = platform.async_send(std::move(own), asio::use_future).get();
        CHECK(forbidden.result_int() == 403);
    } // the sandbox stopped, its log complete
    sandbox_log = read_text(dir.file("sandbox.err"));

    // The evidence is there: requests, refusals and errors were logged and reported.
    CHECK(lines.size() > 10);
    CHECK(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
        return l.find("/v1/batches") != std::string::npos;
    }));
    CHECK(sandbox_log.find("refused") != std::string::npos);
    CHECK(messages.size() > 5);

    std::vector<std::string> forbidden_values = {secret, known_token};
    for (const auto& p : people) {
        for (const auto* v : {&p.last, &p.first, &p.patronymic, &p.rnokpp, &p.document_number,
                              &p.guardian_last, &p.guardian_first, &p.phone}) {
            forbidden_values.push_back(*v);
        }
        forbidden_values.push_back(p.phone.substr(1)); // without the +
    }
    const auto leaks = [&](const std::string& text) {
        std::vector<std::string> found;
        for (const auto& v : forbidden_values) {
            if (text.find(v) != std::string::npos) {
                found.push_back(v);
            }
        }
        // Any access token (64 hex digits), not only the one this test knows.
        std::size_t run = 0;
        for (const char ch : text) {
            run = std::isxdigit(static_cast<unsigned char>(ch)) != 0 ? run + 1 : 0;
            if (run == 64) {
                found.emplace_back("a run of 64 hex digits");
            }
        }
        return found;
    };
    for (const auto& l : lines) {
        CAPTURE(l);
        CHECK(leaks(l).empty());
    }
    for (const auto& m : messages) {
        CAPTURE(m);
        CHECK(leaks(m).empty());
    }
    CAPTURE(sandbox_log);
    CHECK(leaks(sandbox_log).empty());
}
