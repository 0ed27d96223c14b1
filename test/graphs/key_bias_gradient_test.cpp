// An identity the GPU tests lean on (test/cuda/training_step_test.cpp): the attention key
// bias gets an exactly zero gradient, since adding b to every key shifts all of a query's
// scores by q.b, which softmax ignores (sum_j dS_ij = 0, dropout on the probabilities and
// padding included). What the CPU computes for it is rounding noise: tiny next to the rest.
#include "graphs/bert/bert_classifier.hpp"
#include "runtime/random_fill.hpp"
#include "test/graphs/tiny_reference.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>

using namespace axon;

namespace {

double norm(const tensor& t) {
  double sum = 0;
  for (std::int64_t i = 0; i < t.numel(); ++i)
    sum += double(t.data<float>()[i]) * t.data<float>()[i];
  return std::sqrt(sum);
}

} // namespace

BOOST_AUTO_TEST_CASE(the_attention_key_bias_gets_no_gradient) {
  auto cfg = test::tiny_reference_config();
  cfg.classes = 3;
  cfg.hidden_dropout = cfg.attention_dropout = 0.1f;
  bert::bert_classifier model{cfg};
  bert::init_params(model.params(), 5);
  bert::batch in;
  constexpr std::int64_t b = 4, t = 10;
  in.ids = tensor::empty({b, t}, dtype::i32);
  fill_uniform_int(in.ids, 3, int(cfg.vocab_size), 9, 0);
  in.mask = tensor::full({b, t}, 1.0f).to(dtype::i32);
  for (std::int64_t j = 6; j < t; ++j) // one padded row
    in.mask.data<std::int32_t>()[j] = 0;
  in.labels = tensor::empty({b}, dtype::i32);
  fill_uniform_int(in.labels, 0, 3, 9, 1);
  const bert::dropout_key key{11, 5, 0, true};
  model.forward(in, key);
  model.backward(in, key);
  const double whole = norm(model.grads().flat());
  BOOST_REQUIRE(whole > 0);
  // The query bias, its neighbour, does get one: orders of magnitude above the key's.
  for (int layer = 0; layer < cfg.layers; ++layer) {
    const auto prefix = "bert.encoder.layer." + std::to_string(layer) + ".attention.self.";
    const double key_bias = norm(model.grads()[prefix + "key.bias"]);
    const double query_bias = norm(model.grads()[prefix + "query.bias"]);
    BOOST_TEST(key_bias <= 1e-5 * whole, prefix << "key.bias: " << key_bias << " of " << whole);
    BOOST_TEST(query_bias >= 100 * key_bias, prefix << "query.bias: " << query_bias);
  }
}
