// GET /v1/changes: the change feed, filtered to the caller's scope or to the institutions it
// names, with cursors that carry the feed's identity.
#include "sandbox/handlers.hpp"

#include <aikom/protocol/children.hpp>

#include <algorithm>
#include <charconv>

namespace aikom::sandbox::detail {
namespace {

// TODO(merge): the protocol layer's change_cursor(epoch, seq) replaces these two.
std::string feed_cursor(std::string_view epoch, std::int64_t seq)
{
    return protocol::encode_cursor("c", std::string(epoch) + ":" + std::to_string(seq));
}

struct feed_position {
    std::string epoch;
    std::int64_t seq = 0;
};

std::optional<feed_position> parse_feed_cursor(std::string_view cursor)
{
    const auto v = protocol::decode_cursor(cursor, "c");
    if (!v) {
        return std::nullopt;
    }
    const auto colon = v->find(':');
    if (colon == std::string::npos || colon == 0) {
        return std::nullopt;
    }
    feed_position p{v->substr(0, colon), 0};
    const char* first = v->data() + colon + 1;
    const char* last = v->data() + v->size();
    const auto [end, ec] = std::from_chars(first, last, p.seq);
    if (ec != std::errc{} || end != last || first == last || p.seq < 0) {
        return std::nullopt;
    }
    return p;
}

bool is_edrpou(std::string_view s)
{
    return s.size() == 8 &&
           std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

} // namespace

response changes(call& c)
{
    const protocol::limits lim;
    const auto limit = c.limit_param(lim.page_size_default, lim.page_size_max);

    // Which institutions: those named (each within reach), else the caller's whole scope.
    std::optional<std::vector<std::string>> only;
    for (const auto& [key, value] : c.target.query) {
        if (key != "institution") {
            continue;
        }
        if (!is_edrpou(value)) {
            fail(problem_kind::malformed_request, "institution must be an 8-digit ЄДРПОУ code");
        }
        c.require_institution(value);
        if (!only) {
            only.emplace();
        }
        if (std::find(only->begin(), only->end(), value) == only->end()) {
            only->push_back(value);
        }
    }
    if (!only && !c.who.unrestricted()) {
        only.emplace(c.who.institutions.begin(), c.who.institutions.end());
    }

    std::optional<feed_position> from;
    if (const auto cursor = c.param("cursor")) {
        if (!protocol::decode_cursor(*cursor, "c")) {
            fail(problem_kind::malformed_request, "the cursor was not issued by this server");
        }
        from = parse_feed_cursor(*cursor);
        if (!from) {
            // A feed cursor of the format before epochs: from a feed that may be another.
            fail(problem_kind::resync_required,
                 "this cursor comes from an older feed: read the feed again without a cursor");
        }
    }

    struct page {
        std::vector<change_event> events;
        std::int64_t next = 0;
        bool has_more = false;
        std::string epoch;
    };
    // The cursor's check and the read: one snapshot, so that nothing can be pruned or written
    // between them.
    auto p = c.store().read([&](storage::transaction& tx) {
        page out;
        out.epoch = tx.epoch();
        const std::int64_t last = tx.last_seq();
        const std::int64_t after = from ? from->seq : 0;
        if (from && (from->epoch != out.epoch || (after != 0 && after < tx.first_retained_seq() - 1) ||
                     after > last)) {
            fail(problem_kind::resync_required,
                 from->epoch != out.epoch || after > last
                     ? "this cursor comes from another feed (the database was replaced): read the "
                       "feed again without a cursor"
                     : "events after this cursor are no longer kept: read the feed again without "
                       "a cursor");
        }
        out.events = tx.changes_after(after, limit + 1, only);
        out.has_more = out.events.size() > limit;
        if (out.has_more) {
            out.events.pop_back();
            out.next = out.events.back().seq;
        } else {
            // Up to date: the next poll starts at the head, past everything skipped.
            out.next = std::max(after, last);
        }
        return out;
    });
    std::vector<protocol::change_out> out;
    out.reserve(p.events.size());
    for (auto& e : p.events) {
        out.push_back({e.seq, e.deleted, std::move(e.institution), std::move(e.id),
                       std::move(e.etag), std::move(e.json)});
    }
    return json_reply(c, http::status::ok,
                      protocol::change_page_json(out, feed_cursor(p.epoch, p.next), p.has_more));
}

} // namespace aikom::sandbox::detail
