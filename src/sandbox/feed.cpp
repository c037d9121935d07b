// GET /v1/changes: the change feed, filtered to the caller's scope or to the institutions it
// names, with cursors that carry the feed's identity.
#include "sandbox/handlers.hpp"

#include <aikom/protocol/children.hpp>

#include <algorithm>

namespace aikom::sandbox::detail {
response changes(call& c)
{
    // Which institutions: those named, else the caller's whole scope. The names' syntax first,
    // then each one's access (docs/protocol.md §8.4), then the other parameters.
    std::optional<std::vector<std::string>> only;
    for (const auto& [key, value] : c.target.query) {
        if (key != "institution") {
            continue;
        }
        require_institution_param(value);
        if (!only) {
            only.emplace();
        }
        if (std::find(only->begin(), only->end(), value) == only->end()) {
            only->push_back(value);
        }
    }
    if (only) {
        for (const auto& institution : *only) {
            c.require_institution(institution);
        }
    }
    const protocol::limits lim;
    const auto limit = c.limit_param(lim.page_size_default, lim.page_size_max);
    if (!only && !c.who.unrestricted()) {
        only.emplace(c.who.institutions.begin(), c.who.institutions.end());
    }

    std::optional<protocol::change_position> from;
    if (const auto cursor = c.param("cursor")) {
        from = protocol::parse_change_cursor(*cursor);
        if (!from && protocol::decode_cursor(*cursor, "c")) {
            // A feed cursor of the format before epochs: its feed may have been another.
            fail(problem_kind::resync_required,
                 "this cursor comes from an older feed: read the feed again without a cursor");
        }
        if (!from) {
            fail(problem_kind::malformed_request, "the cursor was not issued by this server",
                 {parameter_error("cursor.invalid", "cursor")});
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
                      protocol::change_page_json(out, protocol::change_cursor(p.epoch, p.next), p.has_more));
}

} // namespace aikom::sandbox::detail
