// aikom-tour: a short tour of the records layer. Reads roster files (NDJSON, a JSON array or
// CSV) in streaming fashion and prints what a person would want to know first: how many
// records, how many could not be read and why (by position, never by name), the institutions,
// and how many records carry each of the four indicators the ministry asks about.
//
//   aikom-tour roster.ndjson [more files...]

#include <aikom/codec/content_hash.hpp>
#include <aikom/codec/reader.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <string>

namespace {

struct tally {
    std::size_t records = 0;
    std::size_t document = 0;
    std::size_t displacement = 0;
    std::size_t contact = 0;
    std::size_t education = 0;
};

void print_percent(const char* label, std::size_t part, std::size_t whole)
{
    std::printf("  %-28s %8zu  %5.1f%%\n", label, part,
                whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: aikom-tour FILE...   (.ndjson/.jsonl, .json or .csv)\n";
        return 2;
    }
    tally total;
    std::size_t unreadable = 0;
    std::size_t shown = 0;
    std::map<std::string, std::size_t> per_institution;
    std::string first_hash;

    for (int i = 1; i < argc; ++i) {
        std::unique_ptr<aikom::codec::record_reader> reader;
        try {
            reader = aikom::codec::open_reader(argv[i]);
        } catch (const std::exception& e) {
            std::cerr << "aikom-tour: " << e.what() << '\n';
            return 2;
        }
        aikom::codec::read_item item;
        while (reader->next(item)) {
            if (!item.ok()) {
                ++unreadable;
                if (shown++ < 5) {
                    for (const auto& issue : item.issues) {
                        std::cout << reader->position(item) << ": " << issue.code << " at '"
                                  << issue.pointer << "': " << issue.message_en << '\n';
                    }
                }
                continue;
            }
            const auto& c = *item.record;
            ++total.records;
            per_institution[c.institution ? c.institution->str() : "(none)"]++;
            total.document += c.document.has_value();
            total.displacement += c.displacement.has_value();
            total.contact += c.contact.has_value();
            total.education += c.education.has_value();
            if (first_hash.empty()) {
                first_hash = aikom::codec::content_hash(c).to_hex();
            }
        }
        std::cout << argv[i] << ": read with at most " << reader->buffer_high_water()
                  << " bytes of buffers\n";
    }

    std::cout << "\nrecords read: " << total.records << ", not readable: " << unreadable << '\n';
    std::cout << "institutions (ЄДРПОУ): " << per_institution.size() << '\n';
    for (const auto& [code, n] : per_institution) {
        std::printf("  %-10s %8zu records\n", code.c_str(), n);
    }
    std::cout << "the four indicators present (filled or not, before validation):\n";
    print_percent("1 birth certificate/document", total.document, total.records);
    print_percent("2 displacement", total.displacement, total.records);
    print_percent("3 contact", total.contact, total.records);
    print_percent("4 form of education", total.education, total.records);
    if (!first_hash.empty()) {
        std::cout << "content hash of the first record: " << first_hash << '\n';
    }
    return 0;
}
