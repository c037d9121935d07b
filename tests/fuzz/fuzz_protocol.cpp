// libFuzzer target: the protocol's parsers (routes, targets, cursors and every body). They
// must never crash or throw, whatever a server or client sends; what they accept must write
// back to something they accept again.
#include <aikom/protocol/problem.hpp>
#include <aikom/protocol/routes.hpp>
#include <aikom/protocol/types.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

using namespace aikom::protocol;

// A body that parses must survive its own round trip.
template <class Parse>
void round_trip(std::string_view s, Parse parse)
{
    if (auto v = parse(s)) {
        if (!parse(to_json(*v))) {
            std::abort();
        }
    }
}

template <class Parse>
void body_round_trip(std::string_view s, Parse parse)
{
    const auto v = parse(s);
    if (v.ok() && !parse(to_json(v.value)).ok()) {
        std::abort();
    }
    if (!v.ok() && v.fault != body_fault::malformed && v.fault != body_fault::too_many_items &&
        v.issues.empty()) {
        std::abort(); // a refusal names its problems
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    (void)match_route(s);
    if (auto t = parse_target(s)) {
        (void)match_route(t->path);
    }
    if (const auto pos = parse_change_cursor(s)) {
        if (parse_change_cursor(change_cursor(pos->epoch, pos->seq)) != pos) {
            std::abort();
        }
    }
    (void)decode_cursor(s, "k");
    if (const auto t = parse_timestamp(s)) {
        if (format_timestamp(*t) != s) {
            std::abort(); // one instant, one text
        }
    }

    // What a client reads.
    round_trip(s, [](std::string_view b) { return parse_problem(b); });
    round_trip(s, [](std::string_view b) { return parse_discovery(b); });
    round_trip(s, [](std::string_view b) { return parse_token_response(b); });
    round_trip(s, [](std::string_view b) { return parse_oauth_error(b); });
    round_trip(s, [](std::string_view b) { return parse_write_result(b); });
    round_trip(s, [](std::string_view b) { return parse_batch_result(b); });
    round_trip(s, [](std::string_view b) { return parse_validation_result(b); });
    round_trip(s, [](std::string_view b) { return parse_review_result(b); });
    round_trip(s, [](std::string_view b) { return parse_completeness_report(b); });
    round_trip(s, [](std::string_view b) { return parse_progress_report(b); });
    round_trip(s, [](std::string_view b) { return parse_form85k_report(b); });
    std::vector<aikom::check::issue> issues;
    round_trip(s, [&](std::string_view b) { return parse_child_page(b, &issues); });
    round_trip(s, [&](std::string_view b) { return parse_change_page(b, &issues); });
    round_trip(s, [&](std::string_view b) { return parse_correction_request(b, &issues); });
    round_trip(s, [&](std::string_view b) { return parse_correction_page(b, &issues); });
    round_trip(s, [](std::string_view b) { return parse_grant(b); });
    round_trip(s, [](std::string_view b) { return parse_grant_list(b); });
    round_trip(s, [](std::string_view b) { return parse_grant_history(b); });

    // What a server reads.
    body_round_trip(s, [](std::string_view b) { return parse_withdrawal(b); });
    body_round_trip(s, [](std::string_view b) { return parse_correction_draft(b); });
    body_round_trip(s, [](std::string_view b) { return parse_review(b, true); });
    body_round_trip(s, [](std::string_view b) { return parse_grant_request(b); });
    body_round_trip(s, [](std::string_view b) { return parse_fault_settings(b); });
    const auto batch = parse_batch_request(s, {}, 50);
    if (!batch.ok() && batch.fault != body_fault::malformed &&
        batch.fault != body_fault::too_many_items) {
        std::abort();
    }
    return 0;
}
