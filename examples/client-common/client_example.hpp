// What the three client examples share, so that each of them shows only its own style:
// the session's options from the command line or the environment, a synthetic record, and
// printing a failure with everything the client knows about it.
#ifndef AIKOM_EXAMPLES_CLIENT_EXAMPLE_HPP
#define AIKOM_EXAMPLES_CLIENT_EXAMPLE_HPP

#include <aikom/client/diagnostics.hpp>
#include <aikom/client/options.hpp>
#include <aikom/model/child.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace example {

namespace client = aikom::client;
namespace model = aikom::model;

/// The institution (ЄДРПОУ) the examples write to; the sandbox's client must have it in scope.
inline const std::string institution = "32855961";

/// `--server URL --ca FILE --client-id ID`, each defaulting to AIKOM_SERVER, AIKOM_CA and
/// AIKOM_CLIENT_ID; the secret only from AIKOM_CLIENT_SECRET (a command line is visible to every
/// user of the machine). Prints the usage and returns nullopt when something is missing.
inline std::optional<client::client_options> options_from(int argc, char** argv)
{
    auto env = [](const char* name) {
        const char* value = std::getenv(name);
        return std::string(value != nullptr ? value : "");
    };
    // [readme:options]
    client::client_options o{
        .base_url = env("AIKOM_SERVER"), // https://host:port
        .credentials = {.client_id = env("AIKOM_CLIENT_ID"),
                        .client_secret = env("AIKOM_CLIENT_SECRET")},
        .retry = {.max_attempts = 5},
        .tls = {.ca_file = env("AIKOM_CA")}, // empty: the system's CA store
    };
    // [/readme:options]
    bool usable = true;
    for (int i = 1; i < argc && usable; i += 2) {
        const std::string_view flag = argv[i];
        std::string* value = flag == "--server"      ? &o.base_url
                             : flag == "--ca"        ? &o.tls.ca_file
                             : flag == "--client-id" ? &o.credentials.client_id
                                                     : nullptr;
        usable = value != nullptr && i + 1 < argc;
        if (usable) {
            *value = argv[i + 1];
        }
    }
    if (!usable || o.base_url.empty() || o.credentials.client_id.empty() ||
        o.credentials.client_secret.empty()) {
        std::cerr << "usage: " << argv[0] << " [--server URL] [--ca FILE] [--client-id ID]\n"
                  << "  defaults: AIKOM_SERVER, AIKOM_CA (empty: the system's CAs), "
                     "AIKOM_CLIENT_ID;\n  the secret is read only from AIKOM_CLIENT_SECRET\n";
        return std::nullopt;
    }
    return o;
}

/// A made-up child (synthetic data only: never a real child's record in an example).
inline model::child synthetic_child(std::string id)
{
    using namespace std::chrono;
    model::child c;
    c.id = std::move(id);
    c.institution = model::edrpou(institution);
    c.name = model::person_name{.last = "Тестенко", .first = "Марія"};
    c.birth_date = 2021y / March / 14;
    c.sex = model::sex::female;
    c.document = model::identity_document{
        .type = model::document_type::ua_birth_certificate, .series = "I-КВ", .number = "123456"};
    c.displacement = model::displacement{.status = model::displacement_status::none};
    c.contact = model::contact_status{.status = model::contact_state::in_contact};
    c.education = model::education{.form = model::education_form::in_person};
    return c;
}

/// Prints the error, our message, the server's problem details and the request id (what to quote
/// to the server's operators); returns the exit status 1. `what`: an exception's own words.
inline int report(const boost::system::error_code& ec, const client::diagnostics& diag,
                  std::string_view what = {})
{
    // [readme:error]
    std::cerr << "error: " << ec.message() << " [" << ec.category().name() << ':' << ec.value()
              << "]\n";
    if (!diag.message.empty() || !what.empty()) {
        std::cerr << "  " << (diag.message.empty() ? what : diag.message) << '\n';
    }
    if (diag.problem) {
        std::cerr << "  server: " << diag.problem->status << ' ' << diag.problem->title;
        if (!diag.problem->detail.empty()) {
            std::cerr << ": " << diag.problem->detail;
        }
        std::cerr << '\n';
        for (const auto& e : diag.problem->errors) {
            std::cerr << "    " << e.pointer << "  " << e.code << "  " << e.message_uk << '\n';
        }
    }
    if (!diag.request_id.empty()) {
        std::cerr << "  request id: " << diag.request_id << '\n';
    }
    // [/readme:error]
    return 1;
}

/// The same for a thrown error (a future's `get()`, a coroutine, the session's constructor).
inline int report(const boost::system::system_error& e, const client::diagnostics& diag)
{
    return report(e.code(), diag, e.what());
}

} // namespace example

#endif
