#include <aikom/codec/content_hash.hpp>
#include <aikom/codec/json.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

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
