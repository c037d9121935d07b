// Private: the one lookup the report builders keep their institutions and groups with.
#ifndef AIKOM_SRC_RECORDS_CHECK_SORTED_FIND_HPP
#define AIKOM_SRC_RECORDS_CHECK_SORTED_FIND_HPP

#include <algorithm>
#include <vector>

namespace aikom::check::detail {

/// The element of `items` (sorted by `key_of`) whose key is `key`; a default-constructed one is
/// inserted in order when there is none (the caller then sets its key).
template <class T, class Key, class KeyOf>
T& find_or_insert(std::vector<T>& items, const Key& key, KeyOf key_of)
{
    auto it = std::lower_bound(items.begin(), items.end(), key,
                               [&](const T& item, const Key& k) { return key_of(item) < k; });
    if (it == items.end() || key_of(*it) != key) {
        it = items.insert(it, T{});
    }
    return *it;
}

} // namespace aikom::check::detail

#endif
