#ifndef AIKOM_PROTOCOL_STATUS_HPP
#define AIKOM_PROTOCOL_STATUS_HPP

/// @file
/// The closed sets of values the protocol's bodies carry as strings, as enums with their wire
/// names: `to_string(write_status::created) == "created"`,
/// `status_from_string<write_status>("created") == write_status::created`. A wire name that is
/// not listed here makes the body that carries it unreadable (`protocol_errc::bad_value`).

#include <cstddef>
#include <iterator>
#include <optional>
#include <string_view>

namespace aikom::protocol {

/// What a `PUT` or a withdrawal did (`write_result::status`).
enum class write_status { created, updated, unchanged };

/// What a batch did with one item (`batch_item_result::status`).
enum class item_status {
    created,   ///< accepted: the record is new
    updated,   ///< accepted: the record replaced another version
    unchanged, ///< accepted: the record was already stored exactly so
    rejected,  ///< not written: see the item's issues
    forbidden, ///< not written: the institution is not within the caller's access
};

/// The state of a correction request.
enum class correction_status { pending, applied, rejected };

/// The kind of a change-feed event.
enum class change_type {
    upsert,  ///< created, updated, withdrawn or applied from a correction request
    delete_, ///< a tombstone (wire name `delete`)
};

/// The role of a client that a grant gives access to an institution.
enum class grant_role { institution, platform };

/// What happened to a grant (`grant_event::action`; wire names `grant.create`, …).
enum class grant_action {
    create, ///< granted
    update, ///< granted again: the note replaced
    revoke, ///< revoked
};

/// The wire names of a status enum, indexed by the enumerator's value.
template <class E>
struct status_names;

template <>
struct status_names<write_status> {
    static constexpr std::string_view values[] = {"created", "updated", "unchanged"};
};
template <>
struct status_names<item_status> {
    static constexpr std::string_view values[] = {"created", "updated", "unchanged", "rejected",
                                                  "forbidden"};
};
template <>
struct status_names<correction_status> {
    static constexpr std::string_view values[] = {"pending", "applied", "rejected"};
};
template <>
struct status_names<change_type> {
    static constexpr std::string_view values[] = {"upsert", "delete"};
};

template <>
struct status_names<grant_role> {
    static constexpr std::string_view values[] = {"institution", "platform"};
};
template <>
struct status_names<grant_action> {
    static constexpr std::string_view values[] = {"grant.create", "grant.update", "grant.revoke"};
};

/// The wire name of `value`.
template <class E>
[[nodiscard]] constexpr std::string_view to_string(E value) noexcept requires requires
{
    status_names<E>::values;
}
{
    return status_names<E>::values[static_cast<std::size_t>(value)];
}

/// The enumerator whose wire name is exactly `name`, or nullopt.
template <class E>
[[nodiscard]] constexpr std::optional<E> status_from_string(std::string_view name) noexcept
{
    const auto& names = status_names<E>::values;
    for (std::size_t i = 0; i < std::size(names); ++i) {
        if (names[i] == name) {
            return static_cast<E>(i);
        }
    }
    return std::nullopt;
}

/// A write's outcome as a batch item's status.
[[nodiscard]] constexpr item_status to_item_status(write_status s) noexcept
{
    return static_cast<item_status>(static_cast<int>(s));
}

} // namespace aikom::protocol

#endif
