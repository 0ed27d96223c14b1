// Trie-based longest-match entity linking (see entity_linker.hpp).
#include "runtime/kg/entity_linker.hpp"

namespace axon::kg {

namespace {
std::uint64_t edge_key(std::int32_t node, std::int32_t word) {
  return (std::uint64_t(std::uint32_t(node)) << 32) | std::uint32_t(word);
}
} // namespace

entity_linker::entity_linker() : node_entity_{no_entity} { // node 0: the root
}

std::vector<std::string> entity_linker::normalise(std::string_view text) const {
  std::vector<std::string> words;
  normaliser_.split(text, words);
  return words;
}

bool entity_linker::add_alias(std::string_view surface, std::int32_t entity) {
  auto words = normalise(surface);
  if (words.empty())
    return false;
  std::int32_t node = 0;
  for (const auto& word : words) {
    auto [word_it, new_word] = word_ids_.try_emplace(word, std::int32_t(word_ids_.size()));
    auto [edge_it, new_edge] = edges_.try_emplace(edge_key(node, word_it->second),
                                                  std::int32_t(node_entity_.size()));
    if (new_edge)
      node_entity_.push_back(no_entity);
    node = edge_it->second;
  }
  if (node_entity_[node] != no_entity)
    return false;
  node_entity_[node] = entity;
  ++aliases_;
  return true;
}

std::int32_t entity_linker::child(std::int32_t node, std::int32_t word) const {
  auto it = edges_.find(edge_key(node, word));
  return it == edges_.end() ? -1 : it->second;
}

std::vector<mention> entity_linker::link_words(const std::vector<std::string>& words) const {
  const auto n = std::int32_t(words.size());
  // Word ids once per text (-1: in no alias, so no mention crosses it).
  thread_local std::vector<std::int32_t> ids;
  ids.resize(words.size());
  for (std::int32_t k = 0; k < n; ++k) {
    auto it = word_ids_.find(words[k]);
    ids[k] = it == word_ids_.end() ? -1 : it->second;
  }
  std::vector<mention> found;
  for (std::int32_t start = 0; start < n;) {
    std::int32_t node = 0, best_end = -1, best_entity = no_entity;
    for (std::int32_t k = start; k < n && ids[k] >= 0; ++k) {
      node = child(node, ids[k]);
      if (node < 0)
        break;
      if (node_entity_[node] != no_entity) {
        best_end = k + 1;
        best_entity = node_entity_[node];
      }
    }
    if (best_end > 0) {
      found.push_back({start, best_end, best_entity});
      start = best_end;
    } else {
      ++start;
    }
  }
  return found;
}

std::vector<mention> entity_linker::link_text(std::string_view text) const {
  return link_words(normalise(text));
}

std::vector<std::int32_t> entity_per_word(const std::vector<mention>& mentions, std::size_t words) {
  std::vector<std::int32_t> entity(words, -1);
  for (const auto& m : mentions)
    for (auto k = m.first_word; k < m.end_word && k < std::int32_t(words); ++k)
      entity[k] = m.entity;
  return entity;
}

std::vector<std::int32_t> entity_linker::entity_per_word(const std::vector<std::string>& words) const {
  return kg::entity_per_word(link_words(words), words.size());
}

} // namespace axon::kg
