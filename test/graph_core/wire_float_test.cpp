// Floating-point fields on the wire (runtime/graph/wire_float.hpp): every value comes back
// with its exact bits, infinities included, which CAF 0.17.6's own float packing never
// finishes writing (were the wrappers gone, this test would hang until ctest's timeout).
#include "runtime/graph/wire_float.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

namespace {

struct sample_msg {
  double d = 0;
  float f = 0;
  std::vector<double> ds;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sample_msg& x) {
  using axon::wire_float, axon::wire_floats;
  return f(caf::meta::type_name("sample_msg"), wire_float(x.d), wire_float(x.f),
           wire_floats(x.ds));
}

sample_msg round_trip(caf::actor_system& sys, sample_msg x) {
  std::vector<char> bytes;
  caf::binary_serializer sink{sys, bytes};
  BOOST_REQUIRE(!sink(x));
  sample_msg back;
  caf::binary_deserializer source{sys, bytes};
  BOOST_REQUIRE(!source(back));
  return back;
}

} // namespace

BOOST_AUTO_TEST_SUITE(wire_float)

BOOST_AUTO_TEST_CASE(every_float_comes_back_with_its_bits_infinities_included) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  constexpr double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> values{inf, -inf, std::nan("7"), -0.0, 5e-324, 1.5, -1e308};
  for (double v : values) {
    sample_msg x{v, static_cast<float>(v), {v, -v}};
    auto back = round_trip(sys, x);
    BOOST_TEST(std::bit_cast<std::uint64_t>(back.d) == std::bit_cast<std::uint64_t>(x.d));
    BOOST_TEST(std::bit_cast<std::uint32_t>(back.f) == std::bit_cast<std::uint32_t>(x.f));
    BOOST_REQUIRE_EQUAL(back.ds.size(), 2u);
    BOOST_TEST(std::bit_cast<std::uint64_t>(back.ds[1]) == std::bit_cast<std::uint64_t>(-v));
  }
}

BOOST_AUTO_TEST_CASE(text_shows_the_numbers_not_their_bits) {
  sample_msg x{1.5, -2.0f, {0.25}};
  auto text = caf::deep_to_string(x);
  BOOST_TEST(text.find("1.5") != std::string::npos, text);
  BOOST_TEST(text.find("0.25") != std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()
