// The KG of a fusion job (see fusion_kg.hpp).
#include "runtime/kg/fusion_kg.hpp"

#include "runtime/fnv1a.hpp"
#include "runtime/random_fill.hpp"
#include "runtime/safetensors.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>

namespace axon::kg {

namespace {

namespace fs = std::filesystem;

void index_aliases(fusion_kg& kg) {
  fnv1a64 hash;
  for (const auto& name : kg.entities.names())
    hash.add(name).add("\n");
  for (const auto& a : kg.aliases) {
    kg.linker.add_alias(a.surface, a.entity); // a repeated alias keeps its first entity
    hash.add(std::to_string(a.entity)).add("\t").add(a.surface).add("\n");
  }
  kg.fingerprint = std::to_string(kg.entities.size()) + ":" + hash.hex();
}

} // namespace

std::vector<mention> fusion_kg::link(const std::vector<std::string>& words,
                                      bool words_normalised) const {
  if (words_normalised)
    return linker.link_words(words);
  std::vector<std::string> normalised;
  normalised.reserve(words.size());
  for (const auto& word : words) {
    auto pieces = linker.normalise(word);
    normalised.push_back(pieces.empty() ? std::string{} : pieces.front());
  }
  return linker.link_words(normalised);
}

std::vector<linked_entity> fusion_kg::named(const std::vector<mention>& mentions,
                                            const std::vector<std::string>& words) const {
  std::vector<linked_entity> out;
  out.reserve(mentions.size());
  for (const auto& m : mentions) {
    linked_entity e{m.first_word, m.end_word, {}, entities.name(m.entity)};
    for (auto k = m.first_word; k < m.end_word; ++k)
      e.text += (k > m.first_word ? " " : "") + words.at(static_cast<std::size_t>(k));
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<std::int32_t> fusion_kg::entity_per_word(const std::vector<std::string>& words,
                                                     bool words_normalised) const {
  return kg::entity_per_word(link(words, words_normalised), words.size());
}

fusion_kg make_fusion_kg(const std::vector<std::string>& names, std::vector<alias> aliases) {
  fusion_kg kg;
  for (const auto& name : names)
    kg.entities.intern(name);
  if (kg.entities.size() != std::int32_t(names.size()))
    throw data_error("the KG's entity names are not distinct");
  for (const auto& a : aliases)
    if (a.entity < 0 || a.entity >= kg.entities.size())
      throw data_error("alias \"" + a.surface + "\" names entity " + std::to_string(a.entity) +
                       " of " + std::to_string(kg.entities.size()));
  kg.aliases = std::move(aliases);
  index_aliases(kg);
  return kg;
}

void fusion_kg::save(const std::string& folder) const {
  fs::create_directories(folder);
  write_names((fs::path{folder} / "entities.txt").string(), entities.names());
  std::ofstream out(fs::path{folder} / "aliases.tsv", std::ios::binary);
  for (const auto& a : aliases)
    out << entities.name(a.entity) << '\t' << a.surface << '\n';
  if (!out.flush())
    throw data_error(folder + "/aliases.tsv: cannot write");
}

fusion_kg load_fusion_kg(const std::string& triples_file, const std::string& aliases_file) {
  knowledge_graph graph;
  read_triples(triples_file, graph, graph.triples);
  fusion_kg kg;
  kg.aliases = read_aliases(aliases_file, graph);
  kg.entities = std::move(graph.entities);
  index_aliases(kg);
  return kg;
}

fusion_kg load_saved_fusion_kg(const std::string& folder) {
  knowledge_graph graph;
  for (const auto& name : read_names((fs::path{folder} / "entities.txt").string()))
    graph.entities.intern(name);
  const auto known = graph.entities.size();
  fusion_kg kg;
  kg.aliases = read_aliases((fs::path{folder} / "aliases.tsv").string(), graph);
  if (graph.entities.size() != known)
    throw data_error(folder + "/aliases.tsv names entities that entities.txt lacks");
  kg.entities = std::move(graph.entities);
  index_aliases(kg);
  return kg;
}

entity_table load_entity_table(const std::string& folder, const name_index& entities,
                               std::int64_t dim, std::uint64_t seed) {
  const auto names = read_names((fs::path{folder} / "entities.txt").string());
  safetensors_file file;
  try {
    file = read_safetensors((fs::path{folder} / "embeddings.safetensors").string());
  } catch (const std::exception& e) {
    throw data_error(std::string{"kg.embeddings: "} + e.what());
  }
  const auto it = file.tensors.find("entity_embeddings");
  if (it == file.tensors.end())
    throw data_error(file.path + ": no entity_embeddings tensor");
  const tensor& trained = it->second;
  if (trained.rank() != 2 || trained.size(0) != std::int64_t(names.size())
      || trained.type() != dtype::f32)
    throw data_error(file.path + ": entity_embeddings is " + trained.describe() + ", expected f32["
                     + std::to_string(names.size()) + ",D] (one row per line of entities.txt)");
  if (trained.size(1) != dim)
    throw data_error(file.path + ": entity embeddings of width " + std::to_string(trained.size(1))
                     + " but kg.dim = " + std::to_string(dim) + ": set kg.dim to match");
  entity_table out{tensor::empty({entities.size(), dim}), 0};
  fill_normal(out.table, 0.0f, 0.02f, seed, fnv1a64{}.add("kg.entity_embeddings").value());
  for (std::size_t row = 0; row < names.size(); ++row) {
    auto id = entities.find(names[row]);
    if (id < 0)
      continue;
    std::memcpy(out.table.data<float>() + id * dim, trained.data<float>() + row * dim,
                dim * sizeof(float));
    ++out.found;
  }
  return out;
}

} // namespace axon::kg
