// The console's commands: requests to the endpoint and how their answers are shown.
#include "apps/axon/console_commands.hpp"

#include "apps/axon/flags.hpp"
#include "apps/axon/terminal_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <poll.h>
#include <sstream>
#include <termios.h>
#include <unistd.h>

namespace axon::app {

namespace {

using json = nlohmann::json;

std::string cell(const json& value) {
  if (value.is_string())
    return value.get<std::string>();
  if (value.is_null())
    return "-";
  if (value.is_number_integer() || value.is_number_unsigned())
    return value.dump();
  if (value.is_number()) { // counts published as doubles print as integers
    const double x = value.get<double>();
    const bool whole = x == double(std::int64_t(x)) && std::abs(x) < 1e15;
    return whole ? plot_number(x, "%.0f") : plot_number(x);
  }
  return value.dump();
}

// Columns padded to their widest cell; numbers right-aligned.
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows)
      width[c] = std::max(width[c], row[c].size());
  }
  auto numeric = [](const std::string& s) {
    return !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-');
  };
  auto line = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      auto pad = std::string(width[c] - row[c].size(), ' ');
      out << (numeric(row[c]) && c > 0 ? pad + row[c] : row[c] + pad)
          << (c + 1 < row.size() ? "  " : "\n");
    }
  };
  line(header);
  for (const auto& row : rows)
    line(row);
}

// Parses a command's flags; `json_out` and `positional` are optional.
struct command_flags {
  flag_parser parser;
  bool json_out = false;
  explicit command_flags(std::string_view usage) : parser(std::string{usage}) {
    parser.add("json", &json_out, "print the endpoint's answer as JSON");
  }
};

void print_actors(std::ostream& out, const json& actors) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : actors)
    rows.push_back({a["name"], a["kind"], a["node"], a["device"], a["state"],
                    cell(a["mailbox_depth"]), cell(a["messages_in"]), cell(a["messages_out"]),
                    plot_number(100 * a["busy_fraction"].get<double>(), "%.1f"),
                    a["last_message_age_s"].is_null()
                      ? "-"
                      : plot_number(a["last_message_age_s"].get<double>(), "%.2f")});
  print_table(out, {"NAME", "KIND", "NODE", "DEVICE", "STATE", "MAILBOX", "IN", "OUT", "BUSY%",
                    "LAST_MSG_S"},
              rows);
}

int nodes(console_session& s, args words) {
  command_flags f{"nodes [--json]"};
  if (auto status = f.parser.parse(words))
    return *status;
  auto result = s.connection.call("nodes");
  if (f.json_out) {
    s.out << result.dump() << '\n';
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : result)
    rows.push_back({n["name"], n["address"], n["state"], cell(n["pid"]), cell(n["actors"]),
                    plot_number(n["cpu_percent"].get<double>(), "%.1f"),
                    plot_number(n["rss_bytes"].get<double>() / (1 << 20), "%.1f")});
  print_table(s.out, {"NAME", "ADDRESS", "STATE", "PID", "ACTORS", "CPU%", "RSS_MIB"}, rows);
  return 0;
}

int actors(console_session& s, args words) {
  command_flags f{"actors [--node N] [--kind K] [--json]"};
  std::string node, kind;
  f.parser.add("node", &node, "only the actors of this node");
  f.parser.add("kind", &kind, "only actors of this kind (e.g. axon.bert.stage)");
  if (auto status = f.parser.parse(words))
    return *status;
  auto result = s.connection.call("actors", {{"node", node}, {"kind", kind}});
  if (f.json_out)
    s.out << result.dump() << '\n';
  else
    print_actors(s.out, result);
  return 0;
}

int inspect(console_session& s, args words) {
  command_flags f{"inspect ACTOR [--json]"};
  std::vector<std::string> names;
  if (auto status = f.parser.parse(words, &names))
    return *status;
  if (names.size() != 1) {
    std::cerr << "usage: inspect ACTOR [--json]\n";
    return 2;
  }
  auto result = s.connection.call("inspect", {{"actor", names[0]}});
  if (f.json_out) {
    s.out << result.dump() << '\n';
    return 0;
  }
  for (const auto& key : {"name", "kind", "node", "device", "state", "mailbox_depth",
                          "messages_in", "messages_out", "busy_fraction", "last_message_age_s"})
    s.out << key << std::string(20 - std::string{key}.size(), ' ') << cell(result[key]) << '\n';
  for (const auto& [key, value] : result["details"].items())
    s.out << key << std::string(key.size() < 20 ? 20 - key.size() : 1, ' ') << cell(value) << '\n';
  return 0;
}

int graph(console_session& s, args words) {
  command_flags f{"graph [--dot] [--json]"};
  bool dot = false;
  f.parser.add("dot", &dot, "print Graphviz text (edges labelled with type, rate and credit)");
  if (auto status = f.parser.parse(words))
    return *status;
  auto result = s.connection.call("graph");
  if (f.json_out) {
    s.out << result.dump() << '\n';
    return 0;
  }
  const auto& edges = result["edges"];
  if (dot) {
    s.out << "digraph axon {\n";
    for (const auto& e : edges) {
      auto window = e["credit_window"].get<int>();
      s.out << "  \"" << cell(e["from"]) << "\" -> \"" << cell(e["to"]) << "\" [label=\""
            << cell(e["message_type"]) << "\\n"
            << plot_number(e["rate_per_s"].get<double>(), "%.1f")
            << "/s" << (window > 0 ? " credit " + cell(e["in_flight"]) + "/" + std::to_string(window) : "")
            << "\"];\n";
    }
    s.out << "}\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : edges) {
    auto window = e["credit_window"].get<int>();
    rows.push_back({cell(e["from"]) + "." + cell(e["from_port"]),
                    cell(e["to"]) + "." + cell(e["to_port"]), cell(e["message_type"]),
                    window > 0 ? std::to_string(window) : "-", window > 0 ? cell(e["in_flight"]) : "-",
                    cell(e["messages"]), plot_number(e["rate_per_s"].get<double>(), "%.1f")});
  }
  print_table(s.out, {"FROM", "TO", "MESSAGE", "CREDIT", "IN_FLIGHT", "MESSAGES", "RATE/S"}, rows);
  return 0;
}

// The dev metric that metrics plots: the job's eval.metric (accuracy, macro_f1 or loss, as
// its supervisor publishes it), accuracy for a job that names none.
std::string plotted_metric(console_connection& connection) {
  try {
    auto details = connection.call("inspect", {{"actor", "supervisor"}})["details"];
    auto metric = details.value("metric", std::string{"accuracy"});
    return metric == "macro_f1" || metric == "loss" ? metric : "accuracy";
  } catch (const refused_error&) { // no supervisor (yet): the default metric
    return "accuracy";
  }
}

int metrics(console_session& s, args words) {
  command_flags f{"metrics [--last N] [--json]"};
  int last = 0;
  f.parser.add("last", &last, "only the last N training steps (0: all)");
  if (auto status = f.parser.parse(words))
    return *status;
  auto result = s.connection.call("metrics", {{"last", std::max(last, 0)}});
  if (f.json_out) {
    s.out << result.dump() << '\n';
    return 0;
  }
  std::vector<double> step, loss, tokens;
  for (const auto& p : result["train"]) {
    step.push_back(p["step"].get<double>());
    loss.push_back(p["loss"].get<double>());
    tokens.push_back(p["tokens_per_s"].get<double>());
  }
  s.out << terminal_plot("loss", step, loss) << '\n' << terminal_plot("tokens/s", step, tokens);
  if (!result["train"].empty()) {
    const auto& p = result["train"].back();
    s.out << "\nlast step " << cell(p["step"]) << ": loss " << cell(p["loss"]) << ", lr "
          << cell(p["lr"]) << ", " << plot_number(p["tokens_per_s"].get<double>(), "%.0f")
          << " tokens/s\n";
  }
  const auto& evals = result["eval"];
  if (!evals.empty()) {
    const auto metric = plotted_metric(s.connection);
    std::vector<double> eval_step, value;
    for (const auto& e : evals) {
      eval_step.push_back(e["step"].get<double>());
      value.push_back(e[metric].get<double>());
    }
    s.out << '\n' << terminal_plot("dev " + metric, eval_step, value) << '\n';
    constexpr std::size_t shown = 5; // the latest evaluations; --json has them all
    std::vector<std::vector<std::string>> rows;
    for (auto i = evals.size() > shown ? evals.size() - shown : 0; i < evals.size(); ++i)
      rows.push_back({cell(evals[i]["step"]), cell(evals[i]["loss"]), cell(evals[i]["accuracy"]),
                      cell(evals[i]["macro_f1"])});
    print_table(s.out, {"DEV_STEP", "LOSS", "ACCURACY", "MACRO_F1"}, rows);
  }
  if (!result.value("scale", json::array()).empty()) { // axon serve has none
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : result["scale"]) {
      std::string nodes;
      for (const auto& n : e["nodes"])
        nodes += (nodes.empty() ? "" : ",") + n.get<std::string>();
      rows.push_back({cell(e["step"]), cell(e["shards"]), nodes,
                      plot_number(e["seconds"].get<double>(), "%.3f")});
    }
    s.out << "\nscale events:\n";
    print_table(s.out, {"AFTER_STEP", "SHARDS", "NODES", "SECONDS"}, rows);
  }
  return 0;
}

// One frame of `top`: the node, the last step, then actors by busy fraction.
void top_frame(console_session& s) {
  auto node = s.connection.call("nodes")[0];
  auto actors = s.connection.call("actors");
  auto history = s.connection.call("metrics", {{"last", 1}});
  std::sort(actors.begin(), actors.end(), [](const json& a, const json& b) {
    return a["busy_fraction"].get<double>() > b["busy_fraction"].get<double>();
  });
  s.out << "axon top - " << s.connection.address() << "  node " << cell(node["name"]) << "  cpu "
        << plot_number(node["cpu_percent"].get<double>(), "%.0f") << "%  rss "
        << plot_number(node["rss_bytes"].get<double>() / (1 << 20), "%.0f") << " MiB";
  if (!history["train"].empty()) {
    const auto& p = history["train"].back();
    s.out << "  step " << cell(p["step"]) << "  loss " << cell(p["loss"]) << "  "
          << plot_number(p["tokens_per_s"].get<double>(), "%.0f") << " tok/s";
  }
  s.out << "\n\n";
  print_actors(s.out, actors);
}

// `top` draws on the terminal's alternate screen with keys read one at a time; both are
// undone when it ends, so the shell's screen comes back as it was.
struct full_screen {
  std::ostream& out;
  termios saved{};
  bool raw = false;
  explicit full_screen(std::ostream& o) : out(o) {
    if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved) == 0) {
      termios keys = saved;
      keys.c_lflag &= ~tcflag_t(ICANON | ECHO);
      raw = ::tcsetattr(STDIN_FILENO, TCSANOW, &keys) == 0;
    }
    out << "\x1b[?1049h" << std::flush;
  }
  ~full_screen() {
    out << "\x1b[?1049l" << std::flush;
    if (raw)
      ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  }
};

int top(console_session& s, args words) {
  flag_parser parser{"top [--interval SECONDS]"};
  double interval = 1.0;
  parser.add("interval", &interval, "seconds between refreshes");
  if (auto status = parser.parse(words))
    return *status;
  if (!s.interactive) { // scripts get one frame
    top_frame(s);
    return 0;
  }
  full_screen screen{s.out};
  for (;;) {
    std::ostringstream frame;
    console_session frame_session{s.connection, frame, true};
    top_frame(frame_session);
    s.out << "\x1b[H\x1b[2J" << frame.str() << "\n(q to quit)" << std::flush;
    pollfd in{STDIN_FILENO, POLLIN, 0};
    if (::poll(&in, 1, int(std::max(interval, 0.1) * 1000)) > 0) {
      char key = 0;
      if (::read(STDIN_FILENO, &key, 1) <= 0 || key == 'q' || key == 'Q')
        return 0;
    }
  }
}

int simple_control(console_session& s, args words, const char* op) {
  if (!words.empty()) {
    std::cerr << op << " takes no arguments\n";
    return 2;
  }
  s.out << s.connection.call(op).get<std::string>() << '\n';
  return 0;
}

int pause(console_session& s, args words) { return simple_control(s, words, "pause"); }
int resume(console_session& s, args words) { return simple_control(s, words, "resume"); }
int checkpoint(console_session& s, args words) { return simple_control(s, words, "checkpoint"); }
int stop(console_session& s, args words) { return simple_control(s, words, "stop"); }

// A number is sent as one (train.lr 5e-4, serve.max-batch 16); anything else as text
// (serve.max-wait 5ms), for the job to take or refuse.
int set(console_session& s, args words) {
  if (words.size() != 2) {
    std::cerr << "usage: set KEY VALUE (train.lr 5e-4 in a training job; serve.max-wait 5ms, "
                 "serve.max-batch 16 in axon serve)\n";
    return 2;
  }
  nlohmann::json value = words[1];
  double number = 0;
  std::istringstream text{words[1]};
  if (text >> number && text.peek() == std::char_traits<char>::eof())
    value = number;
  s.out << s.connection.call("set", {{"key", words[0]}, {"value", value}}).get<std::string>() << '\n';
  return 0;
}

// `scale shards N`: the job adds or retires data-parallel shards before its next step.
int scale(console_session& s, args words) {
  std::int64_t shards = -1;
  if (words.size() == 2 && words[0] == "shards") {
    std::istringstream text{words[1]};
    if (!(text >> shards) || text.peek() != std::char_traits<char>::eof())
      shards = -1;
  }
  if (shards < 0) {
    std::cerr << "usage: scale shards N (N >= 1: data-parallel shards from the next step)\n";
    return 2;
  }
  s.out << s.connection.call("scale", {{"shards", shards}}).get<std::string>() << '\n';
  return 0;
}

// kill ACTOR, join NODE, leave NODE: a control request naming one actor or node.
int named_request(console_session& s, args words, const std::string& op, const std::string& field,
                  const std::string& usage) {
  if (words.size() != 1) {
    std::cerr << "usage: " << usage << '\n';
    return 2;
  }
  s.out << s.connection.call(op, {{field, words[0]}}).get<std::string>() << '\n';
  return 0;
}
int kill(console_session& s, args w) { return named_request(s, w, "kill", "actor", "kill ACTOR"); }
int join(console_session& s, args w) { return named_request(s, w, "join", "node", "join NODE"); }
int leave(console_session& s, args w) { return named_request(s, w, "leave", "node", "leave NODE"); }

int help(console_session& s, args) {
  for (const auto& c : console_commands())
    s.out << "  " << c.usage << std::string(c.usage.size() < 40 ? 40 - c.usage.size() : 1, ' ')
          << c.summary << (c.control ? " [token]" : "") << '\n';
  s.out << "[token]: needs the job's control token (--run RUN_DIR or --token-file FILE)\n";
  return 0;
}

} // namespace

const std::vector<console_command>& console_commands() {
  static const std::vector<console_command> table{
    {"nodes", "nodes [--json]", "the job's processes: address, state, actors, CPU, memory", false, nodes},
    {"actors", "actors [--node N] [--kind K] [--json]",
     "every actor: state, mailbox, messages in/out, busy %, last message", false, actors},
    {"inspect", "inspect ACTOR [--json]", "one actor's counters and kind-specific state", false, inspect},
    {"graph", "graph [--dot] [--json]", "edges with credit windows, in flight and rates", false, graph},
    {"metrics", "metrics [--last N] [--json]",
     "loss, tokens/s and the dev metric (eval.metric) with plots", false, metrics},
    {"top", "top [--interval S]", "live table of the busiest actors (q quits)", false, top},
    {"pause", "pause", "hold training before the next step", true, pause},
    {"resume", "resume", "continue a paused job", true, resume},
    {"checkpoint", "checkpoint", "write a checkpoint now", true, checkpoint},
    {"set", "set KEY VALUE", "train.lr: the peak learning rate from the next step; in axon "
     "serve, serve.max-wait or serve.max-batch from the next batch", true, set},
    {"stop", "stop", "end the job with a final checkpoint (resumable)", true, stop},
    {"scale", "scale shards N", "add or retire data-parallel shards before the next step",
     true, scale},
    {"join", "join NODE", "take a node process in (placement.elastic): shards grow onto it",
     true, join},
    {"leave", "leave NODE", "hand a node's shards back (placement.elastic): the job shrinks",
     true, leave},
    {"kill", "kill ACTOR", "send an actor an exit (fault injection drill)", true, kill},
    {"help", "help", "this list", false, help},
  };
  return table;
}

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false, any = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && std::isspace(static_cast<unsigned char>(c))) {
      if (any)
        words.push_back(std::move(word));
      word.clear();
      any = false;
    } else {
      word += c;
      any = true;
    }
  }
  if (any)
    words.push_back(std::move(word));
  return words;
}

int run_console_line(console_session& session, const std::string& line) {
  auto words = split_words(line);
  if (words.empty())
    return 0;
  for (const auto& c : console_commands())
    if (c.name == words[0]) {
      try {
        return c.run(session, args{words}.subspan(1));
      } catch (const std::exception& e) { // refused, or the connection broke
        std::cerr << words[0] << ": " << e.what() << '\n';
        return 1;
      }
    }
  std::cerr << "unknown command '" << words[0] << "' (help lists them)\n";
  return 2;
}

} // namespace axon::app
