// knowledge_graph: entities and relations (names <-> dense ids) and triples read from TSV
// files (`head\trelation\ttail`, one per line; the FB15k-237/WN18RR/UMLS/Nations/Kinship
// layout), plus aliases (`entity\tsurface form`). Bad lines throw data_error "FILE:LINE: what".
#pragma once

#include "runtime/data/labelled_data.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace axon::kg {

using data::data_error;

struct triple {
  std::int32_t head = 0, relation = 0, tail = 0;
  bool operator==(const triple&) const = default;
};

/// One surface form of an entity, as written in the aliases file.
struct alias {
  std::int32_t entity = 0;
  std::string surface;
};

/// A name table: dense ids in first-seen order.
class name_index {
public:
  /// The id of `name`, adding it when new.
  std::int32_t intern(std::string_view name);
  /// The id of `name`, or -1.
  std::int32_t find(std::string_view name) const;
  const std::string& name(std::int32_t id) const { return names_.at(id); }
  const std::vector<std::string>& names() const { return names_; }
  std::int32_t size() const { return static_cast<std::int32_t>(names_.size()); }

private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::int32_t> ids_;
};

struct knowledge_graph {
  name_index entities, relations;
  std::vector<triple> triples; // every triple read (all splits of a benchmark)
};

/// Appends the triples of `file` to `out`, interning new entities and relations in `kg`.
/// Empty lines are skipped; a line without exactly three non-empty tab-separated fields
/// throws data_error "FILE:LINE: ...".
void read_triples(const std::string& file, knowledge_graph& kg, std::vector<triple>& out);

/// Reads `entity\tsurface form` lines; an entity not yet in `kg` is added (an alias may
/// name an entity that has no triple). Same error rules as read_triples.
std::vector<alias> read_aliases(const std::string& file, knowledge_graph& kg);

/// A link-prediction benchmark: a folder with train, valid and test splits (`train.txt`
/// or `train.tsv`, ...). Every split's entities are in `graph`.
struct benchmark {
  knowledge_graph graph;
  std::vector<triple> train, valid, test;
};
/// Throws data_error naming the folder when a split is missing.
benchmark read_benchmark(const std::string& folder);

/// Writes names one per line (entities.txt, relations.txt); reads them back in order.
void write_names(const std::string& file, const std::vector<std::string>& names);
std::vector<std::string> read_names(const std::string& file);

} // namespace axon::kg
