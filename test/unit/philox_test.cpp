// Philox4x32-10 against the Random123 known-answer vectors (kat_vectors, philox4x32 10).
#include "runtime/philox.hpp"

#include <boost/test/unit_test.hpp>

using namespace axon;

BOOST_AUTO_TEST_CASE(philox_known_answers) {
  auto zero = philox4x32_10({0, 0, 0, 0}, 0);
  BOOST_TEST(zero[0] == 0x6627e8d5u);
  BOOST_TEST(zero[1] == 0xe169c58du);
  BOOST_TEST(zero[2] == 0xbc57ac4cu);
  BOOST_TEST(zero[3] == 0x9b00dbd8u);
  auto ones = philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                            0xffffffffffffffffull);
  BOOST_TEST(ones[0] == 0x408f276du);
  BOOST_TEST(ones[1] == 0x41c83b0eu);
  BOOST_TEST(ones[2] == 0xa20bc7c6u);
  BOOST_TEST(ones[3] == 0x6d5451fdu);
  // pi digits vector: ctr 243f6a88 85a308d3 13198a2e 03707344, key a4093822 299f31d0
  auto pi = philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                          (std::uint64_t{0x299f31d0u} << 32) | 0xa4093822u);
  BOOST_TEST(pi[0] == 0xd16cfe09u);
  BOOST_TEST(pi[1] == 0x94fdccebu);
  BOOST_TEST(pi[2] == 0x5001e420u);
  BOOST_TEST(pi[3] == 0x24126ea1u);
}
