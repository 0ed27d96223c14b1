// Probes: the registry and the per-message scope.
#include "runtime/monitor/probes.hpp"

#include <algorithm>

namespace axon::monitor {

const char* activity_name(activity a) {
  switch (a) {
    case activity::idle: return "idle";
    case activity::busy: return "busy";
    case activity::waiting_for_credit: return "waiting_for_credit";
    case activity::stopped: return "stopped";
  }
  return "idle";
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

void actor_probe::set_detail(const std::string& key, double value) {
  std::lock_guard lock{details_mutex_};
  numbers_[key] = value;
}

void actor_probe::set_detail(const std::string& key, std::string value) {
  std::lock_guard lock{details_mutex_};
  texts_[key] = std::move(value);
}

std::map<std::string, double> actor_probe::numbers() const {
  std::lock_guard lock{details_mutex_};
  return numbers_;
}

std::map<std::string, std::string> actor_probe::texts() const {
  std::lock_guard lock{details_mutex_};
  return texts_;
}

std::shared_ptr<actor_probe> probe_registry::add_actor(std::string name, std::string kind,
                                                       std::string node, std::string device,
                                                       std::uint64_t actor_id) {
  auto probe = std::make_shared<actor_probe>();
  probe->name = std::move(name);
  probe->kind = std::move(kind);
  probe->node = std::move(node);
  probe->device = std::move(device);
  probe->actor_id = actor_id;
  std::lock_guard lock{mutex_};
  actors_.push_back(probe);
  version_.fetch_add(1, std::memory_order_release);
  return probe;
}

std::shared_ptr<edge_probe> probe_registry::add_edge(const edge_probe& spec) {
  auto probe = std::make_shared<edge_probe>();
  probe->from = spec.from;
  probe->from_port = spec.from_port;
  probe->to = spec.to;
  probe->to_port = spec.to_port;
  probe->message_type = spec.message_type;
  probe->from_id = spec.from_id;
  probe->to_id = spec.to_id;
  probe->credit_window = spec.credit_window;
  std::lock_guard lock{mutex_};
  edges_.push_back(probe);
  version_.fetch_add(1, std::memory_order_release);
  return probe;
}

void probe_registry::remove_actors(const std::vector<std::uint64_t>& ids) {
  auto listed = [&](std::uint64_t id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); };
  std::lock_guard lock{mutex_};
  std::erase_if(actors_, [&](const auto& a) { return listed(a->actor_id); });
  std::erase_if(edges_, [&](const auto& e) { return listed(e->from_id) || listed(e->to_id); });
  version_.fetch_add(1, std::memory_order_release);
}

std::shared_ptr<actor_probe> probe_registry::find_named(const std::string& name) const {
  std::lock_guard lock{mutex_};
  for (const auto& a : actors_)
    if (a->name == name)
      return a;
  return nullptr;
}

void probe_registry::set_node(const node_report& report) {
  std::lock_guard lock{mutex_};
  for (auto& n : nodes_)
    if (n.name == report.name) {
      n = report;
      return;
    }
  nodes_.push_back(report);
}

std::vector<node_report> probe_registry::nodes() const {
  std::lock_guard lock{mutex_};
  return nodes_;
}

std::shared_ptr<actor_probe> probe_registry::find_actor(std::uint64_t actor_id) const {
  std::lock_guard lock{mutex_};
  for (const auto& a : actors_)
    if (a->actor_id == actor_id)
      return a;
  return nullptr;
}

std::vector<std::shared_ptr<edge_probe>> probe_registry::edges_of(std::uint64_t actor_id,
                                                                  edge_end end) const {
  std::lock_guard lock{mutex_};
  std::vector<std::shared_ptr<edge_probe>> out;
  for (const auto& e : edges_)
    if ((end == edge_end::sender ? e->from_id : e->to_id) == actor_id)
      out.push_back(e);
  return out;
}

std::vector<std::shared_ptr<actor_probe>> probe_registry::actors() const {
  std::lock_guard lock{mutex_};
  return actors_;
}

std::vector<std::shared_ptr<edge_probe>> probe_registry::edges() const {
  std::lock_guard lock{mutex_};
  return edges_;
}

void probe_registry::add_train_point(const train_point& p) {
  std::lock_guard lock{mutex_};
  train_.push_back(p);
  if (train_.size() > history_limit)
    train_.pop_front();
}

void probe_registry::add_eval_point(const eval_point& p) {
  std::lock_guard lock{mutex_};
  evals_.push_back(p);
  if (evals_.size() > history_limit)
    evals_.pop_front();
}

void probe_registry::add_scale_point(const scale_point& p) {
  std::lock_guard lock{mutex_};
  scales_.push_back(p);
  if (scales_.size() > history_limit)
    scales_.pop_front();
}

std::vector<train_point> probe_registry::train_history() const {
  std::lock_guard lock{mutex_};
  return {train_.begin(), train_.end()};
}

std::vector<eval_point> probe_registry::eval_history() const {
  std::lock_guard lock{mutex_};
  return {evals_.begin(), evals_.end()};
}

std::vector<scale_point> probe_registry::scale_history() const {
  std::lock_guard lock{mutex_};
  return {scales_.begin(), scales_.end()};
}

probe_registry& process_probes() {
  static probe_registry instance;
  return instance;
}

message_scope::message_scope(actor_probe* probe, std::int64_t mailbox_depth)
  : probe_(probe), start_ns_(probe ? now_ns() : 0) {
  if (!probe_)
    return;
  probe_->messages_in.fetch_add(1, std::memory_order_relaxed);
  probe_->mailbox_depth.store(mailbox_depth, std::memory_order_relaxed);
  probe_->last_message_ns.store(start_ns_, std::memory_order_relaxed);
  probe_->state.store(activity::busy, std::memory_order_relaxed);
}

message_scope::~message_scope() {
  if (!probe_)
    return;
  probe_->busy_ns.fetch_add(now_ns() - start_ns_, std::memory_order_relaxed);
  probe_->state.store(leave_as_, std::memory_order_relaxed);
}

} // namespace axon::monitor
