// axon_modules: see modules.hpp.
#include "actors/modules.hpp"

#include "actors/bert/messages.hpp"
#include "actors/cluster/wire_sink_actor.hpp"
#include "actors/jobs/messages.hpp"
#include "actors/kg/messages.hpp"
#include "graphs/bert/bert_graph.hpp"

namespace axon {

registry axon_modules() {
  registry r;
  r.add_types<caf::id_block::axon_bert>("bert");
  r.add_types<caf::id_block::axon_kg>("kg");
  r.add_types<caf::id_block::axon_jobs>("jobs");
  r.add_kinds(bert::kinds());
  auto [sink, factory] = wire_sink_kind();
  r.add_kind(sink, std::move(factory));
  return r;
}

} // namespace axon
