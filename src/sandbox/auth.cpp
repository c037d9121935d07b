#include "sandbox/auth.hpp"

#include <aikom/codec/content_hash.hpp>

#include <boost/json.hpp>

#include <openssl/rand.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace aikom::sandbox {

std::vector<client_entry> load_clients_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read the clients file " + path.string());
    }
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    const auto doc = boost::json::parse(ss.str(), ec);
    auto fail = [&](const std::string& where, const std::string& what) {
        return std::runtime_error(path.string() + ": " + where + ": " + what);
    };
    if (ec) {
        throw fail("", "not valid JSON (" + ec.message() + ")");
    }
    if (!doc.is_object() || !doc.as_object().contains("clients") ||
        !doc.as_object().at("clients").is_array()) {
        throw fail("/clients", "expected {\"clients\": [...]}");
    }
    std::vector<client_entry> out;
    const auto& list = doc.as_object().at("clients").as_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string at = "/clients/" + std::to_string(i);
        if (!list[i].is_object()) {
            throw fail(at, "expected an object");
        }
        const auto& o = list[i].as_object();
        auto text = [&](const char* key) -> std::string {
            const auto* v = o.if_contains(key);
            if (v == nullptr || !v->is_string() || v->as_string().empty()) {
                throw fail(at + "/" + key, "expected a non-empty string");
            }
            return std::string(v->as_string());
        };
        client_entry c;
        c.id = text("id");
        c.secret = text("secret");
        const auto r = detail::role_from_string(text("role"));
        if (!r) {
            throw fail(at + "/role",
                       "expected admin, authority, institution, platform or reviewer");
        }
        c.role = *r;
        if (const auto* inst = o.if_contains("institutions")) {
            if (!inst->is_array()) {
                throw fail(at + "/institutions", "expected an array of ЄДРПОУ codes");
            }
            for (std::size_t k = 0; k < inst->as_array().size(); ++k) {
                const auto& v = inst->as_array()[k];
                const std::string where = at + "/institutions/" + std::to_string(k);
                if (!v.is_string()) {
                    throw fail(where, "expected a string");
                }
                const std::string_view code = v.as_string();
                if (code == "*") {
                    if (c.role != role::authority && c.role != role::reviewer) {
                        throw fail(where, "\"*\" (every institution) is for an authority or a "
                                          "reviewer only");
                    }
                } else if (!detail::is_edrpou_code(code)) {
                    throw fail(where, "expected an 8-digit ЄДРПОУ code or \"*\"");
                }
                c.institutions.emplace_back(code);
            }
        }
        for (const auto& seen : out) {
            if (seen.id == c.id) {
                throw fail(at + "/id", "the client id is listed twice");
            }
        }
        out.push_back(std::move(c));
    }
    return out;
}

namespace detail {

std::string_view to_string(role r) noexcept
{
    switch (r) {
    case role::admin:
        return "admin";
    case role::authority:
        return "authority";
    case role::institution:
        return "institution";
    case role::platform:
        return "platform";
    case role::reviewer:
        return "reviewer";
    }
    return "institution";
}

std::optional<role> role_from_string(std::string_view s) noexcept
{
    for (auto r :
         {role::admin, role::authority, role::institution, role::platform, role::reviewer}) {
        if (to_string(r) == s) {
            return r;
        }
    }
    return std::nullopt;
}

std::vector<std::string> scopes_of(role r)
{
    switch (r) {
    case role::admin:
        return {std::begin(all_scopes), std::end(all_scopes)};
    case role::authority:
        return {"children:read", "reports:read", "grants:write"};
    case role::institution:
    case role::platform:
        return {"children:read", "children:write", "reports:read", "corrections:create"};
    case role::reviewer:
        return {"corrections:review"};
    }
    return {};
}

bool principal::unrestricted() const noexcept
{
    return role == sandbox::role::admin || national;
}

bool principal::in_scope(std::string_view institution) const
{
    return unrestricted() || institutions.count(std::string(institution)) != 0;
}

bool is_edrpou_code(std::string_view s) noexcept
{
    return s.size() == 8 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string random_hex(std::size_t n)
{
    std::string bytes(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
        throw std::runtime_error("the random generator failed");
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (unsigned char b : bytes) {
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 0xF]);
    }
    return out;
}

namespace {

std::vector<std::string> split_scopes(std::string_view s)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') {
            ++i;
        }
        const auto start = i;
        while (i < s.size() && s[i] != ' ') {
            ++i;
        }
        if (i > start) {
            out.emplace_back(s.substr(start, i - start));
        }
    }
    return out;
}

} // namespace

authority::authority(const std::vector<client_entry>& clients, std::chrono::seconds token_lifetime,
                     std::uint32_t kdf_iterations, std::size_t tokens_per_client)
    : dummy_(client_secret::derive(random_hex(32), kdf_iterations))
    , lifetime_(token_lifetime)
    , tokens_per_client_(std::max<std::size_t>(1, tokens_per_client))
{
    for (const auto& c : clients) {
        if (c.id.empty() || c.secret.empty()) {
            throw std::invalid_argument(
                "aikom::sandbox: a client needs an id and a non-empty secret");
        }
        client_record r;
        r.role = c.role;
        for (const auto& code : c.institutions) {
            if (code == "*") {
                r.national = true;
            } else {
                r.institutions.insert(code);
            }
        }
        r.secret = client_secret::derive(c.secret, kdf_iterations);
        clients_.emplace(c.id, std::move(r));
    }
}

token_refusal authority::issue(std::string_view client_id, std::string_view secret,
                               std::string_view requested_scope, token_grant& grant)
{
    const auto it = clients_.find(std::string(client_id));
    // An unknown client is checked against the dummy record: the same KDF run as a wrong
    // secret, so that timing does not tell which ids exist.
    const client_secret& stored = it != clients_.end() ? it->second.secret : dummy_;
    const bool secret_matches = stored.matches(secret);
    if (it == clients_.end() || !secret_matches) {
        return token_refusal::invalid_client;
    }
    const auto& c = it->second;
    const auto allowed = scopes_of(c.role);
    token_record t;
    t.client_id = std::string(client_id);
    const auto requested = split_scopes(requested_scope);
    if (requested.empty()) {
        t.scopes = {allowed.begin(), allowed.end()};
    } else {
        for (const auto& s : requested) {
            if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
                return token_refusal::invalid_scope;
            }
            t.scopes.insert(s);
        }
    }
    grant.access_token = random_hex(32);
    grant.expires_in = lifetime_;
    grant.scope.clear();
    for (const auto& s : all_scopes) { // a stable order
        if (t.scopes.count(std::string(s)) != 0) {
            grant.scope += (grant.scope.empty() ? "" : " ") + std::string(s);
        }
    }
    t.expires = std::chrono::steady_clock::now() + lifetime_;
    auto key = codec::sha256(grant.access_token).to_hex();
    std::lock_guard lock(mutex_);
    auto& held = issued_[t.client_id];
    while (held.size() >= tokens_per_client_) {
        tokens_.erase(held.front());
        held.pop_front();
    }
    held.push_back(key);
    tokens_[std::move(key)] = std::move(t);
    return token_refusal::none;
}

void authority::forget(const std::string& token_key)
{
    const auto it = tokens_.find(token_key);
    if (it == tokens_.end()) {
        return;
    }
    const auto held = issued_.find(it->second.client_id);
    if (held != issued_.end()) {
        std::erase(held->second, token_key);
        if (held->second.empty()) {
            issued_.erase(held);
        }
    }
    tokens_.erase(it);
}

std::optional<principal> authority::authenticate(std::string_view token)
{
    if (token.empty() || token.size() > 256) {
        return std::nullopt;
    }
    const auto key = codec::sha256(token).to_hex();
    std::lock_guard lock(mutex_);
    const auto it = tokens_.find(key);
    if (it == tokens_.end()) {
        return std::nullopt;
    }
    if (it->second.expires <= std::chrono::steady_clock::now()) {
        forget(key);
        return std::nullopt;
    }
    const auto client = clients_.find(it->second.client_id);
    if (client == clients_.end()) {
        return std::nullopt;
    }
    principal p;
    p.client_id = it->second.client_id;
    p.role = client->second.role;
    p.scopes = it->second.scopes;
    p.institutions = client->second.institutions;
    p.national = client->second.national;
    return p;
}

const client_secret* authority::stored_secret(std::string_view client_id) const
{
    const auto it = clients_.find(std::string(client_id));
    return it != clients_.end() ? &it->second.secret : nullptr;
}

std::optional<role> authority::role_of(std::string_view client_id) const
{
    const auto it = clients_.find(std::string(client_id));
    if (it == clients_.end()) {
        return std::nullopt;
    }
    return it->second.role;
}

void authority::prune()
{
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    std::vector<std::string> expired;
    for (const auto& [key, t] : tokens_) {
        if (t.expires <= now) {
            expired.push_back(key);
        }
    }
    for (const auto& key : expired) {
        forget(key);
    }
}

} // namespace detail
} // namespace aikom::sandbox
