// The knowledge graph through actors: TransE over entity-shard actors equals the single
// loop, table for table; and a BERT job with entity fusion trains through 2 stages x 2
// shards with the loop model's losses (entity ids travel in the micro-batches).
#include "graphs/bert/bert_classifier.hpp"
#include "graphs/bert/bert_pipeline.hpp"
#include "graphs/kg/transe_graph.hpp"
#include "graphs/kg/transe_trainer.hpp"
#include "test/actors/actor_test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>

using namespace axon;

namespace {

std::vector<kg::triple> random_triples(std::int32_t entities, std::int32_t relations, int n) {
  std::mt19937 rng{3};
  std::vector<kg::triple> triples;
  for (int i = 0; i < n; ++i)
    triples.push_back({std::int32_t(rng() % entities), std::int32_t(rng() % relations),
                       std::int32_t(rng() % entities)});
  return triples;
}

// Entities -1 or in [0, entities): token positions 1 and 2 of odd rows are linked.
bert::batch with_entities(bert::batch in, std::int32_t entities, std::uint64_t seed) {
  const auto b = in.ids.size(0), t = in.ids.size(1);
  in.entities = tensor::full({b, t}, -1.0f).to(dtype::i32);
  for (std::int64_t r = 1; r < b; r += 2)
    for (std::int64_t j = 1; j <= 2; ++j)
      in.entities.data<std::int32_t>()[r * t + j] = std::int32_t((seed + r) % entities);
  return in;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(kg_actors, test::actor_fixture)

BOOST_AUTO_TEST_CASE(transe_on_entity_shards_equals_the_loop) {
  const auto train = random_triples(23, 3, 90);
  kg::transe_settings settings;
  settings.dim = 8;
  settings.batch_size = 16;
  settings.negatives = 5;
  settings.seed = 4;
  kg::transe_trainer loop{23, 3, settings};
  kg::transe_graph graph{sys, 23, 3, settings, 3};
  for (int epoch = 0; epoch < 3; ++epoch) {
    const double loop_loss = loop.train_epoch(train);
    const double graph_loss = graph.train_epoch(train);
    BOOST_TEST(std::fabs(loop_loss - graph_loss) <= 1e-6 * std::fabs(loop_loss));
  }
  BOOST_TEST(graph.steps() == loop.steps());
  const auto gathered = graph.gather();
  const auto& want = loop.params().flat();
  const auto& got = gathered.flat();
  double worst = 0;
  for (std::int64_t i = 0; i < want.numel(); ++i)
    worst = std::max(worst, double(std::fabs(got.data<float>()[i] - want.data<float>()[i])));
  BOOST_TEST(worst <= 1e-6, "largest difference of the tables: " << worst);
}

BOOST_AUTO_TEST_CASE(fusion_trains_through_stages_and_shards_like_the_loop) {
  auto job = test::tiny_job(2, 2, 2);
  job.model.entities = 9;
  job.model.entity_dim = 6;
  job.model.entity_finetune = true;
  bert::bert_classifier loop{job.model};
  bert::init_params(loop.params(), job.seed);
  adamw_optimizer optimizer{loop.params(), {job.adamw, job.max_grad_norm, false}};
  bert::pipeline p{sys, job};
  p.init_params();
  for (int s = 0; s < 6; ++s) {
    auto in = with_entities(test::random_batch(200 + s, 8, 12, 60, 3), 9, s);
    const double actors = p.train_step(in, s, job.adamw.lr).first;
    const double reference = bert::train_step(loop, optimizer, in, {job.seed, std::uint64_t(s), 0, true});
    BOOST_TEST_INFO("step " << s << ": loop " << reference << ", actors " << actors);
    BOOST_TEST(std::fabs(actors - reference) <= 1e-4 * std::fabs(reference));
  }
}

BOOST_AUTO_TEST_SUITE_END()
