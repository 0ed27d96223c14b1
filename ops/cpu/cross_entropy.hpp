// Cross-entropy from logits, mean over the rows whose target is not ignore_index
// (PyTorch's F.cross_entropy with reduction='mean'). Legend: N rows, V classes.
#pragma once

#include "runtime/tensor.hpp"

namespace axon::ops {

/// Returns the mean loss over counted rows (0 when every row is ignored, where PyTorch
/// gives NaN). losses (N) receives -log softmax(logits)[target] per row (0 if ignored);
/// probs (N,V) the softmax, for backward. logits (N,V), targets (N) i32 in [0,V) or
/// ignore_index.
float cross_entropy_forward(const tensor& losses, const tensor& probs, const tensor& logits,
                            const tensor& targets, int ignore_index = -100);

/// Accumulates dlogits (N,V) += dloss / count * (probs - onehot(target)) on counted rows;
/// dloss is the gradient of the mean loss (1 for a plain loss.backward()).
void cross_entropy_backward(const tensor& dlogits, const tensor& probs, const tensor& targets,
                            float dloss, int ignore_index = -100);

} // namespace axon::ops
