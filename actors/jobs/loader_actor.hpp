// loader actor: streams the training split as batches under back-pressure.
// Messages in:  (credit_atom, n) -> may send n more batches to the sender (the consumer);
//               (restore_atom, epoch, position) -> true: continues from a saved cursor,
//               with no credit left (what was sent before the reply is stale);
//               stats_atom -> JSON counters (epoch, position, credit, batches sent).
// Messages out: batch_msg -> the consumer, only while it has credit: at most the granted
//               window is ever in flight. Each epoch's order is reshuffled from the seed
//               (data::batcher), each batch padded to its longest row.
// The examples are handed over in memory (tokenized once by the caller, with its cache),
// so this actor runs in the process that prepared the data.
#pragma once

#include "runtime/data/batcher.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>
#include <vector>

namespace axon {

caf::actor spawn_loader(caf::actor_system& sys,
                        std::shared_ptr<const std::vector<data::tokenized_example>> examples,
                        data::batcher_options options);

} // namespace axon
