// What two Axon processes must share to exchange messages: the Axon version and the set of
// message types (names in type-id order, and the CAF version that lays them out). A node
// and a coordinator compare identities before any actor is placed; a mismatch would
// otherwise corrupt messages silently (type ids would mean different types).
#pragma once

#include "actors/messages.hpp"
#include "runtime/fnv1a.hpp"

#include <caf/config.hpp>

#include <string>
#include <utility>

#ifndef AXON_VERSION
#error "AXON_VERSION must be defined by the build (the project version)"
#endif

namespace axon {

struct node_identity {
  std::string version;
  std::string message_types; // hex digest of the message-type set
};

namespace detail {
template <caf::type_id_t... Ids>
std::string message_type_digest(std::integer_sequence<caf::type_id_t, Ids...>) {
  fnv1a64 hash;
  hash.add("caf " + std::to_string(CAF_VERSION));
  ((hash.add(caf::type_name_by_id<caf::id_block::axon::begin + Ids>::value).add(";")), ...);
  return hash.hex();
}
} // namespace detail

inline node_identity this_identity() {
  using block = caf::id_block::axon;
  return {AXON_VERSION, detail::message_type_digest(
                          std::make_integer_sequence<caf::type_id_t, block::end - block::begin>{})};
}

/// "" or what differs, for an error message.
inline std::string identity_mismatch(const node_identity& here, const node_identity& there) {
  if (here.version != there.version)
    return "Axon versions differ: " + here.version + " here, " + there.version + " there";
  if (here.message_types != there.message_types)
    return "message-type sets differ (digest " + here.message_types + " here, "
           + there.message_types + " there): build both from the same sources";
  return "";
}

} // namespace axon
