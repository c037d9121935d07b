#include "process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace aikom::bench {
namespace {

double now_seconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::runtime_error system_failure(const std::string& what)
{
    return std::runtime_error("aikom_bench: " + what + ": " + std::strerror(errno));
}

// ---- what the spawner is asked --------------------------------------------------------------
// A message is a list of NUL-terminated strings in one SOCK_SEQPACKET datagram.
//   spawn: "spawn", stdout file, stderr file, argv…, "", environment entries…
//          answer: pid, or "error", errno text
//   wait:  "wait", pid          answer: exit status, peak RSS in KiB
//   alive: "alive", pid         answer: "1" while it runs, "0" once it has exited (not reaped)

std::string pack(const std::vector<std::string>& fields)
{
    std::string out;
    for (const auto& f : fields) {
        out += f;
        out.push_back('\0');
    }
    return out;
}

std::vector<std::string> unpack(std::string_view message)
{
    std::vector<std::string> out;
    while (!message.empty()) {
        const auto end = message.find('\0');
        out.emplace_back(message.substr(0, end));
        message.remove_prefix(end == std::string_view::npos ? message.size() : end + 1);
    }
    return out;
}

constexpr std::size_t max_message = 256 * 1024;
int spawner_fd = -1;

std::vector<std::string> ask(const std::vector<std::string>& request)
{
    const auto out = pack(request);
    if (out.size() > max_message || ::send(spawner_fd, out.data(), out.size(), 0) < 0) {
        throw system_failure("cannot ask the spawner");
    }
    std::string in(max_message, '\0');
    const ssize_t n = ::recv(spawner_fd, in.data(), in.size(), 0);
    if (n <= 0) {
        throw system_failure("the spawner did not answer");
    }
    in.resize(static_cast<std::size_t>(n));
    return unpack(in);
}

int open_for_child(const std::string& file, bool append)
{
    if (file.empty()) {
        return -1;
    }
    const int fd = ::open(file.c_str(),
                          O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0600);
    if (fd < 0) {
        throw system_failure("cannot open " + file);
    }
    return fd;
}

std::vector<char*> pointers(std::vector<std::string>& strings)
{
    std::vector<char*> out;
    for (auto& s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

// Forks and execs; stdout truncates `out_file`, stderr appends to `err_file` (empty: inherited).
int fork_exec(std::vector<std::string> argv, std::vector<std::string> env,
              const std::string& out_file, const std::string& err_file)
{
    const int out_fd = open_for_child(out_file, false);
    const int err_fd = open_for_child(err_file, true);
    auto argp = pointers(argv);
    auto envp = pointers(env);
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (out_fd >= 0) {
            ::dup2(out_fd, STDOUT_FILENO);
        }
        if (err_fd >= 0) {
            ::dup2(err_fd, STDERR_FILENO);
        }
        ::execve(argp[0], argp.data(), envp.data());
        ::_exit(127);
    }
    const int saved = errno;
    for (const int fd : {out_fd, err_fd}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    errno = saved;
    return pid;
}

std::pair<int, long> reap(int pid)
{
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            return {-1, 0};
        }
    }
    const int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return {exit_status, usage.ru_maxrss};
}

// Whether a child has not exited yet; leaves it to be reaped by `reap`.
bool running(int pid)
{
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == 0;
}

[[noreturn]] void spawner_loop(int fd)
{
    std::string in(max_message, '\0');
    for (;;) {
        const ssize_t n = ::recv(fd, in.data(), in.size(), 0);
        if (n <= 0) {
            ::_exit(0); // aikom_bench has gone
        }
        const auto fields = unpack(std::string_view(in.data(), static_cast<std::size_t>(n)));
        std::vector<std::string> answer;
        if (fields.size() >= 4 && fields[0] == "spawn") {
            std::vector<std::string> argv;
            std::size_t i = 3;
            for (; i < fields.size() && !fields[i].empty(); ++i) {
                argv.push_back(fields[i]);
            }
            std::vector<std::string> env(fields.begin() + static_cast<std::ptrdiff_t>(
                                                              std::min(i + 1, fields.size())),
                                         fields.end());
            try {
                const int pid = fork_exec(argv, env, fields[1], fields[2]);
                answer = pid > 0 ? std::vector<std::string>{std::to_string(pid)}
                                 : std::vector<std::string>{"error", std::strerror(errno)};
            } catch (const std::exception& e) {
                answer = {"error", e.what()};
            }
        } else if (fields.size() == 2 && fields[0] == "wait") {
            const auto [status, rss] = reap(std::atoi(fields[1].c_str()));
            answer = {std::to_string(status), std::to_string(rss)};
        } else if (fields.size() == 2 && fields[0] == "alive") {
            answer = {running(std::atoi(fields[1].c_str())) ? "1" : "0"};
        } else {
            answer = {"error", "unknown request"};
        }
        const auto out = pack(answer);
        (void)::send(fd, out.data(), out.size(), 0);
    }
}

// The environment of a child: ours, with `extra` added or replacing.
std::vector<std::string>
child_environment(const std::vector<std::pair<std::string, std::string>>& extra)
{
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view entry(*e);
        bool replaced = false;
        for (const auto& [name, value] : extra) {
            replaced = replaced || (entry.starts_with(name) && entry.size() > name.size() &&
                                    entry[name.size()] == '=');
        }
        if (!replaced) {
            env.emplace_back(entry);
        }
    }
    for (const auto& [name, value] : extra) {
        env.push_back(name + "=" + value);
    }
    return env;
}

int spawn(const std::vector<std::string>& argv, const process_options& options,
          const std::filesystem::path& out_file)
{
    auto env = child_environment(options.environment);
    if (spawner_fd < 0) {
        const int pid = fork_exec(argv, env, out_file.string(), options.stderr_file.string());
        if (pid < 0) {
            throw system_failure("fork");
        }
        return pid;
    }
    std::vector<std::string> request{"spawn", out_file.string(), options.stderr_file.string()};
    request.insert(request.end(), argv.begin(), argv.end());
    request.emplace_back();
    request.insert(request.end(), env.begin(), env.end());
    const auto answer = ask(request);
    if (answer.empty() || answer[0] == "error") {
        throw std::runtime_error("aikom_bench: cannot start " + argv.front() + ": " +
                                 (answer.size() > 1 ? answer[1] : std::string("?")));
    }
    return std::atoi(answer[0].c_str());
}

process_result wait_for(int pid, double started)
{
    std::pair<int, long> ended;
    if (spawner_fd < 0) {
        ended = reap(pid);
    } else {
        const auto answer = ask({"wait", std::to_string(pid)});
        ended = {std::atoi(answer.at(0).c_str()), std::atol(answer.at(1).c_str())};
    }
    if (ended.first < 0) {
        throw std::runtime_error("aikom_bench: cannot wait for process " + std::to_string(pid));
    }
    process_result r;
    r.seconds = now_seconds() - started;
    r.exit_status = ended.first;
    r.peak_rss_mb = static_cast<double>(ended.second) / 1024.0; // KiB on Linux
    return r;
}

std::string read_file(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A file for a child's captured standard output, removed after reading.
std::filesystem::path capture_file()
{
    std::string name = (std::filesystem::temp_directory_path() / "aikom-bench-XXXXXX").string();
    const int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) {
        throw system_failure("mkostemp");
    }
    ::close(fd);
    return name;
}

} // namespace

double start_spawner()
{
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
        throw system_failure("socketpair");
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw system_failure("fork");
    }
    if (pid == 0) {
        ::close(fds[0]);
        spawner_loop(fds[1]);
    }
    ::close(fds[1]);
    spawner_fd = fds[0];
    rusage self{};
    ::getrusage(RUSAGE_SELF, &self); // the spawner is a copy of us as we are now
    return static_cast<double>(self.ru_maxrss) / 1024.0;
}

std::string tail_of(const std::filesystem::path& file, std::size_t lines)
{
    std::ifstream in(file);
    std::deque<std::string> last;
    for (std::string line; std::getline(in, line);) {
        last.push_back(line);
        if (last.size() > lines) {
            last.pop_front();
        }
    }
    std::string out;
    for (const auto& l : last) {
        out += "\n  " + l;
    }
    return out;
}

process_result run_process(const std::vector<std::string>& argv, const process_options& options)
{
    const bool capture = options.stdout_file.empty();
    const auto out_file = capture ? capture_file() : options.stdout_file;
    const double started = now_seconds();
    const int pid = spawn(argv, options, out_file);
    auto r = wait_for(pid, started);
    if (capture) {
        r.out = read_file(out_file);
        std::filesystem::remove(out_file);
    }
    return r;
}

process_result run_checked(const std::vector<std::string>& argv, const process_options& options)
{
    auto r = run_process(argv, options);
    if (r.exit_status != 0) {
        throw std::runtime_error("aikom_bench: " + argv.front() + " exited with status " +
                                 std::to_string(r.exit_status) +
                                 (options.stderr_file.empty()
                                      ? std::string()
                                      : "; the end of " + options.stderr_file.string() + ":" +
                                            tail_of(options.stderr_file)));
    }
    return r;
}

sandbox_process::sandbox_process(options o)
    : tls_dir_(o.tls_dir), log_file_(o.log_file)
{
    std::filesystem::create_directories(o.tls_dir);
    const auto out_file = o.log_file.parent_path() / "sandbox.out";
    started_ = now_seconds();
    pid_ = spawn({o.program.string(), "--clients", o.clients_file.string(), "--tls-dir",
                  o.tls_dir.string(), "--db", o.db, "--threads", std::to_string(o.threads),
                  "--listen", "127.0.0.1:0"},
                 {.stderr_file = o.log_file}, out_file);
    // Its first line: "listening on https://127.0.0.1:PORT". Opening a large database can take
    // a while (the first start on a million-event feed).
    constexpr std::string_view prefix = "listening on ";
    for (int waited_ms = 0; waited_ms < 120'000; waited_ms += 10) {
        const auto text = read_file(out_file);
        if (const auto end = text.find('\n'); end != std::string::npos) {
            if (text.starts_with(prefix)) {
                url_ = text.substr(prefix.size(), end - prefix.size());
                return;
            }
            break;
        }
        const bool alive = spawner_fd < 0 ? running(pid_)
                                          : ask({"alive", std::to_string(pid_)}).at(0) == "1";
        if (!alive) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const auto r = stop();
    throw std::runtime_error("aikom_bench: aikom-sandbox did not start (status " +
                             std::to_string(r.exit_status) + "); the end of " +
                             log_file_.string() + ":" + tail_of(log_file_));
}

sandbox_process::~sandbox_process()
{
    if (pid_ > 0) {
        try {
            (void)stop();
        } catch (...) { // NOLINT(bugprone-empty-catch): a destructor must not throw
        }
    }
}

process_result sandbox_process::stop()
{
    if (pid_ <= 0) {
        throw std::logic_error("aikom_bench: the sandbox is not running");
    }
    ::kill(pid_, SIGTERM);
    auto r = wait_for(pid_, started_);
    pid_ = -1;
    return r;
}

} // namespace aikom::bench
