// The chunked document classifier as an actor graph (data.long-text = chunk): the stages
// encode windows as rows, the head stage pools each document's windows and classifies, and
// the coordinator never splits a document's windows. It trains the same losses as the
// plain loop (bert::document_classifier) with dropout on, on 1 stage x 1 shard, 2 stages x
// 2 shards x 2 micro-batches, 3 x 3 x 2 and 8 shards (two without a document), for mean
// and attention pooling; its evaluation
// gives one prediction per document, as the loop's forward.
#include "actor_test_support.hpp"

#include "graphs/bert/document_classifier.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace axon;

namespace {

constexpr std::int64_t cols = 12;
constexpr std::uint64_t windows_per_document_key = 8; // the loader's data.max-chunks

// Documents of 3, 1, 2, 4, 1 and 2 windows (13 rows of random windows), labels in [0, 3).
bert::batch random_documents(std::uint64_t seed) {
  const std::vector<std::int32_t> offsets{0, 3, 4, 6, 10, 11, 13};
  auto docs = test::random_batch(seed, offsets.back(), cols, 60, 3);
  docs.offsets = tensor::empty({std::int64_t(offsets.size())}, dtype::i32);
  std::copy(offsets.begin(), offsets.end(), docs.offsets.data<std::int32_t>());
  docs.labels = tensor::empty({std::int64_t(offsets.size()) - 1}, dtype::i32);
  fill_uniform_int(docs.labels, 0, 3, seed, 3);
  return docs;
}

std::int64_t documents_of(const bert::batch& docs) {
  return docs.offsets.size(0) - 1;
}

// Step s's batch as a loader streams it: documents s * D, ... of epoch 0, their windows
// keyed from (s * D) * max_chunks.
data::batch loader_batch(const bert::batch& docs, std::uint64_t step) {
  auto in = bert::job_batch(docs, 0, step * std::uint64_t(documents_of(docs)));
  in.window_position = in.position * windows_per_document_key;
  return in;
}

bert::job_layout document_job(int stages, int shards, int micro_batches,
                              bert::window_pooling pooling) {
  auto job = test::tiny_job(stages, shards, micro_batches);
  job.model = bert::documents_config(job.model, pooling);
  job.max_grad_norm = 0; // the loop clips no arena (each would clip alone)
  return job;
}

std::vector<double> train_actors(caf::actor_system& sys, const bert::job_layout& job, int steps) {
  bert::pipeline p{sys, job};
  test::require_ok(p.init_params());
  std::vector<double> losses;
  for (int s = 0; s < steps; ++s)
    losses.push_back(
      test::value_of(p.train_step(loader_batch(random_documents(100 + s), s), s, 1e-3f)).first);
  return losses;
}

std::vector<double> train_loop(const bert::job_layout& job, int steps) {
  bert::document_classifier loop{job.model, bert::pooling_of(job.model)};
  bert::init_params(loop.encoder_params(), job.seed);
  bert::init_params(loop.head_params(), job.seed);
  optimizer_settings settings{job.adamw, 0.0f, false};
  adamw_optimizer encoder_optimizer{loop.encoder_params(), settings};
  adamw_optimizer head_optimizer{loop.head_params(), settings};
  std::vector<double> losses;
  for (int s = 0; s < steps; ++s) {
    const auto docs = random_documents(100 + s);
    const auto in = loader_batch(docs, s);
    bert::document_batch batch{docs, docs.offsets, docs.labels};
    batch.windows.labels = tensor{};
    losses.push_back(bert::train_step(
      loop, encoder_optimizer, head_optimizer, batch,
      {job.seed, 0, in.window_position, true, in.position}));
  }
  return losses;
}

double relative(double a, double b) {
  return std::fabs(a - b) / std::max(std::fabs(b), 1e-12);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(document_graph, test::actor_fixture)

BOOST_AUTO_TEST_CASE(the_graph_trains_the_loops_losses) {
  BOOST_REQUIRE(test::tiny_model().hidden_dropout > 0.0f);
  constexpr int steps = 5;
  for (auto pooling : {bert::window_pooling::mean, bert::window_pooling::attention}) {
    const auto loop = train_loop(document_job(1, 1, 1, pooling), steps);
    struct placement {
      int stages, shards, micro_batches;
    };
    // 6 documents: 3 + 3 on 2 shards (micro-batches of 1 and 2 documents), 2 + 2 + 2 on
    // 3 shards, and on 8 shards two shards without a document (zero gradients).
    for (auto [stages, shards, micros] :
         {placement{1, 1, 1}, placement{2, 2, 2}, placement{3, 3, 2}, placement{1, 8, 1}}) {
      const auto actors = train_actors(sys, document_job(stages, shards, micros, pooling), steps);
      for (int s = 0; s < steps; ++s) {
        BOOST_TEST_INFO(bert::to_string(pooling) << " pooling, " << stages << " stages x " << shards
                                                 << " shards, step " << s << ": loop " << loop[s]
                                                 << ", actors " << actors[s]);
        BOOST_TEST(relative(actors[s], loop[s]) <= 1e-4);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(evaluation_classifies_documents_as_the_loop) {
  for (auto pooling : {bert::window_pooling::mean, bert::window_pooling::attention}) {
    auto job = document_job(2, 2, 1, pooling);
    bert::pipeline p{sys, job};
    test::require_ok(p.init_params());
    const auto docs = random_documents(5);
    // At most 4 windows per evaluation micro-batch: documents {3,1}, {2}, {4}, {1,2}
    // dealt to 2 shards; the 4-window document is never cut.
    auto [logits, losses] = test::value_of(p.evaluate(bert::job_batch(docs), 4));
    bert::document_classifier loop{job.model, pooling};
    bert::init_params(loop.encoder_params(), job.seed);
    bert::init_params(loop.head_params(), job.seed);
    bert::document_batch batch{docs, docs.offsets, docs.labels};
    batch.windows.labels = tensor{};
    loop.forward(batch, {});
    BOOST_REQUIRE(logits.sizes() == loop.logits().sizes());
    BOOST_REQUIRE(logits.sizes() == (shape{documents_of(docs), 3}));
    for (std::int64_t i = 0; i < logits.numel(); ++i)
      BOOST_TEST(std::fabs(logits.data<float>()[i] - loop.logits().data<float>()[i]) <= 1e-5);
    BOOST_TEST(losses.sizes() == (shape{documents_of(docs)}));
  }
}

BOOST_AUTO_TEST_SUITE_END()
