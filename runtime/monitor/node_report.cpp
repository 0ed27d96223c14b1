// node_report: see node_report.hpp.
#include "runtime/monitor/node_report.hpp"

#include "runtime/monitor/job_view.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

namespace axon::monitor {

std::string make_node_report(const probe_registry& probes) {
  const auto now = now_ns();
  auto actors = nlohmann::json::array();
  for (const auto& a : probes.actors()) {
    const auto last = a->last_message_ns.load(std::memory_order_relaxed);
    actors.push_back({{"name", a->name},
                      {"state", activity_name(a->state.load())},
                      {"messages_in", a->messages_in.load()},
                      {"messages_out", a->messages_out.load()},
                      {"busy_ns", a->busy_ns.load()},
                      {"mailbox_depth", a->mailbox_depth.load()},
                      {"last_message_age_ns", last == 0 ? -1 : now - last},
                      {"numbers", a->numbers()},
                      {"texts", a->texts()}});
  }
  return nlohmann::json{{"pid", ::getpid()},
                        {"cpu_seconds", process_cpu_seconds()},
                        {"rss_bytes", resident_bytes()},
                        {"actors", actors}}
    .dump();
}

void apply_node_report(probe_registry& probes, const std::string& name,
                       const std::string& address, const std::string& report_text,
                       node_report_clock& clock) {
  auto report = nlohmann::json::parse(report_text, nullptr, false);
  if (report.is_discarded())
    return;
  const auto now = now_ns();
  const double cpu = report.value("cpu_seconds", 0.0);
  node_report row{name, address, "up", std::int64_t(report["actors"].size()),
                  report.value("pid", 0), report.value("rss_bytes", std::int64_t{0}), 0.0};
  if (clock.at_ns > 0 && now > clock.at_ns)
    row.cpu_percent = 100.0 * (cpu - clock.cpu_seconds) / (double(now - clock.at_ns) * 1e-9);
  clock = {cpu, now};
  probes.set_node(row);
  for (const auto& a : report["actors"]) {
    auto probe = probes.find_named(a.value("name", ""));
    if (!probe)
      continue;
    probe->messages_in.store(a.value("messages_in", std::uint64_t{0}));
    probe->messages_out.store(a.value("messages_out", std::uint64_t{0}));
    probe->busy_ns.store(a.value("busy_ns", std::int64_t{0}));
    probe->mailbox_depth.store(a.value("mailbox_depth", std::int64_t{0}));
    const auto age = a.value("last_message_age_ns", std::int64_t{-1});
    probe->last_message_ns.store(age < 0 ? 0 : now - age);
    const auto state = a.value("state", "idle");
    for (auto s : {activity::idle, activity::busy, activity::waiting_for_credit, activity::stopped})
      if (state == activity_name(s))
        probe->state.store(s);
    for (const auto& [key, value] : a["numbers"].items())
      probe->set_detail(key, value.get<double>());
    for (const auto& [key, value] : a["texts"].items())
      probe->set_detail(key, value.get<std::string>());
  }
}

} // namespace axon::monitor
