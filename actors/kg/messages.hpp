// The KG module's messages (entity shards of TransE training, the KG service of a
// classification job), the setups its actor kinds are spawned with, its atoms, and its
// CAF type-id block (axon::kg_modules adds it to a registry).
#pragma once

#include "runtime/graph/type_ids.hpp"
#include "runtime/graph/wire_float.hpp"
#include "runtime/kg/entity_linker.hpp"

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace axon::kg {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mention& x) {
  return f(caf::meta::type_name("kg_mention"), x.first_word, x.end_word, x.entity);
}
} // namespace axon::kg

namespace axon {

using embeddings_atom = caf::atom_constant<caf::atom("embeddings")>; // KG service: entity rows

/// One entity shard of a TransE model: the entities e with e % shards == shard, their
/// embeddings (initialised as the whole table would be from `seed`) and Adam moments.
struct kg_shard_setup {
  std::int32_t shard = 0, shards = 1;
  std::int64_t entities = 0, dim = 0;
  float lr = 1e-2f;
  std::uint64_t seed = 0;
};

/// The KG service of a classification job (actors/kg_service_actor.hpp): the entities (ids
/// = positions), their aliases (alias k names entity alias_entities[k]) and the entity
/// embeddings to start the model from.
struct kg_service_setup {
  std::vector<std::string> entities;
  std::vector<std::int32_t> alias_entities;
  std::vector<std::string> alias_surfaces;
  bool words_normalised = true; // linked words come from an uncased tokenizer
  tensor table;                 // (E,D) f32 from kg.embeddings; undefined: none given
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_service_setup& x) {
  return f(caf::meta::type_name("kg_service_setup"), x.entities, x.alias_entities,
           x.alias_surfaces, x.words_normalised, x.table);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_shard_setup& x) {
  return f(caf::meta::type_name("kg_shard_setup"), x.shard, x.shards, x.entities, x.dim,
           wire_float(x.lr), x.seed);
}
} // namespace axon

namespace axon::msg {

// ---- KG embeddings: entity-shard actors (actors/kg_shard_actor.hpp) --------------------

/// Trainer -> entity shard: the rows of entities `ids` (all owned by the shard).
struct kg_rows_request {
  std::uint64_t step = 0;
  std::vector<std::int32_t> ids;
};

/// Entity shard -> trainer: those rows, (n,D) in the order asked.
struct kg_rows_msg {
  std::uint64_t step = 0;
  std::int32_t shard = 0;
  std::vector<std::int32_t> ids;
  tensor rows;
};

/// Trainer -> entity shard: the gradient rows (n,D) of its entities `ids` in step `step`;
/// the shard then takes one Adam step over all its rows (the others with zero gradient).
struct kg_grads_msg {
  std::uint64_t step = 0;
  std::vector<std::int32_t> ids;
  tensor grads;
};

/// Entity shard -> trainer: the update of `step` is applied.
struct kg_updated_msg {
  std::uint64_t step = 0;
  std::int32_t shard = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_rows_request& x) {
  return f(caf::meta::type_name("kg_rows_request"), x.step, x.ids);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_rows_msg& x) {
  return f(caf::meta::type_name("kg_rows_msg"), x.step, x.shard, x.ids, x.rows);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_grads_msg& x) {
  return f(caf::meta::type_name("kg_grads_msg"), x.step, x.ids, x.grads);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_updated_msg& x) {
  return f(caf::meta::type_name("kg_updated_msg"), x.step, x.shard);
}

// ---- the KG service of a classification job (actors/kg_service_actor.hpp) --------------

/// -> KG service: the words of each row of a batch (the tokenizer's basic words).
struct kg_link_request {
  std::vector<std::vector<std::string>> rows;
};

/// KG service -> requester: the entity mentions (word spans) of each row, in text order.
struct kg_link_reply {
  std::vector<std::vector<kg::mention>> rows;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_link_request& x) {
  return f(caf::meta::type_name("kg_link_request"), x.rows);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_link_reply& x) {
  return f(caf::meta::type_name("kg_link_reply"), x.rows);
}

} // namespace axon::msg

CAF_BEGIN_TYPE_ID_BLOCK(axon_kg, axon::type_ids::kg)
  CAF_ADD_TYPE_ID(axon_kg, (axon::kg_shard_setup))
  CAF_ADD_TYPE_ID(axon_kg, (axon::kg_service_setup))
  CAF_ADD_TYPE_ID(axon_kg, (axon::msg::kg_rows_request))
  CAF_ADD_TYPE_ID(axon_kg, (axon::msg::kg_rows_msg))
  CAF_ADD_TYPE_ID(axon_kg, (axon::msg::kg_grads_msg))
  CAF_ADD_TYPE_ID(axon_kg, (axon::msg::kg_updated_msg))
  CAF_ADD_TYPE_ID(axon_kg, (axon::msg::kg_link_request))
  CAF_ADD_TYPE_ID(axon_kg, (axon::msg::kg_link_reply))
CAF_END_TYPE_ID_BLOCK(axon_kg)
