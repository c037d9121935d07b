// The push engine: one coroutine on its own strand reads the roster, checks and hashes each
// record, journals each batch before sending it, and keeps at most `concurrency` batches in
// flight (each a child coroutine on the same strand). Everything that touches the journal or
// the counts runs on that strand, so the journal is used from one strand only.
#include <aikom/sync/push.hpp>

#include <aikom/check/issue_codes.hpp>
#include <aikom/check/rules.hpp>
#include <aikom/codec/content_hash.hpp>
#include <aikom/protocol/requests.hpp>
#include <aikom/protocol/responses.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <exception>
#include <list>
#include <random>

namespace aikom::sync {

record_source record_source::from(codec::record_reader& reader)
{
    return {[&reader](codec::read_item& item) { return reader.next(item); },
            [&reader](const codec::read_item& item) { return reader.position(item); }};
}

namespace detail {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using boost::system::error_code;
using clock = std::chrono::steady_clock;

std::string random_key()
{
    std::random_device rd;
    static constexpr std::array<char, 16> hex{'0', '1', '2', '3', '4', '5', '6', '7',
                                              '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    std::string key = "sync-";
    for (int i = 0; i < 8; ++i) {
        auto v = rd();
        for (int j = 0; j < 4; ++j) {
            key += hex[v & 0xF];
            v >>= 4;
        }
    }
    return key;
}

struct push_state {
    push_state(client::session& s, record_source src, journal& j, push_options o)
        : session(s)
        , source(std::move(src))
        , log(j)
        , options(std::move(o))
        , strand(asio::make_strand(s.get_executor()))
        , wake(strand)
        , started(clock::now())
        , last_progress(started)
    {
        if (options.concurrency == 0) {
            options.concurrency = 1;
        }
    }

    client::session& session;
    record_source source;
    journal& log;
    push_options options;
    asio::strand<asio::any_io_executor> strand;
    asio::steady_timer wake; // cancelled whenever a batch ends or the push is cancelled
    clock::time_point started, last_progress;
    push_progress progress{};
    std::size_t batch_size = 0;
    std::size_t in_flight = 0;
    bool stop = false;
    error_code error{};
    client::diagnostics diag{};
    std::list<asio::cancellation_signal> signals{}; // one per call in flight

    void fail(error_code ec, const client::diagnostics& d)
    {
        if (!error) {
            error = ec;
            diag = d;
        }
        stop = true;
    }
    void fail(error_code ec, std::string message)
    {
        client::diagnostics d;
        d.message = std::move(message);
        fail(ec, d);
    }
    void cancel()
    {
        client::diagnostics d;
        d.message = "push cancelled; the journal is ready to resume";
        fail(asio::error::operation_aborted, d);
        for (auto& s : signals) {
            s.emit(asio::cancellation_type::terminal);
        }
        wake.cancel();
    }
    // `force`: the final report, which also fills the summary's elapsed time and bytes.
    void report(bool force)
    {
        const auto now = clock::now();
        if (!force && (!options.on_progress || now - last_progress < options.progress_interval)) {
            return;
        }
        last_progress = now;
        if (source.bytes_read) {
            progress.bytes_read = source.bytes_read();
        }
        progress.bytes_total = source.bytes_total;
        progress.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - started);
        if (options.on_progress) {
            options.on_progress(progress);
        }
    }
    // Waits until fewer than `limit` batches are in flight.
    awaitable<void> wait_below(std::size_t limit)
    {
        while (in_flight >= limit && in_flight > 0) {
            wake.expires_at(clock::time_point::max());
            auto [ec] = co_await wake.async_wait(asio::as_tuple(use_awaitable));
            (void)ec; // cancelled: something changed, look again
        }
    }
};

// Sends one journaled batch (new or left by an earlier run) and journals the answer.
awaitable<void> send_batch(std::shared_ptr<push_state> st, std::string key, std::string body,
                           bool resent)
{
    st->log.mark_sent(key);
    auto spec = protocol::batch_request({}); // the endpoint, method and media type
    spec.body = std::move(body);             // the journaled bytes, as they were first built
    spec.takes_idempotency_key = true;
    client::diagnostics diag;
    auto& sig = st->signals.emplace_back();
    auto it = std::prev(st->signals.end());
    // Named, not temporaries: GCC 12 mishandles temporaries with destructors in co_await.
    const client::call_options opts{.diag = &diag, .idempotency_key = key};
    auto [ec, res] = co_await st->session.async_send(
        std::move(spec), opts,
        asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(use_awaitable)));
    st->signals.erase(it);
    if (ec) {
        st->fail(ec, diag);
        co_return;
    }
    auto r = protocol::read_batch(res);
    if (!r) {
        diag.message = r.error().message;
        diag.problem = r.error().problem;
        const unsigned status = res.result_int();
        if (status >= 400 && status < 500 && status != 408 && status != 409 && status != 429) {
            // Refused as a whole (too many items, too large…): nothing was written, and the
            // same bytes would be refused again. Forget the batch; its records go back to the
            // roster's next run (`finish_batch` with no outcome), perhaps in smaller batches.
            st->log.finish_batch(key, {});
        }
        st->fail(r.error().code, diag);
        co_return;
    }
    std::vector<journal_entry> outcomes;
    outcomes.reserve(r->results.size());
    for (auto& item : r->results) {
        journal_entry e;
        e.institution = std::move(item.institution);
        e.id = std::move(item.id);
        switch (item.status) {
        case protocol::item_status::created:
        case protocol::item_status::updated:
        case protocol::item_status::unchanged:
            e.state = record_state::accepted;
            e.etag = std::move(item.etag);
            ++st->progress.accepted;
            break;
        case protocol::item_status::rejected:
        case protocol::item_status::forbidden:
            e.state = record_state::rejected;
            e.issues = std::move(item.issues);
            if (item.status == protocol::item_status::forbidden && e.issues.empty()) {
                // The protocol says no more than the status: say why in the report.
                e.issues.push_back(check::make_issue("batch.forbidden", "/institution"));
            }
            ++st->progress.rejected;
            break;
        }
        outcomes.push_back(std::move(e));
    }
    if (resent) {
        st->progress.sent += outcomes.size();
    }
    st->log.finish_batch(key, outcomes);
    st->report(false);
}

// Starts a batch as a child coroutine once a slot is free.
awaitable<void> launch(std::shared_ptr<push_state> st, pending_batch batch, bool resent)
{
    ++st->in_flight;
    asio::co_spawn(st->strand, send_batch(st, std::move(batch.key), std::move(batch.body), resent),
                   [st](std::exception_ptr e) {
                       --st->in_flight;
                       if (e) {
                           try {
                               std::rethrow_exception(e);
                           } catch (const std::exception& x) {
                               st->fail(make_error_code(boost::system::errc::io_error), x.what());
                           } catch (...) {
                               st->fail(make_error_code(boost::system::errc::io_error),
                                        "batch failed");
                           }
                       }
                       st->wake.cancel();
                   });
    co_return;
}

struct open_batch {
    std::vector<model::child> records{};
    std::vector<journal_entry> entries{};
};

awaitable<void> flush(const std::shared_ptr<push_state>& st, open_batch& batch)
{
    if (batch.records.empty()) {
        co_return;
    }
    co_await st->wait_below(st->options.concurrency);
    if (st->stop) {
        co_return;
    }
    pending_batch b{random_key(), protocol::batch_request(batch.records).body};
    st->log.add_batch(b, batch.entries); // committed before the request is built
    st->progress.sent += batch.records.size();
    co_await launch(st, std::move(b), false);
    batch.records.clear();
    batch.entries.clear();
}

awaitable<void> read_roster(const std::shared_ptr<push_state>& st)
{
    const check::rule_options rules{.as_of = st->options.as_of.value_or(model::today_utc())};
    open_batch batch;
    codec::read_item item;
    while (!st->stop) {
        if (!st->source.next(item)) {
            break;
        }
        ++st->progress.read;
        const auto position = st->source.position ? st->source.position(item) : std::string();
        if (!item.ok()) {
            // Unreadable: no id to key it by but its position.
            ++st->progress.invalid;
            st->log.put({.id = position,
                         .state = record_state::invalid,
                         .issues = std::move(item.issues),
                         .position = position});
            st->report(false);
            continue;
        }
        const auto& record = *item.record;
        auto issues = std::move(item.issues);
        check::check_record(record, check::profile::submission, rules, issues);
        const std::string institution = record.institution ? record.institution->str() : "";
        if (check::has_errors(issues) || institution.empty()) {
            ++st->progress.invalid;
            st->log.put({.institution = institution,
                         .id = record.id,
                         .content_hash = codec::content_hash(record).to_hex(),
                         .state = record_state::invalid,
                         .issues = std::move(issues),
                         .position = position});
            st->report(false);
            continue;
        }
        auto hash = codec::content_hash(record).to_hex();
        const auto known = st->log.find(institution, record.id);
        st->log.mark_seen(institution, record.id, position);
        if (known && known->state == record_state::accepted && known->content_hash == hash) {
            ++st->progress.unchanged;
            st->report(false);
            continue;
        }
        for (const auto& i : check::check_record(record, check::profile::readiness, rules)) {
            if (i.severity == check::severity::warning) {
                ++st->progress.warnings;
            }
        }
        batch.entries.push_back({.institution = institution,
                                 .id = record.id,
                                 .content_hash = std::move(hash),
                                 .position = position});
        batch.records.push_back(std::move(*item.record));
        if (batch.records.size() >= st->batch_size) {
            co_await flush(st, batch);
        }
        st->report(false);
    }
    co_await flush(st, batch);
}

awaitable<void> withdraw_missing(const std::shared_ptr<push_state>& st)
{
    std::vector<journal_entry> missing;
    st->log.for_each_missing([&](const journal_entry& e) { missing.push_back(e); });
    st->progress.missing = missing.size();
    if (!st->options.withdraw_missing) {
        co_return;
    }
    const protocol::withdrawal body{.left_on = st->options.as_of.value_or(model::today_utc())};
    for (auto& e : missing) {
        if (st->stop) {
            co_return;
        }
        client::diagnostics diag;
        auto& sig = st->signals.emplace_back();
        auto it = std::prev(st->signals.end());
        const client::call_options opts{.diag = &diag};
        auto [ec, result] = co_await st->session.async_withdraw(
            e.institution, e.id, body, opts,
            asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(use_awaitable)));
        st->signals.erase(it);
        if (ec) {
            st->fail(ec, diag);
            co_return;
        }
        e.state = record_state::withdrawn;
        e.etag = result.etag;
        st->log.put(e);
        ++st->progress.withdrawn;
        st->report(false);
    }
}

awaitable<void> run_push(std::shared_ptr<push_state> st)
{
    try {
        st->batch_size = st->options.batch_size;
        if (st->batch_size == 0) {
            client::diagnostics diag;
            auto& sig = st->signals.emplace_back();
            auto it = std::prev(st->signals.end());
            const client::call_options opts{.diag = &diag};
            auto [ec, d] = co_await st->session.async_discover(
                opts, asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(use_awaitable)));
            st->signals.erase(it);
            if (ec) {
                st->fail(ec, diag);
            }
            st->batch_size = std::max<std::size_t>(1, d.limits.max_batch_items);
        }
        // A killed run's batches first, same key and same bytes; then the roster.
        auto left = st->log.pending_batches();
        for (auto& b : left) {
            co_await st->wait_below(st->options.concurrency);
            if (st->stop) {
                break;
            }
            co_await launch(st, std::move(b), true);
        }
        co_await st->wait_below(1);
        if (!st->stop) {
            st->log.begin_run();
            co_await read_roster(st);
        }
        co_await st->wait_below(1);
        if (!st->stop) {
            co_await withdraw_missing(st);
        }
    } catch (const std::exception& e) {
        st->fail(make_error_code(boost::system::errc::io_error), e.what());
    }
    co_await st->wait_below(1); // never leave a batch running past the completion
    st->report(true);
}

} // namespace

void start_push(
    client::session& session, record_source source, journal& log, push_options options,
    boost::asio::any_completion_handler<void(boost::system::error_code, push_progress)> handler)
{
    auto st = std::make_shared<push_state>(session, std::move(source), log, std::move(options));
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) {
        slot.assign([st](asio::cancellation_type type) {
            if ((type & asio::cancellation_type::terminal) != asio::cancellation_type::none) {
                asio::post(st->strand, [st] { st->cancel(); });
            }
        });
    }
    auto ex = asio::get_associated_executor(handler, session.get_executor());
    asio::co_spawn(st->strand, run_push(st),
                   [st, slot, ex, h = std::move(handler)](std::exception_ptr) mutable {
                       if (slot.is_connected()) {
                           slot.clear();
                       }
                       if (st->options.diag != nullptr) {
                           *st->options.diag = st->diag;
                       }
                       asio::dispatch(ex, [h = std::move(h), ec = st->error,
                                           p = st->progress]() mutable { std::move(h)(ec, p); });
                   });
}

} // namespace detail
} // namespace aikom::sync
