#include <aikom/codec/content_hash.hpp>
#include <aikom/codec/json.hpp>

#include "fixtures.hpp"
#include "records/codec/sha256.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>

using namespace aikom;

TEST_CASE("SHA-256 matches the FIPS 180-4 examples")
{
    CHECK(codec::sha256("").to_hex() ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(codec::sha256("abc").to_hex() ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(codec::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").to_hex() ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    // Lengths around the padding boundary (55, 56, 64 bytes) and a multi-block input.
    CHECK(codec::sha256(std::string(55, 'a')).to_hex() ==
          "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    CHECK(codec::sha256(std::string(56, 'a')).to_hex() ==
          "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    CHECK(codec::sha256(std::string(64, 'a')).to_hex() ==
          "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    CHECK(codec::sha256(std::string(1000000, 'a')).to_hex() ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 by the processor's extensions and by the portable code equal OpenSSL's")
{
    // Every length from 0 to 700 bytes (each padding case, 1 to 11 blocks) of random bytes, and
    // larger inputs; OpenSSL is the oracle written by others. On a processor without the SHA
    // extensions both ways are the portable code, and the test still holds that code.
    MESSAGE("sha256 runs on the processor's SHA extensions: "
            << std::string(codec::detail::sha256_uses_cpu_extensions() ? "yes" : "no"));
    std::mt19937_64 random(20261202);
    const auto openssl = [](const std::string& bytes) {
        std::array<unsigned char, 32> out{};
        unsigned int size = 0;
        REQUIRE(EVP_Digest(bytes.data(), bytes.size(), out.data(), &size, EVP_sha256(),
                           nullptr) == 1);
        REQUIRE(size == 32);
        codec::content_digest d;
        std::copy(out.begin(), out.end(), d.bytes.begin());
        return d;
    };
    std::string bytes;
    int mismatches = 0;
    const auto compare = [&] {
        const auto expected = openssl(bytes);
        if (codec::sha256(bytes) != expected || codec::detail::sha256_portable(bytes) != expected) {
            ++mismatches;
            MESSAGE("mismatch at length " << bytes.size());
        }
    };
    for (std::size_t n = 0; n <= 700; ++n) {
        bytes.resize(n);
        for (auto& c : bytes) {
            c = static_cast<char>(random() & 0xFF);
        }
        compare();
    }
    for (std::size_t n : {4095u, 4096u, 65'537u, 1'000'003u}) {
        bytes.assign(n, '\0');
        for (auto& c : bytes) {
            c = static_cast<char>(random() & 0xFF);
        }
        compare();
    }
    CHECK(mismatches == 0);
}

TEST_CASE("the content hash ignores key order and whitespace, and sees every change")
{
    const auto a = codec::decode_child(R"({"sex":"male","id":"a-1","name":{"first":"Тарас"}})");
    const auto b =
        codec::decode_child(R"({ "id" : "a-1", "name" : {"first":"Тарас"}, "sex":"male" })");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(codec::content_hash(*a.record) == codec::content_hash(*b.record));

    auto c = test::every_field_child();
    const auto h = codec::content_hash(c);
    CHECK(h == codec::content_hash(test::every_field_child()));
    c.guardians[1].phone = "+48123456780";
    CHECK(codec::content_hash(c) != h);
    c = test::every_field_child();
    c.free_meals = false;
    CHECK(codec::content_hash(c) != h);
    c.free_meals.reset();
    CHECK(codec::content_hash(c) != h);
}

TEST_CASE("the content hash of a fixed record is stable across builds")
{
    // Pinned: a change here means every stored hash changes, i.e. every record is re-sent.
    const auto r =
        codec::decode_child(R"({"id":"kd-000001","sex":"female","birth_date":"2021-03-14"})");
    REQUIRE(r.ok());
    CHECK(codec::content_hash(*r.record).to_hex() ==
          codec::sha256(R"({"id":"kd-000001","birth_date":"2021-03-14","sex":"female"})").to_hex());
}
