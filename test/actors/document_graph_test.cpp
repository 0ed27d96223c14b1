// The chunked document classifier as an actor graph (data.long-text = chunk): the stages
// encode windows as rows, the head stage pools each document's windows and classifies, and
// the coordinator never splits a document's windows. It trains the same losses as the
// plain loop (bert::document_classifier) with dropout on, on 1 stage x 1 shard, 2 stages x
// 2 shards x 2 micro-batches, 3 x 3 x 2 and 8 shards (two without a document), for mean
// and attention pooling, with whole documents per micro-batch and in windows mode (at most
// 1, 2 or 3 windows per micro-batch: a document's windows on several micro-batches and
// shards, classified at shard 0's head stage, which may hold no window); its evaluation
// gives one prediction per document, as the loop's forward, in either mode.
#include "actor_test_support.hpp"
#include "document_jobs.hpp"

#include "graphs/bert/document_classifier.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace axon;

namespace {

using test::documents_of;
using test::document_job;
using test::loader_batch;
using test::random_documents;
using test::train_actors;
using test::windows_mode;

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
      int stages, shards, micro_batches, micro_windows; // 64: whole documents
    };
    // 6 documents: 3 + 3 on 2 shards (micro-batches of 1 and 2 documents), 2 + 2 + 2 on
    // 3 shards, and on 8 shards two shards without a document (zero gradients). In windows
    // mode the 13 windows go in 13, 7 or 5 chunks; on 8 shards in 7 chunks shard 0 has none.
    for (auto [stages, shards, micros, micro_windows] :
         {placement{1, 1, 1, 64}, placement{2, 2, 2, 64}, placement{3, 3, 2, 64},
          placement{1, 8, 1, 64}, placement{1, 1, 1, 2}, placement{2, 2, 2, 3},
          placement{3, 3, 2, 1}, placement{1, 8, 1, 2}}) {
      const auto [actors, windowed] = train_actors(
        sys, document_job(stages, shards, micros, pooling, micro_windows), steps);
      BOOST_TEST(windowed == (micro_windows < 4 ? steps : 0)); // the longest document: 4
      for (int s = 0; s < steps; ++s) {
        BOOST_TEST_INFO(bert::to_string(pooling)
                        << " pooling, " << stages << " stages x " << shards << " shards, "
                        << micro_windows << " micro-windows, step " << s << ": loop " << loop[s]
                        << ", actors " << actors[s]);
        BOOST_TEST(relative(actors[s], loop[s]) <= 1e-4);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(evaluation_classifies_documents_as_the_loop) {
  for (auto pooling : {bert::window_pooling::mean, bert::window_pooling::attention})
    for (int micro_windows : {64, 3}) { // whole documents; windows mode
      auto job = document_job(2, 2, 1, pooling, micro_windows);
      bert::pipeline p{sys, job};
      test::require_ok(p.init_params());
      const auto docs = random_documents(5);
      // At most 4 windows per evaluation micro-batch: documents {3,1}, {2}, {4}, {1,2}
      // dealt to 2 shards; the 4-window document is never cut (with 3 micro-windows it
      // is: windows mode).
      auto [logits, losses] = test::value_of(p.evaluate(bert::job_batch(docs), 4));
      BOOST_TEST(windows_mode(p, "windows_mode_evaluations") == (micro_windows < 4 ? 1u : 0u));
      bert::document_classifier loop{job.model, pooling};
      bert::init_params(loop.encoder_params(), job.seed);
      bert::init_params(loop.head_params(), job.seed);
      bert::document_batch batch{docs, docs.offsets, docs.labels};
      batch.windows.labels = tensor{};
      const auto loss = loop.forward(batch, {});
      BOOST_REQUIRE(logits.sizes() == loop.logits().sizes());
      BOOST_REQUIRE(logits.sizes() == (shape{documents_of(docs), 3}));
      for (std::int64_t i = 0; i < logits.numel(); ++i)
        BOOST_TEST(std::fabs(logits.data<float>()[i] - loop.logits().data<float>()[i]) <= 1e-5);
      BOOST_REQUIRE(losses.sizes() == (shape{documents_of(docs)}));
      double mean = 0;
      for (std::int64_t d = 0; d < losses.numel(); ++d)
        mean += losses.data<float>()[d] / double(losses.numel());
      BOOST_TEST(relative(mean, loss) <= 1e-5);
    }
}

BOOST_AUTO_TEST_SUITE_END()
