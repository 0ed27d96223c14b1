// registry: what one process knows of its graphs: the message-type blocks it registers
// with CAF (each module's, and a user's) and the actor kinds it can spawn by name. A
// process builds one at start, hands it to its actor system config (system_config in
// actors/cluster) and to whatever spawns graphs; a node process serves the kinds of its
// registry, and two processes talk only when their registries' message types agree
// (node_identity).
//
//   axon::registry r;
//   r.add_types<caf::id_block::my_graph>("my_graph");
//   r.add_kind("my.partition", factory_of<partition_setup>(spawn_partition));
#pragma once

#include "runtime/graph/actor_graph.hpp"
#include "runtime/graph/type_ids.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/type_id.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace axon {

class registry {
public:
  /// A registry with the core's types (tensors, id lists).
  registry();

  /// Adds a CAF type-id block (`caf::id_block::NAME`) as module `module`; adding the same
  /// module twice does nothing. Throws std::invalid_argument when its ids overlap a block
  /// already added (see type_ids.hpp for the ranges).
  template <class Block>
  registry& add_types(const std::string& module) {
    std::vector<std::string> names;
    fill_names<Block>(names, std::make_integer_sequence<caf::type_id_t, Block::end - Block::begin>{});
    add_block({module, Block::begin, Block::end, std::move(names),
               [](caf::actor_system_config& cfg) { cfg.add_message_types<Block>(); }});
    return *this;
  }

  /// Adds kind `name`; throws std::invalid_argument when it is taken.
  registry& add_kind(const std::string& name, node_factory factory);
  /// Adds every kind of `table`.
  registry& add_kinds(const kind_table& table);

  const kind_table& kinds() const { return kinds_; }
  /// Names of the modules whose types were added, in order.
  std::vector<std::string> modules() const;

  /// Registers every block's types with `cfg` (before the actor system starts).
  void register_types(caf::actor_system_config& cfg) const;

  /// "caf V;name;name;..." of every type in id order: equal in two processes exactly when
  /// their messages mean the same types.
  std::string type_signature() const;

private:
  struct block {
    std::string module;
    caf::type_id_t begin = 0, end = 0;
    std::vector<std::string> names;
    std::function<void(caf::actor_system_config&)> add;
  };

  template <class Block, caf::type_id_t... Ids>
  static void fill_names(std::vector<std::string>& names,
                         std::integer_sequence<caf::type_id_t, Ids...>) {
    (names.emplace_back(caf::type_name_by_id<Block::begin + Ids>::value), ...);
  }

  void add_block(block b);

  std::vector<block> blocks_; // ordered by first id
  kind_table kinds_;
};

} // namespace axon
