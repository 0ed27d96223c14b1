// Prometheus text: one HELP and TYPE line per metric family, then its samples.
#include "runtime/monitor/prometheus.hpp"

#include <cstdio>
#include <sstream>

namespace axon::monitor {

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

namespace {

std::string number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", x);
  return text;
}

class family_writer {
public:
  explicit family_writer(std::ostringstream& out) : out_(out) {}
  void family(const char* name, const char* type, const char* help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    name_ = name;
  }
  void sample(const std::string& labels, double value) {
    out_ << name_ << (labels.empty() ? "" : "{" + labels + "}") << ' ' << number(value) << '\n';
  }

private:
  std::ostringstream& out_;
  std::string name_;
};

std::string actor_labels(const nlohmann::json& a) {
  return "actor=\"" + escape_label(a["name"]) + "\",kind=\"" + escape_label(a["kind"])
         + "\",node=\"" + escape_label(a["node"]) + "\"";
}

std::string edge_labels(const nlohmann::json& e) {
  return "from=\"" + escape_label(e["from"].get<std::string>() + "." + e["from_port"].get<std::string>())
         + "\",to=\"" + escape_label(e["to"].get<std::string>() + "." + e["to_port"].get<std::string>())
         + "\"";
}

} // namespace

std::string prometheus_text(const job_view& view) {
  std::ostringstream out;
  family_writer w{out};
  const auto actors = view.actors("", "");
  struct actor_family {
    const char* name;
    const char* type;
    const char* help;
    const char* field;
  };
  for (const auto& f : {
         actor_family{"axon_actor_mailbox_depth", "gauge",
                      "Messages waiting in the actor's mailbox when its last message began",
                      "mailbox_depth"},
         actor_family{"axon_actor_messages_in_total", "counter", "Messages the actor handled",
                      "messages_in"},
         actor_family{"axon_actor_messages_out_total", "counter",
                      "Messages the actor sent to other Axon actors", "messages_out"},
         actor_family{"axon_actor_busy_fraction", "gauge",
                      "Fraction of the last sampling window the actor spent handling messages",
                      "busy_fraction"},
       }) {
    w.family(f.name, f.type, f.help);
    for (const auto& a : actors)
      w.sample(actor_labels(a), a[f.field].get<double>());
  }
  w.family("axon_actor_busy", "gauge", "1 while the actor handles a message, else 0");
  for (const auto& a : actors)
    w.sample(actor_labels(a), a["state"] == "busy" ? 1 : 0);
  const auto edges = view.graph()["edges"];
  w.family("axon_edge_messages_total", "counter", "Messages delivered over the edge (both ways)");
  for (const auto& e : edges)
    w.sample(edge_labels(e), e["messages"].get<double>());
  w.family("axon_edge_in_flight", "gauge", "Messages sent on the edge and not yet credited back");
  for (const auto& e : edges)
    w.sample(edge_labels(e), e["in_flight"].get<double>());
  w.family("axon_edge_credit_window", "gauge", "Most messages in flight on the edge (0: unbounded)");
  for (const auto& e : edges)
    w.sample(edge_labels(e), e["credit_window"].get<double>());

  const auto metrics = view.metrics(1);
  if (!metrics["train"].empty()) {
    const auto& last = metrics["train"].back();
    w.family("axon_train_step", "gauge", "Optimizer steps done");
    w.sample("", last["step"].get<double>());
    w.family("axon_train_loss", "gauge", "Training loss of the last step");
    w.sample("", last["loss"].get<double>());
    w.family("axon_train_lr", "gauge", "Learning rate of the last step");
    w.sample("", last["lr"].get<double>());
    w.family("axon_tokens_per_second", "gauge", "Training tokens per second of the last step");
    w.sample("", last["tokens_per_s"].get<double>());
  }
  if (!metrics["eval"].empty()) {
    const auto& last = metrics["eval"].back();
    w.family("axon_dev_accuracy", "gauge", "Accuracy of the last dev evaluation");
    w.sample("", last["accuracy"].get<double>());
    w.family("axon_dev_loss", "gauge", "Loss of the last dev evaluation");
    w.sample("", last["loss"].get<double>());
  }
  const auto node = view.nodes()[0];
  w.family("axon_process_resident_bytes", "gauge", "Resident memory of the job's process");
  w.sample("node=\"" + escape_label(node["name"]) + "\"", node["rss_bytes"].get<double>());
  w.family("axon_process_cpu_percent", "gauge", "CPU use of the job's process (100 = one core)");
  w.sample("node=\"" + escape_label(node["name"]) + "\"", node["cpu_percent"].get<double>());
  return out.str();
}

} // namespace axon::monitor
