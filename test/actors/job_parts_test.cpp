// The pieces the supervisors are made of, one claim each: the job's one batch type crosses
// the wire whole (tensors and cursor); a corpus loader restored to a batch's cursor sends
// exactly the batches the first one sent after it; example batches carry the batcher's
// cursor; the shared learning-rate schedule and train-event window.
#include "actor_test_support.hpp"

#include "actors/bert/messages.hpp"
#include "actors/jobs/batch_source.hpp"
#include "actors/jobs/job_run.hpp"
#include "actors/jobs/loader_actor.hpp"
#include "actors/jobs/log_window.hpp"
#include "actors/jobs/messages.hpp"
#include "runtime/graph/atoms.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

using namespace axon;

namespace {

namespace fs = std::filesystem;

bool same_tensor(const tensor& a, const tensor& b) {
  if (a.defined() != b.defined())
    return false;
  return !a.defined()
         || (a.sizes() == b.sizes() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0);
}

bool same_batch(const data::batch& a, const data::batch& b) {
  return same_tensor(a.ids, b.ids) && same_tensor(a.token_types, b.token_types)
         && same_tensor(a.attention_mask, b.attention_mask) && same_tensor(a.labels, b.labels)
         && same_tensor(a.entities, b.entities) && same_tensor(a.examples, b.examples)
         && a.epoch == b.epoch && a.position == b.position && a.next == b.next
         && a.last_in_epoch == b.last_in_epoch;
}

// A small corpus and the tokenizer of its words.
struct corpus_fixture : test::actor_fixture {
  fs::path dir = fs::temp_directory_path() / ("axon_job_parts_" + std::to_string(::getpid()));
  data::corpus_options corpus;
  std::shared_ptr<const data::wordpiece_tokenizer> tokenizer;
  data::mlm_stream_options options;
  corpus_fixture() {
    fs::create_directories(dir);
    std::ofstream out{dir / "corpus.txt"};
    static const char* words[] = {"alpha", "beta", "gamma", "delta", "eps"};
    for (int i = 0; i < 30; ++i) // documents of different lengths, across sequences
      out << words[i % 5] << ' ' << words[(i / 5) % 5] << (i % 3 ? " gamma delta" : "")
          << " beta .\n";
    corpus.paths = {(dir / "corpus.txt").string()};
    std::vector<std::string> vocab{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "alpha",
                                   "beta",  "gamma", "delta", "eps",   "."};
    tokenizer = std::make_shared<const data::wordpiece_tokenizer>(
      data::vocabulary::from_tokens(vocab, "test"), true);
    options.seq_len = 12;
    options.batch_size = 3;
    options.seed = 5;
  }
  ~corpus_fixture() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(job_parts)

BOOST_FIXTURE_TEST_CASE(a_batch_crosses_the_wire_whole, test::actor_fixture) {
  auto examples = std::make_shared<std::vector<data::tokenized_example>>();
  for (int i = 0; i < 7; ++i)
    examples->push_back({std::vector<std::int32_t>(3 + i, 5 + i),
                         std::vector<std::int32_t>(3 + i, i % 2), i % 3, {}, {}, {}});
  auto batches = example_batches(examples, {4, 3, true, false, 0});
  batches->next();
  auto sent = batches->next(); // the epoch's last, 3 rows
  BOOST_REQUIRE(sent.last_in_epoch);
  std::vector<char> bytes;
  caf::binary_serializer sink{sys, bytes};
  BOOST_REQUIRE(!sink(sent));
  data::batch received;
  caf::binary_deserializer source{sys, bytes};
  BOOST_REQUIRE(!source(received));
  BOOST_TEST(same_batch(sent, received));
}

BOOST_FIXTURE_TEST_CASE(example_batches_carry_the_batchers_cursor, test::actor_fixture) {
  auto examples = std::make_shared<std::vector<data::tokenized_example>>();
  for (int i = 0; i < 10; ++i)
    examples->push_back({std::vector<std::int32_t>(4, 5 + i), std::vector<std::int32_t>(4, 0), i % 2,
                         {}, {}, {}});
  data::batcher reference{*examples, {4, 8, true, false, 0}};
  auto source = example_batches(examples, {4, 8, true, false, 0});
  for (int k = 0; k < 4; ++k) { // 3 batches per epoch: 4, 4, 2 rows
    auto b = source->next();
    reference.next();
    BOOST_TEST(b.next.epoch == reference.cursor().epoch);
    BOOST_TEST(b.next.position == reference.cursor().position);
    BOOST_TEST(b.last_in_epoch == (k == 2));
    BOOST_TEST((source->cursor() == b.next));
    BOOST_TEST(real_tokens(b) == 4 * b.ids.size(0));
  }
}

BOOST_FIXTURE_TEST_CASE(a_corpus_loader_restored_to_a_cursor_sends_the_same_batches,
                        corpus_fixture) {
  caf::scoped_actor self{sys};
  auto receive = [&](std::size_t count) {
    std::vector<data::batch> got;
    while (got.size() < count)
      self->receive([&](data::batch& b) { got.push_back(std::move(b)); },
                    caf::after(std::chrono::seconds(10)) >> [] { BOOST_FAIL("no batch"); });
    return got;
  };
  auto first = spawn_loader(sys, std::shared_ptr<batch_source>{corpus_batches(corpus, tokenizer, options)});
  self->send(first, credit_atom::value, std::int32_t{12});
  auto sent = receive(12);
  BOOST_TEST(sent[11].epoch > 0u); // the corpus ran out at least once: a new pass began
  for (const auto& b : sent) {
    BOOST_TEST(!b.token_types.defined());
    BOOST_TEST(b.labels.rank() == 2); // MLM targets per position
  }
  for (std::size_t at : {std::size_t{2}, std::size_t{7}}) {
    auto again = spawn_loader(sys, std::shared_ptr<batch_source>{corpus_batches(corpus, tokenizer, options)});
    bool restored = false;
    self->request(again, caf::infinite, restore_atom::value, sent[at].next)
      .receive([&](bool ok) { restored = ok; }, [](caf::error&) {});
    BOOST_REQUIRE(restored);
    self->send(again, credit_atom::value, std::int32_t(11 - at));
    auto replayed = receive(11 - at);
    for (std::size_t k = 0; k < replayed.size(); ++k)
      BOOST_TEST(same_batch(replayed[k], sent[at + 1 + k]), "batch " << at + 1 + k);
    caf::anon_send_exit(again, caf::exit_reason::user_shutdown);
  }
  caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(the_schedule_has_a_budget_or_stays_at_its_peak) {
  run_plan plan;
  plan.layout.adamw.lr = 0.01f;
  plan.schedule = train::lr_schedule_kind::linear;
  plan.warmup_ratio = 0.1;
  auto budget = schedule_of(plan, 200); // warm-up 20 steps, then down to 0 at 200
  BOOST_TEST(budget.warmup_steps == 20);
  BOOST_TEST(train::learning_rate(budget, 20) == 0.01, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(train::learning_rate(budget, 199) < 0.001);
  plan.warmup_steps = 5; // given in steps, it wins over the ratio
  auto open_ended = schedule_of(plan, 0); // no step budget: the peak after the warm-up
  BOOST_TEST(open_ended.warmup_steps == 5);
  BOOST_TEST(train::learning_rate(open_ended, 1000000) == 0.01, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(a_log_window_averages_the_known_losses) {
  log_window window;
  window.add(2.0, 100, 0.5);
  window.add(std::numeric_limits<double>::quiet_NaN(), 100, 0.5); // applied in a recovery
  window.add(4.0, 200, 1.0);
  BOOST_TEST(window.has_loss());
  BOOST_TEST(window.mean_loss() == 3.0);
  BOOST_TEST(window.tokens_per_s() == 200.0);
  window.reset();
  BOOST_TEST(!window.has_loss());
}

BOOST_AUTO_TEST_SUITE_END()
