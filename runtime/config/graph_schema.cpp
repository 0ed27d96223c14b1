// graph_schema: the cluster part of train_schema (see graph_schema.hpp).
#include "runtime/config/graph_schema.hpp"

#include "runtime/config/train_schema.hpp"

#include <algorithm>

namespace axon::config {

schema part_of_train_schema(const std::function<bool(const std::string& full_name)>& keep) {
  const auto& all = train_schema();
  std::vector<key_spec> keys;
  for (const auto& k : all.keys())
    if (keep(k.full_name()))
      keys.push_back(k);
  std::vector<group_spec> groups;
  for (const auto& g : all.groups())
    if (std::any_of(keys.begin(), keys.end(), [&](const key_spec& k) { return k.group == g.name; }))
      groups.push_back(g);
  std::vector<rule> rules; // those reading kept keys only
  for (const auto& r : all.rules())
    if (std::all_of(r.keys.begin(), r.keys.end(), keep))
      rules.push_back(r);
  return schema(std::move(groups), std::move(keys), std::move(rules));
}

const schema& graph_schema() {
  static const schema instance = part_of_train_schema([](const std::string& key) {
    return key.starts_with("cluster.") || key == "placement.nodes" || key == "train.threads";
  });
  return instance;
}

} // namespace axon::config
