// libFuzzer target: the strict record decoder. Invariants: never crashes; an accepted record
// encodes to JSON that decodes to the same record, and encoding is stable; decode_into a
// reused record gives the same result as a fresh decode.
#include <aikom/codec/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    static aikom::codec::record_decoder reused;
    static aikom::model::child target;
    static std::vector<aikom::check::issue> issues;

    const auto fresh = aikom::codec::decode_child(input);
    const auto status = reused.decode_into(input, target, issues);
    if (status.ok != fresh.ok() || issues != fresh.issues) {
        std::abort();
    }
    if (!fresh.ok()) {
        return 0;
    }
    if (!(target == *fresh.record)) {
        std::abort();
    }
    const std::string once = aikom::codec::encode(*fresh.record);
    const auto again = aikom::codec::decode_child(once);
    if (!again.ok() || !(*again.record == *fresh.record) || aikom::codec::encode(*again.record) != once) {
        std::abort();
    }
    return 0;
}
