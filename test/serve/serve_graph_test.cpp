// The serving graph (actors/serve/) with a model whose rows say which text and which batch
// they came from: rows come back in each request's order whatever batches they went in,
// no batch exceeds max-batch, texts arriving together within max-wait share a batch, a
// full queue is refused at once with 503, a model that throws answers 500 while the
// service goes on, and a lost replica gets no batches (503 at once when none is left).
// Reloads: a new model generation answers the requests admitted after it, those in flight
// finish wholly on the old one (also when split over batches), and the old one is retired
// once they are answered. Entities come back with their texts, and
// serve.max-wait and serve.max-batch change live.
#include "actors/cluster/graph_process.hpp"
#include "actors/serve/serve_graph.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/monitor/probes.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <utility>

using namespace axon;
using namespace std::chrono_literals;

namespace {

// Row i of a batch: (the number text i holds, the batch's size, or with a tag the tag).
// "fail" throws. Each text links one entity, "E<text>", its only word.
class numbering_model : public serve_model {
public:
  explicit numbering_model(std::chrono::milliseconds delay = 0ms, float tag = 0)
    : delay_{delay}, tag_{tag} {}
  serve_output classify(const std::vector<std::string>& texts) override {
    std::this_thread::sleep_for(delay_);
    serve_output out;
    out.probabilities = tensor::empty({std::int64_t(texts.size()), 2});
    for (std::size_t i = 0; i < texts.size(); ++i) {
      if (texts[i] == "fail")
        throw std::runtime_error("cannot classify 'fail'");
      out.probabilities.data<float>()[2 * i] = std::stof(texts[i]);
      out.probabilities.data<float>()[2 * i + 1] = tag_ != 0 ? tag_ : float(texts.size());
      out.entities.push_back({{0, 1, texts[i], "E" + texts[i]}});
    }
    return out;
  }

private:
  std::chrono::milliseconds delay_;
  float tag_;
};

std::vector<serve_model_ptr> numbering_models(int replicas, std::chrono::milliseconds delay,
                                              float tag = 0) {
  std::vector<serve_model_ptr> models;
  for (int r = 0; r < replicas; ++r)
    models.push_back(std::make_shared<numbering_model>(delay, tag));
  return models;
}

struct service {
  std::shared_ptr<serve_metrics> metrics = std::make_shared<serve_metrics>();
  std::shared_ptr<serve_models> models;
  std::unique_ptr<graph_process> process;
  running_graph graph;

  service(const serve_batcher_setup& setup, std::chrono::milliseconds delay = 0ms, float tag = 0,
          const std::vector<replica_compute>& computes = {}) {
    models = std::make_shared<serve_models>(numbering_models(setup.replicas, delay, tag),
                                            served_model{"run", "run/checkpoints/step-1", 1, {"a", "b"}});
    registry modules;
    add_serve_module(modules, metrics, models);
    auto started = graph_process::start(std::move(modules), "", 2);
    if (!started)
      BOOST_FAIL(error_text(started.error()));
    process = std::move(*started);
    auto spawned = process->spawn(serve_graph(setup, {}, nullptr, "never", {}, computes));
    if (!spawned)
      BOOST_FAIL(error_text(spawned.error()));
    graph = std::move(*spawned);
  }
  ~service() { graph.stop(); }
};

using reply_handle = decltype(std::declval<caf::scoped_actor&>()->request(
  caf::actor{}, 1s, msg::classify_request{}));

std::vector<std::string> numbers(int from, int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i)
    out.push_back(std::to_string(from + i));
  return out;
}

// Sends every request at once (one scoped actor each), then collects the replies in order.
std::vector<msg::classify_reply> classify_all(service& s, const std::vector<std::vector<std::string>>& requests) {
  std::vector<std::unique_ptr<caf::scoped_actor>> selves;
  std::vector<msg::classify_reply> replies(requests.size());
  std::vector<reply_handle> handles;
  for (const auto& texts : requests) {
    selves.push_back(std::make_unique<caf::scoped_actor>(s.process->system()));
    handles.push_back((*selves.back())->request(s.graph.at("batcher"), 10s, msg::classify_request{texts}));
  }
  for (std::size_t i = 0; i < handles.size(); ++i)
    handles[i].receive([&](msg::classify_reply& r) { replies[i] = std::move(r); },
                       [&](caf::error& e) { BOOST_FAIL("request " << i << ": " << caf::to_string(e)); });
  return replies;
}

} // namespace

BOOST_AUTO_TEST_SUITE(serve_graph)

BOOST_AUTO_TEST_CASE(rows_come_back_in_each_requests_order_across_batches) {
  service s{{4, 1000, 64, 2}};
  std::vector<std::vector<std::string>> requests{numbers(0, 10), numbers(100, 3), numbers(200, 1),
                                                 numbers(300, 7)};
  auto replies = classify_all(s, requests);
  for (std::size_t r = 0; r < requests.size(); ++r) {
    BOOST_TEST_REQUIRE(replies[r].http_status == 200, replies[r].error);
    const auto& p = replies[r].probabilities;
    BOOST_TEST_REQUIRE(p.size(0) == std::int64_t(requests[r].size()));
    for (std::int64_t i = 0; i < p.size(0); ++i) {
      BOOST_TEST(p.data<float>()[2 * i] == std::stof(requests[r][i]));
      BOOST_TEST(p.data<float>()[2 * i + 1] <= 4.0f); // max-batch holds
    }
  }
  BOOST_TEST(s.metrics->batch_sizes.count.load() >= 6u); // 21 texts in batches of at most 4
  BOOST_TEST(s.metrics->texts.load() == 21u);
  BOOST_TEST(s.metrics->held.load() == 0);
}

BOOST_AUTO_TEST_CASE(texts_arriving_within_max_wait_share_one_batch) {
  service s{{64, 200'000, 64, 1, false}}; // 200 ms: both requests are in before the batch leaves
  auto replies = classify_all(s, {numbers(0, 3), numbers(10, 2)});
  for (const auto& r : replies) {
    BOOST_TEST_REQUIRE(r.http_status == 200);
    for (std::int64_t i = 0; i < r.probabilities.size(0); ++i)
      BOOST_TEST(r.probabilities.data<float>()[2 * i + 1] == 5.0f);
  }
  BOOST_TEST(s.metrics->batch_sizes.count.load() == 1u);
}

BOOST_AUTO_TEST_CASE(a_full_batch_leaves_without_waiting_for_max_wait) {
  service s{{4, 10'000'000, 64, 1, false}}; // 10 s of max-wait would time the test out
  auto start = std::chrono::steady_clock::now();
  auto replies = classify_all(s, {numbers(0, 4)});
  BOOST_TEST(replies[0].http_status == 200);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 2s));
}

// serve.dispatch-when-idle: with nothing in flight a lone text does not wait max-wait, and
// the texts that arrive while a batch computes leave together when it is back.
BOOST_AUTO_TEST_CASE(with_nothing_in_flight_a_text_leaves_at_once) {
  service s{{64, 10'000'000, 64, 1, true}, 300ms}; // 10 s of max-wait would time it out
  const auto start = std::chrono::steady_clock::now();
  auto replies = classify_all(s, {numbers(0, 1)});
  BOOST_TEST(replies[0].http_status == 200);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 2s));
}

BOOST_AUTO_TEST_CASE(texts_arriving_while_a_batch_computes_leave_together) {
  service s{{64, 10'000'000, 64, 1, true}, 300ms}; // each batch takes 300 ms
  caf::scoped_actor first{s.process->system()};
  auto lone = first->request(s.graph.at("batcher"), 10s, msg::classify_request{numbers(0, 1)});
  std::this_thread::sleep_for(50ms); // the lone text is at the replica
  auto replies = classify_all(s, {numbers(10, 2), numbers(20, 3)});
  lone.receive([](msg::classify_reply& r) {
                 BOOST_TEST(r.http_status == 200);
                 BOOST_TEST(r.probabilities.data<float>()[1] == 1.0f); // a batch of its own
               },
               [](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  for (const auto& r : replies) {
    BOOST_TEST_REQUIRE(r.http_status == 200);
    for (std::int64_t i = 0; i < r.probabilities.size(0); ++i)
      BOOST_TEST(r.probabilities.data<float>()[2 * i + 1] == 5.0f); // the second batch: 5 texts
  }
  BOOST_TEST(s.metrics->batch_sizes.count.load() == 2u);
}

BOOST_AUTO_TEST_CASE(a_full_queue_is_refused_at_once_with_503) {
  service s{{1, 0, 2, 1}, 1000ms}; // two requests held at most; each batch takes 1 s
  auto start = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<caf::scoped_actor>> selves;
  std::vector<reply_handle> handles;
  for (int i = 0; i < 4; ++i) {
    selves.push_back(std::make_unique<caf::scoped_actor>(s.process->system()));
    handles.push_back((*selves.back())->request(s.graph.at("batcher"), 10s,
                                                msg::classify_request{numbers(i, 1)}));
  }
  // The third and fourth are refused before the first batch is done.
  for (int i : {2, 3})
    handles[i].receive(
      [&](msg::classify_reply& r) {
        BOOST_TEST(r.http_status == 503);
        BOOST_TEST(r.error.find("serve.queue") != std::string::npos);
        BOOST_TEST((std::chrono::steady_clock::now() - start < 800ms));
      },
      [&](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  for (int i : {0, 1})
    handles[i].receive([&](msg::classify_reply& r) { BOOST_TEST(r.http_status == 200); },
                       [&](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  auto after = classify_all(s, {numbers(7, 1)}); // room again
  BOOST_TEST(after[0].http_status == 200);
}

BOOST_AUTO_TEST_CASE(a_model_that_throws_answers_500_and_the_service_goes_on) {
  service s{{8, 0, 8, 1}};
  auto failed = classify_all(s, {{"1", "fail"}});
  BOOST_TEST(failed[0].http_status == 500);
  BOOST_TEST(failed[0].error.find("cannot classify 'fail'") != std::string::npos);
  auto ok = classify_all(s, {numbers(5, 2)});
  BOOST_TEST_REQUIRE(ok[0].http_status == 200);
  BOOST_TEST(ok[0].probabilities.data<float>()[2] == 6.0f);
}

// A replica that is gone (killed here; on a node process, its node died) gets no batch
// again and the other serves on; with none left, requests are answered 503 at once.
BOOST_AUTO_TEST_CASE(a_lost_replica_gets_no_batches_and_with_none_left_503_comes_at_once) {
  service s{{4, 0, 64, 2}};
  caf::anon_send_exit(s.graph.at("replica0"), caf::exit_reason::kill);
  std::this_thread::sleep_for(200ms); // the batcher's down message
  for (int i = 0; i < 6; ++i) // round robin would give every other batch to replica0
    BOOST_TEST(classify_all(s, {numbers(i, 1)})[0].http_status == 200);
  caf::anon_send_exit(s.graph.at("replica1"), caf::exit_reason::kill);
  std::this_thread::sleep_for(200ms);
  auto start = std::chrono::steady_clock::now();
  auto refused = classify_all(s, {numbers(0, 3)});
  BOOST_TEST(refused[0].http_status == 503);
  BOOST_TEST(refused[0].error.find("every model replica is gone") != std::string::npos, refused[0].error);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 1s));
}

BOOST_AUTO_TEST_CASE(entities_come_back_with_their_texts_across_batches) {
  service s{{3, 0, 64, 2}};
  auto replies = classify_all(s, {numbers(0, 7), numbers(50, 2)});
  for (std::size_t r = 0; r < replies.size(); ++r) {
    BOOST_TEST_REQUIRE(replies[r].http_status == 200);
    BOOST_TEST_REQUIRE(replies[r].entities.size() == std::size_t(replies[r].probabilities.size(0)));
    for (std::size_t i = 0; i < replies[r].entities.size(); ++i) {
      const auto number = std::to_string(int(replies[r].probabilities.data<float>()[2 * i]));
      BOOST_TEST_REQUIRE(replies[r].entities[i].size() == 1u);
      BOOST_TEST(replies[r].entities[i][0].entity == "E" + number);
      BOOST_TEST(replies[r].entities[i][0].text == number);
    }
  }
}

// A request admitted before the reload is split over batches of one (max-batch 1, each
// batch 300 ms on 2 replicas): the reload lands while its batches are computing, and every
// one of its rows still comes from the old model; a request after the reload gets the new
// one; the old generation is retired once the old request is answered.
BOOST_AUTO_TEST_CASE(requests_in_flight_finish_on_the_old_model_after_a_reload) {
  service s{{1, 0, 64, 2}, 300ms, 1.0f};
  caf::scoped_actor old_client{s.process->system()};
  auto old_request = old_client->request(s.graph.at("batcher"), 10s, msg::classify_request{numbers(0, 6)});
  std::this_thread::sleep_for(150ms); // some of its batches are done, others wait
  const auto generation = s.models->publish(numbering_models(2, 0ms, 2.0f),
                                            {"run", "run/checkpoints/step-2", 2, {"a", "b"}});
  BOOST_TEST(generation == 1u);
  BOOST_TEST(s.models->live_generations() == 2u);
  caf::scoped_actor reloader{s.process->system()};
  reloader->request(s.graph.at("batcher"), 10s, models_atom::value)
    .receive([](const std::string&) {}, [](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  BOOST_TEST(s.models->live_generations() == 2u); // the old request still needs it
  auto fresh = classify_all(s, {numbers(100, 3)});
  BOOST_TEST_REQUIRE(fresh[0].http_status == 200);
  BOOST_TEST(fresh[0].generation == 1u);
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(fresh[0].probabilities.data<float>()[2 * i + 1] == 2.0f); // the new model
  old_request.receive(
    [&](msg::classify_reply& r) {
      BOOST_TEST_REQUIRE(r.http_status == 200);
      BOOST_TEST(r.generation == 0u);
      for (int i = 0; i < 6; ++i) {
        BOOST_TEST(r.probabilities.data<float>()[2 * i] == float(i));
        BOOST_TEST(r.probabilities.data<float>()[2 * i + 1] == 1.0f); // the old model, all rows
      }
    },
    [&](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  BOOST_TEST(s.models->info(0)->checkpoint == "run/checkpoints/step-1"); // still named
  // Retired right after that answer (by the batcher, on its own thread).
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (s.models->live_generations() > 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  BOOST_TEST(s.models->live_generations() == 1u);
  BOOST_TEST(s.models->model(0, 0) == nullptr); // the old weights are gone
  BOOST_TEST(s.models->current_info()->step == 2);
}

BOOST_AUTO_TEST_CASE(max_wait_and_max_batch_change_live) {
  service s{{64, 10'000'000, 64, 1, false}}; // 10 s of max-wait: a lone text would wait that long
  caf::scoped_actor client{s.process->system()};
  auto waiting = client->request(s.graph.at("batcher"), 20s, msg::classify_request{numbers(0, 1)});
  std::this_thread::sleep_for(100ms);
  const auto start = std::chrono::steady_clock::now();
  caf::scoped_actor console{s.process->system()};
  console->request(s.graph.at("batcher"), 10s, msg::batcher_setting{"serve.max-wait", 0})
    .receive([](const std::string& text) { BOOST_TEST(text.find("serve.max-wait = 0") != std::string::npos, text); },
             [](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  waiting.receive([](msg::classify_reply& r) { BOOST_TEST(r.http_status == 200); },
                  [](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  BOOST_TEST((std::chrono::steady_clock::now() - start < 2s)); // it left with the new max-wait

  console->request(s.graph.at("batcher"), 10s, msg::batcher_setting{"serve.max-batch", 2})
    .receive([](const std::string&) {}, [](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  auto split = classify_all(s, {numbers(0, 5)});
  for (int i = 0; i < 5; ++i)
    BOOST_TEST(split[0].probabilities.data<float>()[2 * i + 1] <= 2.0f);
  for (const auto& bad : {msg::batcher_setting{"serve.max-batch", 0},
                          msg::batcher_setting{"serve.max-wait", 11'000'000},
                          msg::batcher_setting{"serve.queue", 5}})
    console->request(s.graph.at("batcher"), 10s, bad)
      .receive([&](const std::string& text) { BOOST_FAIL("accepted " << bad.key << ": " << text); },
               [](caf::error&) {});
}

BOOST_AUTO_TEST_CASE(the_console_sees_each_replica_on_its_device) {
  serve_batcher_setup setup;
  setup.replicas = 3;
  // replica2 has no entry: the CPU. (Replicas here compute with the models they are given;
  // the device only labels them.)
  service s{setup, 0ms, 0, {replica_compute{}, replica_compute{"cuda:0", "bf16", "gemm"}}};
  auto device_of = [&](const std::string& replica) {
    auto probe = monitor::process_probes().find_actor(s.graph.at(replica).id());
    BOOST_TEST_REQUIRE(probe != nullptr, replica);
    return probe->device;
  };
  BOOST_TEST(device_of("replica0") == "cpu");
  BOOST_TEST(device_of("replica1") == "cuda:0");
  BOOST_TEST(device_of("replica2") == "cpu");
}

BOOST_AUTO_TEST_SUITE_END()
