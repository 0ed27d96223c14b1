// The commands of `axon console`, one table: name, usage, what it does, and whether it
// needs the control token. The interactive shell and `-c "command"` both run lines
// through run_console_line. Output is a table or text, or JSON with --json.
#pragma once

#include "apps/axon/commands.hpp"
#include "apps/axon/console_connection.hpp"

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace axon::app {

struct console_session {
  console_connection& connection;
  std::ostream& out;
  bool interactive = false; // `top` refreshes until q only on a terminal
};

struct console_command {
  std::string_view name;
  std::string_view usage;   // e.g. "actors [--node N] [--kind K] [--json]"
  std::string_view summary; // one line for `help`
  bool control;             // needs the control token
  int (*run)(console_session& session, args words);
};

const std::vector<console_command>& console_commands();

/// Splits a command line into words ("double quotes" group words).
std::vector<std::string> split_words(const std::string& line);

/// Runs one command line. Returns 0, 1 (the job refused or the connection failed; the
/// message is on stderr) or 2 (bad usage).
int run_console_line(console_session& session, const std::string& line);

} // namespace axon::app
