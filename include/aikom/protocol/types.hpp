#ifndef AIKOM_PROTOCOL_TYPES_HPP
#define AIKOM_PROTOCOL_TYPES_HPP

/// @file
/// Every body of protocol v1 (docs/protocol.md) as a type, each with `to_json(const T&)` (what
/// the sender writes) and `parse_<name>` (what the receiver reads). This header gathers them:
///
/// | Header | Bodies |
/// | --- | --- |
/// | `status.hpp` | the typed statuses and their wire names |
/// | `parsed_body.hpp` | what a server reads from a request body: the value and every issue |
/// | `session.hpp` | `discovery`, `token_response`, `oauth_error` |
/// | `children.hpp` | `write_result`, `withdrawal`, `batch_result`, batch requests, `validation_result`, `child_page`, `change_page` |
/// | `corrections.hpp` | `correction_draft`, `correction_request`, `correction_page`, `review`, `review_result` |
/// | `grants.hpp` | `grant`, `grant_list`, `grant_history`, `grant_request` |
/// | `reports.hpp` | `completeness_report` |
/// | `faults.hpp` | `fault_settings` (the reference server's admin body) |
/// | `problem.hpp` | problem details (errors) |
/// | `timestamp.hpp` | RFC 3339 timestamps (`YYYY-MM-DDTHH:MM:SSZ`) of the v1.1 bodies |
///
/// Readers never throw on what the other side sent: a body that is not JSON is
/// `protocol_errc::malformed_json`, a required member that is missing `missing_field`, a member
/// of the wrong type, out of range or with an unknown wire name `bad_value`. Members a reader
/// does not know are ignored (the protocol only grows), except in the request bodies a server
/// reads, whose unknown members are errors.

#include <aikom/protocol/children.hpp>
#include <aikom/protocol/corrections.hpp>
#include <aikom/protocol/faults.hpp>
#include <aikom/protocol/grants.hpp>
#include <aikom/protocol/parsed_body.hpp>
#include <aikom/protocol/problem.hpp>
#include <aikom/protocol/reports.hpp>
#include <aikom/protocol/session.hpp>
#include <aikom/protocol/status.hpp>
#include <aikom/protocol/timestamp.hpp>

#endif
