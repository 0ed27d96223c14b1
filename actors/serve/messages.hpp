// The serving module's messages (`axon serve`, docs/serving.md), the batcher's setup and
// its CAF type-id block (axon::serve_modules adds it to a registry). The protocol:
//
//   message            from -> to               when
//   classify_request   front -> batcher         an HTTP request's texts (a request/response)
//   classify_reply     batcher -> front         their probabilities, or why refused (at once)
//   serve_batch        batcher -> replica       a dynamic batch, on an edge with credit 1
//                                               (the replica may run on a node process)
//   serve_probs        replica -> batcher       its probabilities, back on that edge
//   linker_atom, kg    serve -> replica         the KG service that links its texts (a run
//                                               with a KG; answered true, before any batch)
//   kg_link_request    replica -> KG service    each text's words (actors/kg/messages.hpp)
//   kg_link_reply      KG service -> replica    their entity mentions
//   models_atom        reloader -> batcher      a new model generation is current (reload);
//                                               answered once the batcher has seen it
//   batcher_setting    console -> batcher       serve.max-wait or serve.max-batch, live
//   list_files_atom,   node replica -> run      a shipped run's files (run_files.hpp):
//   fetch_file_atom    files actor              run_file_list, then 1 MiB chunks
//
// Model generations (serve_models.hpp): a request is computed wholly by the generation
// current when the batcher admitted it; a batch holds the texts of one generation only.
#pragma once

#include "actors/serve/type_range.hpp"
#include "runtime/kg/entity_linker.hpp"

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace axon {

using flush_atom = caf::atom_constant<caf::atom("flush")>;   // batcher: max-wait is over
using models_atom = caf::atom_constant<caf::atom("models")>; // batcher: a reload happened
using linker_atom = caf::atom_constant<caf::atom("linker")>; // replica: its KG service
using lost_atom = caf::atom_constant<caf::atom("lost")>;     // batcher: its lost replicas
using list_files_atom = caf::atom_constant<caf::atom("listfiles")>; // run files: a listing
using fetch_file_atom = caf::atom_constant<caf::atom("fetchfile")>; // run files: a chunk

/// Replica `r`'s graph node name, which is also the batcher's port to it: "replica0", ...
inline std::string replica_name(std::int32_t r) {
  return "replica" + std::to_string(r);
}

/// Why a request is refused with 503 when serve.queue requests are held.
inline std::string queue_full_message(std::int64_t queue) {
  return "the queue is full (serve.queue = " + std::to_string(queue) + " requests held); try again";
}

/// The batcher's limits (serve.* keys).
struct serve_batcher_setup {
  std::int32_t max_batch = 32;      // texts per batch at most
  std::int64_t max_wait_us = 2000;  // the oldest waiting text waits at most this long
  std::int32_t queue = 64;          // requests held at once; more are refused at once
  std::int32_t replicas = 1;        // ports replica0 .. replicaN-1
  bool dispatch_when_idle = true;   // no batch in flight: the waiting texts leave at once
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, serve_batcher_setup& x) {
  return f(caf::meta::type_name("serve_batcher_setup"), x.max_batch, x.max_wait_us, x.queue,
           x.replicas, x.dispatch_when_idle);
}

/// Where a replica computes (placement.devices and compute.*), as compute_of
/// (actors/bert/setup_compute.hpp) reads it: "cpu" or "cuda:N", the GEMM precision on a
/// device (f32, tf32, bf16) and its attention kernel (gemm, fused).
struct replica_compute {
  std::string device = "cpu";
  std::string precision = "f32";
  std::string attention = "gemm";
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, replica_compute& x) {
  return f(caf::meta::type_name("replica_compute"), x.device, x.precision, x.attention);
}

/// A replica's spawn parameters. In the serving process a replica computes with model
/// `index` of each generation (serve_models, loaded there); on a node process
/// (placement.nodes) it loads its own model from `run_dir` and the `checkpoint` folder,
/// paths as the node sees them, so the node must see the run directory at the same path
/// (a shared or copied folder; docs/serving.md), or copies them from `files`, the serving
/// process's run files actor (run_files.hpp), as serve.ship-run (`ship`) says.
struct serve_replica_setup {
  std::int32_t index = 0;
  std::string run_dir, checkpoint;
  std::string ship = "auto"; // serve.ship-run: auto (when the node does not see run_dir),
                             // always, never
  caf::actor files;          // null: nothing shipped
  replica_compute compute;   // on a node: where its model computes
};

/// The files of a run a node copies (run_files.hpp): names relative to the run directory,
/// and their sizes in bytes.
struct run_file_list {
  std::vector<std::string> names;
  std::vector<std::uint64_t> sizes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, serve_replica_setup& x) {
  return f(caf::meta::type_name("serve_replica_setup"), x.index, x.run_dir, x.checkpoint, x.ship,
           x.files, x.compute);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_file_list& x) {
  return f(caf::meta::type_name("run_file_list"), x.names, x.sizes);
}

} // namespace axon

namespace axon::kg {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, linked_entity& x) {
  return f(caf::meta::type_name("linked_entity"), x.first_word, x.end_word, x.text, x.entity);
}

} // namespace axon::kg

namespace axon::msg {

/// An entity the run's KG linked in a text: words [first_word, end_word) of the text's
/// words (the tokenizer's basic words), their `text` joined by spaces, and the entity's
/// name in the KG (what `axon kg link` and `axon predict --json` show).
using linked_entity = kg::linked_entity;

/// Front -> batcher: the texts of one request, answered with a classify_reply.
struct classify_request {
  std::vector<std::string> texts;
};

/// Batcher -> front: (n,K) class probabilities in the request's order (http_status 200),
/// the entities linked in each text (empty without a KG) and the model generation that
/// computed them; or the status to answer with and why (503: the queue is full, try
/// again later; 500: the model failed).
struct classify_reply {
  std::int32_t http_status = 200;
  std::string error;
  tensor probabilities;
  std::vector<std::vector<linked_entity>> entities;
  std::uint64_t generation = 0;
};

/// Batcher -> replica: one dynamic batch, for the models of `generation`, which were
/// loaded from the `checkpoint` folder (a replica on a node process loads it when a batch
/// of a new generation arrives).
struct serve_batch {
  std::uint64_t id = 0;
  std::uint64_t generation = 0;
  std::string checkpoint;
  std::vector<std::string> texts;
};

/// Replica -> batcher: the batch's (n,K) probabilities and entities per text (empty
/// without a KG), or `failed` says why there are none. `passing`: the failure is one a
/// retry may not meet (the KG service was lost and is being replaced): answered 503 with
/// Retry-After instead of 500.
struct serve_probs {
  std::uint64_t id = 0;
  std::string failed;
  tensor probabilities;
  std::vector<std::vector<linked_entity>> entities;
  bool passing = false;
};

/// Console -> batcher: a new value for "serve.max-wait" (microseconds) or
/// "serve.max-batch" (texts), from the next batch on; answered with a std::string saying
/// what is set, or an error.
struct batcher_setting {
  std::string key;
  std::int64_t value = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, classify_request& x) {
  return f(caf::meta::type_name("classify_request"), x.texts);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, classify_reply& x) {
  return f(caf::meta::type_name("classify_reply"), x.http_status, x.error, x.probabilities,
           x.entities, x.generation);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, serve_batch& x) {
  return f(caf::meta::type_name("serve_batch"), x.id, x.generation, x.checkpoint, x.texts);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, serve_probs& x) {
  return f(caf::meta::type_name("serve_probs"), x.id, x.failed, x.probabilities, x.entities,
           x.passing);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batcher_setting& x) {
  return f(caf::meta::type_name("batcher_setting"), x.key, x.value);
}

} // namespace axon::msg

CAF_BEGIN_TYPE_ID_BLOCK(axon_serve, axon::type_ids::serve)
  CAF_ADD_TYPE_ID(axon_serve, (axon::serve_batcher_setup))
  CAF_ADD_TYPE_ID(axon_serve, (axon::msg::classify_request))
  CAF_ADD_TYPE_ID(axon_serve, (axon::msg::classify_reply))
  CAF_ADD_TYPE_ID(axon_serve, (axon::msg::serve_batch))
  CAF_ADD_TYPE_ID(axon_serve, (axon::msg::serve_probs))
  CAF_ADD_TYPE_ID(axon_serve, (axon::msg::linked_entity))
  CAF_ADD_TYPE_ID(axon_serve, (axon::msg::batcher_setting))
  CAF_ADD_TYPE_ID(axon_serve, (axon::serve_replica_setup))
  CAF_ADD_TYPE_ID(axon_serve, (axon::run_file_list))
CAF_END_TYPE_ID_BLOCK(axon_serve)
