// The knowledge graph through actors: TransE over entity-shard actors equals the single
// loop, table for table; a BERT job with entity fusion trains through 2 stages x 2
// shards with the loop model's losses (entity ids travel in the micro-batches); the KG
// service node of a job links batches as the linker does and serves the entity table and
// its rows, refusing what it cannot serve.
#include "runtime/graph/error.hpp"
#include "runtime/graph/atoms.hpp"
#include "actors/kg/kg_service_actor.hpp"
#include "actors/kg/messages.hpp"
#include "graphs/bert/bert_classifier.hpp"
#include "graphs/bert/bert_pipeline.hpp"
#include "graphs/kg/transe_graph.hpp"
#include "graphs/kg/transe_trainer.hpp"
#include "test/actors/actor_test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

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

// A small KG with aliases that overlap, share words, differ in case and carry punctuation.
kg::fusion_kg tricky_kg() {
  std::vector<std::string> names{"company:apex", "company:apex_holdings", "sector:steel",
                                 "company:o_brien", "place:new_york", "place:york"};
  std::vector<kg::alias> aliases{{0, "Apex"},        {1, "Apex Holdings Corp."},
                                 {2, "steel"},       {2, "steel makers"},
                                 {3, "O'Brien & Co"}, {4, "New York"},
                                 {5, "York"},        {0, "APEX"}}; // repeated: apex keeps it
  return kg::make_fusion_kg(names, aliases);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(kg_actors, test::actor_fixture)

BOOST_AUTO_TEST_CASE(the_kg_service_links_like_the_linker_and_serves_embeddings) {
  const auto kg = tricky_kg();
  auto table = tensor::empty({6, 4});
  for (std::int64_t i = 0; i < table.numel(); ++i)
    table.data<float>()[i] = float(i) * 0.5f;
  auto job = test::tiny_job(1, 1, 1);
  job.model.entities = 6;
  job.model.entity_dim = 4;
  job.kg = std::make_shared<const kg_service_setup>(kg_service_setup_of(kg, true, table));
  bert::pipeline p{sys, job};
  const std::vector<std::vector<std::string>> rows{
    {"apex", "holdings", "corp", ".", "buys", "apex", "steel", "makers"},
    {"new", "york", "and", "york", ",", "o", "'", "brien", "&", "co"},
    {"apex", "holdings", "fell"}, // a prefix of a longer alias: "apex" alone
    {},
    {"nothing", "here"}};
  const auto linked = test::value_of(p.link(rows));
  BOOST_REQUIRE(linked.size() == rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    BOOST_TEST((linked[r] == kg.linker.link_words(rows[r])), "row " << r);
  BOOST_TEST((linked[0] == std::vector<kg::mention>{{0, 4, 1}, {5, 6, 0}, {6, 8, 2}}));
  BOOST_TEST((linked[1] == std::vector<kg::mention>{{0, 2, 4}, {3, 4, 5}, {5, 10, 3}}));
  BOOST_TEST((linked[2] == std::vector<kg::mention>{{0, 1, 0}}));
  BOOST_TEST(linked[3].empty());
  BOOST_TEST(linked[4].empty());
  // The whole table, then some rows in the order asked; an id outside the table is refused.
  const auto served = test::value_of(p.entity_table());
  BOOST_REQUIRE(served.sizes() == table.sizes());
  BOOST_TEST(std::equal(table.data<float>(), table.data<float>() + table.numel(), served.data<float>()));
  caf::scoped_actor self{sys};
  const auto& service = p.actors().at("kg");
  self->request(service, caf::infinite, embeddings_atom::value, std::vector<std::int32_t>{5, 0, 5})
    .receive(
      [&](tensor& rows_out) {
        BOOST_REQUIRE(rows_out.size(0) == 3);
        BOOST_TEST(rows_out.data<float>()[0] == table.data<float>()[20]);
        BOOST_TEST(rows_out.data<float>()[4] == table.data<float>()[0]);
        BOOST_TEST(rows_out.data<float>()[8 + 3] == table.data<float>()[23]);
      },
      [&](caf::error& err) { BOOST_FAIL("rows refused: " << caf::to_string(err)); });
  std::string refusal;
  self->request(service, caf::infinite, embeddings_atom::value, std::vector<std::int32_t>{2, 6})
    .receive([&](tensor&) {}, [&](caf::error& err) { refusal = error_text(err); });
  BOOST_TEST(refusal.find("entity id 6 outside the table of 6") != std::string::npos, refusal);
  self->request(service, caf::infinite, stats_atom::value)
    .receive(
      [&](std::string& json) {
        auto stats = nlohmann::json::parse(json);
        BOOST_TEST(stats["entities"].get<int>() == 6);
        BOOST_TEST(stats["rows_linked"].get<int>() == 5);
        BOOST_TEST(stats["mentions"].get<int>() == 7);
        BOOST_TEST(stats["embedding_rows"].get<int>() == 9); // the table, then 3 rows
      },
      [&](caf::error& err) { BOOST_FAIL(caf::to_string(err)); });
}

BOOST_AUTO_TEST_CASE(a_kg_service_without_embeddings_says_so_and_normalises_cased_words) {
  const auto kg = tricky_kg();
  auto service = spawn_kg_service(sys, kg_service_setup_of(kg, false, tensor{}));
  caf::scoped_actor self{sys};
  std::string refusal;
  self->request(service, caf::infinite, embeddings_atom::value)
    .receive([&](tensor&) {}, [&](caf::error& err) { refusal = error_text(err); });
  BOOST_TEST(refusal.find("no entity embeddings (kg.embeddings)") != std::string::npos, refusal);
  // Words of a cased tokenizer keep their case and accents: the service normalises them.
  self->request(service, caf::infinite, msg::kg_link_request{{{"NEW", "Yórk", "Steel"}}})
    .receive(
      [&](msg::kg_link_reply& reply) {
        BOOST_REQUIRE(reply.rows.size() == 1u);
        BOOST_TEST((reply.rows[0] == std::vector<kg::mention>{{0, 2, 4}, {2, 3, 2}}));
      },
      [&](caf::error& err) { BOOST_FAIL(caf::to_string(err)); });
  caf::anon_send_exit(service, caf::exit_reason::user_shutdown);
}

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
  test::require_ok(p.init_params());
  for (int s = 0; s < 6; ++s) {
    auto in = with_entities(test::random_batch(200 + s, 8, 12, 60, 3), 9, s);
    const double actors = test::train_step(p, in, s, job.adamw.lr).first;
    const double reference = bert::train_step(loop, optimizer, in, {job.seed, 0, std::uint64_t(s) * 8, true});
    BOOST_TEST_INFO("step " << s << ": loop " << reference << ", actors " << actors);
    BOOST_TEST(std::fabs(actors - reference) <= 1e-4 * std::fabs(reference));
  }
}

BOOST_AUTO_TEST_SUITE_END()
