// The BERT model-size flags that `axon bench train` and `axon bench gemm` share, with the
// defaults of ../shared/bench/peer_torch_bert.py.
#pragma once

#include "apps/axon/flags.hpp"

namespace axon::app {

struct bench_model_flags {
  int layers = 4, hidden = 256, heads = 4, seq = 128, batch = 32, ffn_mult = 4;
};

/// Registers --layers, --hidden, --heads, --seq, --batch and --ffn-mult.
inline void add_model_flags(flag_parser& flags, bench_model_flags& f) {
  flags.add("layers", &f.layers, "encoder layers L");
  flags.add("hidden", &f.hidden, "hidden size H");
  flags.add("heads", &f.heads, "attention heads A");
  flags.add("seq", &f.seq, "sequence length S (padded)");
  flags.add("batch", &f.batch, "sequences per step");
  flags.add("ffn-mult", &f.ffn_mult, "feed-forward width as a multiple of H");
}

} // namespace axon::app
