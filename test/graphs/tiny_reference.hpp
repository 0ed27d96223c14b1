// What the BERT tests against PyTorch share: the architecture of the tiny reference model
// (CFG of test/make_bert_reference.py) and how a tensor is compared with its reference.
#pragma once

#include "graphs/bert/bert_config.hpp"
#include "runtime/tensor.hpp"

#include <algorithm>
#include <cmath>

namespace axon::test {

/// vocab 100, 16 positions, 2 token types, hidden 64, 2 layers, 4 heads, FFN 256, no
/// dropout; the head is the caller's to choose.
inline bert::bert_config tiny_reference_config() {
  bert::bert_config cfg;
  cfg.vocab_size = 100;
  cfg.max_positions = 16;
  cfg.type_vocab_size = 2;
  cfg.hidden = 64;
  cfg.layers = 2;
  cfg.heads = 4;
  cfg.intermediate = 256;
  cfg.hidden_dropout = cfg.attention_dropout = 0.0f;
  return cfg;
}

/// max |ours - expected| / max |expected| over the tensor (the plain max |ours - expected|
/// when the reference is below 1e-6 everywhere: a gradient that is 0 in exact arithmetic).
inline double relative_error(const tensor& ours, const tensor& expected) {
  double diff = 0.0, scale = 0.0;
  for (std::int64_t i = 0; i < expected.numel(); ++i) {
    diff = std::max(diff, double(std::fabs(ours.data<float>()[i] - expected.data<float>()[i])));
    scale = std::max(scale, double(std::fabs(expected.data<float>()[i])));
  }
  return scale < 1e-6 ? diff : diff / scale;
}

} // namespace axon::test
