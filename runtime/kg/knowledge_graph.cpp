// Reading triples, aliases and benchmark splits (see knowledge_graph.hpp).
#include "runtime/kg/knowledge_graph.hpp"

#include "runtime/data/utf8.hpp"
#include "runtime/path_text.hpp"

#include <filesystem>
#include <fstream>

namespace axon::kg {

namespace {

namespace fs = std::filesystem;

// Calls on_fields(line_number, fields) for every non-empty line of `file`, split at tabs,
// after checking there are exactly `expected` non-empty fields.
template <class OnFields>
void for_each_row(const std::string& file, std::size_t expected, const char* layout,
                  OnFields on_fields) {
  if (fs::is_directory(file))
    throw data_error(path_in_error(file) + ": is a directory, expected a " + layout + " file");
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw data_error(path_in_error(file) + ": cannot open (missing or unreadable)");
  std::string line;
  std::vector<std::string_view> fields;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.ends_with('\r'))
      line.pop_back();
    if (line.empty())
      continue;
    fields.clear();
    std::size_t start = 0;
    for (;;) {
      auto tab = line.find('\t', start);
      fields.emplace_back(std::string_view{line}.substr(start, tab - start));
      if (tab == std::string::npos)
        break;
      start = tab + 1;
    }
    auto where = file + ":" + std::to_string(number) + ": ";
    if (auto bad = data::find_invalid_utf8(line); bad != std::string::npos)
      throw data_error(where + "invalid UTF-8 at byte " + std::to_string(bad + 1));
    if (fields.size() != expected)
      throw data_error(where + std::to_string(fields.size()) + " tab-separated fields, expected "
                       + std::to_string(expected) + " (" + layout + ")");
    for (std::size_t k = 0; k < fields.size(); ++k)
      if (fields[k].empty())
        throw data_error(where + "field " + std::to_string(k + 1) + " is empty (" + layout + ")");
    on_fields(fields);
  }
}

std::string split_file(const fs::path& folder, const std::string& split) {
  for (const char* extension : {".txt", ".tsv"}) {
    auto file = folder / (split + extension);
    if (fs::exists(file))
      return file.string();
  }
  throw data_error(folder.string() + ": no " + split + ".txt or " + split
                   + ".tsv (a benchmark folder holds train, valid and test splits)");
}

} // namespace

std::int32_t name_index::intern(std::string_view name) {
  auto [it, added] = ids_.try_emplace(std::string{name}, size());
  if (added)
    names_.emplace_back(name);
  return it->second;
}

std::int32_t name_index::find(std::string_view name) const {
  auto it = ids_.find(std::string{name});
  return it == ids_.end() ? -1 : it->second;
}

void read_triples(const std::string& file, knowledge_graph& kg, std::vector<triple>& out) {
  const auto before = out.size();
  for_each_row(file, 3, "head<TAB>relation<TAB>tail", [&](const auto& f) {
    out.push_back({kg.entities.intern(f[0]), kg.relations.intern(f[1]), kg.entities.intern(f[2])});
  });
  if (out.size() == before)
    throw data_error(path_in_error(file) + ": no triples (head<TAB>relation<TAB>tail lines)");
}

std::vector<alias> read_aliases(const std::string& file, knowledge_graph& kg) {
  std::vector<alias> aliases;
  for_each_row(file, 2, "entity<TAB>surface form", [&](const auto& f) {
    aliases.push_back({kg.entities.intern(f[0]), std::string{f[1]}});
  });
  return aliases;
}

benchmark read_benchmark(const std::string& folder) {
  benchmark b;
  read_triples(split_file(folder, "train"), b.graph, b.train);
  read_triples(split_file(folder, "valid"), b.graph, b.valid);
  read_triples(split_file(folder, "test"), b.graph, b.test);
  for (auto* split : {&b.train, &b.valid, &b.test})
    b.graph.triples.insert(b.graph.triples.end(), split->begin(), split->end());
  return b;
}

void write_names(const std::string& file, const std::vector<std::string>& names) {
  std::ofstream out(file, std::ios::binary);
  for (const auto& name : names)
    out << name << '\n';
  if (!out.flush())
    throw data_error(file + ": cannot write");
}

std::vector<std::string> read_names(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw data_error(path_in_error(file) + ": cannot open (missing or unreadable)");
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (line.ends_with('\r'))
      line.pop_back();
    names.push_back(std::move(line));
  }
  return names;
}

} // namespace axon::kg
