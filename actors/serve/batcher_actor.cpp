// Batcher actor: see batcher_actor.hpp.
#include "actors/serve/batcher_actor.hpp"

#include "runtime/graph/error.hpp"
#include "runtime/graph/ports.hpp"
#include "runtime/graph/probed_actor.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>

namespace axon {

namespace {

using clock_type = std::chrono::steady_clock;

struct pending_request {
  std::vector<std::string> texts;
  std::uint64_t generation = 0; // the models that compute it (current at admission)
  std::size_t dispatched = 0; // texts sent to replicas so far (a prefix)
  std::size_t answered = 0;   // rows received
  tensor probabilities;       // (n,K), allocated with the first rows
  std::vector<std::vector<msg::linked_entity>> entities; // per text, when the model links
  std::string failed;         // a replica's error for some of its texts
  std::string lost;           // why some of its texts cannot be computed now (their replica,
                              // or the KG service, is gone): answered 503
  clock_type::time_point arrived;
  caf::typed_response_promise<msg::classify_reply> promise;
};

// Rows [first, first + count) of a request, in one batch.
struct slice {
  std::uint64_t request = 0;
  std::size_t first = 0, count = 0;
};

struct batcher_state {
  static inline const char* name = "axon.serve.batcher";
  ports edges;
  serve_batcher_setup setup;
  std::shared_ptr<serve_metrics> metrics;
  std::shared_ptr<serve_models> models;
  std::map<std::uint64_t, pending_request> requests; // admitted, not yet answered
  std::deque<std::uint64_t> waiting; // requests with texts not yet sent, in arrival order
  std::size_t waiting_texts = 0;
  struct at_replica {
    int replica = 0;
    std::vector<slice> slices;
  };
  std::map<std::uint64_t, at_replica> batches; // sent, not yet answered
  std::vector<bool> lost;                      // replicas that are gone (node died, killed)
  std::uint64_t next_request = 0, next_batch = 0;
  int next_replica = 0; // where the search for a free replica starts (round robin)
  bool timer_armed = false;
  std::uint64_t retired_below = 0; // generations before this one are retired
  std::uint64_t batches_sent = 0, texts_sent = 0;
  std::uint64_t admitted = 0, refused = 0; // classify requests
};

using batcher_actor = probed_actor<batcher_state>;

constexpr std::int64_t max_wait_limit_us = 10'000'000; // serve.max-wait's range, [0s, 10s]
constexpr std::int64_t max_batch_limit = 4096;          // serve.max-batch's, [1, 4096]

void publish(batcher_actor* self) {
  auto& st = self->state;
  st.metrics->queue_depth = static_cast<std::int64_t>(st.waiting.size());
  st.metrics->held = static_cast<std::int64_t>(st.requests.size());
  if (auto* probe = self->probe()) {
    probe->set_detail("queue_depth", double(st.waiting.size()));
    probe->set_detail("waiting_texts", double(st.waiting_texts));
    probe->set_detail("requests_held", double(st.requests.size()));
    probe->set_detail("requests", double(st.admitted));
    probe->set_detail("requests_refused", double(st.refused));
    probe->set_detail("batches", double(st.batches_sent));
    probe->set_detail("texts", double(st.texts_sent));
    probe->set_detail("mean_batch_size",
                      st.batches_sent == 0 ? 0.0 : double(st.texts_sent) / double(st.batches_sent));
    probe->set_detail("max_batch", double(st.setup.max_batch));
    probe->set_detail("max_wait_ms", double(st.setup.max_wait_us) / 1000.0);
    probe->set_detail("queue_limit", double(st.setup.queue));
    probe->set_detail("model_generation", double(st.models->current()));
    if (auto info = st.models->current_info())
      probe->set_detail("checkpoint", info->checkpoint);
  }
}

// A replica whose edge has credit, or -1.
int free_replica(batcher_state& st) {
  for (int i = 0; i < st.setup.replicas; ++i) {
    int r = (st.next_replica + i) % st.setup.replicas;
    const auto& p = st.edges[replica_name(r)];
    if (!st.lost[r] && p.in_flight < p.credit_window) {
      st.next_replica = (r + 1) % st.setup.replicas;
      return r;
    }
  }
  return -1;
}

// Up to max-batch waiting texts, oldest first, as one batch to replica `r`; all of one
// model generation (that of the oldest waiting request).
void send_batch(batcher_actor* self, int r) {
  auto& st = self->state;
  msg::serve_batch batch;
  batch.id = st.next_batch++;
  batch.generation = st.requests.at(st.waiting.front()).generation;
  if (auto info = st.models->info(batch.generation))
    batch.checkpoint = info->checkpoint;
  auto& sent = st.batches[batch.id];
  sent.replica = r;
  auto& slices = sent.slices;
  const auto max_batch = static_cast<std::size_t>(st.setup.max_batch);
  while (batch.texts.size() < max_batch && !st.waiting.empty()
         && st.requests.at(st.waiting.front()).generation == batch.generation) {
    auto& request = st.requests.at(st.waiting.front());
    auto take = std::min(max_batch - batch.texts.size(), request.texts.size() - request.dispatched);
    slices.push_back({st.waiting.front(), request.dispatched, take});
    for (std::size_t i = 0; i < take; ++i)
      batch.texts.push_back(request.texts[request.dispatched + i]);
    request.dispatched += take;
    st.waiting_texts -= take;
    if (request.dispatched == request.texts.size())
      st.waiting.pop_front();
  }
  st.metrics->batch_sizes.observe(double(batch.texts.size()));
  ++st.batches_sent;
  st.texts_sent += batch.texts.size();
  st.edges.send(self, replica_name(r), std::move(batch));
}

// Retires the model generations no held request needs any more (after a reload, once
// the requests admitted before it are answered).
void retire_unused(batcher_state& st) {
  const auto current = st.models->current();
  const auto oldest = st.requests.empty() ? current : st.requests.begin()->second.generation;
  if (oldest > st.retired_below) {
    st.models->retire_before(oldest);
    st.retired_below = oldest;
  }
}

void answer(batcher_state& st, std::uint64_t id) {
  auto& request = st.requests.at(id);
  msg::classify_reply reply;
  reply.generation = request.generation;
  if (!request.lost.empty()) {
    reply.http_status = 503;
    reply.error = request.lost;
  } else if (!request.failed.empty()) {
    reply.http_status = 500;
    reply.error = "the model failed: " + request.failed;
  } else {
    reply.probabilities = request.probabilities;
    reply.entities = std::move(request.entities);
    st.metrics->texts += request.texts.size();
  }
  auto promise = std::move(request.promise);
  st.requests.erase(id);
  st.metrics->held = static_cast<std::int64_t>(st.requests.size()); // before the answer is out
  promise.deliver(std::move(reply));
  retire_unused(st);
}

// Answers every waiting text with 503 `why` (no replica is left to compute it); requests
// with rows at replicas are answered when those come back.
void refuse_waiting(batcher_state& st, const std::string& why) {
  for (auto id : st.waiting) {
    auto& request = st.requests.at(id);
    request.lost = why;
    request.answered += request.texts.size() - request.dispatched;
    request.dispatched = request.texts.size();
    if (request.answered == request.texts.size())
      answer(st, id);
  }
  st.waiting.clear();
  st.waiting_texts = 0;
}

// Sends every batch that is due to a free replica; when the oldest waiting text is not
// due yet, arms the max-wait timer for it (when it is due but every replica is busy, the
// next credit back dispatches). With dispatch-when-idle, texts are due at once while no
// batch is in flight: waiting could only fill a batch at the cost of an idle model, and
// under load the texts that arrive while the replicas compute still form the next batch.
void dispatch(batcher_actor* self) {
  auto& st = self->state;
  const auto max_wait = std::chrono::microseconds{st.setup.max_wait_us};
  if (std::find(st.lost.begin(), st.lost.end(), false) == st.lost.end())
    refuse_waiting(st, "every model replica is gone (their node processes died, or they were "
                       "killed): restart axon serve");
  while (st.waiting_texts > 0) {
    const bool full = st.waiting_texts >= static_cast<std::size_t>(st.setup.max_batch);
    const auto due = st.requests.at(st.waiting.front()).arrived + max_wait;
    const bool idle = st.setup.dispatch_when_idle && st.batches.empty();
    if (!full && !idle && clock_type::now() < due) {
      if (!st.timer_armed) {
        st.timer_armed = true;
        self->delayed_send(self, due - clock_type::now(), flush_atom::value);
      }
      break;
    }
    int r = free_replica(st);
    if (r < 0)
      break;
    send_batch(self, r);
  }
  publish(self);
}

// A replica's rows go to their requests; complete requests are answered.
void take_rows(batcher_actor* self, msg::serve_probs& out) {
  auto& st = self->state;
  auto found = st.batches.find(out.id);
  if (found == st.batches.end())
    throw std::logic_error("serve_probs for batch " + std::to_string(out.id) + ", not at a replica");
  std::size_t row = 0;
  for (const auto& s : found->second.slices) {
    auto& request = st.requests.at(s.request);
    if (!out.failed.empty()) {
      (out.passing ? request.lost : request.failed) = out.failed;
    } else {
      const auto k = out.probabilities.size(1);
      if (!request.probabilities.defined())
        request.probabilities = tensor::empty({std::int64_t(request.texts.size()), k});
      std::memcpy(request.probabilities.data<float>() + s.first * k,
                  out.probabilities.data<float>() + row * k, s.count * k * sizeof(float));
      if (!out.entities.empty()) {
        request.entities.resize(request.texts.size());
        for (std::size_t i = 0; i < s.count; ++i)
          request.entities[s.first + i] = std::move(out.entities.at(row + i));
      }
    }
    row += s.count;
    request.answered += s.count;
    if (request.answered == request.texts.size())
      answer(st, s.request);
  }
  st.batches.erase(found);
}

// Replica `down.source` is gone (its node process died or was silent past cluster.timeout,
// or it was killed): its batch's requests are answered 503 (the client may try again, and
// the other replicas take the next batches); when none is left, every waiting request too.
void replica_down(batcher_actor* self, const caf::down_msg& down) {
  auto& st = self->state;
  int r = 0;
  while (r < st.setup.replicas && st.edges[replica_name(r)].peer.address() != down.source)
    ++r;
  if (r == st.setup.replicas || st.lost[r])
    return;
  st.lost[r] = true;
  const auto why = replica_name(r) + " is gone (" + error_text(down.reason)
                   + "): the service goes on with the other replicas; try again";
  std::cerr << "axon serve: " << why << std::endl;
  for (auto it = st.batches.begin(); it != st.batches.end();) {
    if (it->second.replica != r) {
      ++it;
      continue;
    }
    for (const auto& s : it->second.slices) {
      auto& request = st.requests.at(s.request);
      request.lost = why;
      request.answered += s.count;
      if (request.answered == request.texts.size())
        answer(st, s.request);
    }
    it = st.batches.erase(it);
  }
  dispatch(self);
}

// A batcher_setting's answer: what is set now, or why not.
caf::result<std::string> change_setting(batcher_actor* self, const msg::batcher_setting& s) {
  auto& st = self->state;
  std::string now;
  if (s.key == "serve.max-wait") {
    if (s.value < 0 || s.value > max_wait_limit_us)
      return make_error(errc::bad_parameters, "serve.max-wait must be in [0s, 10s]");
    st.setup.max_wait_us = s.value;
    now = "serve.max-wait = " + std::to_string(double(s.value) / 1000.0) + "ms";
  } else if (s.key == "serve.max-batch") {
    if (s.value < 1 || s.value > max_batch_limit)
      return make_error(errc::bad_parameters, "serve.max-batch must be in [1, 4096]");
    st.setup.max_batch = static_cast<std::int32_t>(s.value);
    now = "serve.max-batch = " + std::to_string(s.value);
  } else {
    return make_error(errc::bad_parameters, "only serve.max-wait and serve.max-batch can be "
                                            "set while serving, not " + s.key);
  }
  st.timer_armed = false; // a timer armed for the old max-wait may be late: arm one anew
  dispatch(self);
  return now + " from the next batch";
}

caf::behavior batcher_behavior(batcher_actor* self, serve_batcher_setup setup,
                               std::shared_ptr<serve_metrics> metrics,
                               std::shared_ptr<serve_models> models) {
  exit_on_exception(self, "serve batcher");
  auto& st = self->state;
  if (setup.max_batch < 1 || setup.queue < 1 || setup.replicas < 1 || setup.max_wait_us < 0)
    throw std::invalid_argument("serve batcher: max-batch, queue and replicas must be >= 1");
  if (!models || models->replicas() != static_cast<std::size_t>(setup.replicas))
    throw std::invalid_argument("serve batcher: one model per replica");
  st.setup = setup;
  st.metrics = std::move(metrics);
  st.models = std::move(models);
  st.lost.assign(static_cast<std::size_t>(setup.replicas), false);
  for (int r = 0; r < setup.replicas; ++r)
    st.edges.declare_out<msg::serve_batch, msg::serve_probs>(replica_name(r));
  self->set_down_handler([=](caf::down_msg& down) { replica_down(self, down); });
  return {
    // Wiring a replica's edge: the batcher watches it from then on (replica_down). A lost
    // replica wired anew (its node process back, serve_rejoin.hpp) takes batches again.
    [=](connect_atom, port_binding& binding) -> caf::result<bool> {
      auto& st = self->state;
      auto replica = binding.peer;
      const auto port = binding.port;
      if (auto err = st.edges.connect(std::move(binding)))
        return err;
      self->monitor(replica);
      for (int r = 0; r < st.setup.replicas; ++r)
        if (replica_name(r) == port && st.lost[r]) {
          st.lost[r] = false;
          std::cerr << "axon serve: " << port << " is back" << std::endl;
        }
      dispatch(self);
      return true;
    },
    [=](lost_atom) { // the replicas that are gone, by index
      std::vector<std::int32_t> lost;
      for (int r = 0; r < self->state.setup.replicas; ++r)
        if (self->state.lost[r])
          lost.push_back(r);
      return lost;
    },
    [=](credit_atom, const std::string& port, std::int32_t n) { // a replica is free again
      self->state.edges.on_credit(self, port, n);
      dispatch(self);
    },
    [=](msg::classify_request& request) -> caf::result<msg::classify_reply> {
      auto& st = self->state;
      if (st.requests.size() >= static_cast<std::size_t>(st.setup.queue)) {
        ++st.refused;
        return msg::classify_reply{503, queue_full_message(st.setup.queue), {}, {}, 0};
      }
      if (request.texts.empty())
        return msg::classify_reply{400, "no texts", {}, {}, 0};
      ++st.admitted;
      auto id = st.next_request++;
      auto& held = st.requests[id];
      held.texts = std::move(request.texts);
      held.generation = st.models->current();
      held.arrived = clock_type::now();
      held.promise = self->make_response_promise<msg::classify_reply>();
      st.waiting.push_back(id);
      st.waiting_texts += held.texts.size();
      auto promise = held.promise;
      dispatch(self);
      return promise;
    },
    [=](msg::serve_probs& out) {
      take_rows(self, out);
      dispatch(self); // the replica's credit may have come first, with its batch in flight
    },
    [=](flush_atom) {
      self->state.timer_armed = false;
      dispatch(self);
    },
    [=](models_atom) -> std::string { // a reload made another generation current
      auto& st = self->state;
      retire_unused(st);
      publish(self);
      return "generation " + std::to_string(st.models->current()) + " current, "
             + std::to_string(st.models->live_generations()) + " held";
    },
    [=](msg::batcher_setting& s) {
      auto result = change_setting(self, s);
      publish(self);
      return result;
    },
  };
}

} // namespace

caf::actor spawn_serve_batcher(caf::actor_system& sys, const serve_batcher_setup& setup,
                               std::shared_ptr<serve_metrics> metrics,
                               std::shared_ptr<serve_models> models) {
  return sys.spawn(batcher_behavior, setup, std::move(metrics), std::move(models));
}

} // namespace axon
