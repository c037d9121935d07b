#ifndef AIKOM_SRC_SYNTHETIC_RANDOM_SOURCE_HPP
#define AIKOM_SRC_SYNTHETIC_RANDOM_SOURCE_HPP

// The synthetic generator's own pseudo-random engine and range reduction. No
// std::*_distribution (their algorithms are implementation-defined) and no std::rand, so a
// seed gives the same numbers with every compiler and standard library.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace aikom::synthetic::detail {

constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept
{
    state += 0x9e3779b97f4a7c15U;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9U;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebU;
    return z ^ (z >> 31);
}

/// xoshiro256** (Blackman and Vigna), seeded through splitmix64.
class random_source {
public:
    explicit random_source(std::uint64_t seed) noexcept
    {
        for (auto& word : state_) {
            word = splitmix64(seed);
        }
    }

    /// An independent stream for (`seed`, `index`, `purpose`).
    static random_source stream(std::uint64_t seed, std::uint64_t index,
                                std::uint64_t purpose) noexcept
    {
        std::uint64_t mix = seed;
        mix = splitmix64(mix) ^ index;
        mix = splitmix64(mix) ^ purpose;
        return random_source{splitmix64(mix)};
    }

    std::uint64_t next() noexcept
    {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    /// Uniform in [0, n), n > 0. Rejection sampling: no modulo bias.
    std::uint64_t below(std::uint64_t n) noexcept
    {
        const std::uint64_t threshold = (0 - n) % n; // 2^64 mod n
        for (;;) {
            const std::uint64_t r = next();
            if (r >= threshold) {
                return r % n;
            }
        }
    }

    /// Uniform in [lo, hi], lo <= hi.
    int between(int lo, int hi) noexcept
    {
        return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo) + 1));
    }

    /// True with probability `p` (exact: a 53-bit uniform compared with `p`).
    bool chance(double p) noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }

    template <class T>
    const T& pick(std::span<const T> items) noexcept
    {
        return items[below(items.size())];
    }

    /// An index into `weights`, chosen with probability proportional to its weight.
    std::size_t weighted(std::initializer_list<int> weights) noexcept
    {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int r = between(0, total - 1);
        std::size_t i = 0;
        for (int w : weights) {
            if (r < w) {
                return i;
            }
            r -= w;
            ++i;
        }
        return weights.size() - 1;
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept
    {
        return (x << k) | (x >> (64 - k));
    }

    std::uint64_t state_[4]{};
};

} // namespace aikom::synthetic::detail

#endif
