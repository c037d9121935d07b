// docs/issue-codes.md and the registry in code must list the same codes with the same
// severities and messages.
#include <aikom/check/issue_codes.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace aikom;

namespace {

struct doc_row {
    std::string severity;
    std::string en;
    std::string uk;
};

// Rows of the main table: "| `code` | severity | en | uk |".
std::map<std::string, doc_row> read_doc_table()
{
    std::ifstream in(AIKOM_SOURCE_DIR "/docs/issue-codes.md");
    REQUIRE(in.good());
    std::map<std::string, doc_row> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.starts_with("| `")) {
            continue;
        }
        std::vector<std::string> cells;
        std::size_t start = 1;
        for (;;) {
            const auto bar = line.find(" |", start);
            if (bar == std::string::npos) {
                break;
            }
            std::string cell = line.substr(start, bar - start);
            if (cell.starts_with(' ')) {
                cell.erase(0, 1);
            }
            cells.push_back(cell);
            start = bar + 2;
        }
        if (cells.size() != 4 || cells[0].find(',') != std::string::npos) {
            continue; // the profile table lists several codes per row
        }
        const std::string code = cells[0].substr(1, cells[0].size() - 2);
        CHECK_MESSAGE(rows.count(code) == 0, "listed twice: " << code);
        rows[code] = {cells[1], cells[2], cells[3]};
    }
    return rows;
}

} // namespace

TEST_CASE("docs/issue-codes.md and the registry agree, code by code")
{
    const auto doc = read_doc_table();
    std::set<std::string> in_code;
    for (const auto& c : check::issue_codes()) {
        CAPTURE(c.code);
        in_code.insert(std::string(c.code));
        const auto it = doc.find(std::string(c.code));
        REQUIRE_MESSAGE(it != doc.end(), "not documented: " << c.code);
        CHECK(it->second.severity == check::to_string(c.severity));
        CHECK(it->second.en == c.message_en);
        CHECK(it->second.uk == c.message_uk);
    }
    for (const auto& [code, row] : doc) {
        CHECK_MESSAGE(in_code.count(code) == 1, "documented but not in the code: " << code);
    }
    CHECK(doc.size() == check::issue_codes().size());
}

TEST_CASE("every code is registered once, with both messages")
{
    std::set<std::string_view> seen;
    for (const auto& c : check::issue_codes()) {
        CAPTURE(c.code);
        CHECK(seen.insert(c.code).second);
        CHECK_FALSE(c.message_en.empty());
        CHECK_FALSE(c.message_uk.empty());
        CHECK(check::find_issue_code(c.code) == &c);
    }
    CHECK(check::find_issue_code("no.such.code") == nullptr);
}

TEST_CASE("make_issue fills placeholders in both languages")
{
    const auto i = check::make_issue("format.too_long", "/name/last", {{"max", "100", "100"}});
    CHECK(i.message_en == "too long: at most 100 characters");
    CHECK(i.message_uk == "задовге значення: щонайбільше 100 символів");
    CHECK(i.severity == check::severity::error);
    CHECK(i.pointer == "/name/last");
    const auto fix =
        check::make_issue("phone.normalized", "/guardians/0/phone", {}, "+380501234567");
    CHECK(fix.severity == check::severity::fix);
    CHECK(fix.suggestion == "+380501234567");
}
