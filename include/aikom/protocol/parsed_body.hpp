#ifndef AIKOM_PROTOCOL_PARSED_BODY_HPP
#define AIKOM_PROTOCOL_PARSED_BODY_HPP

/// @file
/// What a server reads from a request body: the value and *every* problem of the body at once,
/// each an issue with a JSON Pointer into the body and a stable code (`field.unknown`,
/// `required.missing`, `format.too_long`, `format.type`, …), so that the server answers with
/// one `validation-failed` problem that lists them all (docs/protocol.md, "Errors").
///
/// The parsers that return a `parsed_body` (withdrawal, correction draft, review, fault
/// settings, batch request) check a body in the order the protocol documents and stop at the
/// first stage that fails; `fault` says which, and so which problem the server answers with.

#include <aikom/check/issue.hpp>
#include <aikom/protocol/error.hpp>
#include <aikom/protocol/problem.hpp>

#include <boost/system/error_code.hpp>

#include <vector>

namespace aikom::protocol {

/// Where a request body failed, in the order a server checks.
enum class body_fault {
    none,           ///< acceptable: `value` holds the whole body
    malformed,      ///< not JSON, or not of the body's shape: 400 `malformed-request`
    invalid,        ///< members missing, unknown, too long, of the wrong type or out of range: 422
    invalid_id,     ///< (correction draft) `child_id` is not a record id: 422
    invalid_record, ///< (correction draft) the proposed record does not decode: 422
    too_many_items, ///< (batch) more items than allowed: 422 `too-many-items`
};

/// The problem kind a server answers `fault` with (`fault` must not be `none`).
[[nodiscard]] constexpr problem_kind problem_kind_of(body_fault fault) noexcept
{
    switch (fault) {
    case body_fault::malformed:
        return problem_kind::malformed_request;
    case body_fault::too_many_items:
        return problem_kind::too_many_items;
    default:
        return problem_kind::validation_failed;
    }
}

/// A request body as a server reads it.
template <class T>
struct parsed_body {
    /// What was read. Complete only when `ok()`; otherwise it holds what the stages before the
    /// failing one read (for `body_fault::invalid_record`, every member but the record).
    T value{};
    body_fault fault = body_fault::none;
    /// Every problem of the failing stage, pointers into the whole body. May be empty for
    /// `malformed` (the body is not JSON at all) and `too_many_items`.
    std::vector<check::issue> issues{};

    [[nodiscard]] bool ok() const noexcept { return fault == body_fault::none; }

    /// As an error code for a reader that only needs to know whether it worked:
    /// `malformed_json` for `malformed`, `bad_value` for the other faults, success otherwise.
    [[nodiscard]] boost::system::error_code error() const noexcept
    {
        if (fault == body_fault::none) {
            return {};
        }
        return make_error_code(fault == body_fault::malformed ? protocol_errc::malformed_json
                                                              : protocol_errc::bad_value);
    }
};

} // namespace aikom::protocol

#endif
