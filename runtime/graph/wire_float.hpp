// Floating-point message fields on the wire as their IEEE-754 bit patterns.
// CAF 0.17.6's binary_serializer packs float and double arithmetically and never returns on
// +Inf or -Inf (NaN is fine): a job whose loss or gradient norm overflows would hang the
// sending actor instead of reaching the supervisor's non-finite check. Every floating field
// of a message or a spawn parameter is therefore written through these wrappers:
//   return f(caf::meta::type_name("loss_msg"), x.id, wire_float(x.loss_sum), x.rows);
//   return f(caf::meta::type_name("ranks"), x.vertex, wire_floats(x.rank));
// Bit patterns round-trip every value exactly (infinities, NaN payloads, signed zeros);
// `deep_to_string` still shows the numbers.
#pragma once

#include <caf/detail/stringification_inspector.hpp>

#include <bit>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace axon {

/// A floating-point field seen by an inspector as its bit pattern.
template <class T>
struct float_bits {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  using bits_type = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  T& value;
};

/// A vector of floating-point values seen by an inspector as their bit patterns.
template <class T>
struct floats_bits {
  using bits_type = typename float_bits<T>::bits_type;
  std::vector<T>& values;
};

template <class T>
float_bits<T> wire_float(T& x) {
  return {x};
}

template <class T>
floats_bits<T> wire_floats(std::vector<T>& xs) {
  return {xs};
}

namespace detail {
/// CAF's to_string inspector: it shows the numbers, not their bits.
template <class Inspector>
constexpr bool shows_text = std::is_same_v<Inspector, caf::detail::stringification_inspector>;
} // namespace detail

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, float_bits<T>& x) {
  using bits_type = typename float_bits<T>::bits_type;
  if constexpr (detail::shows_text<Inspector>) {
    return f(x.value);
  } else if constexpr (Inspector::reads_state) {
    auto bits = std::bit_cast<bits_type>(x.value);
    return f(bits);
  } else {
    bits_type bits = 0;
    auto result = f(bits);
    x.value = std::bit_cast<T>(bits);
    return result;
  }
}

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, floats_bits<T>& x) {
  using bits_type = typename floats_bits<T>::bits_type;
  if constexpr (detail::shows_text<Inspector>) {
    return f(x.values);
  } else if constexpr (Inspector::reads_state) {
    std::vector<bits_type> bits(x.values.size());
    for (std::size_t i = 0; i < bits.size(); ++i)
      bits[i] = std::bit_cast<bits_type>(x.values[i]);
    return f(bits);
  } else {
    std::vector<bits_type> bits;
    auto result = f(bits);
    x.values.resize(bits.size());
    for (std::size_t i = 0; i < bits.size(); ++i)
      x.values[i] = std::bit_cast<T>(bits[i]);
    return result;
  }
}

} // namespace axon
