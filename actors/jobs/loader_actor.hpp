// loader actor: streams a job's batches (data::batch, from a batch_source: a labelled
// split's examples, or a text corpus's masked sequences) under back-pressure.
// Messages in:  (credit_atom, n) -> may send n more batches to the sender (the consumer);
//               (restore_atom, data::stream_cursor) -> true: continues from a saved cursor,
//               with no credit left (what was sent before the reply is stale);
//               stats_atom -> JSON counters (epoch, position, credit, batches sent).
// Messages out: data::batch -> the consumer, only while it has credit: at most the granted
//               window is ever in flight. Each carries the stream's cursor after it.
// The data is handed over in memory or read from local files (a corpus), so this actor
// runs in the process that prepared the data. A source failing (unreadable data) ends the
// actor with the error's message.
#pragma once

#include "actors/jobs/batch_source.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>
#include <vector>

namespace axon {

/// A loader of `source`'s batches.
caf::actor spawn_loader(caf::actor_system& sys, std::shared_ptr<batch_source> source);

/// A loader of the examples in batches (example_batches).
caf::actor spawn_loader(caf::actor_system& sys, examples_ptr examples,
                        data::batcher_options options);

} // namespace axon
