#ifndef AIKOM_BENCH_SECTIONS_HPP
#define AIKOM_BENCH_SECTIONS_HPP

// The sections of aikom_bench (issue 10), each a function that adds its measurements and
// comparisons to the suite. Sections 5–7 (client, server, memory) add theirs the same way, with
// `suite::add_measured` for figures taken from other processes.

#include "harness.hpp"

#include <aikom/model/child.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aikom::bench {

/// Generated records shared by the sections, built once outside every timing.
struct corpus {
    /// `aikom-gen`'s generator at a fixed seed: 20 institutions, seed 1, no defects, ages and
    /// dates made for `reference_date`.
    std::vector<model::child> records;
    model::date reference_date{};
    /// The records' canonical NDJSON, a '\n' after each record, followed by 64 spare bytes
    /// (simdjson reads up to 64 bytes past a document's end).
    std::string storage;
    /// The NDJSON text in `storage`, without the spare bytes.
    std::string_view ndjson;
    /// Each record's line in `ndjson`, without its '\n'.
    std::vector<std::string_view> lines;
    /// Sum of the lines' sizes: the bytes every decoder and encoder row processes.
    std::size_t json_bytes = 0;
};

/// Generates `count` records (fixed seed) and their NDJSON, for the generator's fixed reference
/// date (the records sections: the same bytes every day) or for `reference` (the sections that
/// send records to a server, which judges ages as of today: `aikom-gen --reference-date today`).
[[nodiscard]] corpus make_corpus(std::size_t count, std::optional<model::date> reference = {});

/// Where files the sections write (identifier lists) go, and the programs they run.
struct environment {
    std::filesystem::path work_dir;    ///< e.g. build/bench
    std::filesystem::path self;        ///< this program, for subprocess measurements
    std::filesystem::path python;      ///< python3, for stdnum
    std::filesystem::path stdnum_script; ///< bench/stdnum_validate.py
    // Sections 5–7 (empty when the example programs were not built: those rows are skipped).
    std::filesystem::path sandbox;    ///< aikom-sandbox
    std::filesystem::path sync;       ///< aikom-sync
    std::filesystem::path validate;   ///< aikom-validate
    std::filesystem::path audit;      ///< aikom-audit
    std::filesystem::path client;     ///< aikom_bench_client (bench/client_load.cpp)
    std::filesystem::path wrk;        ///< /usr/bin/wrk, which may be missing
    std::filesystem::path wrk_script; ///< bench/wrk/requests.lua
};

/// Section 1: NDJSON decode against Boost.JSON DOM parsing, with two limit lines.
void add_decode_section(suite& s, const corpus& c);

/// decode.limit_simdjson's work (simdjson_limit.cpp, built only when simdjson is found):
/// parses every line of `c` with simdjson's on-demand API, visiting every key and value.
void parse_with_simdjson(const corpus& c);

/// Section 2: canonical encode against boost::json::serialize of equivalent DOMs.
void add_encode_section(suite& s, const corpus& c);

/// Section 3: CSV in UTF-8 and Windows-1251 read by the library's reader, against its NDJSON
/// reader on the same records.
void add_csv_section(suite& s, const corpus& c);

/// Section 4: `count` РНОКПП and `count` ЄДРПОУ validated by the library and by python-stdnum,
/// whole processes both.
void add_identifiers_section(suite& s, const environment& env, std::size_t count);

/// Section 5: the client end to end against aikom-sandbox on loopback: `total` records over
/// `rounds` rounds (a slice each), in batches and one PUT per record over `connections`
/// connections, the latter against wrk sending the same requests over as many connections.
void add_client_section(suite& s, const environment& env, const corpus& c, std::size_t total,
                        std::size_t connections, std::size_t rounds);

/// Section 6: the server under wrk at 4, 16 and 64 connections, a PUT against the disk's floor,
/// and a narrow client's feed poll as the national feed grows (10,000 to 1,000,000 events; a
/// hundredth of that with `quick`).
void add_server_section(suite& s, const environment& env, const corpus& c, bool quick);

/// Section 7: peak RSS of aikom-sync pushing, aikom-validate checking and aikom-audit reporting
/// on `count` records.
void add_memory_section(suite& s, const environment& env, const corpus& c, std::size_t count);

/// The subprocess side of section 4: validates every line of `file` as `kind` (`rnokpp` or
/// `edrpou`) and prints how many are valid. Returns the process's exit status.
int validate_identifier_file(std::string_view kind, const std::filesystem::path& file);

} // namespace aikom::bench

#endif
