// Stage actors recognise stale messages (from an older generation, or for a step whose
// parameters are already replaced, or a backward of a micro-batch they do not hold) and
// drop them without computing.
#include "actor_test_support.hpp"

#include "runtime/graph/atoms.hpp"
#include "actors/bert/messages.hpp"
#include "graphs/bert/bert_pipeline.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <nlohmann/json.hpp>

using namespace axon;

namespace {

nlohmann::json stats_of(caf::actor_system& sys, const caf::actor& actor) {
  caf::scoped_actor self{sys};
  nlohmann::json out;
  self->request(actor, std::chrono::seconds(10), stats_atom::value)
    .receive([&](std::string& text) { out = nlohmann::json::parse(text); },
             [&](caf::error& err) { BOOST_FAIL(sys.render(err)); });
  return out;
}

} // namespace

BOOST_FIXTURE_TEST_CASE(stale_messages_are_dropped, test::actor_fixture) {
  bert::pipeline p{sys, test::tiny_job(2, 1, 1)};
  p.init_params();
  auto in = test::random_batch(3, 4, 8, 60, 3);
  p.train_step(in, 0, 1e-3f);
  p.train_step(in, 1, 1e-3f); // parameters are now at version 2
  const auto& stage1 = p.actors().at("shard0.stage1");
  auto before = stats_of(sys, stage1);
  BOOST_TEST(before["stale_dropped"].get<int>() == 0);

  msg::micro_batch old;
  old.id = {0, 0, 0, 1, 0}; // step 0: long finished
  old.ids = in.ids;
  old.mask = in.mask;
  old.labels = in.labels;
  old.global_rows = 4;
  caf::anon_send(stage1, msg::forward_msg{old, tensor::zeros({4, 8, 32})});
  caf::anon_send(stage1, msg::backward_msg{{1, 0, 5, 6, 0}, tensor::zeros({4, 8, 32})});
  auto after = stats_of(sys, stage1);
  BOOST_TEST(after["stale_dropped"].get<int>() == 2);
  BOOST_TEST(after["forwards"] == before["forwards"]); // nothing was computed
  BOOST_TEST(after["backwards"] == before["backwards"]);
  // The graph still trains after the stale messages.
  BOOST_TEST(std::isfinite(p.train_step(in, 2, 1e-3f).first));
}
