// SHA-256 (FIPS 180-4), written for this library so that aikom::records needs no crypto
// dependency. It hashes canonical encodings for change detection, not secrets. On x86 processors
// with the SHA extensions the blocks go through them (about 5x the portable code, which a push
// otherwise spends 8-13 % of its CPU in: the client hashes each record, the server each record
// and each batch body); elsewhere through the portable code, chosen once per process.
#include "codec/sha256.hpp"

#include <aikom/codec/content_hash.hpp>
#include <aikom/codec/json.hpp>

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define AIKOM_SHA256_X86 1
#endif

namespace aikom::codec {
namespace {

constexpr std::uint32_t k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t rotr(std::uint32_t x, int n) noexcept
{
    return (x >> n) | (x << (32 - n));
}

void compress_portable(std::uint32_t* h, const unsigned char* block) noexcept
{
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
        w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
               (std::uint32_t{block[4 * i + 2]} << 8) | std::uint32_t{block[4 * i + 3]};
    }
    for (int i = 16; i < 64; ++i) {
        const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
        const std::uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        const std::uint32_t ch = (e & f) ^ (~e & g);
        const std::uint32_t t1 = hh + s1 + ch + k[i] + w[i];
        const std::uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        const std::uint32_t t2 = s0 + maj;
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

void blocks_portable(std::uint32_t* h, const unsigned char* data, std::size_t blocks) noexcept
{
    for (; blocks > 0; --blocks, data += 64) {
        compress_portable(h, data);
    }
}

#ifdef AIKOM_SHA256_X86
// The SHA extensions keep the state as two vectors, ABEF and CDGH, and run two rounds per
// sha256rnds2 (the round constants added to the message words beforehand). The message
// schedule for words 16..63, four at a time: X[j] = msg2(msg1(X[j-4], X[j-3]) + X[j-7..j-4],
// X[j-1]), where X[j-7..j-4] is the alignment of X[j-1] after X[j-2] by one word.
__attribute__((target("sha,sse4.1,ssse3"))) void blocks_sha_extensions(
    std::uint32_t* h, const unsigned char* data, std::size_t blocks) noexcept
{
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    const __m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)),
                                           0xB1); // C D A B
    const __m128i efgh =
        _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4)), 0x1B);
    __m128i abef = _mm_alignr_epi8(dcba, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, dcba, 0xF0);
    for (; blocks > 0; --blocks, data += 64) {
        const __m128i abef_before = abef;
        const __m128i cdgh_before = cdgh;
        __m128i x[4];
        for (int j = 0; j < 16; ++j) {
            __m128i& w = x[j & 3];
            if (j < 4) {
                w = _mm_shuffle_epi8(
                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * j)), byte_swap);
            } else {
                const __m128i& prev = x[(j - 1) & 3];
                __m128i t = _mm_sha256msg1_epu32(w, x[(j + 1) & 3]);
                t = _mm_add_epi32(t, _mm_alignr_epi8(prev, x[(j - 2) & 3], 4));
                w = _mm_sha256msg2_epu32(t, prev);
            }
            __m128i msg =
                _mm_add_epi32(w, _mm_loadu_si128(reinterpret_cast<const __m128i*>(k + 4 * j)));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
            msg = _mm_shuffle_epi32(msg, 0x0E);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, msg);
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }
    const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), _mm_alignr_epi8(dchg, feba, 8));
}

bool cpu_has_sha_extensions() noexcept
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid(1, &a, &b, &c, &d) == 0) {
        return false;
    }
    const bool ssse3 = (c & bit_SSSE3) != 0;
    const bool sse41 = (c & bit_SSE4_1) != 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) {
        return false;
    }
    return ssse3 && sse41 && (b & bit_SHA) != 0;
}
#else
bool cpu_has_sha_extensions() noexcept
{
    return false;
}
#endif

using blocks_function = void (*)(std::uint32_t*, const unsigned char*, std::size_t) noexcept;

blocks_function chosen_blocks() noexcept
{
#ifdef AIKOM_SHA256_X86
    static const blocks_function f =
        cpu_has_sha_extensions() ? blocks_sha_extensions : blocks_portable;
    return f;
#else
    return blocks_portable;
#endif
}

content_digest sha256_with(blocks_function blocks, std::string_view bytes) noexcept
{
    std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                          0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t n = bytes.size();
    const std::uint64_t bit_length = static_cast<std::uint64_t>(n) * 8;
    blocks(h, p, n / 64);
    p += n / 64 * 64;
    n %= 64;
    unsigned char tail[128] = {};
    std::memcpy(tail, p, n);
    tail[n] = 0x80;
    const std::size_t tail_size = n + 1 + 8 <= 64 ? 64 : 128;
    for (int i = 0; i < 8; ++i) {
        tail[tail_size - 1 - i] = static_cast<unsigned char>(bit_length >> (8 * i));
    }
    blocks(h, tail, tail_size / 64);
    content_digest d;
    for (int i = 0; i < 8; ++i) {
        d.bytes[4 * i] = static_cast<std::uint8_t>(h[i] >> 24);
        d.bytes[4 * i + 1] = static_cast<std::uint8_t>(h[i] >> 16);
        d.bytes[4 * i + 2] = static_cast<std::uint8_t>(h[i] >> 8);
        d.bytes[4 * i + 3] = static_cast<std::uint8_t>(h[i]);
    }
    return d;
}

} // namespace

content_digest sha256(std::string_view bytes) noexcept
{
    return sha256_with(chosen_blocks(), bytes);
}

namespace detail {

bool sha256_uses_cpu_extensions() noexcept
{
    return chosen_blocks() != blocks_portable;
}

content_digest sha256_portable(std::string_view bytes) noexcept
{
    return sha256_with(blocks_portable, bytes);
}

} // namespace detail

std::string content_digest::to_hex() const
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    s.reserve(64);
    for (auto b : bytes) {
        s.push_back(hex[b >> 4]);
        s.push_back(hex[b & 0xF]);
    }
    return s;
}

content_digest content_hash(const model::child& record)
{
    return sha256(encode(record));
}

} // namespace aikom::codec
