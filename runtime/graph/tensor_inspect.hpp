// How a tensor crosses CAF: inside a process a message holds the tensor handle, so the
// bytes are shared, never copied. On the wire (another process) it is written as a small
// header (defined, dtype, rank, dims) and then its bytes in one apply_raw call, never
// element by element; decoding checks the header against limits before allocating.
// Byte order is the host's (every Axon node is little-endian x86-64). A device tensor is
// copied to the host and sent like any other (its producer has finished writing it: actors
// on a device synchronize before sending); the receiver gets a host tensor and moves it to
// its own device.
#pragma once

#include "runtime/graph/error.hpp"
#include "runtime/tensor.hpp"

#include <caf/deserializer.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>
#include <caf/serializer.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

namespace axon {

/// Largest tensor accepted from the wire (bytes): a bound on what a peer can make us
/// allocate. 2 GiB covers BERT-large's embedding gradients with room.
constexpr std::uint64_t max_wire_tensor_bytes = 2ull << 30;

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tensor& x) {
  if constexpr (std::is_base_of_v<caf::serializer, Inspector>) {
    if (!x.where().is_cpu()) {
      tensor host = x.to(device::cpu());
      return inspect(f, host);
    }
    std::uint8_t defined = x.defined(), type = static_cast<std::uint8_t>(x.type());
    std::uint8_t rank = static_cast<std::uint8_t>(x.rank());
    if (auto err = f(defined, type, rank))
      return err;
    for (int d = 0; d < x.rank(); ++d) {
      std::int64_t extent = x.size(d);
      if (auto err = f(extent))
        return err;
    }
    return defined ? f.apply_raw(x.nbytes(), x.raw()) : caf::error{};
  } else if constexpr (std::is_base_of_v<caf::deserializer, Inspector>) {
    std::uint8_t defined = 0, type = 0, rank = 0;
    if (auto err = f(defined, type, rank))
      return err;
    if (!defined) {
      x = tensor{};
      return caf::error{};
    }
    if (type > static_cast<std::uint8_t>(dtype::i32) || rank > shape::max_rank)
      return make_error(errc::bad_input, "tensor header: bad dtype or rank");
    std::int64_t dims[shape::max_rank] = {};
    std::uint64_t bytes = dtype_size(static_cast<dtype>(type));
    for (int d = 0; d < rank; ++d) {
      if (auto err = f(dims[d]))
        return err;
      if (dims[d] < 0 || (dims[d] > 0 && bytes > max_wire_tensor_bytes / std::uint64_t(dims[d])))
        return make_error(errc::bad_input,
                               "tensor header: size exceeds the wire limit of "
                                 + std::to_string(max_wire_tensor_bytes) + " bytes");
      bytes *= std::uint64_t(dims[d]);
    }
    // A header may claim more bytes than the message holds: refuse before allocating.
    if constexpr (requires { f.remaining(); })
      if (bytes > f.remaining())
        return make_error(errc::bad_input, "tensor header: claims " + std::to_string(bytes)
                                             + " bytes, the message holds "
                                             + std::to_string(f.remaining()));
    x = tensor::empty(shape{std::span<const std::int64_t>{dims, std::size_t(rank)}},
                      static_cast<dtype>(type));
    return f.apply_raw(x.nbytes(), x.raw());
  } else { // to_string and other read-only inspectors: a summary, not the values
    auto summary = x.describe();
    return f(caf::meta::type_name("tensor"), summary);
  }
}

} // namespace axon
