// flag_parser: the `--name VALUE` / `--name=VALUE` / `--switch` flags of one subcommand,
// with typed targets, help text and errors that name the flag and what it accepts.
#pragma once

#include "apps/axon/commands.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace axon::app {

class flag_parser {
public:
  /// `usage` is the first help line, e.g. "axon bench train [FLAGS]".
  explicit flag_parser(std::string usage);

  void add(std::string name, int* target, std::string help);
  void add(std::string name, std::int64_t* target, std::string help);
  void add(std::string name, double* target, std::string help);
  void add(std::string name, std::string* target, std::string help);
  /// A switch: present = true.
  void add(std::string name, bool* target, std::string help);
  /// Config overrides: words `--group.key=value` (a dot in the name) are collected in
  /// `overrides` as written, for config::load_config_file, instead of being unknown flags.
  void accept_config_overrides(std::vector<std::string>* overrides);

  /// Parses `words`. Returns nothing when the command should go on; otherwise the exit
  /// status to return: 0 after printing --help, 2 after printing an error to stderr.
  /// Words not starting with "--" go to `positional` (an error if it is null).
  std::optional<int> parse(args words, std::vector<std::string>* positional = nullptr);

  void print_help(std::ostream& out) const;

private:
  using target = std::variant<int*, std::int64_t*, double*, std::string*, bool*>;
  struct flag {
    std::string name;
    target where;
    std::string help;
    std::string default_text;
  };
  const flag* find(std::string_view name) const;

  std::string usage_;
  std::vector<flag> flags_;
  std::vector<std::string>* overrides_ = nullptr;
};

} // namespace axon::app
