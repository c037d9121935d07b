// Decodes a record, re-encodes it and checks the result: exit 0 when the library works.
#include <aikom/codec/json.hpp>

#include <iostream>

int main()
{
    const auto result = aikom::codec::decode_child(R"({"sex":"female","id":"kd-1"})");
    if (!result.ok()) {
        std::cerr << "decode failed\n";
        return 1;
    }
    const std::string json = aikom::codec::encode(*result.record);
    std::cout << json << '\n';
    return json == R"({"id":"kd-1","sex":"female"})" ? 0 : 1;
}
