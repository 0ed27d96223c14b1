// flag_parser implementation.
#include "apps/axon/flags.hpp"

#include <charconv>
#include <iostream>
#include <sstream>

namespace axon::app {

namespace {

template <class T>
std::string show(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

template <class T>
bool parse_number(const std::string& text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

} // namespace

flag_parser::flag_parser(std::string usage) : usage_(std::move(usage)) {
}

void flag_parser::add(std::string name, int* target, std::string help) {
  flags_.push_back({std::move(name), target, std::move(help), show(*target)});
}
void flag_parser::add(std::string name, std::int64_t* target, std::string help) {
  flags_.push_back({std::move(name), target, std::move(help), show(*target)});
}
void flag_parser::add(std::string name, double* target, std::string help) {
  flags_.push_back({std::move(name), target, std::move(help), show(*target)});
}
void flag_parser::add(std::string name, std::string* target, std::string help) {
  flags_.push_back({std::move(name), target, std::move(help), *target});
}
void flag_parser::add(std::string name, bool* target, std::string help) {
  flags_.push_back({std::move(name), target, std::move(help), ""});
}

void flag_parser::accept_config_overrides(std::vector<std::string>* overrides) {
  overrides_ = overrides;
}

const flag_parser::flag* flag_parser::find(std::string_view name) const {
  for (const auto& f : flags_)
    if (f.name == name)
      return &f;
  return nullptr;
}

void flag_parser::print_help(std::ostream& out) const {
  out << "usage: " << usage_ << "\n\nflags:\n";
  auto line = [&](std::string left, const std::string& help) {
    out << left << std::string(left.size() < 26 ? 26 - left.size() : 1, ' ') << help;
  };
  for (const auto& f : flags_) {
    line("  --" + f.name + (std::holds_alternative<bool*>(f.where) ? "" : " VALUE"), f.help);
    if (!f.default_text.empty())
      out << " [" << f.default_text << "]";
    out << '\n';
  }
  if (overrides_ != nullptr) {
    line("  --group.key=value", "set a config key (docs/config.md) over the file's value");
    out << '\n';
  }
}

std::optional<int> flag_parser::parse(args words, std::vector<std::string>* positional) {
  auto fail = [&](const std::string& message) {
    std::cerr << usage_.substr(0, usage_.find(' ', usage_.find(' ') + 1)) << ": " << message
              << "\n(see --help)\n";
    return std::optional<int>{2};
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto& word = words[i];
    if (word == "--help" || word == "-h") {
      print_help(std::cout);
      return 0;
    }
    if (!word.starts_with("--")) {
      if (positional == nullptr)
        return fail("unexpected argument '" + word + "'");
      positional->push_back(word);
      continue;
    }
    auto eq = word.find('=');
    auto name = word.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const flag* f = find(name);
    if (f == nullptr && overrides_ != nullptr && name.find('.') != std::string::npos) {
      overrides_->push_back(word);
      continue;
    }
    if (f == nullptr)
      return fail("unknown flag --" + name);
    if (auto* sw = std::get_if<bool*>(&f->where)) {
      if (eq != std::string::npos)
        return fail("--" + name + " is a switch and takes no value");
      **sw = true;
      continue;
    }
    std::string value;
    if (eq != std::string::npos)
      value = word.substr(eq + 1);
    else if (i + 1 < words.size())
      value = words[++i];
    else
      return fail("--" + name + " needs a value");
    bool ok = std::visit(
      [&](auto* target) {
        using T = std::remove_pointer_t<decltype(target)>;
        if constexpr (std::is_same_v<T, std::string>) {
          *target = value;
          return true;
        } else if constexpr (std::is_same_v<T, bool>) {
          return false;
        } else {
          return parse_number(value, *target);
        }
      },
      f->where);
    if (!ok) {
      const char* kind = std::holds_alternative<double*>(f->where) ? "a number" : "an integer";
      return fail("--" + name + " expects " + std::string{kind} + ", got '" + value + "'");
    }
  }
  return std::nullopt;
}

} // namespace axon::app
