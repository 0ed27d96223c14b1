// fusion_kg: the knowledge graph that a classification job fuses into its model: the
// entities (their ids are the rows of the model's entity table), the aliases that link
// them in text, and the entity embeddings to start from. A training run serves it from its
// KG service actor (actors/kg_service_actor.hpp) and keeps entities.txt and aliases.tsv in
// RUN_DIR/kg, so that `axon predict` and `axon eval` link identically.
#pragma once

#include "runtime/data/tokenized_examples.hpp"
#include "runtime/kg/entity_linker.hpp"
#include "runtime/kg/knowledge_graph.hpp"
#include "runtime/tensor.hpp"

#include <string>

namespace axon::kg {

struct fusion_kg {
  name_index entities; // the model's entity rows, in order
  std::vector<alias> aliases;
  entity_linker linker;
  std::string fingerprint; // hash of the entities and aliases

  /// The mentions in a text's words (the tokenizer's basic words). `words_normalised`:
  /// they come from an uncased tokenizer (already lower-cased, accents stripped); else
  /// each is normalised first.
  std::vector<mention> link(const std::vector<std::string>& words, bool words_normalised) const;
  /// Each of `mentions` of `words` with its text and its entity's name.
  std::vector<linked_entity> named(const std::vector<mention>& mentions,
                                   const std::vector<std::string>& words) const;
  /// The entity id of each of those words (-1: none).
  std::vector<std::int32_t> entity_per_word(const std::vector<std::string>& words,
                                            bool words_normalised) const;
  /// Writes FOLDER/entities.txt and FOLDER/aliases.tsv.
  void save(const std::string& folder) const;
};

/// A fusion KG of these entities (ids = positions) and aliases (entity ids into `names`).
fusion_kg make_fusion_kg(const std::vector<std::string>& names, std::vector<alias> aliases);
/// The entities of `triples_file` (then those only named by aliases) and the aliases.
/// Throws data_error "FILE:LINE: what" for bad lines.
fusion_kg load_fusion_kg(const std::string& triples_file, const std::string& aliases_file);
/// What fusion_kg::save wrote.
fusion_kg load_saved_fusion_kg(const std::string& folder);

/// The (E,D) table for `entities` from an `axon kg train` output folder (entities.txt,
/// embeddings.safetensors), matched by name; entities it lacks get N(0, 0.02^2) rows from
/// `seed`. `found` counts the matched names. Throws data_error when the folder is
/// unreadable or its width is not `dim`.
struct entity_table {
  tensor table;
  std::int64_t found = 0;
};
entity_table load_entity_table(const std::string& folder, const name_index& entities,
                               std::int64_t dim, std::uint64_t seed);

} // namespace axon::kg
