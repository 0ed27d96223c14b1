// "Did you mean ...": the closest of some names to a name that is not one of them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace axon::config {

/// Edits (insert, delete, replace, swap of neighbours) that turn a into b.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// How many edits still count as a typo of `name`: 1 up to 3 characters, 2 up to 6, else 3.
std::size_t typo_limit(std::string_view name);

/// The candidate closest to `name` within typo_limit, or "".
std::string closest(std::string_view name, const std::vector<std::string>& candidates);

} // namespace axon::config
