// TransE on Nations (../shared/data/nations) must beat a fixed filtered-MRR threshold
// within a second, and so must the R-GCN refinement trained from scratch; the binary exits
// 77 (skipped) when the data set is absent.
#include "graphs/kg/link_prediction.hpp"
#include "graphs/kg/rgcn.hpp"
#include "graphs/kg/transe_trainer.hpp"
#include "ops/cpu/cpu_kernels.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

using namespace axon;

// Filtered test MRR of TransE on Nations (14 countries, 55 relations) after 40 quick
// epochs must beat 0.38 and Hits@10 0.9; the untrained model scores MRR 0.26 there
// (measured: 0.43 after training). Under a second.
namespace {

kg::benchmark nations_or_skip() {
  const std::string folder = std::string{AXON_SHARED_DATA} + "/nations";
  if (!std::filesystem::exists(folder + "/train.txt")) {
    BOOST_TEST_MESSAGE("skipped: " << folder << " is absent");
    std::exit(77);
  }
  ops::cpu_kernels();
  return kg::read_benchmark(folder);
}

kg::transe_settings nations_settings() {
  kg::transe_settings settings;
  settings.dim = 32;
  settings.batch_size = 256;
  settings.negatives = 14;
  settings.lr = 1e-2f;
  settings.seed = 1;
  return settings;
}

} // namespace

BOOST_AUTO_TEST_CASE(transe_learns_nations) {
  auto data = nations_or_skip();
  const auto settings = nations_settings();
  kg::transe_trainer trainer{data.graph.entities.size(), data.graph.relations.size(), settings};
  const auto before = kg::evaluate_transe(trainer.params(), data.test, data.graph.triples);
  for (int epoch = 0; epoch < 40; ++epoch)
    trainer.train_epoch(data.train);
  const auto after = kg::evaluate_transe(trainer.params(), data.test, data.graph.triples);
  BOOST_TEST_MESSAGE("nations: untrained " << before.to_text() << "; trained " << after.to_text());
  BOOST_TEST(before.mrr < 0.3, "untrained " << before.to_text());
  BOOST_TEST(after.mrr > 0.38, "trained " << after.to_text());
  BOOST_TEST(after.hits10 > 0.9, "trained " << after.to_text());
}

// The R-GCN refinement learns Nations by itself: from an untrained TransE model (random
// tables, zero layer weights) two layers trained with TransE's loss for 40 epochs must beat
// the same thresholds as TransE, and their weights must have moved (measured: MRR 0.41,
// Hits@10 0.96). A few seconds.
BOOST_AUTO_TEST_CASE(rgcn_learns_nations) {
  auto data = nations_or_skip();
  const auto settings = nations_settings();
  param_arena untrained{
    kg::transe_specs(data.graph.entities.size(), data.graph.relations.size(), settings.dim)};
  kg::init_transe(untrained, settings.seed);
  kg::rgcn_trainer refiner{untrained, data.train, 2, settings};
  const auto before = kg::evaluate_transe(refiner.refined(), data.test, data.graph.triples);
  for (int epoch = 0; epoch < 40; ++epoch)
    refiner.train_epoch(data.train);
  const auto after = kg::evaluate_transe(refiner.refined(), data.test, data.graph.triples);
  BOOST_TEST_MESSAGE("nations R-GCN: untrained " << before.to_text() << "; trained "
                                                 << after.to_text());
  BOOST_TEST(before.mrr < 0.3, "untrained " << before.to_text());
  BOOST_TEST(after.mrr > 0.38, "trained " << after.to_text());
  BOOST_TEST(after.hits10 > 0.9, "trained " << after.to_text());
  const auto& weights = refiner.params()[kg::rgcn_weights_name];
  float moved = 0;
  for (std::int64_t i = 0; i < weights.numel(); ++i)
    moved = std::max(moved, std::fabs(weights.data<float>()[i]));
  BOOST_TEST(moved > 1e-3f);
}
