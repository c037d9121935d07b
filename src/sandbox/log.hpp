// Private: the sandbox's log. Lines go through a bounded queue to one writer thread, so that a
// log nobody reads (stderr a pipe whose reader stalled) never stops the server: `write` never
// waits for I/O. When the queue is full a line is dropped and counted, and the count is written
// once the queue has drained. A line repeated within `repeat_window` is written once; the
// repeats are summed up in one "… repeated N times" line when the window ends or another line
// comes. Never pass request bodies or personal data here.
#ifndef AIKOM_SRC_SANDBOX_LOG_HPP
#define AIKOM_SRC_SANDBOX_LOG_HPP

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace aikom::sandbox::detail {

class log_queue {
public:
    struct options {
        int fd = 2;                  ///< where lines go (not owned, not closed)
        std::size_t capacity = 1024; ///< lines waiting at most; more are dropped
        std::chrono::milliseconds repeat_window{2000};
        std::size_t max_line_bytes = 1024; ///< longer lines are cut (at a UTF-8 boundary)
        std::string_view name = "aikom-sandbox"; ///< starts the queue's own lines
    };

    explicit log_queue(options o);
    /// Writes what it can within a short time, drops the rest, and stops the writer thread.
    ~log_queue();
    log_queue(const log_queue&) = delete;
    log_queue& operator=(const log_queue&) = delete;

    /// Queues `line` (without its line end). Never waits for the writer. Thread-safe.
    void write(std::string_view line) noexcept;

    /// Waits until every queued line is written or `timeout` passes; true if all were written.
    bool flush(std::chrono::milliseconds timeout);

    /// Lines dropped so far because the queue was full or the sink failed.
    [[nodiscard]] std::uint64_t dropped() const noexcept;
    /// Lines written to the sink so far (summaries included).
    [[nodiscard]] std::uint64_t written() const noexcept;

private:
    void run();
    void enqueue_locked(std::string line);
    void end_repeats_locked();
    bool write_out(const std::string& line);

    const options options_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable drained_;
    std::deque<std::string> queue_;
    bool busy_ = false; ///< the writer holds a line taken from the queue
    std::atomic<bool> stopping_{false};
    std::uint64_t dropped_ = 0;
    std::uint64_t unreported_drops_ = 0;
    std::uint64_t written_ = 0;
    std::string last_{};
    std::chrono::steady_clock::time_point last_started_{};
    std::uint64_t repeats_ = 0;
    std::thread writer_;
};

/// The sandbox's log: stderr through one process-wide `log_queue`, created on first use and
/// never destroyed (threads may log until the process ends).
[[nodiscard]] log_queue& server_log();

/// `aikom-sandbox: <what>` to `server_log()`.
void log_line(std::string_view what) noexcept;

} // namespace aikom::sandbox::detail

#endif
