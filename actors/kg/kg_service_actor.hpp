// KG service actor: the knowledge graph of a classification job, served over messages to
// whoever needs it, in any process (a node of the training graph named "kg", placed like
// any other: placement.nodes can put it on a node process).
// Messages in: kg_link_request (the basic words of each row of a batch) -> kg_link_reply:
//                each row's entity mentions (word spans, leftmost-longest over every alias,
//                runtime/kg/entity_linker.hpp), the words normalised first when they come
//                from a cased tokenizer;
//              (embeddings_atom) -> the (E,D) entity table the model starts from, or an
//                error when the job set no kg.embeddings;
//              (embeddings_atom, ids) -> those rows, (n,D) in the order asked; an id
//                outside [0, E) is an error naming it;
//              stats_atom -> JSON counters (entities, aliases, rows and words linked,
//                mentions found, embedding rows served).
// The supervisor links every training and evaluation batch through it before the step and
// takes the model's initial entity table from it (actors/supervisor_actor.hpp).
#pragma once

#include "actors/kg/messages.hpp"
#include "runtime/kg/fusion_kg.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace axon {

/// The setup of a job's KG: `kg`'s entities and aliases, `table` (may be undefined).
kg_service_setup kg_service_setup_of(const kg::fusion_kg& kg, bool words_normalised, tensor table);

caf::actor spawn_kg_service(caf::actor_system& sys, const kg_service_setup& setup);

} // namespace axon
