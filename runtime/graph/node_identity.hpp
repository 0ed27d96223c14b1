// What two Axon processes must share to exchange messages: the Axon version and the set of
// message types (ids and names of every registered type, and the CAF version that lays
// them out). A node and a coordinator compare identities before any actor is placed; a
// mismatch would otherwise corrupt messages silently (type ids would mean other types).
#pragma once

#include "runtime/fnv1a.hpp"
#include "runtime/graph/registry.hpp"

#include <string>

namespace axon {

/// The version of the Axon build (the project version).
const char* axon_version();

struct node_identity {
  std::string version;
  std::string message_types; // hex digest of the message-type set
};

inline node_identity this_identity(const registry& types) {
  return {axon_version(), fnv1a64{}.add(types.type_signature()).hex()};
}

/// "" or what differs, for an error message.
inline std::string identity_mismatch(const node_identity& here, const node_identity& there) {
  if (here.version != there.version)
    return "Axon versions differ: " + here.version + " here, " + there.version + " there";
  if (here.message_types != there.message_types)
    return "message-type sets differ (digest " + here.message_types + " here, "
           + there.message_types + " there): build both from the same sources and register "
             "the same modules";
  return "";
}

} // namespace axon
