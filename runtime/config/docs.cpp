// The config reference rendered from a schema (docs/config.md; a test keeps them equal).
#include "runtime/config/docs.hpp"

#include "runtime/config/values.hpp"

namespace axon::config {

namespace {

constexpr std::string_view introduction = R"(# Config reference

<!-- Generated from runtime/config/train_schema.cpp: `axon config docs > docs/config.md`.
     test_config fails when this file and the schema differ. -->

`axon train CONFIG [--group.key=value ...]` reads a config in CAF's INI format;
`axon config check CONFIG [--group.key=value ...]` checks one and prints it resolved.

```ini
; a comment (# works too)
[data]
path = "data/finsent.csv"   ; strings and paths in double quotes
split = [0.7, 0.15, 0.15]   ; lists on one line

[train]
epochs = 5                  ; integers
lr = 3e-4                   ; real numbers
shuffle = true              ; true or false
```

- `[group]` starts a group and `key = value` sets one of its keys, once per file. Keys left
  out keep their defaults.
- Values: integers, real numbers (`5e-4`), `true`/`false`, strings in double quotes
  (escapes `\"`, `\\`, `\n`, `\t`; CAF's single-quoted atoms work too), lists `[a, b]` on
  one line, timespans such as `250ms` or `5s` (units ns, us, ms, s, min, h).
- Every key can be set on the command line as `--group.key=value`; strings need no quotes
  there, and `--group.key` alone sets a bool key to true. Overrides beat the file, and of
  repeated overrides the last wins.
- Unknown groups and keys, wrong types, values out of range or not allowed, duplicate keys
  and malformed lines are errors (exit status 2). Each names `file:line` or the flag, the
  key, the value and what is allowed, with a "did you mean" when a known name is close.
- A run writes the resolved config (every key, with its help) to its run directory, headed
  by its hash: FNV-1a 64 of the `group.key=value` lines. `axon config check` prints the same.
)";

/// A table cell: '|' would end it.
std::string cell(std::string_view text) {
  std::string result;
  for (char c : text)
    result += c == '|' ? std::string{"\\|"} : std::string(1, c);
  return result;
}

std::string code(std::string_view text) {
  std::string result = "`"; // not "`" + std::string{text}: a false -Wrestrict in g++ 12
  result += text;
  return result + '`';
}

std::string allowed_cell(const key_spec& key) {
  switch (key.type) {
    case value_type::boolean: return "`true`, `false`";
    case value_type::choice: {
      std::string text;
      for (const auto& choice : key.choices)
        text += (text.empty() ? "" : ", ") + code(choice);
      return text;
    }
    case value_type::real_list: return key.range.text.empty() ? "" : "each in " + key.range.text;
    default: return key.range.text;
  }
}

} // namespace

std::string render_docs(const schema& keys) {
  return render_docs(keys, introduction);
}

std::string render_docs(const schema& keys, std::string_view introduction) {
  std::string text{introduction};
  for (const auto& group : keys.groups()) {
    text += "\n## [" + group.name + "]\n\n" + group.help + "\n\n";
    text += "| key | type | default | allowed | help |\n| --- | --- | --- | --- | --- |\n";
    for (const auto& key : keys.keys())
      if (key.group == group.name)
        text += "| " + code(key.name) + " | " + std::string{type_name(key.type)} + " | " +
                cell(code(format_value(key, key.default_value))) + " | " +
                cell(allowed_cell(key)) + " | " + cell(key.help) + " |\n";
  }
  text += "\n## Rules across keys\n\n";
  for (const auto& r : keys.rules())
    text += "- " + r.text + "\n";
  return text;
}

} // namespace axon::config
