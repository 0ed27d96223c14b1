// Shared pieces of the actor tests: one actor system per test, small models and batches,
// and a pipeline's requests whose failure (an error value) fails the test with its text.
#pragma once

#include "actors/cluster/system_config.hpp"
#include "actors/modules.hpp"
#include "graphs/bert/bert_graph.hpp"
#include "graphs/bert/bert_layers.hpp"
#include "graphs/bert/bert_pipeline.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/random_fill.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>

#include <utility>

namespace axon::test {

struct actor_fixture {
  system_config cfg{axon_modules(), 2};
  caf::actor_system sys{cfg};
};

inline bert::bert_config tiny_model() {
  bert::bert_config m;
  m.vocab_size = 60;
  m.max_positions = 16;
  m.hidden = 32;
  m.layers = 3;
  m.heads = 4;
  m.intermediate = 64;
  m.classes = 3;
  // Dropout on, as in every example config: placements must agree with it (its draws are
  // keyed by the examples, never by shard, micro-batch or stage).
  m.hidden_dropout = m.attention_dropout = 0.1f;
  return m;
}

inline bert::job_layout tiny_job(int stages, int shards, int micro_batches) {
  bert::job_layout job;
  job.model = tiny_model();
  job.stages = stages;
  job.shards = shards;
  job.micro_batches = micro_batches;
  job.credit_window = 2;
  job.adamw.lr = 1e-3f;
  job.max_grad_norm = 1.0f;
  job.seed = 9;
  return job;
}

/// Rows of random ids with lengths in [4, t], labels in [0, classes); `seed` varies them.
inline bert::batch random_batch(std::uint64_t seed, std::int64_t b, std::int64_t t, int vocab,
                                int classes) {
  bert::batch in;
  in.ids = tensor::empty({b, t}, dtype::i32);
  fill_uniform_int(in.ids, 5, vocab, seed, 0);
  auto lengths = tensor::empty({b}, dtype::i32);
  fill_uniform_int(lengths, 4, int(t) + 1, seed, 1);
  in.labels = tensor::empty({b}, dtype::i32);
  fill_uniform_int(in.labels, 0, classes, seed, 2);
  in.mask = tensor::empty({b, t}, dtype::i32);
  in.token_types = tensor::zeros({b, t}, dtype::i32);
  for (std::int64_t r = 0; r < b; ++r)
    for (std::int64_t j = 0; j < t; ++j) {
      bool real = j < lengths.data<std::int32_t>()[r];
      in.mask.data<std::int32_t>()[r * t + j] = real;
      if (j == 0)
        in.ids.data<std::int32_t>()[r * t] = 2;
      if (!real)
        in.ids.data<std::int32_t>()[r * t + j] = 0;
      else if (j >= t / 2)
        in.token_types.data<std::int32_t>()[r * t + j] = 1;
    }
  return in;
}

/// Label 1 iff the marker token 7 occurs in the row: learnable only by attending over it.
inline bert::batch marker_batch(std::uint64_t seed, std::int64_t b, std::int64_t t) {
  bert::batch in;
  in.ids = tensor::empty({b, t}, dtype::i32);
  fill_uniform_int(in.ids, 8, 60, seed, 0);
  auto where = tensor::empty({b}, dtype::i32);
  fill_uniform_int(where, 0, 2 * int(t - 1), seed, 1);
  in.mask = tensor::full({b, t}, 1.0f).to(dtype::i32);
  in.labels = tensor::zeros({b}, dtype::i32);
  for (std::int64_t r = 0; r < b; ++r) {
    in.ids.data<std::int32_t>()[r * t] = 2;
    if (auto pos = where.data<std::int32_t>()[r]; pos < t - 1) {
      in.ids.data<std::int32_t>()[r * t + 1 + pos] = 7;
      in.labels.data<std::int32_t>()[r] = 1;
    }
  }
  return in;
}

/// The value of `x`; the test stops with the error's text when it holds an error.
template <class T>
T value_of(caf::expected<T> x) {
  if (!x)
    BOOST_FAIL("error: " << error_text(x.error()));
  return std::move(*x);
}

/// The test stops with the error's text unless `err` is none.
inline void require_ok(const caf::error& err) {
  if (err)
    BOOST_FAIL("error: " << error_text(err));
}

/// One training step of `p` on the batch `in` (the tensors the loop model reads): (mean
/// loss, gradient norm). Its rows are examples step * B, ... of epoch 0's order, as a
/// loader's batches of B rows (they key the dropout draws: bert::dropout_key).
inline std::pair<double, double> train_step(bert::pipeline& p, const bert::batch& in,
                                            std::uint64_t step, float lr) {
  return value_of(
    p.train_step(bert::job_batch(in, 0, step * std::uint64_t(in.ids.size(0))), step, lr));
}

/// Forward only through `p`: (logits, per-row losses).
inline std::pair<tensor, tensor> evaluate(bert::pipeline& p, const bert::batch& in,
                                          int micro_rows) {
  return value_of(p.evaluate(bert::job_batch(in), micro_rows));
}

} // namespace axon::test
