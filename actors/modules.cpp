// axon_modules: see modules.hpp.
#include "actors/modules.hpp"

#include "actors/bert/messages.hpp"
#include "actors/cluster/wire_sink_actor.hpp"
#include "actors/jobs/messages.hpp"
#include "actors/kg/messages.hpp"
#include "actors/serve/messages.hpp"
#include "graphs/bert/bert_graph.hpp"

namespace axon {

registry axon_modules() {
  registry r;
  r.add_types<caf::id_block::axon_bert>("bert");
  r.add_types<caf::id_block::axon_kg>("kg");
  r.add_types<caf::id_block::axon_jobs>("jobs");
  // The serving graph's messages: `axon serve` and the nodes hosting its replicas share
  // them (its kinds are added by `axon serve` and `axon node`, which load models).
  r.add_types<caf::id_block::axon_serve>("serve");
  r.add_kinds(bert::kinds());
  auto [sink, factory] = wire_sink_kind();
  r.add_kind(sink, std::move(factory));
  return r;
}

} // namespace axon
