// The JSON of linked entities, one shape for every command that shows them (`axon kg
// link`'s "mentions", `axon predict --json`'s and `axon serve`'s "entities"):
// [{"words": [first, end), "text": "...", "entity": "..."}] in text order.
#pragma once

#include "runtime/kg/entity_linker.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace axon::app {

inline nlohmann::json entities_json(const std::vector<kg::linked_entity>& entities) {
  auto out = nlohmann::json::array();
  for (const auto& e : entities)
    out.push_back({{"words", {e.first_word, e.end_word}}, {"text", e.text}, {"entity", e.entity}});
  return out;
}

} // namespace axon::app
