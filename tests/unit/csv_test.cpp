#include <aikom/codec/csv.hpp>
#include <aikom/codec/json.hpp>
#include <aikom/codec/reader.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

using namespace aikom;
using namespace std::chrono;

namespace {

std::vector<codec::read_item> read_csv(std::string_view bytes, codec::reader_options options = {})
{
    return test::read_all(bytes, codec::input_format::csv, options);
}

// A roster as a Ukrainian spreadsheet would export it, with `sep` between cells. The quoted
// address holds both separators and a line break.
std::string sample_roster(char sep)
{
    std::string s =
        "id|name.last|name.first|birth_date|sex|document.type|document.series|"
        "residence.address|free_meals|guardian1.relation|guardian1.phone\r\n"
        "kd-1|Тестенко|Мар’яна|14.03.2021|female|ua_birth_certificate|I-КВ|"
        "\"вул. Тестова; 1,\nкв. 2\"|так|mother|+380501234567\r\n"
        "kd-2|Пробний|Іван|2020-02-30|male||||ні||\r\n"
        "kd-3|Зразкова|Єва|01.09.2019|female|none||\"буд. \"\"Ґ\"\"\"|false|father|\r\n";
    for (auto& c : s) {
        if (c == '|') {
            c = sep;
        }
    }
    return s;
}

void check_sample(const std::vector<codec::read_item>& items)
{
    REQUIRE(items.size() == 3);
    REQUIRE(items[0].ok());
    const auto& a = *items[0].record;
    CHECK(a.id == "kd-1");
    CHECK(a.name->last == "Тестенко");
    CHECK(a.name->first == "Мар’яна");
    CHECK(a.birth_date == 2021y / March / 14);
    CHECK(a.sex == model::sex::female);
    CHECK(a.document->type == model::document_type::ua_birth_certificate);
    CHECK(a.document->series == "I-КВ");
    CHECK(a.free_meals == true);
    CHECK(a.residence->address == "вул. Тестова; 1,\nкв. 2");
    REQUIRE(a.guardians.size() == 1);
    CHECK(a.guardians[0].relation == model::guardian_relation::mother);
    CHECK(a.guardians[0].phone == "+380501234567");
    CHECK(items[0].line == 2);

    // The bad date does not stop the file, and the quoted newline moved the line count.
    CHECK_FALSE(items[1].ok());
    CHECK(items[1].line == 4);
    REQUIRE(items[1].issues.size() == 1);
    CHECK(items[1].issues[0].pointer == "/birth_date");
    CHECK(items[1].issues[0].code == "format.date");

    REQUIRE(items[2].ok());
    CHECK(items[2].line == 5);
    CHECK(items[2].record->residence->address == "буд. \"Ґ\"");
    CHECK(items[2].record->free_meals == false);
    CHECK(items[2].record->birth_date == 2019y / September / 1);
}

} // namespace

TEST_CASE("CSV in UTF-8 with semicolons")
{
    check_sample(read_csv(sample_roster(';')));
}

TEST_CASE("CSV in UTF-8 with a BOM and ','")
{
    check_sample(read_csv("\xEF\xBB\xBF" + sample_roster(',')));
}

TEST_CASE("CSV in Windows-1251 with semicolons and with commas")
{
    check_sample(read_csv(test::to_cp1251(sample_roster(';'))));
    check_sample(read_csv(test::to_cp1251(sample_roster(','))));
    codec::reader_options forced;
    forced.csv_encoding = codec::text_encoding::windows_1251;
    forced.csv_separator = ',';
    check_sample(read_csv(test::to_cp1251(sample_roster(',')), forced));
}

TEST_CASE("CSV across tiny chunks reads the same")
{
    codec::reader_options tiny;
    tiny.chunk_bytes = 16;
    check_sample(read_csv(sample_roster(';'), tiny));
    check_sample(read_csv(test::to_cp1251(sample_roster(',')), tiny));
}

TEST_CASE("CSV rows that cannot be used are reported, the rest is read")
{
    const auto items = read_csv("id;sex;document.series;nickname\n"
                                "kd-1;male;;\n"
                                "kd-2;male;I-КВ;\n"    // a document needs its type
                                "kd-3;male;;;extra\n"  // one cell too many
                                "kd-4;male;;Тарасик\n" // a value in an unknown column
                                ";;;\n"                // an empty row is skipped
                                "kd-5;maybe;;\n"
                                "kd-6;female;;\n");
    REQUIRE(items.size() == 6);
    CHECK(items[0].ok());
    CHECK_FALSE(items[1].ok());
    CHECK(items[1].issues.at(0).pointer == "/document/type");
    CHECK(items[1].issues.at(0).code == "field.required");
    CHECK_FALSE(items[2].ok());
    CHECK(items[2].issues.at(0).code == "csv.columns");
    CHECK_FALSE(items[3].ok());
    CHECK(items[3].issues.at(0).pointer == "/nickname");
    CHECK(items[3].issues.at(0).code == "field.unknown");
    CHECK(items[4].line == 7);
    CHECK(items[4].issues.at(0).code == "format.enum");
    REQUIRE(items[5].ok());
    CHECK(items[5].index == 5);
    CHECK(items[5].record->sex == model::sex::female);

    codec::reader_options lenient;
    lenient.decode.unknown_fields = codec::unknown_field_policy::warn;
    const auto l = read_csv("id;nickname\nkd-1;Тарасик\n", lenient);
    REQUIRE(l.size() == 1);
    CHECK(l[0].ok());
    CHECK(l[0].issues.at(0).severity == check::severity::warning);
}

TEST_CASE("CSV: an unusable header is one item, then the end")
{
    for (std::string_view bad :
         {"name.last;sex\nТест;male\n", "id;sex;sex\nkd-1;male;male\n", ""}) {
        CAPTURE(bad);
        const auto items = read_csv(bad);
        REQUIRE(items.size() == 1);
        CHECK_FALSE(items[0].ok());
        CHECK(items[0].issues.at(0).code == "csv.header");
    }
}

TEST_CASE("CSV: an unclosed quote is reported with the row where it starts")
{
    const auto items = read_csv("id;name.last\nkd-1;a\nkd-2;\"b\nkd-3;c\n");
    REQUIRE(items.size() == 2);
    CHECK(items[0].ok());
    CHECK(items[1].line == 3);
    CHECK(items[1].issues.at(0).code == "csv.syntax");
}

TEST_CASE("CSV: bytes that are not UTF-8 in a UTF-8 file are a row error")
{
    const auto items = read_csv("id;name.last\nkd-1;Тест\nkd-2;\xD2\xE5\xF1\xF2\nkd-3;Тест\n");
    REQUIRE(items.size() == 3);
    CHECK(items[0].ok());
    CHECK(items[1].issues.at(0).code == "csv.encoding");
    CHECK(items[2].ok());
}

TEST_CASE("CSV: guardian2 alone becomes the first guardian, columns may come in any order")
{
    const auto items =
        read_csv("guardian2.phone;id;guardian2.relation\n+380671112233;kd-1;father\n");
    REQUIRE(items.size() == 1);
    REQUIRE(items[0].ok());
    REQUIRE(items[0].record->guardians.size() == 1);
    CHECK(items[0].record->guardians[0].relation == model::guardian_relation::father);
}

TEST_CASE("CSV writer and reader round-trip every field, in UTF-8 and in Windows-1251")
{
    auto full = test::every_field_child();
    full.name->first = "Мар’яна"; // the ASCII apostrophe and ’ both exist in 1251
    const auto minimal = test::minimal_child("kd-2");
    for (const auto encoding : {codec::text_encoding::utf8, codec::text_encoding::windows_1251}) {
        for (const char sep : {';', ','}) {
            std::ostringstream out;
            codec::csv_writer writer(out, {.separator = sep, .encoding = encoding});
            writer.write(full);
            writer.write(minimal);
            const auto items = read_csv(out.str());
            REQUIRE(items.size() == 2);
            REQUIRE(items[0].ok());
            CHECK(*items[0].record == full);
            REQUIRE(items[1].ok());
            CHECK(*items[1].record == minimal);
        }
    }
}

TEST_CASE("CSV writer refuses what it cannot write instead of dropping it")
{
    std::ostringstream out;
    codec::csv_writer writer(out, {.guardian_columns = 1});
    CHECK_THROWS_AS(writer.write(test::every_field_child()), std::length_error);

    std::ostringstream out1251;
    codec::csv_writer w1251(out1251, {.encoding = codec::text_encoding::windows_1251});
    auto c = test::minimal_child();
    c.name =
        model::person_name{.last = "Тестенкоʼ", .first = std::nullopt, .patronymic = std::nullopt};
    CHECK_THROWS_AS(w1251.write(c), std::invalid_argument);
}

TEST_CASE("CSV columns are the dotted paths of the JSON format")
{
    const auto cols = codec::csv_columns(2);
    CHECK(cols.front() == "id");
    CHECK(std::find(cols.begin(), cols.end(), "document.series") != cols.end());
    CHECK(std::find(cols.begin(), cols.end(), "displacement.certificate.number") != cols.end());
    CHECK(std::find(cols.begin(), cols.end(), "guardian2.name.last") != cols.end());
    CHECK(std::find(cols.begin(), cols.end(), "guardian3.name.last") == cols.end());
    CHECK(cols.back() == "guardian2.phone");
}

TEST_CASE("CSV: review findings stay fixed")
{
    // A UTF-8 character split across two cells is not valid UTF-8 in either.
    const auto split = read_csv("id;name.last;name.first\nz;Тест;Тест\na;\xD0;\x90\n");
    REQUIRE(split.size() == 2);
    CHECK(split[0].ok()); // the file is UTF-8
    CHECK_FALSE(split[1].ok());
    CHECK(split[1].issues.at(0).code == "csv.encoding");
    // Alone, the same bytes are valid Windows-1251, and automatic detection reads them so.
    const auto alone = read_csv("id;name.last;name.first\na;\xD0;\x90\n");
    REQUIRE(alone.size() == 1);
    REQUIRE(alone[0].ok());
    CHECK(alone[0].record->name->last == "Р");

    // Warnings reaching the issue limit refuse the record instead of dropping columns.
    codec::reader_options lenient;
    lenient.decode.unknown_fields = codec::unknown_field_policy::warn;
    lenient.decode.max_issues = 5;
    const auto truncated = read_csv("id;n1;n2;n3;n4;n5;name.last;sex\na;x;x;x;x;x;Тестенко;male\n", lenient);
    REQUIRE(truncated.size() == 1);
    CHECK_FALSE(truncated[0].ok());
    CHECK(truncated[0].issues.back().code == "json.too_many_issues");

    // Windows-1251 rows near the size limit stay within the reader's declared bound.
    codec::reader_options big;
    big.decode.max_record_bytes = 21000;
    big.chunk_bytes = 16;
    std::string text = "id;name.last\n";
    for (int i = 0; i < 4; ++i) {
        text += "a" + std::to_string(i) + ";" + std::string(20990, '\xB9') + "\n";
    }
    const auto rows = read_csv(text, big); // read_csv checks high water <= limit
    CHECK(rows.size() == 4);

    // The whole int32 range, signs included.
    const auto ints = read_csv("id;special_needs.has;special_needs.support_level\na;true;-2147483648\n");
    REQUIRE(ints.size() == 1);
    REQUIRE(ints[0].ok());
    CHECK(ints[0].record->special_needs->support_level == -2147483647 - 1);
}

namespace {

bool formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

// The cells of CSV text as a spreadsheet sees them (RFC 4180, not the library's reader): quoted
// cells without their quotes, `""` as `"`.
std::vector<std::string> spreadsheet_cells(std::string_view text, char sep)
{
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    bool at_start = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell.push_back('"');
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cell.push_back(c);
            }
        } else if (c == '"' && at_start) {
            quoted = true;
            at_start = false;
        } else if (c == sep || c == '\n') {
            cells.push_back(std::move(cell));
            cell.clear();
            at_start = true;
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            // the line end
        } else {
            cell.push_back(c);
            at_start = false;
        }
    }
    return cells;
}

// The CSV of a record whose only field besides `id` is `name.last` = `last`.
std::string csv_with_last_name(std::string last)
{
    auto c = test::minimal_child("kd-1");
    c.name = model::person_name{.last = std::move(last)};
    std::ostringstream out;
    codec::csv_writer writer(out, {.byte_order_mark = false});
    writer.write(c);
    return out.str();
}

} // namespace

TEST_CASE("CSV: cells that a spreadsheet would run as formulas are neutralised and read back "
          "exactly")
{
    const std::vector<std::string> hostile = {
        "=1+2", "+380501234567", "-1", "@SUM(A1:A9)", "\t=1+2", "\r=1+2", "=", "+", "-", "@",
        "=HYPERLINK(\"http://x.invalid\";1)", "'=1+2", "''=1+2", "'''@x", "'+", "'",
        "''", "'x", "x=1", "'\t", "-;=\"\n+", " =1", "=1 "};
    for (const auto& value : hostile) {
        CAPTURE(value);
        auto c = test::every_field_child();
        c.name->last = value;
        c.name->first = value;
        c.residence->address = value;
        c.document->number = value;
        REQUIRE_FALSE(c.guardians.empty());
        c.guardians[0].phone = value;
        for (const auto encoding : {codec::text_encoding::utf8, codec::text_encoding::windows_1251}) {
            for (const char sep : {';', ','}) {
                std::ostringstream out;
                codec::csv_writer writer(out, {.separator = sep, .encoding = encoding});
                writer.write(c);
                const auto items = read_csv(out.str());
                REQUIRE(items.size() == 1);
                REQUIRE(items[0].ok());
                CHECK(*items[0].record == c);
                for (const auto& cell : spreadsheet_cells(out.str(), sep)) {
                    CAPTURE(cell);
                    CHECK((cell.empty() || !formula_start(cell.front())));
                }
            }
        }
    }

    // What is written, exactly: one `'` more in front, in quotes; other texts as they are.
    CHECK(csv_with_last_name("=1+2").find(";\"'=1+2\";") != std::string::npos);
    CHECK(csv_with_last_name("'=1+2").find(";\"''=1+2\";") != std::string::npos);
    CHECK(csv_with_last_name("'x").find(";'x;") != std::string::npos);
    CHECK(csv_with_last_name("x=1").find(";x=1;") != std::string::npos);

    // A negative integer is neutralised too, and still reads back as a number.
    auto n = test::minimal_child("kd-2");
    n.special_needs = model::special_needs{.has = true, .support_level = -2};
    std::ostringstream out;
    codec::csv_writer writer(out);
    writer.write(n);
    CHECK(out.str().find(";\"'-2\"") != std::string::npos);
    const auto items = read_csv(out.str());
    REQUIRE(items.size() == 1);
    REQUIRE(items[0].ok());
    CHECK(*items[0].record == n);

    // The reader's rule for files from elsewhere: one `'` off before a formula character, quoted
    // or not; nothing off anything else.
    const auto foreign = read_csv("id;name.last;name.first;name.patronymic\n"
                                  "a;'=x;\"''@y\";'z\n"
                                  "b;';\"'\";\" '-1\"\n");
    REQUIRE(foreign.size() == 2);
    REQUIRE(foreign[0].ok());
    CHECK(foreign[0].record->name->last == "=x");
    CHECK(foreign[0].record->name->first == "'@y");
    CHECK(foreign[0].record->name->patronymic == "'z");
    REQUIRE(foreign[1].ok());
    CHECK(foreign[1].record->name->last == "'");
    CHECK(foreign[1].record->name->first == "'");
    CHECK(foreign[1].record->name->patronymic == " '-1");
}

TEST_CASE("the encoder refuses a date it cannot write instead of writing another day")
{
    auto c = test::minimal_child();
    c.birth_date = model::date{};
    CHECK_THROWS_AS((void)codec::encode(c), std::invalid_argument);
    c.birth_date = std::chrono::year{12345} / 1 / 1;
    CHECK_THROWS_AS((void)codec::encode(c), std::invalid_argument);
}
