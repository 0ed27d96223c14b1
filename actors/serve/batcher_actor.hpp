// Batcher actor of `axon serve`: forms dynamic batches of the texts of classify requests
// and hands each to a free model replica.
// Ports: "replica0".."replicaN-1" (out): serve_batch forward, serve_probs back, credit 1
//        (a replica computes one batch at a time; texts wait here, where batches grow).
// Messages in: classify_request -> classify_reply, once all its texts are answered (rows
//                in the request's order, whatever batches they went in); at once with 503
//                when serve.queue requests are already held;
//              serve_probs (from a replica) -> rows copied to their requests;
//              flush_atom (its own timer) -> the oldest waiting text has waited max-wait;
//              models_atom (after serve_models::publish) -> std::string: retires the
//                generations no held request needs;
//              batcher_setting -> std::string: serve.max-wait or serve.max-batch changed.
//              lost_atom -> std::vector<std::int32_t>: the replicas that are gone; a lost
//                replica whose port is wired anew (connect_atom) takes batches again;
//              down_msg (a replica it watches since wiring its edge is gone: its node
//                process died or went silent, or it was killed) -> the requests with rows at
//                it are answered 503 and no batch goes to it again; with no replica left,
//                every waiting request is answered 503 at once.
// A batch leaves when max-batch texts wait, or the oldest has waited max-wait, or (with
// dispatch_when_idle, serve.dispatch-when-idle) no other batch is in flight, to the
// first replica with credit; a request larger than max-batch is split over batches.
// A request is computed by the model generation current when it was admitted
// (serve_models.hpp): a batch holds one generation's texts, and a generation is retired
// once no request of it is held.
// Probe details (axon console inspect): queue_depth, waiting_texts, requests_held,
// requests (admitted), requests_refused, batches, texts, mean_batch_size, max_batch, max_wait_ms, queue_limit,
// model_generation, checkpoint.
#pragma once

#include "actors/serve/messages.hpp"
#include "actors/serve/serve_metrics.hpp"
#include "actors/serve/serve_models.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>

namespace axon {

caf::actor spawn_serve_batcher(caf::actor_system& sys, const serve_batcher_setup& setup,
                               std::shared_ptr<serve_metrics> metrics,
                               std::shared_ptr<serve_models> models);

} // namespace axon
