// The sandbox's log queue: a log nobody reads never makes a caller wait, what it drops is
// counted and reported once the queue drains, repeated lines collapse, and one call is one line.
// Nothing here asserts on time: a call that blocked would simply never return.
#include "sandbox/log.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

using aikom::sandbox::detail::log_queue;
namespace test = aikom::test;
using namespace std::chrono_literals;

namespace {

// A log file: a sink that always takes what it is given.
struct log_file {
    test::temp_dir dir;
    std::filesystem::path path = dir.file("log.txt");
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    log_file() { REQUIRE(fd >= 0); }
    ~log_file() { ::close(fd); }
    log_file(const log_file&) = delete;
    log_file& operator=(const log_file&) = delete;

    [[nodiscard]] std::string text() const
    {
        std::ifstream in(path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
};

} // namespace

TEST_CASE("log queue: 10,000 lines into a full pipe nobody reads all return, the excess is dropped "
          "and counted")
{
    test::full_pipe sink;
    std::uint64_t dropped = 0;
    {
        log_queue log({.fd = sink.write_end(), .capacity = 64, .name = "test"});
        for (int i = 0; i < 10'000; ++i) {
            log.write("refused client-" + std::to_string(i) + ": TLS handshake failed");
        }
        // Every call above returned: none waited for the pipe.
        dropped = log.dropped();
        CHECK(dropped >= 10'000 - 64 - 1); // at most the queue and the line being written got in
        CHECK_FALSE(log.flush(50ms));      // the pipe still takes nothing
    } // and the destructor returns too, dropping what it cannot write
}

TEST_CASE("log queue: once the pipe is read again, the lines and the count of dropped ones arrive")
{
    test::full_pipe sink;
    log_queue log({.fd = sink.write_end(), .capacity = 8, .name = "test"});
    for (int i = 0; i < 100; ++i) {
        log.write("line " + std::to_string(i));
    }
    const auto dropped = log.dropped();
    CHECK(dropped >= 100 - 8 - 1);
    // The collector reads again: the queued lines follow, then the count of what was lost.
    std::string text;
    std::thread reader([&] {
        for (int i = 0; i < 2000 && text.find("dropped") == std::string::npos; ++i) {
            text += sink.drain();
            std::this_thread::sleep_for(5ms);
        }
    });
    CHECK(log.flush(30s));
    reader.join();
    text += sink.drain();
    CHECK(text.find("line 0\n") != std::string::npos);
    CHECK(text.find("test: log: " + std::to_string(dropped) +
                    " line(s) dropped, the log could not keep up\n") != std::string::npos);
    CHECK(text.find("line 99\n") == std::string::npos); // dropped, not reordered
}

TEST_CASE("log queue: a line repeated within the window is written once, then counted")
{
    log_file sink;
    {
        log_queue log({.fd = sink.fd, .repeat_window = 1h, .name = "test"});
        for (int i = 0; i < 500; ++i) {
            log.write("accept failed: too many open files");
        }
        log.write("another line");
        log.write("another line");
        CHECK(log.flush(30s));
        CHECK(log.dropped() == 0);
    }
    CHECK(sink.text() == "accept failed: too many open files\n"
                         "test: last line repeated 499 more time(s)\n"
                         "another line\n"
                         "test: last line repeated 1 more time(s)\n");
}

TEST_CASE("log queue: the count of repeats is written when the window ends, without another line")
{
    log_file sink;
    log_queue log({.fd = sink.fd, .repeat_window = 20ms, .name = "test"});
    log.write("same");
    log.write("same");
    log.write("same");
    const std::string expected = "same\ntest: last line repeated 2 more time(s)\n";
    for (int i = 0; i < 3000 && sink.text() != expected; ++i) {
        std::this_thread::sleep_for(5ms);
    }
    CHECK(sink.text() == expected);
}

TEST_CASE("log queue: with no window every line is written, one call is one line")
{
    log_file sink;
    {
        log_queue log({.fd = sink.fd, .repeat_window = 0ms, .max_line_bytes = 11, .name = "test"});
        log.write("same");
        log.write("same");
        log.write("a\nforged line\x1b[2J");
        log.write("ЄДРПОУ і ще довше"); // 11 bytes end inside У: cut before it
        CHECK(log.flush(30s));
    }
    CHECK(sink.text() == "same\nsame\na?forged li\nЄДРПО\n");
}

TEST_CASE("log queue: a sink that fails loses lines, counted, without stopping the caller")
{
    log_queue log({.fd = -1, .name = "test"});
    log.write("nowhere");
    log.write("to go");
    CHECK(log.flush(30s));
    CHECK(log.dropped() == 2);
    CHECK(log.written() == 0);
}
