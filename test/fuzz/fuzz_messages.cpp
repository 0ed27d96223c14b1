// Fuzz target: the cluster's message deserialization, as a node decodes a peer's bytes:
// CAF's binary_deserializer over the type-id blocks of the core (runtime/graph/type_ids.hpp;
// tensors through runtime/graph/tensor_inspect.hpp, whose header is checked before
// allocating) and of the BERT, KG and jobs modules (actors/*/messages.hpp). The first byte
// picks a caf::message (type names, then values) or one type of the blocks in turn.
#include "test/fuzz/fuzz_target.hpp"

#include "actors/bert/messages.hpp"
#include "actors/jobs/messages.hpp"
#include "actors/kg/messages.hpp"
#include "runtime/graph/type_ids.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/message.hpp>

#include <cstdlib>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

template <class... Blocks>
struct blocks {
  static constexpr std::size_t count = ((Blocks::end - Blocks::begin) + ...);
};
using axon_blocks = blocks<caf::id_block::axon_core, caf::id_block::axon_bert,
                           caf::id_block::axon_kg, caf::id_block::axon_jobs>;

caf::actor_system& fuzz_system() {
  static caf::actor_system* sys = [] {
    static caf::actor_system_config cfg;
    cfg.add_message_types<caf::id_block::axon_core>();
    cfg.add_message_types<caf::id_block::axon_bert>();
    cfg.add_message_types<caf::id_block::axon_kg>();
    cfg.add_message_types<caf::id_block::axon_jobs>();
    cfg.set("scheduler.max-threads", 1);
    return new caf::actor_system{cfg}; // lives until the process ends
  }();
  return *sys;
}

// Decodes one value: a caf::error (as a node's BASP broker would get) or a value; a crash,
// a sanitizer report, a hang or an allocation over the limits is a finding. A value of an
// Axon type that decodes must also round-trip: written again, read back and written once
// more, the two encodings are equal (floats travel as bit patterns, runtime/graph/
// wire_float.hpp, since CAF 0.17.6's own float packing never returns on an infinity; a bare
// caf::message may hold such a builtin double, so it is decoded only).
template <class T>
std::vector<char> encode(T& value) {
  std::vector<char> bytes;
  caf::binary_serializer sink{fuzz_system(), bytes};
  if (sink(value))
    std::abort(); // a decoded value that cannot be written again
  return bytes;
}

template <class T>
void decode(const char* data, std::size_t size) {
  T value{};
  caf::binary_deserializer source{fuzz_system(), data, size};
  if (source(value) || std::is_same_v<T, caf::message>)
    return;
  auto once = encode(value);
  T again{};
  caf::binary_deserializer reread{fuzz_system(), once.data(), once.size()};
  if (reread(again) || encode(again) != once)
    std::abort(); // the encoding does not round-trip
}

// Decodes as type `which` of `Block`, or of the blocks after it.
template <class Block, class... Rest, std::size_t... Is>
void decode_as(std::size_t which, const char* data, std::size_t size,
               std::index_sequence<Is...>) {
  constexpr std::size_t here = Block::end - Block::begin;
  if (which < here) {
    ((which == Is ? decode<typename caf::type_by_id<Block::begin + Is>::type>(data, size)
                  : void()),
     ...);
  } else if constexpr (sizeof...(Rest) > 0) {
    using next = std::tuple_element_t<0, std::tuple<Rest...>>;
    decode_as<Rest...>(which - here, data, size,
                       std::make_index_sequence<next::end - next::begin>{});
  }
}

template <class... Blocks>
void decode_type(std::size_t which, const char* data, std::size_t size, blocks<Blocks...>) {
  using first = std::tuple_element_t<0, std::tuple<Blocks...>>;
  decode_as<Blocks...>(which, data, size, std::make_index_sequence<first::end - first::begin>{});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const auto* bytes = reinterpret_cast<const char*>(data + 1);
  if (data[0] == 0)
    decode<caf::message>(bytes, size - 1);
  else
    decode_type((data[0] - 1) % axon_blocks::count, bytes, size - 1, axon_blocks{});
  return 0;
}
