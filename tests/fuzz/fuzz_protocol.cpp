// libFuzzer target: the protocol's parsers (routes, targets, cursors and every body). They
// must never crash, whatever a server or client sends.
#include <aikom/protocol/problem.hpp>
#include <aikom/protocol/routes.hpp>
#include <aikom/protocol/types.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace aikom::protocol;
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    (void)match_route(s);
    if (auto t = parse_target(s)) {
        (void)match_route(t->path);
    }
    if (const auto seq = parse_change_cursor(s)) {
        if (parse_change_cursor(change_cursor(*seq)) != seq) {
            std::abort();
        }
    }
    (void)decode_cursor(s, "k");
    (void)parse_problem(s);
    (void)parse_discovery(s);
    (void)parse_token_response(s);
    (void)parse_oauth_error(s);
    (void)parse_write_result(s);
    (void)parse_batch_results(s);
    (void)parse_validation_result(s);
    (void)parse_child_page(s);
    (void)parse_change_page(s);
    return 0;
}
