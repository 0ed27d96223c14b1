// Cross-entropy from logits on the GPU (spec: ops/cpu/cross_entropy.hpp), mean over the
// rows whose target is not ignore_index. Legend: N rows, V classes. targets live on the
// device; one outside [0,V) (and not ignored) is reported as an op_error by the forward
// (which synchronises to return the loss) or by op_stream::synchronize().
#pragma once

#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

/// Returns the mean loss over counted rows (0 when all are ignored); waits for the stream.
/// losses (N), probs (N,V) (the softmax, for backward), logits (N,V), targets (N) i32.
float cross_entropy_forward(const tensor& losses, const tensor& probs, const tensor& logits,
                            const tensor& targets, const op_stream& s,
                            int ignore_index = -100);

/// Accumulates dlogits (N,V) += dloss / count * (probs - onehot(target)) on counted rows.
void cross_entropy_backward(const tensor& dlogits, const tensor& probs, const tensor& targets,
                            float dloss, const op_stream& s, int ignore_index = -100);

} // namespace axon::ops::cuda
