// The fuzz targets without libFuzzer: `<target>_replay PATH...` runs the target once on every
// file named, and on every regular file under each directory named (in name order, so a failure
// repeats). The input of the run is on stderr before it starts, so a crash names it. Exit status
// 0 when every input ran; a finding aborts the process (the target's own checks, or the
// sanitizers of the build).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_of(const fs::path& p)
{
    std::vector<fs::path> files;
    if (fs::is_directory(p)) {
        for (const auto& e : fs::recursive_directory_iterator(p)) {
            if (e.is_regular_file()) {
                files.push_back(e.path());
            }
        }
        std::sort(files.begin(), files.end());
    } else {
        files.push_back(p);
    }
    return files;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE_OR_DIRECTORY...\n", argv[0]);
        return 2;
    }
    std::size_t runs = 0;
    for (int i = 1; i < argc; ++i) {
        const fs::path path(argv[i]);
        if (!fs::exists(path)) {
            std::fprintf(stderr, "%s: no such file or directory\n", argv[i]);
            return 2;
        }
        for (const auto& file : inputs_of(path)) {
            std::ifstream in(file, std::ios::binary);
            if (!in) {
                std::fprintf(stderr, "%s: cannot be read\n", file.string().c_str());
                return 2;
            }
            const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                          std::istreambuf_iterator<char>()};
            std::fprintf(stderr, "running %s (%zu bytes)\n", file.string().c_str(), bytes.size());
            // A copy of exactly `size` bytes, as libFuzzer passes it: reading past it is caught.
            const std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
            static const std::uint8_t none = 0;
            LLVMFuzzerTestOneInput(data.empty() ? &none : data.data(), data.size());
            ++runs;
        }
    }
    std::printf("%zu inputs ran\n", runs);
    return 0;
}
