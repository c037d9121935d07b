#ifndef AIKOM_SYNC_PULL_HPP
#define AIKOM_SYNC_PULL_HPP

/// @file
/// Pull the change feed of the caller's scope into a local NDJSON file, one change object per
/// line (the protocol's change object, as `aikom-feed` prints it). The state file holds the
/// cursor and the length of the output it covers, replaced atomically (write, fsync, rename)
/// after each page is written and synced: a pull killed at any instant resumes by cutting the
/// output back to that length and reading from that cursor, so nothing is missed or doubled. A
/// cursor older than the server's retention (410) starts a full resync: the output is emptied
/// and the feed read again from the start (`pull_result::resynced`).

#include <aikom/client/session.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace aikom::sync {

struct pull_result {
    std::uint64_t events = 0; ///< lines written in this run
    std::uint64_t pages = 0;
    bool resynced = false; ///< the old cursor had expired: the output was rebuilt from the start
    std::string cursor{};  ///< where the next pull starts
};

struct pull_options {
    std::size_t page_size = 0;                             ///< 0: the server's default
    std::function<void(const pull_result&)> on_progress{}; ///< after each page
    /// Filled when the pull completes with an error (must outlive the pull).
    client::diagnostics* diag = nullptr;
};

namespace detail {
void start_pull(
    client::session& session, std::filesystem::path state_file, std::filesystem::path output,
    pull_options options,
    boost::asio::any_completion_handler<void(boost::system::error_code, pull_result)> handler);
} // namespace detail

/// Reads the feed until drained (a crashed earlier run is repaired first). Handler:
/// `void(error_code, pull_result)`; any completion token. The session must outlive the
/// operation. Both files are created owner-only (0600); the state file is replaced through
/// `<state_file>.tmp`. Errors: the feed's (`protocol::problem_kind`, `client::client_errc`);
/// a file that cannot be written: its `errno` (system category); a state file that is not one,
/// or an output shorter than the state says: `errc::invalid_argument`; the message in `diag`.
/// Supports terminal cancellation (the state stays consistent: the page in flight is not
/// written).
template <class Token>
auto async_pull(client::session& session, std::filesystem::path state_file,
                std::filesystem::path output, pull_options options, Token&& token)
{
    return boost::asio::async_initiate<Token, void(boost::system::error_code, pull_result)>(
        [&session](auto handler, std::filesystem::path state, std::filesystem::path out,
                   pull_options opts) {
            detail::start_pull(session, std::move(state), std::move(out), std::move(opts),
                               std::move(handler));
        },
        token, std::move(state_file), std::move(output), std::move(options));
}

} // namespace aikom::sync

#endif
