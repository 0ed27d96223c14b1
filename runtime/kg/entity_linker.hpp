// entity_linker: finds entity mentions in text by longest match of normalised word
// sequences against every alias, with a trie whose edges are words.
// Normalisation is BERT's uncased basic tokenization: lower case, accents stripped,
// every punctuation character a word of its own; so "Jordal Corp." matches the alias
// "jordal corp" (then "."), and "JRDL" matches "jrdl".
// Matching scans left to right; at each word it takes the longest alias starting there,
// then continues after it (leftmost-longest, no overlapping mentions). When several
// entities share an alias, the first one added keeps it.
#pragma once

#include "runtime/data/basic_tokenizer.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace axon::kg {

/// Words [first_word, end_word) of the text name `entity`.
struct mention {
  std::int32_t first_word = 0, end_word = 0;
  std::int32_t entity = 0;
  bool operator==(const mention&) const = default;
};

/// A mention as answers show it (`axon kg link`, `axon predict --json`, `axon serve`):
/// words [first_word, end_word) of the text's words, those words joined by spaces, and
/// the entity's name (fusion_kg::named).
struct linked_entity {
  std::int32_t first_word = 0, end_word = 0;
  std::string text, entity;
  bool operator==(const linked_entity&) const = default;
};

/// The entity id of each of `words` words given its mentions (-1: in none).
std::vector<std::int32_t> entity_per_word(const std::vector<mention>& mentions, std::size_t words);

class entity_linker {
public:
  entity_linker();

  /// Adds `surface` (any text; normalised here) as a name of `entity`. Returns false when
  /// it normalises to no word or another entity already holds it.
  bool add_alias(std::string_view surface, std::int32_t entity);
  std::size_t alias_count() const { return aliases_; }

  /// The normalised words of `text` (valid UTF-8).
  std::vector<std::string> normalise(std::string_view text) const;
  /// Mentions in already normalised words, in text order.
  std::vector<mention> link_words(const std::vector<std::string>& words) const;
  /// normalise + link_words.
  std::vector<mention> link_text(std::string_view text) const;
  /// Entity id of every word (-1: not part of a mention).
  std::vector<std::int32_t> entity_per_word(const std::vector<std::string>& words) const;

private:
  static constexpr std::int32_t no_entity = -1;
  /// Trie child of `node` along word id `word`, or -1.
  std::int32_t child(std::int32_t node, std::int32_t word) const;

  data::basic_tokenizer normaliser_{true};
  std::unordered_map<std::string, std::int32_t> word_ids_; // words that occur in aliases
  std::unordered_map<std::uint64_t, std::int32_t> edges_;  // (node << 32 | word) -> node
  std::vector<std::int32_t> node_entity_;                  // entity ending at a node, or -1
  std::size_t aliases_ = 0;
};

} // namespace axon::kg
