#include <aikom/codec/json.hpp>
#include <aikom/codec/reader.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace aikom;

using test::read_all;

TEST_CASE("NDJSON: a bad line in the middle does not stop the file")
{
    const std::string text = "{\"id\":\"a\"}\n"
                             "\n"
                             "{\"id\":\"b\",\"sex\":\"x\"}\r\n"
                             "{\"id\":\"c\",\n"
                             "   \n"
                             "{\"id\":\"d\"}"; // no final newline
    const auto items = read_all(text, codec::input_format::ndjson);
    REQUIRE(items.size() == 4);
    CHECK(items[0].ok());
    CHECK(items[0].line == 1);
    CHECK(items[1].index == 1);
    CHECK(items[1].line == 3);
    CHECK_FALSE(items[1].ok());
    REQUIRE(items[1].issues.size() == 1);
    CHECK(items[1].issues[0].pointer == "/sex");
    CHECK(items[2].line == 4);
    CHECK_FALSE(items[2].ok());
    CHECK(items[2].issues[0].code == "json.syntax");
    CHECK(items[2].column == 11);
    CHECK(items[3].ok());
    CHECK(items[3].line == 6);
    CHECK(items[3].record->id == "d");
}

TEST_CASE("NDJSON: positions name the source, line and column")
{
    std::istringstream in("{\"id\":\"a\"}\n{\"id\":\n");
    auto reader = codec::make_reader(in, codec::input_format::ndjson, "roster.ndjson");
    codec::read_item item;
    REQUIRE(reader->next(item));
    CHECK(reader->position(item) == "roster.ndjson:1");
    REQUIRE(reader->next(item));
    CHECK(reader->position(item) == "roster.ndjson:2:7");
    CHECK_FALSE(reader->next(item));
}

TEST_CASE("NDJSON: an over-long line is reported and skipped")
{
    codec::reader_options o;
    o.decode.max_record_bytes = 100;
    o.chunk_bytes = 16;
    const std::string text = "{\"id\":\"a\"}\n{\"id\":\"b\",\"residence\":{\"address\":\"" +
                             std::string(300, 'z') + "\"}}\n{\"id\":\"c\"}\n";
    const auto items = read_all(text, codec::input_format::ndjson, o);
    REQUIRE(items.size() == 3);
    CHECK(items[0].ok());
    CHECK(items[1].issues.at(0).code == "json.too_large");
    CHECK(items[1].line == 2);
    CHECK(items[2].ok());
    CHECK(items[2].line == 3);
}

TEST_CASE("NDJSON: records split across tiny chunks decode the same")
{
    std::string text;
    auto c = test::every_field_child();
    for (int i = 0; i < 20; ++i) {
        c.id = "kd-" + std::to_string(i);
        text += codec::encode(c) + "\n";
    }
    codec::reader_options tiny;
    tiny.chunk_bytes = 16;
    const auto a = read_all(text, codec::input_format::ndjson);
    const auto b = read_all(text, codec::input_format::ndjson, tiny);
    REQUIRE(a.size() == 20);
    REQUIRE(b.size() == 20);
    for (std::size_t i = 0; i < a.size(); ++i) {
        REQUIRE(b[i].ok());
        CHECK(*a[i].record == *b[i].record);
    }
}

TEST_CASE("JSON array: elements across lines, a bad one in the middle")
{
    const std::string text = "\xEF\xBB\xBF[\n"
                             "  {\"id\": \"a\"},\n"
                             "  {\"id\": \"b\",\n"
                             "   \"birth_date\": \"2021-02-30\"},\n"
                             "  {\"id\": \"c\", \"name\": {\"last\": \"[{,}]\\\"\"}},\n"
                             "  {\"id\": \"d\",\n"
                             "   \"sex\": \"male\" \"x\"},\n"
                             "  {\"id\": \"e\"}\n"
                             "]\n";
    const auto items = read_all(text, codec::input_format::json_array);
    REQUIRE(items.size() == 5);
    CHECK(items[0].ok());
    CHECK(items[0].line == 2);
    CHECK_FALSE(items[1].ok());
    CHECK(items[1].line == 3);
    CHECK(items[1].issues.at(0).pointer == "/birth_date");
    REQUIRE(items[2].ok());
    CHECK(items[2].record->name->last == "[{,}]\"");
    CHECK_FALSE(items[3].ok());
    CHECK(items[3].issues.at(0).code == "json.syntax");
    CHECK(items[3].line == 7);
    CHECK(items[3].column == 18);
    CHECK(items[4].ok());
    CHECK(items[4].index == 4);
}

TEST_CASE("JSON array: every chunk size reads the same items at the same positions")
{
    // The element scanner works on a buffered span at a time: whatever the spans, the items,
    // their lines and columns, an over-long element and a record cut by the end are the same.
    auto c = test::every_field_child();
    std::string text = "\xEF\xBB\xBF[\n";
    for (int i = 0; i < 6; ++i) {
        c.id = "kd-" + std::to_string(i);
        text += "  " + codec::encode(c) + ",\n";
    }
    // A bad element starting on the line where a two-line one ends: its column counts from there.
    text += "  {\"id\": \"x\",\n   \"name\": {\"last\": \"[{,}]\\\"\\\\\"}}, ";
    text += "{\"id\": \"d\", \"sex\": \"male\" \"x\"},\n  \"pad\",\n";
    text += "  {\"id\": \"" + std::string(300, 'z') + "\"},\n";
    text += "  {\"id\": \"e\", \"note\": [1, {\"a\": \"}\"}]},\n";
    text += "  {\"id\": \"cut\", \"name\": {\"last\": \"a\n";
    codec::reader_options limits;
    limits.decode.max_record_bytes = 2048; // the 300-byte id fits; the every-field ones too
    const auto whole = read_all(text, codec::input_format::json_array, limits);
    REQUIRE(whole.size() == 12);
    CHECK(whole[6].ok());
    CHECK(whole[6].record->name->last == "[{,}]\"\\");
    CHECK(whole[7].issues.at(0).code == "json.syntax");
    CHECK(whole[7].line == 9);
    CHECK(whole[7].column == 62); // at the second string
    CHECK(whole[8].issues.at(0).code == "format.type");
    CHECK(whole[11].issues.at(0).code == "json.array"); // the input ends inside a record
    CHECK(whole[11].line == 14);                         // where it ends

    codec::reader_options small = limits;
    small.decode.max_record_bytes = 200; // now the long one and the every-field ones are too large
    const auto small_whole = read_all(text, codec::input_format::json_array, small);
    REQUIRE(small_whole.size() == 12);
    CHECK_FALSE(small_whole[0].ok());
    CHECK_FALSE(small_whole[8].ok());
    CHECK(whole[10].issues.at(0).code == "field.unknown"); // framed whole, then decoded
    CHECK(small_whole[0].issues.at(0).code == "json.too_large");
    CHECK(small_whole[9].issues.at(0).code == "json.too_large");
    CHECK(small_whole[10].issues.at(0).code == "field.unknown");

    for (std::size_t chunk = 16; chunk <= 700; chunk += 7) {
        CAPTURE(chunk);
        for (const auto* base : {&limits, &small}) {
            auto o = *base;
            o.chunk_bytes = chunk;
            const auto& expected = base == &limits ? whole : small_whole;
            const auto items = read_all(text, codec::input_format::json_array, o);
            REQUIRE(items.size() == expected.size());
            for (std::size_t i = 0; i < items.size(); ++i) {
                CAPTURE(i);
                CHECK(items[i].ok() == expected[i].ok());
                CHECK(items[i].line == expected[i].line);
                CHECK(items[i].column == expected[i].column);
                CHECK(items[i].index == expected[i].index);
                REQUIRE(items[i].issues.size() == expected[i].issues.size());
                for (std::size_t k = 0; k < items[i].issues.size(); ++k) {
                    CHECK(items[i].issues[k].code == expected[i].issues[k].code);
                    CHECK(items[i].issues[k].pointer == expected[i].issues[k].pointer);
                }
                if (items[i].ok()) {
                    CHECK(*items[i].record == *expected[i].record);
                }
            }
        }
    }
}

TEST_CASE("JSON array: broken framing ends the file with an item that says where")
{
    const auto items = read_all("[{\"id\":\"a\"} {\"id\":\"b\"}]", codec::input_format::json_array);
    REQUIRE(items.size() == 2);
    CHECK(items[0].ok());
    CHECK_FALSE(items[1].ok());
    CHECK(items[1].issues.at(0).code == "json.array");
    CHECK(items[1].column == 13);

    CHECK(read_all("[]", codec::input_format::json_array).empty());
    CHECK(read_all("  [ ]  \n", codec::input_format::json_array).empty());
    const auto not_array = read_all("{\"id\":\"a\"}", codec::input_format::json_array);
    REQUIRE(not_array.size() == 1);
    CHECK_FALSE(not_array[0].ok());
    const auto truncated = read_all("[{\"id\":\"a\"},{\"id\":", codec::input_format::json_array);
    REQUIRE(truncated.size() == 2);
    CHECK(truncated[0].ok());
    CHECK_FALSE(truncated[1].ok());
    const auto trailing = read_all("[{\"id\":\"a\"}] x", codec::input_format::json_array);
    REQUIRE(trailing.size() == 2);
    CHECK_FALSE(trailing[1].ok());
    const auto scalar = read_all("[1, {\"id\":\"a\"}]", codec::input_format::json_array);
    REQUIRE(scalar.size() == 2);
    CHECK(scalar[0].issues.at(0).code == "format.type");
    CHECK(scalar[1].ok());
}

TEST_CASE("open_reader picks the format from the extension and reports unreadable files")
{
    CHECK(codec::format_from_extension("a/b.NDJSON") == codec::input_format::ndjson);
    CHECK(codec::format_from_extension("b.jsonl") == codec::input_format::ndjson);
    CHECK(codec::format_from_extension("b.json") == codec::input_format::json_array);
    CHECK(codec::format_from_extension("b.Csv") == codec::input_format::csv);
    CHECK_FALSE(codec::format_from_extension("b.txt"));

    test::temp_dir dir;
    CHECK_THROWS_AS((void)codec::open_reader(dir.file("missing.ndjson")),
                    std::filesystem::filesystem_error);
    test::write_file(dir.file("r.txt"), "");
    CHECK_THROWS_AS((void)codec::open_reader(dir.file("r.txt")), std::invalid_argument);
    test::write_file(dir.file("r.json"), "[{\"id\":\"a\"}]");
    auto reader = codec::open_reader(dir.file("r.json"));
    codec::read_item item;
    REQUIRE(reader->next(item));
    CHECK(item.ok());
    CHECK(reader->position(item) == dir.file("r.json").string() + ":1");
}

TEST_CASE("a million-record NDJSON file is read in bounded memory")
{
    test::temp_dir dir;
    const auto path = dir.file("big.ndjson");
    constexpr int count = 1'000'000;
    std::uintmax_t bytes = 0;
    {
        std::ofstream out(path, std::ios::binary);
        auto c = test::minimal_child();
        c.sex = model::sex::male;
        c.birth_date = std::chrono::year_month_day{std::chrono::year{2021}, std::chrono::month{3},
                                                   std::chrono::day{14}};
        c.name = model::person_name{.last = "Тестенко", .first = "Тарас", .patronymic = "Петрович"};
        c.education = model::education{.form = model::education_form::in_person};
        std::string line;
        for (int i = 0; i < count; ++i) {
            c.id = "kd-" + std::to_string(i);
            line.clear();
            codec::encode(c, line);
            line.push_back('\n');
            out.write(line.data(), static_cast<std::streamsize>(line.size()));
        }
        REQUIRE(out.good());
    }
    bytes = std::filesystem::file_size(path);
    REQUIRE(bytes > 100'000'000);

    auto reader = codec::open_reader(path);
    codec::read_item item;
    std::uint64_t good = 0;
    std::uint64_t last_line = 0;
    while (reader->next(item)) {
        good += item.ok() ? 1 : 0;
        last_line = item.line;
    }
    CHECK(good == count);
    CHECK(last_line == count);
    // The reader's own buffers: one chunk and one line, never the file.
    CHECK(reader->buffer_high_water() <= reader->buffer_limit());
    CHECK(reader->buffer_limit() <= 512 * 1024);
    CHECK(reader->buffer_high_water() * 1000 < bytes);
}
