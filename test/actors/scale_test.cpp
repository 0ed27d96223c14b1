// Scale events (issue #21): a running BERT graph goes from 1 to 3 to 2 data-parallel
// shards between steps, the joining replicas taking the parameters from the optimizer
// actors, and trains the same model as a fixed one-shard run (dropout on, 0.1); bad
// requests change nothing.
#include "actor_test_support.hpp"

#include "runtime/monitor/probes.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <cmath>

using namespace axon;

namespace {

constexpr std::int64_t rows = 8, cols = 12;

bert::batch batch_of(int step) {
  return test::random_batch(500 + step, rows, cols, 60, 3);
}

double relative(double a, double b) {
  return std::fabs(a - b) / std::max(std::fabs(b), 1e-12);
}

// Stage actors of the running graph (shard<s>.stage<k>).
int stage_actors(const bert::pipeline& p) {
  int n = 0;
  for (const auto& [name, actor] : p.actors().actors)
    n += name.find(".stage") != std::string::npos;
  return n;
}

// Stage actors the console would list (their monitoring probes), and the edges touching
// them: the retired ones' are gone, the joining ones' there once each.
std::pair<int, int> stage_probes() {
  auto& probes = monitor::process_probes();
  int actors = 0, edges = 0;
  for (const auto& a : probes.actors())
    actors += a->kind == "axon.bert.stage";
  for (const auto& e : probes.edges())
    edges += e->from.find(".stage") != std::string::npos || e->to.find(".stage") != std::string::npos;
  return {actors, edges};
}

// The largest difference between two states' parameters.
double largest_difference(const bert::training_state& a, const bert::training_state& b) {
  double worst = 0;
  for (std::int64_t i = 0; i < a.params.numel(); ++i)
    worst = std::max(worst, std::fabs(double(a.params.flat().data<float>()[i])
                                      - b.params.flat().data<float>()[i]));
  return worst;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(bert_scale, test::actor_fixture)

// 2 stages x 2 micro-batches, optimizer slices 1 and 2 (the joining stages assemble their
// parameters from both slices' parts): steps 0-3 on one shard, 4-7 on three (8 rows as 2,
// 3, 3), 8-11 on two; every loss within 1e-4 relative of the one-shard run's, and the same
// final weights within 1e-4.
BOOST_AUTO_TEST_CASE(one_three_two_shards_mid_run_train_the_fixed_run) {
  BOOST_REQUIRE(test::tiny_model().hidden_dropout > 0.0f);
  for (int slices : {1, 2}) {
    auto job = test::tiny_job(2, 1, 2);
    job.optimizer_slices = slices;
    std::vector<double> fixed, scaled;
    bert::training_state fixed_state, scaled_state;
    {
      bert::pipeline p{sys, job};
      test::require_ok(p.init_params());
      for (int s = 0; s < 12; ++s)
        fixed.push_back(test::train_step(p, batch_of(s), s, 1e-3f).first);
      fixed_state = test::value_of(p.gather_state());
    }
    bert::pipeline p{sys, job};
    test::require_ok(p.init_params());
    for (int s = 0; s < 12; ++s) {
      if (s == 4 || s == 8) {
        const int shards = s == 4 ? 3 : 2;
        test::require_ok(p.scale_shards(shards));
        BOOST_TEST(p.layout().shards == shards);
        BOOST_TEST(stage_actors(p) == 2 * shards);
        // Per shard: shard -> stage0 -> stage1 -> head, 2 stages x (slices) optimizer
        // edges.
        BOOST_TEST((stage_probes() == std::pair{2 * shards, shards * (3 + 2 * slices)}));
        BOOST_TEST(p.actors().actors.count("shard2.stage1") == (shards == 3 ? 1u : 0u));
      }
      scaled.push_back(test::train_step(p, batch_of(s), s, 1e-3f).first);
    }
    scaled_state = test::value_of(p.gather_state());
    BOOST_TEST(!p.broken()); // the retired actors were stopped on purpose, not lost
    for (int s = 0; s < 12; ++s) {
      BOOST_TEST_INFO("slices " << slices << ", step " << s << ": fixed " << fixed[s]
                                << ", scaled " << scaled[s]);
      BOOST_TEST(relative(scaled[s], fixed[s]) <= 1e-4);
    }
    BOOST_TEST(scaled_state.steps == 12);
    BOOST_TEST(largest_difference(scaled_state, fixed_state) <= 1e-4);
  }
}

// Scaling to 0 is refused naming the reason, scaling to the current size does nothing, and
// after both the job trains exactly (bitwise) as one never asked; the graph evaluates on
// its new shape too; a graph that lost an actor refuses to scale until recovered.
BOOST_AUTO_TEST_CASE(bad_requests_change_nothing) {
  auto job = test::tiny_job(1, 2, 1);
  std::vector<double> plain, asked;
  {
    bert::pipeline p{sys, job};
    test::require_ok(p.init_params());
    for (int s = 0; s < 4; ++s)
      plain.push_back(test::train_step(p, batch_of(s), s, 1e-3f).first);
  }
  bert::pipeline p{sys, job};
  test::require_ok(p.init_params());
  for (int s = 0; s < 4; ++s) {
    auto zero = p.scale_shards(0);
    BOOST_REQUIRE(zero);
    BOOST_TEST(error_text(zero).find("at least one shard") != std::string::npos);
    test::require_ok(p.scale_shards(2)); // the current size: nothing to do
    BOOST_TEST(p.layout().shards == 2);
    BOOST_TEST(stage_actors(p) == 2);
    asked.push_back(test::train_step(p, batch_of(s), s, 1e-3f).first);
  }
  for (int s = 0; s < 4; ++s)
    BOOST_TEST(asked[s] == plain[s]);
  test::require_ok(p.scale_shards(3));
  auto [logits, losses] = test::evaluate(p, batch_of(9), 3);
  BOOST_TEST(logits.size(0) == rows);
  BOOST_TEST(losses.size(0) == rows);
  // A graph that lost an actor must recover (a new pipeline) before it can scale.
  caf::anon_send_exit(p.actors().at("shard1.stage0"), caf::exit_reason::kill);
  BOOST_TEST(!p.train_step(bert::job_batch(batch_of(4), 0, 4 * rows), 4, 1e-3f));
  BOOST_REQUIRE(p.broken());
  auto lost = p.scale_shards(2);
  BOOST_REQUIRE(lost);
  BOOST_TEST(error_text(lost).find("must recover first") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
