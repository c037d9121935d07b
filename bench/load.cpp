#include "load.hpp"

#include "owner_only_file.hpp"

#include <aikom/codec/json.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>

namespace aikom::bench {
namespace {

// Written afresh (a file left by an earlier run does not keep its mode), owner-only.
void write_owner_only(const std::filesystem::path& file, const std::string& text)
{
    std::filesystem::remove(file);
    std::ofstream out;
    examples::open_owner_only(out, file);
    out << text;
    out.close();
    if (!out) {
        throw std::runtime_error("aikom_bench: cannot write " + file.string());
    }
}

std::ofstream open_text(const std::filesystem::path& file)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) {
        throw std::runtime_error("aikom_bench: cannot write " + file.string());
    }
    return out;
}

// The first line of `text` starting with `prefix`, without it; empty if none.
std::string_view line_after(std::string_view text, std::string_view prefix)
{
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        const auto line = text.substr(at, end - at);
        if (line.starts_with(prefix)) {
            return line.substr(prefix.size());
        }
        at = end + 1;
    }
    return {};
}

double number_of(const boost::json::object& o, std::string_view name)
{
    const auto* v = o.if_contains(name);
    if (v == nullptr || !v->is_number()) {
        throw std::runtime_error("aikom_bench: a figure is missing: " + std::string(name));
    }
    return v->to_number<double>();
}

} // namespace

void remove_database(const std::filesystem::path& db)
{
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::filesystem::remove(db.string() + suffix);
    }
}

bench_clients write_clients(const environment& env, const corpus& c)
{
    std::set<std::string> codes;
    for (const auto& r : c.records) {
        if (r.institution) {
            codes.insert(r.institution->str());
        }
    }
    bench_clients out;
    out.institutions.assign(codes.begin(), codes.end());
    if (out.institutions.empty()) {
        throw std::logic_error("aikom_bench: the corpus names no institution");
    }
    boost::json::array all(out.institutions.begin(), out.institutions.end());
    boost::json::array first{boost::json::value(out.institutions.front())};
    const boost::json::value doc = {
        {"clients",
         {{{"id", bench_clients::platform_id},
           {"secret", bench_clients::platform_secret},
           {"role", "platform"},
           {"institutions", all}},
          {{"id", bench_clients::institution_id},
           {"secret", bench_clients::institution_secret},
           {"role", "institution"},
           {"institutions", first}}}}};
    std::filesystem::create_directories(env.work_dir);
    out.file = env.work_dir / "clients.json";
    write_owner_only(out.file, boost::json::serialize(doc));
    return out;
}

std::unique_ptr<sandbox_process> start_sandbox(const environment& env,
                                               const bench_clients& clients,
                                               const std::string& db)
{
    return std::make_unique<sandbox_process>(sandbox_process::options{
        .program = env.sandbox,
        .clients_file = clients.file,
        .tls_dir = env.work_dir / "tls",
        .db = db,
        .log_file = env.work_dir / "sandbox.log",
    });
}

void write_put_requests(const std::filesystem::path& file, std::span<const model::child> records)
{
    auto out = open_text(file);
    std::string json;
    for (const auto& r : records) {
        json.clear();
        codec::encode(r, json);
        out << "PUT\t/v1/institutions/" << r.institution->str() << "/children/" << r.id
            << '\t' << json << '\n';
    }
    if (!out.flush()) {
        throw std::runtime_error("aikom_bench: cannot write " + file.string());
    }
}

void write_get_requests(const std::filesystem::path& file, const std::vector<std::string>& targets)
{
    auto out = open_text(file);
    for (const auto& t : targets) {
        out << "GET\t" << t << "\t\n";
    }
    if (!out.flush()) {
        throw std::runtime_error("aikom_bench: cannot write " + file.string());
    }
}

std::string fetch_token(const environment& env, const sandbox_process& server,
                        const char* client_id, const char* secret)
{
    const auto r = run_checked({env.client.string(), "token", "--server", server.url(), "--ca",
                                server.ca_file().string(), "--client-id", client_id},
                               {.environment = {{"AIKOM_CLIENT_SECRET", secret}},
                                .stderr_file = env.work_dir / "client.log"});
    std::string token = r.out;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
        token.pop_back();
    }
    if (token.empty()) {
        throw std::runtime_error("aikom_bench: no token for " + std::string(client_id));
    }
    return token;
}

std::string wrk_missing(const environment& env)
{
    std::error_code ec;
    return std::filesystem::exists(env.wrk, ec) ? std::string()
                                                : "wrk is not installed (Debian package wrk)";
}

wrk_result run_wrk(const environment& env, const sandbox_process& server,
                   std::size_t connections, const std::filesystem::path& requests,
                   const std::string& token, bool once, unsigned duration_s)
{
    const auto r = run_checked(
        {env.wrk.string(), "-t1", "-c" + std::to_string(connections),
         "-d" + std::to_string(duration_s) + "s", "--timeout", "30s", "-s",
         env.wrk_script.string(), server.url(), "--", requests.string(),
         token.empty() ? "-" : token, once ? "once" : "timed"},
        {.stderr_file = env.work_dir / "wrk.log"});
    const auto json = line_after(r.out, "aikom-wrk ");
    if (json.empty()) {
        throw std::runtime_error("aikom_bench: wrk printed no figures (a `once` run that did not "
                                 "finish within " + std::to_string(duration_s) + " s?):\n" + r.out);
    }
    const auto o = boost::json::parse(json).as_object();
    wrk_result w;
    w.requests = static_cast<std::size_t>(number_of(o, "requests"));
    w.seconds = number_of(o, "seconds");
    w.failed = static_cast<std::size_t>(number_of(o, "failed"));
    w.socket_errors = static_cast<std::size_t>(number_of(o, "socket_errors"));
    if (w.failed != 0 || w.socket_errors != 0 || w.requests == 0) {
        throw std::runtime_error("aikom_bench: wrk: " + std::to_string(w.failed) +
                                 " answers outside 2xx, " + std::to_string(w.socket_errors) +
                                 " socket errors in " + std::to_string(w.requests) +
                                 " requests (" + requests.filename().string() +
                                 "); see the sandbox's log");
    }
    return w;
}

load_result run_client(const environment& env, const sandbox_process& server, const corpus& c,
                       const std::string& mode, std::size_t connections, std::size_t offset,
                       std::size_t count)
{
    const auto r = run_checked(
        {env.client.string(), mode, "--server", server.url(), "--ca", server.ca_file().string(),
         "--client-id", bench_clients::platform_id, "--connections", std::to_string(connections),
         "--records", std::to_string(count), "--offset", std::to_string(offset),
         "--reference-date", model::to_iso_string(c.reference_date)},
        {.environment = {{"AIKOM_CLIENT_SECRET", bench_clients::platform_secret}},
         .stderr_file = env.work_dir / "client.log"});
    const auto o = boost::json::parse(r.out).as_object();
    return {.seconds = number_of(o, "seconds"),
            .requests = number_of(o, "requests"),
            .connections = number_of(o, "connections"),
            .handshakes = number_of(o, "handshakes"),
            .peak_rss_mb = r.peak_rss_mb};
}

} // namespace aikom::bench
