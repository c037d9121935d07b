// Differential test: validate_rnokpp and validate_edrpou against python-stdnum (DOMAIN.md).
//
// Usage: aikom_stdnum_diff <path to stdnum_oracle.py>
//
// Generates, deterministically, inputs for each identifier in four families — valid (check digit
// from check_digits.hpp), valid with one digit changed, uniformly random, and a fixed set of
// edge cases (every РНОКПП prefix whose weighted sum is negative; ЄДРПОУ prefixes at the weight
// boundaries) — writes them to a temporary file, runs the Python oracle once over it and
// compares verdicts. The one documented difference: an ЄДРПОУ whose second weight pass leaves
// remainder 10 again has check digit 0 by the classifier's method, and python-stdnum 1.18
// rejects it. Each such disagreement is verified by recomputing both remainders here; any other
// disagreement is printed and the program exits 1.

#include <aikom/check/check_digits.hpp>
#include <aikom/check/identifiers.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using aikom::check::id_error;

constexpr std::size_t per_family = 40'000;

/// splitmix64: small, fast, and the same sequence on every platform.
class prng {
public:
    explicit prng(std::uint64_t seed)
        : state_{seed}
    {}

    std::uint64_t next() noexcept
    {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    /// Uniform in 0..n-1 (the modulo bias is negligible for n ≤ 10).
    unsigned below(unsigned n) noexcept { return static_cast<unsigned>(next() % n); }

    std::string digits(std::size_t count)
    {
        std::string out(count, '0');
        for (char& c : out) {
            c = static_cast<char>('0' + below(10));
        }
        return out;
    }

private:
    std::uint64_t state_;
};

enum class kind : std::uint8_t { rnokpp, edrpou };

struct input {
    kind what;
    std::string value;
};

std::string_view name(kind k)
{
    return k == kind::rnokpp ? "rnokpp" : "edrpou";
}

std::string with_check_digit(kind k, const std::string& prefix)
{
    const auto digit = k == kind::rnokpp ? aikom::check::rnokpp_check_digit(prefix)
                                         : aikom::check::edrpou_check_digit(prefix);
    return prefix + static_cast<char>('0' + *digit);
}

void add_random_families(kind k, std::size_t length, prng& rng, std::vector<input>& out)
{
    for (std::size_t i = 0; i < per_family; ++i) {
        out.push_back({k, with_check_digit(k, rng.digits(length - 1))});
    }
    for (std::size_t i = 0; i < per_family; ++i) {
        std::string value = with_check_digit(k, rng.digits(length - 1));
        char& changed = value[rng.below(static_cast<unsigned>(length))];
        changed =
            static_cast<char>('0' + (changed - '0' + 1 + static_cast<int>(rng.below(9))) % 10);
        out.push_back({k, std::move(value)});
    }
    for (std::size_t i = 0; i < per_family; ++i) {
        out.push_back({k, rng.digits(length)});
    }
}

/// Every nine-digit РНОКПП prefix whose weighted sum is negative, with all ten last digits.
/// Only d1 has a negative weight (−1, at most −9) and every other weight is at least 4, so no
/// other digit can exceed 2: enumerating d2..d9 over 0..2 finds them all.
void add_rnokpp_edges(std::vector<input>& out)
{
    constexpr std::array<int, 8> weights{5, 7, 9, 4, 6, 10, 5, 7};
    std::array<int, 8> d{};
    for (int combo = 0; combo < 6561; ++combo) { // 3^8
        int rest = combo;
        int sum = 0;
        for (std::size_t i = 0; i < d.size(); ++i) {
            d[i] = rest % 3;
            rest /= 3;
            sum += weights[i] * d[i];
        }
        for (int d1 = 1; d1 <= 9; ++d1) {
            if (sum - d1 >= 0) {
                continue;
            }
            std::string prefix(1, static_cast<char>('0' + d1));
            for (int v : d) {
                prefix.push_back(static_cast<char>('0' + v));
            }
            for (char last = '0'; last <= '9'; ++last) {
                out.push_back({kind::rnokpp, prefix + last});
            }
        }
    }
}

/// ЄДРПОУ prefixes at the ends of the weight ranges, with all ten last digits.
void add_edrpou_edges(std::vector<input>& out)
{
    for (const int centre : {0, 3'000'000, 6'000'000, 10'000'000}) {
        for (int prefix = centre - 50; prefix < centre + 50; ++prefix) {
            if (prefix < 0 || prefix > 9'999'999) {
                continue;
            }
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "%07d", prefix);
            for (char last = '0'; last <= '9'; ++last) {
                out.push_back({kind::edrpou, std::string{buffer} + last});
            }
        }
    }
}

/// Independent recomputation of the documented case: both weight passes leave remainder 10.
bool edrpou_remainder_10_twice(std::string_view code)
{
    const bool rotated = code[0] >= '3' && code[0] <= '5';
    int first = 0;
    int second = 0;
    for (int i = 0; i < 7; ++i) {
        const int weight = rotated ? (i == 0 ? 7 : i) : i + 1;
        const int digit = code[static_cast<std::size_t>(i)] - '0';
        first += weight * digit;
        second += (weight + 2) * digit;
    }
    return first % 11 == 10 && second % 11 == 10;
}

std::string quoted(const std::filesystem::path& p)
{
    return "'" + p.string() + "'";
}

struct tally {
    std::size_t inputs = 0;
    std::size_t agreements = 0;
    std::size_t documented = 0;
    std::size_t other = 0;
};

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: aikom_stdnum_diff <path to stdnum_oracle.py>\n";
        return 2;
    }
    const std::filesystem::path oracle = argv[1];

    std::vector<input> inputs;
    inputs.reserve(6 * per_family + 20'000);
    prng rng{0x41494B4F4DULL}; // "AIKOM"
    add_random_families(kind::rnokpp, 10, rng, inputs);
    add_rnokpp_edges(inputs);
    add_random_families(kind::edrpou, 8, rng, inputs);
    add_edrpou_edges(inputs);

    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    const auto dir = std::filesystem::temp_directory_path();
    const auto in_path = dir / ("aikom-stdnum-diff-" + std::to_string(stamp) + ".in");
    const auto out_path = dir / ("aikom-stdnum-diff-" + std::to_string(stamp) + ".out");
    struct cleanup {
        std::filesystem::path a, b;
        ~cleanup()
        {
            std::error_code ec;
            std::filesystem::remove(a, ec);
            std::filesystem::remove(b, ec);
        }
    } const remove_files{in_path, out_path};

    {
        std::ofstream in{in_path};
        for (const auto& i : inputs) {
            in << name(i.what) << ' ' << i.value << '\n';
        }
        if (!in) {
            std::cerr << "cannot write " << in_path << '\n';
            return 2;
        }
    }
    const std::string command =
        "/usr/bin/python3 " + quoted(oracle) + " < " + quoted(in_path) + " > " + quoted(out_path);
    if (const int rc = std::system(command.c_str()); rc != 0) {
        std::cerr << "oracle failed (status " << rc << "): " << command << '\n';
        return 2;
    }

    std::ifstream verdicts{out_path};
    std::array<tally, 2> tallies{};
    std::string line;
    for (const auto& i : inputs) {
        if (!std::getline(verdicts, line) || (line != "0" && line != "1")) {
            std::cerr << "oracle output ends early or is malformed at input " << i.value << '\n';
            return 2;
        }
        const bool theirs = line == "1";
        const bool ours =
            (i.what == kind::rnokpp ? aikom::check::validate_rnokpp(i.value)
                                    : aikom::check::validate_edrpou(i.value)) == id_error::ok;
        tally& t = tallies[static_cast<std::size_t>(i.what)];
        ++t.inputs;
        if (ours == theirs) {
            ++t.agreements;
        } else if (i.what == kind::edrpou && ours && !theirs && i.value[7] == '0' &&
                   edrpou_remainder_10_twice(i.value)) {
            ++t.documented;
        } else {
            ++t.other;
            std::cerr << "DISAGREEMENT " << name(i.what) << ' ' << i.value << ": ours "
                      << (ours ? "valid" : "invalid") << ", stdnum "
                      << (theirs ? "valid" : "invalid") << '\n';
        }
    }
    if (std::getline(verdicts, line)) {
        std::cerr << "oracle printed more verdicts than there were inputs\n";
        return 2;
    }

    for (const kind k : {kind::rnokpp, kind::edrpou}) {
        const tally& t = tallies[static_cast<std::size_t>(k)];
        std::cout << name(k) << ": " << t.inputs << " inputs, " << t.agreements << " agreements, "
                  << t.documented << " documented disagreements (remainder 10 twice), " << t.other
                  << " other disagreements\n";
    }
    const bool ok = tallies[0].other == 0 && tallies[1].other == 0;
    std::cout << (ok ? "PASS" : "FAIL") << '\n';
    return ok ? 0 : 1;
}
