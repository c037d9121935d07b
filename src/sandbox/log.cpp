#include "sandbox/log.hpp"

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace aikom::sandbox::detail {
namespace {

// One line of `text`: control characters (a line break a peer smuggled into an error message,
// a terminal escape) become '?', and a long line is cut at a UTF-8 character boundary.
std::string one_line(std::string_view text, std::size_t max_bytes)
{
    if (text.size() > max_bytes) {
        std::size_t cut = max_bytes;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
            --cut;
        }
        text = text.substr(0, cut);
    }
    std::string out;
    out.reserve(text.size() + 1);
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u < 0x20 || u == 0x7F ? '?' : c);
    }
    return out;
}

} // namespace

log_queue::log_queue(options o)
    : options_(o)
    , writer_([this] { run(); })
{}

log_queue::~log_queue()
{
    (void)flush(std::chrono::milliseconds(200));
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    writer_.join();
}

void log_queue::write(std::string_view line) noexcept
{
    try {
        std::string text = one_line(line, options_.max_line_bytes);
        const auto now = std::chrono::steady_clock::now();
        const std::lock_guard lock(mutex_);
        if (stopping_) {
            ++dropped_;
            return;
        }
        if (text == last_ && now - last_started_ < options_.repeat_window) {
            if (++repeats_ == 1) {
                wake_.notify_one(); // the writer now waits for the window's end, not for ever
            }
            return;
        }
        end_repeats_locked();
        last_ = text;
        last_started_ = now;
        enqueue_locked(std::move(text));
    } catch (...) { // out of memory: the line is lost, and counted
        const std::lock_guard lock(mutex_);
        ++dropped_;
        ++unreported_drops_;
    }
}

void log_queue::enqueue_locked(std::string line)
{
    if (queue_.size() >= options_.capacity) {
        ++dropped_;
        ++unreported_drops_;
        return;
    }
    line.push_back('\n');
    queue_.push_back(std::move(line));
    wake_.notify_one();
}

void log_queue::end_repeats_locked()
{
    if (repeats_ == 0) {
        return;
    }
    enqueue_locked(std::string(options_.name) + ": last line repeated " + std::to_string(repeats_) +
                   " more time(s)");
    repeats_ = 0;
}

bool log_queue::flush(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(mutex_);
    end_repeats_locked();
    return drained_.wait_for(lock, timeout, [this] {
        return queue_.empty() && !busy_ && unreported_drops_ == 0;
    });
}

std::uint64_t log_queue::dropped() const noexcept
{
    const std::lock_guard lock(mutex_);
    return dropped_;
}

std::uint64_t log_queue::written() const noexcept
{
    const std::lock_guard lock(mutex_);
    return written_;
}

bool log_queue::write_out(const std::string& line)
{
    if (options_.fd < 0) {
        return false; // poll would ignore it and wait for ever
    }
    std::string_view rest = line;
    while (!rest.empty()) {
        // Stopping: only what the sink takes at once. Otherwise wait for it in slices, so that
        // a stop is noticed.
        pollfd p{options_.fd, POLLOUT, 0};
        const int ready = ::poll(&p, 1, stopping_ ? 0 : 100);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready < 0 || (ready > 0 && (p.revents & (POLLERR | POLLNVAL)) != 0)) {
            return false;
        }
        if (ready == 0) {
            if (stopping_) {
                return false;
            }
            continue;
        }
        const ssize_t n = ::write(options_.fd, rest.data(), rest.size());
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
                continue;
            }
            return false; // EPIPE (nobody will ever read), EBADF, …
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

void log_queue::run()
{
    // A sink whose reader is gone answers EPIPE: a lost line, not a SIGPIPE for the process.
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);

    std::unique_lock lock(mutex_);
    for (;;) {
        if (queue_.empty()) {
            if (unreported_drops_ > 0) {
                // The queue has drained: say what was lost (past the capacity, this once).
                queue_.push_back(std::string(options_.name) + ": log: " +
                                 std::to_string(unreported_drops_) +
                                 " line(s) dropped, the log could not keep up\n");
                unreported_drops_ = 0;
                continue;
            }
            drained_.notify_all();
            if (stopping_) {
                return;
            }
            if (repeats_ > 0) {
                const auto window_end = last_started_ + options_.repeat_window;
                wake_.wait_until(lock, window_end);
                if (repeats_ > 0 && std::chrono::steady_clock::now() >= window_end) {
                    end_repeats_locked();
                }
            } else {
                wake_.wait(lock);
            }
            continue;
        }
        const std::string line = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        lock.unlock();
        const bool ok = write_out(line);
        lock.lock();
        busy_ = false;
        if (ok) {
            ++written_;
        } else {
            ++dropped_; // not reported: the sink that failed would be asked to carry the report
        }
        if (stopping_ && !ok) {
            dropped_ += queue_.size();
            queue_.clear();
        }
    }
}

log_queue& server_log()
{
    // Never destroyed: I/O threads of a server the embedding program did not stop may still
    // log while static objects are destroyed at exit.
    static log_queue* const log = new log_queue(log_queue::options{});
    return *log;
}

void log_line(std::string_view what) noexcept
{
    try {
        std::string line = "aikom-sandbox: ";
        line += what;
        server_log().write(line);
    } catch (...) {
        // out of memory: nothing to log with
    }
}

} // namespace aikom::sandbox::detail
