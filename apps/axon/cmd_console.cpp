// `axon console HOST:PORT` / `axon console --run RUN_DIR`: the inspection shell of a
// running job. Interactive (readline: line editing, history in ~/.axon_console_history,
// tab completion of commands, actor names and kinds), or one command with -c for scripts.
// Exit status with -c: the command's (0 done, 1 refused or connection lost, 2 bad usage);
// interactive: 0 when the user leaves (quit, exit, q or end of input).
#include "apps/axon/commands.hpp"
#include "apps/axon/console_commands.hpp"
#include "apps/axon/flags.hpp"

#include "runtime/monitor/control_token.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <readline/history.h>
#include <readline/readline.h>
#include <set>
#include <unistd.h>

namespace axon::app {

namespace {

namespace fs = std::filesystem;

constexpr const char* usage =
  "axon console [HOST:PORT] [--run RUN_DIR] [--token-file FILE] [--timeout SECONDS]\n"
  "             [--tls-ca FILE --tls-certificate FILE --tls-key FILE] [-c COMMAND]";

// What tab completes: the word's position and the word before it pick the candidates.
struct completion_words {
  std::vector<std::string> commands, actors, kinds, nodes;
};
completion_words completions;

std::vector<std::string> candidates_for(const std::string& line_before, int word_start) {
  auto words = split_words(line_before.substr(0, std::size_t(word_start)));
  if (words.empty())
    return completions.commands;
  const auto& previous = words.back();
  if (previous == "--kind")
    return completions.kinds;
  if (previous == "--node")
    return completions.nodes;
  if (words.size() == 1 && (words[0] == "inspect" || words[0] == "kill"))
    return completions.actors;
  if (words.size() == 1 && words[0] == "set")
    return {"train.lr", "serve.max-wait", "serve.max-batch"};
  return {};
}

std::vector<std::string> matches;

char* next_match(const char* text, int state) {
  static std::size_t index;
  if (state == 0)
    index = 0;
  while (index < matches.size()) {
    const auto& m = matches[index++];
    if (m.starts_with(text))
      return ::strdup(m.c_str());
  }
  return nullptr;
}

char** complete(const char* text, int start, int) {
  ::rl_attempted_completion_over = 1; // no file names
  matches = candidates_for(std::string{::rl_line_buffer}, start);
  return ::rl_completion_matches(text, next_match);
}

void refresh_completions(console_connection& connection) {
  try {
    auto actors = connection.call("actors");
    std::set<std::string> kinds, nodes;
    completions.actors.clear();
    for (const auto& a : actors) {
      completions.actors.push_back(a["name"]);
      kinds.insert(a["kind"].get<std::string>());
      nodes.insert(a["node"].get<std::string>());
    }
    completions.kinds.assign(kinds.begin(), kinds.end());
    completions.nodes.assign(nodes.begin(), nodes.end());
  } catch (const std::exception&) {
    // completion stays as it was; the next command reports the problem
  }
}

int interactive(console_connection& connection) {
  for (const auto& c : console_commands())
    completions.commands.emplace_back(c.name);
  completions.commands.emplace_back("quit");
  completions.commands.emplace_back("exit");
  refresh_completions(connection);
  ::rl_attempted_completion_function = complete;
  const char* home = std::getenv("HOME");
  const std::string history = home ? std::string{home} + "/.axon_console_history" : "";
  if (!history.empty())
    ::read_history(history.c_str());
  auto hello = connection.call("hello");
  std::cout << "axon console: " << connection.address() << " (run " << hello.value("run_dir", "?")
            << "; " << (hello.value("control", false) ? "control allowed" : "read-only")
            << "); help lists the commands, quit (or q) leaves\n";
  console_session session{connection, std::cout, true};
  while (char* raw = ::readline("axon> ")) {
    std::string line{raw};
    std::free(raw);
    const auto words = split_words(line);
    if (words.empty())
      continue;
    ::add_history(line.c_str());
    if (words.size() == 1 && (words[0] == "quit" || words[0] == "exit" || words[0] == "q"))
      break;
    run_console_line(session, line); // a failed command is reported; the session goes on
    std::cout.flush();
    refresh_completions(connection);
  }
  if (!history.empty())
    ::write_history(history.c_str());
  return 0; // the user left: earlier commands' failures were shown as they happened
}

} // namespace

int console(args words) {
  std::string run_dir, token_file, command;
  std::vector<std::string> rest, positional;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "-c") {
      if (i + 1 == words.size()) {
        std::cerr << "axon console: -c needs a command\n";
        return 2;
      }
      command = words[++i];
    } else {
      rest.push_back(words[i]);
    }
  }
  flag_parser flags{std::string{usage}};
  flags.add("run", &run_dir, "the job's run directory: its address (monitor.json) and token");
  flags.add("token-file", &token_file, "the control token file (RUN_DIR/console.token)");
  double timeout_s = 10;
  flags.add("timeout", &timeout_s,
            "seconds allowed for connecting and for each whole reply (default 10)");
  tls_identity tls;
  flags.add("tls-ca", &tls.ca, "CA certificate of a TLS endpoint (its monitor.tls-ca)");
  flags.add("tls-certificate", &tls.certificate,
            "this console's certificate (OU=axon-console, or OU=axon-console-read: reads only)");
  flags.add("tls-key", &tls.key, "the private key of --tls-certificate");
  if (auto status = flags.parse(rest, &positional)) {
    if (*status == 0)
      std::cout << "  -c COMMAND              run one command and exit (e.g. -c \"actors --json\")\n";
    return *status;
  }
  if (positional.size() > 1 || (positional.empty() && run_dir.empty())) {
    std::cerr << "axon console: give HOST:PORT or --run RUN_DIR\nusage: " << usage << '\n';
    return 2;
  }
  std::string address, token;
  try {
    if (positional.empty()) {
      auto endpoint = read_run_endpoint(run_dir);
      if (endpoint.tls && !tls.enabled())
        throw std::runtime_error("the job's endpoint speaks TLS only: give --tls-ca, "
                                 "--tls-certificate and --tls-key (a console certificate of "
                                 "its CA)");
      address = endpoint.address;
      token = endpoint.token;
    } else {
      address = positional[0];
      if (token_file.empty() && !run_dir.empty() && fs::exists(fs::path{run_dir} / "console.token"))
        token_file = (fs::path{run_dir} / "console.token").string();
    }
    if (!token_file.empty())
      token = monitor::read_token_file(token_file);
  } catch (const std::exception& e) {
    std::cerr << "axon console: " << e.what() << '\n';
    return 2;
  }
  if (tls.certificate.empty() != tls.key.empty() || tls.certificate.empty() != tls.ca.empty()) {
    std::cerr << "axon console: give --tls-ca, --tls-certificate and --tls-key together\n";
    return 2;
  }
  if (!(timeout_s > 0 && timeout_s <= 3600)) {
    std::cerr << "axon console: --timeout must be in (0, 3600] seconds\n";
    return 2;
  }
  try {
    console_connection connection{address, token,
                                  std::chrono::milliseconds{std::int64_t(timeout_s * 1000)},
                                  tls};
    if (!command.empty()) {
      console_session session{connection, std::cout, false};
      return run_console_line(session, command);
    }
    return interactive(connection);
  } catch (const std::exception& e) {
    std::cerr << "axon console: " << e.what() << '\n';
    return 1;
  }
}

} // namespace axon::app
