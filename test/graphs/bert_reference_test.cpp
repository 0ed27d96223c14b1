// The whole BERT classifier against PyTorch (test/make_bert_reference.py): logits, loss and
// every parameter gradient within 1e-4 relative (per tensor: max |ours - torch| / max |torch|),
// then 10 AdamW steps whose losses match within 1e-4 relative. The key bias gets no
// gradient in exact arithmetic (adding a constant to every key shifts each score row by
// the same amount, which softmax ignores), so both sides hold only rounding noise there:
// a tensor whose reference is below 1e-6 everywhere is compared in absolute terms.
#include "graphs/bert/bert_classifier.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/safetensors.hpp"
#include "test/graphs/tiny_reference.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace axon;
using axon::test::relative_error;

namespace {

const char* reference_file = AXON_TEST_DIR "/reference/bert/tiny.safetensors";

bert::bert_config tiny_config() {
  auto cfg = test::tiny_reference_config();
  cfg.classes = 3;
  cfg.pooler = true;
  return cfg;
}

void load_weights(const bert::bert_classifier& model, const safetensors_file& ref,
                  const std::string& prefix) {
  const auto& specs = model.params().specs();
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const auto& src = ref.at(prefix + specs[k].name);
    const auto& dst = model.params().tensors()[k];
    BOOST_REQUIRE_MESSAGE(src.sizes() == dst.sizes(), specs[k].name);
    std::memcpy(dst.raw(), src.raw(), dst.nbytes());
  }
}

bert::batch batch_of(const safetensors_file& ref, int k) {
  auto name = [k](const char* field) { return "batch" + std::to_string(k) + "/" + field; };
  return {ref.at(name("ids")), ref.at(name("types")), ref.at(name("mask")), ref.at(name("labels")),
          tensor{}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(bert_vs_pytorch)

BOOST_AUTO_TEST_CASE(forward_and_every_gradient_match) {
  auto ref = read_safetensors(reference_file);
  bert::bert_classifier model{tiny_config()};
  load_weights(model, ref, "init/");
  auto in = batch_of(ref, 0);
  bert::dropout_key key{};
  model.zero_grads();
  float loss = model.forward(in, key);
  model.backward(in, key);
  float expected_loss = ref.at("loss").data<float>()[0];
  BOOST_TEST(std::fabs(loss - expected_loss) <= 1e-4 * std::fabs(expected_loss));
  BOOST_TEST(relative_error(model.logits(), ref.at("logits")) <= 1e-4);
  const auto& specs = model.grads().specs();
  for (std::size_t k = 0; k < specs.size(); ++k) {
    auto err = relative_error(model.grads().tensors()[k], ref.at("grad/" + specs[k].name));
    BOOST_TEST_INFO(specs[k].name << ": relative error " << err);
    BOOST_TEST(err <= 1e-4);
  }
}

BOOST_AUTO_TEST_CASE(ten_adamw_steps_match) {
  auto ref = read_safetensors(reference_file);
  bert::bert_classifier model{tiny_config()};
  load_weights(model, ref, "init/");
  optimizer_settings settings;
  settings.adamw = {1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f};
  adamw_optimizer optimizer{model.params(), settings};
  const auto& expected = ref.at("train_losses");
  for (int step = 0; step < 10; ++step) {
    float loss = bert::train_step(model, optimizer, batch_of(ref, step % 2), {});
    float torch_loss = expected.data<float>()[step];
    BOOST_TEST_INFO("step " << step << ": axon " << loss << ", torch " << torch_loss);
    BOOST_TEST(std::fabs(loss - torch_loss) <= 1e-4f * std::fabs(torch_loss));
  }
}

BOOST_AUTO_TEST_CASE(two_threads_give_the_same_gradients) {
  auto ref = read_safetensors(reference_file);
  bert::bert_classifier serial{tiny_config()}, threaded{tiny_config()};
  load_weights(serial, ref, "init/");
  load_weights(threaded, ref, "init/");
  auto in = batch_of(ref, 1);
  serial.zero_grads();
  serial.forward(in, {});
  serial.backward(in, {});
  compute_pool pool{2};
  compute_pool::scope use{&pool};
  threaded.zero_grads();
  threaded.forward(in, {});
  threaded.backward(in, {});
  BOOST_TEST(relative_error(threaded.grads().flat(), serial.grads().flat()) <= 1e-5);
}

BOOST_AUTO_TEST_SUITE_END()
