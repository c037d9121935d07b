#ifndef AIKOM_PROTOCOL_FAULTS_HPP
#define AIKOM_PROTOCOL_FAULTS_HPP

/// @file
/// The reference server's fault-injection knobs (docs/protocol.md §12), the body of
/// `GET|PUT /v1/admin/faults`: `{"latency_ms","error_rate","error_status",
/// "retry_after_seconds","drop_rate"}`. Test knobs, all off by default; never enable them in
/// front of real clients.

#include <aikom/protocol/parsed_body.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace aikom::protocol {

struct fault_settings {
    std::chrono::milliseconds latency{0}; ///< added before every answer; 0..60000 ms
    double error_rate = 0.0;              ///< share of requests answered `error_status`; 0..1
    unsigned error_status = 503;          ///< 503 or 429, with Retry-After
    std::chrono::seconds retry_after{1};  ///< 0..3600 s
    double drop_rate = 0.0; ///< share of connections closed after the request is read; 0..1
};

[[nodiscard]] std::string to_json(const fault_settings& f);

/// Reads fault settings as the server does: not a JSON object → `malformed`; absent members
/// keep their defaults, unknown members are ignored; every value that is not a number or is
/// out of its range → `invalid` with `format.integer` at its pointer (the message gives the
/// range), an `error_status` in range but other than 429 or 503 with `format.enum`. Fractions
/// of the integer knobs are cut off.
[[nodiscard]] parsed_body<fault_settings> parse_fault_settings(std::string_view json);

} // namespace aikom::protocol

#endif
