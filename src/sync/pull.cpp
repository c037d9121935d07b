// Pull: one coroutine on a strand reads the feed a page at a time; each page is appended to the
// output and synced, then the state file (cursor, output length) is replaced atomically. The
// file work is small POSIX calls (open, write, fsync, rename) made between pages.
#include <aikom/sync/pull.hpp>

#include <aikom/protocol/children.hpp>
#include <aikom/protocol/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cerrno>
#include <exception>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aikom::sync::detail {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using boost::system::error_code;

error_code last_errno()
{
    return {errno, boost::system::system_category()};
}

/// A file descriptor, closed on destruction.
struct fd_guard {
    int fd = -1;
    explicit fd_guard(int f)
        : fd(f)
    {}
    ~fd_guard()
    {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
};

error_code write_all(int fd, std::string_view data)
{
    while (!data.empty()) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return last_errno();
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

struct pull_state_file {
    std::string cursor{};
    std::uint64_t output_bytes = 0;
};

// Missing file: a first pull. Unreadable: an error naming the file.
error_code read_state(const std::filesystem::path& path, pull_state_file& out, std::string& message)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return {};
    }
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const auto v = boost::json::parse(text.str(), ec);
    const auto* o = !ec ? v.if_object() : nullptr;
    const auto* cursor = o != nullptr ? o->if_contains("cursor") : nullptr;
    const auto* bytes = o != nullptr ? o->if_contains("output_bytes") : nullptr;
    if (cursor == nullptr || !cursor->is_string() || bytes == nullptr ||
        !(bytes->is_uint64() || bytes->is_int64()) ||
        (bytes->is_int64() && bytes->as_int64() < 0)) {
        message = "pull state " + path.string() +
                  ": not a pull state file ({\"cursor\": \"…\", \"output_bytes\": N})";
        return make_error_code(boost::system::errc::invalid_argument);
    }
    out.cursor = std::string(cursor->get_string());
    out.output_bytes =
        bytes->is_uint64() ? bytes->as_uint64() : static_cast<std::uint64_t>(bytes->as_int64());
    return {};
}

// Write a temporary, fsync it, rename it over the state, fsync the directory.
error_code write_state(const std::filesystem::path& path, const pull_state_file& s)
{
    boost::json::object o;
    o["cursor"] = s.cursor;
    o["output_bytes"] = s.output_bytes;
    const auto text = boost::json::serialize(o) + "\n";
    auto tmp = path;
    tmp += ".tmp";
    {
        fd_guard f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (f.fd < 0) {
            return last_errno();
        }
        if (auto ec = write_all(f.fd, text)) {
            return ec;
        }
        if (::fsync(f.fd) != 0) {
            return last_errno();
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        return last_errno();
    }
    const auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    fd_guard d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.fd < 0 || ::fsync(d.fd) != 0) {
        return last_errno();
    }
    return {};
}

struct pull_job {
    client::session& session;
    std::filesystem::path state_file;
    std::filesystem::path output;
    pull_options options;
    pull_result result{};
    client::diagnostics diag{};
};

awaitable<error_code> run_pull(std::shared_ptr<pull_job> job)
{
    auto fail_io = [&](error_code ec, const std::filesystem::path& file, std::string_view what) {
        job->diag.message = std::string(what) + " " + file.string() + ": " + ec.message();
        return ec;
    };
    pull_state_file state;
    if (auto ec = read_state(job->state_file, state, job->diag.message)) {
        co_return ec;
    }
    fd_guard out(::open(job->output.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    if (out.fd < 0) {
        co_return fail_io(last_errno(), job->output, "cannot open the output");
    }
    // A killed run may have written past what the state covers: cut back to it.
    struct stat st {};
    if (::fstat(out.fd, &st) != 0) {
        co_return fail_io(last_errno(), job->output, "cannot read the output's size");
    }
    if (static_cast<std::uint64_t>(st.st_size) < state.output_bytes) {
        job->diag.message = "pull state " + job->state_file.string() + " covers " +
                            std::to_string(state.output_bytes) + " bytes but " +
                            job->output.string() + " holds only " + std::to_string(st.st_size) +
                            ": the output was changed by someone else; remove both to start over";
        co_return make_error_code(boost::system::errc::invalid_argument);
    }
    if (::ftruncate(out.fd, static_cast<off_t>(state.output_bytes)) != 0 ||
        ::lseek(out.fd, 0, SEEK_END) < 0) {
        co_return fail_io(last_errno(), job->output, "cannot truncate the output");
    }
    job->result.cursor = state.cursor;

    auto feed = job->session.changes(state.cursor, job->options.page_size);
    for (;;) {
        client::diagnostics diag;
        // Named, not a temporary: GCC 12 mishandles temporaries with destructors in co_await.
        const client::call_options opts{.diag = &diag};
        auto [ec, page] = co_await feed.async_next(opts, asio::as_tuple(use_awaitable));
        if (ec == protocol::problem_kind::resync_required && !job->result.resynced) {
            // The cursor is older than the server keeps changes: rebuild from the start.
            if (::ftruncate(out.fd, 0) != 0 || ::lseek(out.fd, 0, SEEK_SET) < 0 ||
                ::fsync(out.fd) != 0) {
                co_return fail_io(last_errno(), job->output, "cannot empty the output");
            }
            state = {};
            if (auto wec = write_state(job->state_file, state)) {
                co_return fail_io(wec, job->state_file, "cannot write the pull state");
            }
            job->result.resynced = true;
            job->result.cursor.clear();
            feed = job->session.changes({}, job->options.page_size);
            continue;
        }
        if (ec) {
            job->diag = std::move(diag);
            co_return ec;
        }
        std::string lines;
        for (const auto& c : page.changes) {
            lines += protocol::to_json(c);
            lines += '\n';
        }
        if (!lines.empty()) {
            if (auto wec = write_all(out.fd, lines)) {
                co_return fail_io(wec, job->output, "cannot write the output");
            }
            if (::fsync(out.fd) != 0) {
                co_return fail_io(last_errno(), job->output, "cannot sync the output");
            }
        }
        state.output_bytes += lines.size();
        state.cursor = feed.cursor();
        if (auto wec = write_state(job->state_file, state)) {
            co_return fail_io(wec, job->state_file, "cannot write the pull state");
        }
        job->result.events += page.changes.size();
        ++job->result.pages;
        job->result.cursor = state.cursor;
        if (job->options.on_progress) {
            job->options.on_progress(job->result);
        }
        if (feed.drained()) {
            co_return error_code{};
        }
    }
}

} // namespace

void start_pull(
    client::session& session, std::filesystem::path state_file, std::filesystem::path output,
    pull_options options,
    boost::asio::any_completion_handler<void(boost::system::error_code, pull_result)> handler)
{
    auto job = std::make_shared<pull_job>(
        pull_job{session, std::move(state_file), std::move(output), std::move(options)});
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto ex = asio::get_associated_executor(handler, session.get_executor());
    asio::co_spawn(
        asio::make_strand(session.get_executor()), run_pull(job),
        asio::bind_cancellation_slot(
            slot, [job, ex, h = std::move(handler)](std::exception_ptr e, error_code ec) mutable {
                if (e) {
                    try {
                        std::rethrow_exception(e);
                    } catch (const boost::system::system_error& x) {
                        ec = x.code();
                    } catch (const std::exception& x) {
                        ec = make_error_code(boost::system::errc::io_error);
                        job->diag.message = x.what();
                    }
                }
                if (job->options.diag != nullptr) {
                    *job->options.diag = job->diag;
                }
                asio::dispatch(
                    ex, [h = std::move(h), ec, r = job->result]() mutable { std::move(h)(ec, r); });
            }));
}

} // namespace aikom::sync::detail
