// job_view: registry -> JSON answers of the inspection protocol.
#include "runtime/monitor/job_view.hpp"

#include <fstream>
#include <sys/resource.h>
#include <unistd.h>

namespace axon::monitor {

namespace {

nlohmann::json numbers_and_texts(const actor_probe& a) {
  auto details = nlohmann::json::object();
  for (const auto& [key, value] : a.numbers())
    details[key] = value;
  for (const auto& [key, value] : a.texts())
    details[key] = value;
  return details;
}

} // namespace

double process_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::int64_t resident_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  std::int64_t pages = 0, resident = 0;
  if (!(statm >> pages >> resident))
    return 0;
  return resident * ::sysconf(_SC_PAGESIZE);
}

job_view::job_view(const probe_registry& probes, node_info node)
  : probes_(probes), node_(std::move(node)) {
  sample();
}

void job_view::sample() {
  const auto now = now_ns();
  const double window_s = last_sample_ns_ ? double(now - last_sample_ns_) * 1e-9 : 0;
  last_sample_ns_ = now;
  auto update = [&](counter_sample& s, double value) {
    if (window_s > 0)
      s.per_s = (value - s.value) / window_s;
    s.value = value;
  };
  std::map<std::uint64_t, counter_sample> busy;
  for (const auto& a : probes_.actors()) {
    auto s = busy_[a->actor_id];
    update(s, double(a->busy_ns.load(std::memory_order_relaxed)) * 1e-9);
    busy[a->actor_id] = s;
  }
  busy_ = std::move(busy);
  std::map<const edge_probe*, counter_sample> rate;
  for (const auto& e : probes_.edges()) {
    auto s = rate_[e.get()];
    update(s, double(e->messages.load(std::memory_order_relaxed)));
    rate[e.get()] = s;
  }
  rate_ = std::move(rate);
  update(cpu_, process_cpu_seconds());
}

nlohmann::json job_view::nodes() const {
  std::size_t here = 0;
  for (const auto& a : probes_.actors())
    here += a->node == "local" || a->node == node_.name;
  auto rows = nlohmann::json::array({{{"name", node_.name},
                                      {"address", node_.address},
                                      {"state", "up"},
                                      {"pid", ::getpid()},
                                      {"actors", here},
                                      {"cpu_percent", 100.0 * cpu_.per_s},
                                      {"rss_bytes", resident_bytes()}}});
  for (const auto& n : probes_.nodes())
    rows.push_back({{"name", n.name},
                    {"address", n.address},
                    {"state", n.state},
                    {"pid", n.pid},
                    {"actors", n.actors},
                    {"cpu_percent", n.cpu_percent},
                    {"rss_bytes", n.rss_bytes}});
  return rows;
}

nlohmann::json job_view::actor_row(const actor_probe& a) const {
  auto busy = busy_.find(a.actor_id);
  const auto last = a.last_message_ns.load(std::memory_order_relaxed);
  return {{"name", a.name},
          {"kind", a.kind},
          {"node", a.node},
          {"device", a.device},
          {"state", activity_name(a.state.load(std::memory_order_relaxed))},
          {"mailbox_depth", a.mailbox_depth.load(std::memory_order_relaxed)},
          {"messages_in", a.messages_in.load(std::memory_order_relaxed)},
          {"messages_out", a.messages_out.load(std::memory_order_relaxed)},
          {"busy_fraction", busy == busy_.end() ? 0.0 : std::min(1.0, busy->second.per_s)},
          {"last_message_age_s",
           last == 0 ? nlohmann::json(nullptr) : nlohmann::json(double(now_ns() - last) * 1e-9)}};
}

nlohmann::json job_view::actors(const std::string& node, const std::string& kind) const {
  auto rows = nlohmann::json::array();
  for (const auto& a : probes_.actors())
    if ((node.empty() || a->node == node) && (kind.empty() || a->kind == kind))
      rows.push_back(actor_row(*a));
  return rows;
}

std::optional<nlohmann::json> job_view::inspect(const std::string& actor) const {
  for (const auto& a : probes_.actors())
    if (a->name == actor) {
      a->want_details();
      auto row = actor_row(*a);
      row["details"] = numbers_and_texts(*a);
      return row;
    }
  return std::nullopt;
}

nlohmann::json job_view::graph() const {
  auto edges = nlohmann::json::array();
  for (const auto& e : probes_.edges()) {
    auto rate = rate_.find(e.get());
    edges.push_back({{"from", e->from},
                     {"from_port", e->from_port},
                     {"to", e->to},
                     {"to_port", e->to_port},
                     {"message_type", e->message_type},
                     {"credit_window", e->credit_window},
                     {"in_flight", e->in_flight.load(std::memory_order_relaxed)},
                     {"messages", e->messages.load(std::memory_order_relaxed)},
                     {"rate_per_s", rate == rate_.end() ? 0.0 : rate->second.per_s}});
  }
  return {{"edges", edges}};
}

nlohmann::json job_view::metrics(std::size_t last) const {
  auto train = probes_.train_history();
  auto evals = probes_.eval_history();
  auto from = last > 0 && train.size() > last ? train.size() - last : 0;
  auto train_rows = nlohmann::json::array();
  for (auto i = from; i < train.size(); ++i)
    train_rows.push_back({{"step", train[i].step},
                          {"loss", train[i].loss},
                          {"lr", train[i].lr},
                          {"tokens_per_s", train[i].tokens_per_s},
                          {"unix_ms", train[i].unix_ms}});
  auto eval_rows = nlohmann::json::array();
  for (const auto& e : evals)
    eval_rows.push_back({{"step", e.step},
                         {"loss", e.loss},
                         {"accuracy", e.accuracy},
                         {"macro_f1", e.macro_f1}});
  auto scale_rows = nlohmann::json::array();
  for (const auto& e : probes_.scale_history())
    scale_rows.push_back(
      {{"step", e.step}, {"shards", e.shards}, {"nodes", e.nodes}, {"seconds", e.seconds}});
  return {{"train", train_rows}, {"eval", eval_rows}, {"scale", scale_rows}};
}

} // namespace axon::monitor
