#ifndef AIKOM_BENCH_PROCESS_HPP
#define AIKOM_BENCH_PROCESS_HPP

// Child processes of aikom_bench's sections 5–7: programs run to their exit (wrk, the client
// loader, aikom-sync, aikom-validate, aikom-audit) and the sandbox, started and stopped around
// them. Each reports its wall time and its peak resident set (ru_maxrss from wait4).
//
// Linux keeps a process's peak across exec, and a forked child starts with its parent's
// resident pages: a program forked from aikom_bench (hundreds of MB of corpus) would report
// aikom_bench's size. So every child is forked by a *spawner*, a copy of aikom_bench made by
// `start_spawner` at the start of main, before anything is allocated: a child's figure is its
// own peak or the spawner's few MB, whichever is larger (the spawner's own peak is printed).

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace aikom::bench {

/// How a child process ended.
struct process_result {
    int exit_status = -1;  ///< the exit status, or 128 + the signal that ended it
    double seconds = 0;    ///< from start to exit, wall clock
    double peak_rss_mb = 0; ///< peak resident set, MiB
    std::string out;       ///< its standard output, when captured
};

struct process_options {
    /// Added to (or replacing in) the environment of the child.
    std::vector<std::pair<std::string, std::string>> environment{};
    /// Standard output goes here when set; else it is captured into `process_result::out`.
    std::filesystem::path stdout_file{};
    /// Standard error goes here (appended); empty: inherited.
    std::filesystem::path stderr_file{};
};

/// Forks the spawner; call once, first thing in main. Returns the spawner's resident set in MiB
/// (the floor of every child's figure). Without it, children are forked from this process.
double start_spawner();

/// Runs `argv` (argv[0] a path) to its exit. Throws std::runtime_error when it cannot start.
[[nodiscard]] process_result run_process(const std::vector<std::string>& argv,
                                         const process_options& options = {});

/// Like `run_process`, but a non-zero exit status throws std::runtime_error naming the program
/// and `stderr_file`'s last lines.
process_result run_checked(const std::vector<std::string>& argv,
                           const process_options& options = {});

/// An `aikom-sandbox` running on a free loopback port until `stop`.
class sandbox_process {
public:
    struct options {
        std::filesystem::path program;
        std::filesystem::path clients_file;
        std::filesystem::path tls_dir; ///< a CA and certificate are made here on first use
        std::string db = ":memory:";
        std::filesystem::path log_file; ///< its standard error
        unsigned threads = 2;
    };

    /// Starts it and waits for its "listening on" line. Throws std::runtime_error if it exits
    /// first.
    explicit sandbox_process(options o);
    ~sandbox_process();
    sandbox_process(const sandbox_process&) = delete;
    sandbox_process& operator=(const sandbox_process&) = delete;

    /// `https://127.0.0.1:PORT`
    [[nodiscard]] const std::string& url() const noexcept { return url_; }
    /// The CA file clients must trust.
    [[nodiscard]] std::filesystem::path ca_file() const { return tls_dir_ / "ca.pem"; }

    /// SIGTERM, then waits for the exit: its peak RSS is the server's for the whole run.
    process_result stop();

private:
    int pid_ = -1;
    double started_ = 0;
    std::string url_;
    std::filesystem::path tls_dir_;
    std::filesystem::path log_file_;
};

/// The last `lines` lines of a text file (for error messages); empty if it cannot be read.
[[nodiscard]] std::string tail_of(const std::filesystem::path& file, std::size_t lines = 5);

} // namespace aikom::bench

#endif
