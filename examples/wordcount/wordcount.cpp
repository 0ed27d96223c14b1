// wordcount: a user graph on Axon's graph core, built against its installed package
// (docs/graphs.md). A reader deals a text's words to C counters by hash, over edges whose
// credit window bounds the batches in flight; each counter sends its counts back at the end.
// Usage: wordcount TEXT COUNTERS [CLUSTER.ini] | wordcount node --config FILE --name NAME
#include "actors/cluster/graph_process.hpp"
#include "actors/cluster/node_process.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/graph/factory_of.hpp"
#include "runtime/graph/ports.hpp"

#include <caf/all.hpp>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

// ---- messages: plain structs, their inspect overloads, and the graph's type-id block
struct text_msg { std::vector<std::string> lines; };                // main -> reader
struct words_msg { std::vector<std::string> words; };               // reader -> counter
struct flush_msg { std::int32_t counters = 0; };                    // reader -> counter: end
struct counts_msg { std::map<std::string, std::int64_t> counts; };  // counter -> reader

template <class F> auto inspect(F& f, text_msg& x) { return f(caf::meta::type_name("text_msg"), x.lines); }
template <class F> auto inspect(F& f, words_msg& x) { return f(caf::meta::type_name("words_msg"), x.words); }
template <class F> auto inspect(F& f, flush_msg& x) { return f(caf::meta::type_name("flush_msg"), x.counters); }
template <class F> auto inspect(F& f, counts_msg& x) { return f(caf::meta::type_name("counts_msg"), x.counts); }

CAF_BEGIN_TYPE_ID_BLOCK(wordcount, axon::type_ids::first_user)
  CAF_ADD_TYPE_ID(wordcount, (text_msg))
  CAF_ADD_TYPE_ID(wordcount, (words_msg))
  CAF_ADD_TYPE_ID(wordcount, (flush_msg))
  CAF_ADD_TYPE_ID(wordcount, (counts_msg))
CAF_END_TYPE_ID_BLOCK(wordcount)

using to_counter = axon::types<words_msg, flush_msg>; // forward on a reader -> counter edge

// ---- actors: each keeps its ports in its state as `edges`
struct counter_state { axon::ports edges; counts_msg counts; };

caf::behavior counter(caf::stateful_actor<counter_state>* self) {
  self->state.edges.declare_in<to_counter, counts_msg>("reader");
  return {
    axon::connect_handler(self),
    axon::credit_handler(self),
    [=](const words_msg& m) {
      for (const auto& w : m.words)
        ++self->state.counts.counts[w];
      self->state.edges.grant(self, "reader"); // done with it: one more may come
    },
    [=](const flush_msg&) { // the end: the counts go back on the same edge
      self->state.edges.send(self, "reader", self->state.counts);
      self->state.edges.grant(self, "reader");
    },
  };
}

struct reader_state {
  axon::ports edges;
  int counters = 0, answered = 0; // counters, and those that sent their counts
  counts_msg total; caf::response_promise done; // the counts so far; the text's requester
};

caf::behavior reader(caf::stateful_actor<reader_state>* self, std::int32_t counters) {
  self->state.counters = counters;
  for (int c = 0; c < counters; ++c)
    self->state.edges.declare_out<to_counter, counts_msg>("counter" + std::to_string(c));
  return {
    axon::connect_handler(self),
    axon::credit_handler(self),
    [=](const text_msg& text) -> caf::result<counts_msg> {
      auto& st = self->state;
      for (const auto& line : text.lines) { // one batch per line and counter
        std::vector<words_msg> batches(st.counters);
        std::istringstream words{line};
        for (std::string w; words >> w;)
          batches[std::hash<std::string>{}(w) % st.counters].words.push_back(w);
        for (int c = 0; c < st.counters; ++c) // waits in the port beyond the window
          st.edges.send(self, "counter" + std::to_string(c), std::move(batches[c]));
      }
      for (int c = 0; c < st.counters; ++c)
        st.edges.send(self, "counter" + std::to_string(c), flush_msg{st.counters});
      st.done = self->make_response_promise();
      return st.done;
    },
    [=](const counts_msg& part) {
      auto& st = self->state;
      st.total.counts.insert(part.counts.begin(), part.counts.end()); // disjoint by hash
      if (++st.answered == st.counters)
        st.done.deliver(st.total);
    },
  };
}

// ---- the graph: nodes, typed edges with a credit window, and the kinds that spawn them
axon::registry modules() {
  axon::registry r;
  r.add_types<caf::id_block::wordcount>("wordcount");
  r.add_kind("wordcount.reader", axon::factory_of<std::int32_t>(
                                   [](caf::actor_system& sys, std::int32_t c) { return sys.spawn(reader, c); }));
  r.add_kind("wordcount.counter", axon::factory_of<>([](caf::actor_system& sys) { return sys.spawn(counter); }));
  return r;
}

axon::actor_graph make_graph(int counters) {
  axon::actor_graph g;
  g.add_node("reader", "wordcount.reader", caf::make_message(std::int32_t{counters}));
  for (int c = 0; c < counters; ++c) {
    auto name = "counter" + std::to_string(c); // its edge: forward to_counter, back counts_msg
    g.add_node(name, "wordcount.counter");
    g.add_edge<to_counter, counts_msg>({"reader", name}, {name, "reader"}, 2);
  }
  return g;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string{argv[1]} == "node")
    return axon::node_main(argc - 1, argv + 1, modules());
  std::ifstream in{argc > 2 ? argv[1] : ""};
  const int counters = argc > 2 ? std::atoi(argv[2]) : 0;
  if (!in || counters < 1)
    return std::cerr << "usage: wordcount TEXT COUNTERS [CLUSTER.ini] | node --config F --name N\n", 2;
  text_msg text;
  for (std::string line; std::getline(in, line);)
    text.lines.push_back(line);
  auto process = axon::graph_process::start(modules(), argc > 3 ? argv[3] : "");
  auto running = process ? (*process)->spawn(make_graph(counters)) : process.error();
  if (!running)
    return std::cerr << axon::error_text(running.error()) << '\n', 2;
  int status = 1; // until the reader answers
  caf::scoped_actor self{(*process)->system()};
  self->request(running->at("reader"), std::chrono::minutes(1), text).receive(
    [&](const counts_msg& result) {
      for (const auto& [word, n] : result.counts)
        std::cout << word << ' ' << n << '\n';
      status = 0;
    },
    [&](const caf::error& err) { std::cerr << axon::error_text(err) << '\n'; });
  running->stop();
  return status;
}
