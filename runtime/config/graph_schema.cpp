// graph_schema: the cluster part of train_schema (see graph_schema.hpp).
#include "runtime/config/graph_schema.hpp"

#include "runtime/config/train_schema.hpp"

#include <algorithm>

namespace axon::config {

namespace {

bool kept(const std::string& group, const std::string& full_name) {
  return group == "cluster" || full_name == "placement.nodes" || full_name == "train.threads";
}

schema make_graph_schema() {
  const auto& all = train_schema();
  std::vector<key_spec> keys;
  for (const auto& k : all.keys())
    if (kept(k.group, k.full_name()))
      keys.push_back(k);
  auto has = [&](const std::string& name) {
    return std::any_of(keys.begin(), keys.end(), [&](const key_spec& k) { return k.full_name() == name; });
  };
  std::vector<group_spec> groups;
  for (const auto& g : all.groups())
    if (std::any_of(keys.begin(), keys.end(), [&](const key_spec& k) { return k.group == g.name; }))
      groups.push_back(g);
  std::vector<rule> rules; // those reading kept keys only
  for (const auto& r : all.rules())
    if (std::all_of(r.keys.begin(), r.keys.end(), has))
      rules.push_back(r);
  return schema(std::move(groups), std::move(keys), std::move(rules));
}

} // namespace

const schema& graph_schema() {
  static const schema instance = make_graph_schema();
  return instance;
}

} // namespace axon::config
