// Fuzz target: the cluster's message deserialization, as a node decodes a peer's bytes:
// CAF's binary_deserializer over Axon's registered message types (actors/messages.hpp;
// tensors through actors/tensor_inspect.hpp, whose header is checked before allocating).
// The first byte picks a caf::message (type names, then values) or one type of the id
// block.
#include "test/fuzz/fuzz_target.hpp"

#include "actors/messages.hpp"

#include <caf/actor_system.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/message.hpp>

#include <utility>

namespace {

using block = caf::id_block::axon;
constexpr std::size_t type_count = block::end - block::begin;

caf::actor_system& fuzz_system() {
  static caf::actor_system* sys = [] {
    static caf::actor_system_config cfg;
    axon::register_message_types(cfg);
    cfg.set("scheduler.max-threads", 1);
    return new caf::actor_system{cfg}; // lives until the process ends
  }();
  return *sys;
}

// Decodes one value: a caf::error (as a node's BASP broker would get) or a value; a crash,
// a sanitizer report, a hang or an allocation over the limits is a finding. (No round trip:
// CAF 0.17.6's binary_serializer never returns on an infinite float or double, finding 2
// of docs/fuzzing.md, so serializing what was decoded would hang here.)
template <class T>
void decode(const char* data, std::size_t size) {
  T value{};
  caf::binary_deserializer source{fuzz_system(), data, size};
  (void)source(value);
}

template <std::size_t... Is>
void decode_as(std::size_t which, const char* data, std::size_t size,
               std::index_sequence<Is...>) {
  ((which == Is ? decode<typename caf::type_by_id<block::begin + Is>::type>(data, size)
                : void()),
   ...);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const auto* bytes = reinterpret_cast<const char*>(data + 1);
  if (data[0] == 0)
    decode<caf::message>(bytes, size - 1);
  else
    decode_as((data[0] - 1) % type_count, bytes, size - 1, std::make_index_sequence<type_count>{});
  return 0;
}
