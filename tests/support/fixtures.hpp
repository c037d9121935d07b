// Test helpers: synthetic records and temporary files. Every value here is made up.
#ifndef AIKOM_TESTS_FIXTURES_HPP
#define AIKOM_TESTS_FIXTURES_HPP

#include <aikom/check/issue.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/model/child.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aikom::test {

/// A synthetic record with every field of the format set.
[[nodiscard]] model::child every_field_child();

/// `json` with the value at the JSON Pointer `pointer` replaced by the JSON text `literal`
/// (which may be anything, even invalid JSON): to try what a hostile peer may send.
[[nodiscard]] std::string with_value(std::string_view json, std::string_view pointer,
                                     std::string_view literal);

/// Issues as (pointer, code) pairs, to compare in one CHECK.
using pointer_code = std::pair<std::string, std::string>;
[[nodiscard]] std::vector<pointer_code> pointers_and_codes(const std::vector<check::issue>& issues);

/// A synthetic record with only the required `id`.
[[nodiscard]] model::child minimal_child(std::string id = "kd-000001");

/// A directory under the system temporary directory, removed with its contents on destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] std::filesystem::path file(std::string_view name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

/// Sets the process's umask for the object's lifetime (to try file creation under a permissive
/// one, such as 022), then restores the previous one. The umask is per process: only in tests
/// that run nothing else meanwhile.
class scoped_umask {
public:
    explicit scoped_umask(unsigned mask);
    ~scoped_umask();
    scoped_umask(const scoped_umask&) = delete;
    scoped_umask& operator=(const scoped_umask&) = delete;

private:
    unsigned previous_;
};

/// The permission bits of `path` for its group and for others (`st_mode & 077`: 0 for an
/// owner-only file); -1 when the file does not exist.
[[nodiscard]] int group_and_other_bits(const std::filesystem::path& path);

/// A pipe that is full and that nobody reads: what stderr is when the log collector has stalled.
/// Both ends block, like stderr; each is closed on destruction unless closed before.
class full_pipe {
public:
    full_pipe();
    ~full_pipe();
    full_pipe(const full_pipe&) = delete;
    full_pipe& operator=(const full_pipe&) = delete;

    [[nodiscard]] int read_end() const noexcept { return read_end_; }
    [[nodiscard]] int write_end() const noexcept { return write_end_; }
    void close_read_end();
    void close_write_end();

    /// Everything there is to read now, without waiting.
    [[nodiscard]] std::string drain();

private:
    int read_end_ = -1;
    int write_end_ = -1;
};

/// The exit status of `command` run by the shell (`std::system`); -1 when it could not be run
/// or did not exit normally (a signal).
[[nodiscard]] int run_command(const std::string& command);

/// Writes `bytes` to `path`, replacing it.
void write_file(const std::filesystem::path& path, std::string_view bytes);

/// Every item a reader of `format` yields for `bytes` (source name "input"); also checks that
/// the reader stayed within its own buffer bound.
[[nodiscard]] std::vector<codec::read_item> read_all(std::string_view bytes,
                                                     codec::input_format format,
                                                     codec::reader_options options = {});

/// UTF-8 `text` as Windows-1251 bytes (test data for the CSV reader). Every character of the
/// text must exist in Windows-1251.
[[nodiscard]] std::string to_cp1251(std::string_view text);

} // namespace aikom::test

#endif
