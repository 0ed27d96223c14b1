// Probes: the per-actor and per-edge counters the inspection endpoint reports, kept by the
// actors themselves (CAF 0.17's profiler hooks are compiled out in Debian's build). One
// process-wide registry holds them; an actor updates its own probe with relaxed atomics
// (a few per message) and the endpoint reads them from its own thread. No CAF here.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace axon::monitor {

enum class activity : std::uint8_t { idle, busy, waiting_for_credit, stopped };

/// "idle", "busy", "waiting_for_credit", "stopped".
const char* activity_name(activity a);

/// Nanoseconds on the steady clock (the time base of every probe timestamp).
std::int64_t now_ns();

/// The counters of one actor. Written by the actor's own thread, read by anyone.
struct actor_probe {
  std::string name, kind, node, device;
  std::uint64_t actor_id = 0;
  std::atomic<std::uint64_t> messages_in{0}, messages_out{0};
  std::atomic<std::int64_t> busy_ns{0};
  std::atomic<std::int64_t> last_message_ns{0}; // 0: none yet
  std::atomic<std::int64_t> mailbox_depth{0};   // messages waiting when the last one began
  std::atomic<activity> state{activity::idle};
  /// Sends this actor an exit (kill): fault injection from the console. Empty: not killable.
  std::function<void()> kill;

  /// Details that cost a pass over the parameters (a layer's grad norm, an optimizer's
  /// update norm) are computed only while someone inspects the actor: `inspect` asks for
  /// them for the next `wanted_for_ns`.
  std::atomic<std::int64_t> details_wanted_until_ns{0};
  static constexpr std::int64_t wanted_for_ns = 30'000'000'000;
  void want_details() { details_wanted_until_ns.store(now_ns() + wanted_for_ns); }
  bool details_wanted() const { return now_ns() < details_wanted_until_ns.load(std::memory_order_relaxed); }

  /// Kind-specific values for `inspect` (layer grad norm, optimizer lr, loader cursor...),
  /// set at most a few times per step.
  void set_detail(const std::string& key, double value);
  void set_detail(const std::string& key, std::string value);
  std::map<std::string, double> numbers() const;
  std::map<std::string, std::string> texts() const;

private:
  mutable std::mutex details_mutex_;
  std::map<std::string, double> numbers_;
  std::map<std::string, std::string> texts_;
};

/// One edge of the actor graph: from.port -> to.port, with its credit window.
struct edge_probe {
  std::string from, from_port, to, to_port, message_type;
  std::uint64_t from_id = 0, to_id = 0;
  int credit_window = 0; // 0: unbounded
  std::atomic<std::uint64_t> messages{0}; // delivered to the receiving actor
  std::atomic<std::int64_t> in_flight{0}; // sent and not yet credited back (windowed edges)
};

/// One point of the training history (what metrics.jsonl's train events hold).
struct train_point {
  std::int64_t step = 0;
  double loss = 0, lr = 0, tokens_per_s = 0;
  std::int64_t unix_ms = 0;
};

/// One dev evaluation.
struct eval_point {
  std::int64_t step = 0;
  double loss = 0, accuracy = 0, macro_f1 = 0;
};

/// One scale event: the job runs `shards` data-parallel replicas after step `step`, on the
/// node processes `nodes` ("local": the coordinator's); `seconds` it took.
struct scale_point {
  std::int64_t step = 0, shards = 0;
  std::vector<std::string> nodes;
  double seconds = 0;
};

/// A node process of a cluster as last heard by the coordinator's process.
struct node_report {
  std::string name, address;
  std::string state = "up"; // up, suspect (a report is late), down (its connection is gone)
  std::int64_t actors = 0, pid = 0, rss_bytes = 0;
  double cpu_percent = 0;
};

class probe_registry {
public:
  /// Off: graphs register no probes, so actors skip all counting (the "monitoring off"
  /// side of the overhead measurement).
  void set_enabled(bool on) { enabled_.store(on); }
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }

  std::shared_ptr<actor_probe> add_actor(std::string name, std::string kind, std::string node,
                                         std::string device, std::uint64_t actor_id);
  /// A probe for the edge `spec` describes (its names, ids and window; counters start at 0).
  std::shared_ptr<edge_probe> add_edge(const edge_probe& spec);
  /// Forgets the probes of these actors and every edge touching them.
  void remove_actors(const std::vector<std::uint64_t>& actor_ids);

  /// The probe of an actor id, or null. `version()` changes on every add, so an actor that
  /// found none can cheaply tell when to look again.
  std::shared_ptr<actor_probe> find_actor(std::uint64_t actor_id) const;
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
  enum class edge_end { sender, receiver };
  /// The edges on which `actor_id` is the sender (or the receiver).
  std::vector<std::shared_ptr<edge_probe>> edges_of(std::uint64_t actor_id, edge_end end) const;

  std::vector<std::shared_ptr<actor_probe>> actors() const;
  /// The probe of the actor named `name`, or null.
  std::shared_ptr<actor_probe> find_named(const std::string& name) const;

  /// Other processes of a cluster (nodes), reported by the coordinator's mirror.
  void set_node(const node_report& report);
  std::vector<node_report> nodes() const;
  std::vector<std::shared_ptr<edge_probe>> edges() const;

  /// Training history (bounded: the oldest points are dropped beyond `history_limit`).
  void add_train_point(const train_point& p);
  void add_eval_point(const eval_point& p);
  std::vector<train_point> train_history() const;
  std::vector<eval_point> eval_history() const;
  void add_scale_point(const scale_point& p);
  std::vector<scale_point> scale_history() const;
  static constexpr std::size_t history_limit = 10000;

private:
  std::atomic<bool> enabled_{true};
  std::atomic<std::uint64_t> version_{0};
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<actor_probe>> actors_;
  std::vector<std::shared_ptr<edge_probe>> edges_;
  std::deque<train_point> train_;
  std::deque<eval_point> evals_;
  std::deque<scale_point> scales_;
  std::vector<node_report> nodes_;
};

/// The registry of this process.
probe_registry& process_probes();

/// Counts one message of an actor: marks it busy with the mailbox depth it saw, and on
/// destruction adds the busy time and leaves it idle (or waiting for credit).
class message_scope {
public:
  message_scope(actor_probe* probe, std::int64_t mailbox_depth);
  ~message_scope();
  message_scope(const message_scope&) = delete;
  message_scope& operator=(const message_scope&) = delete;
  /// The state to leave the actor in when the message is done.
  void leave_as(activity a) { leave_as_ = a; }

private:
  actor_probe* probe_;
  std::int64_t start_ns_;
  activity leave_as_ = activity::idle;
};

} // namespace axon::monitor
