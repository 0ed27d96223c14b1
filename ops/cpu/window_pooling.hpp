// Pooling a long document's windows (data.long-text = chunk, docs/long-texts.md): the
// [CLS] vectors of each document's windows, rows offsets[d]..offsets[d+1] of inp, become
// one vector per document, which the classifier head reads.
// Legend: N windows of all documents (a document's windows are consecutive rows), D
// documents, C hidden. offsets is i32 (D+1): offsets[0] = 0, non-decreasing,
// offsets[D] = N. A document without windows pools to zeros (and passes no gradient).
#pragma once

#include "runtime/tensor.hpp"

#include <string_view>

namespace axon::ops {

/// Throws op_error naming `op` unless `offsets` (on the host) are i32 (D+1) running from 0
/// to `windows` without decreasing. The ops below check theirs; callers of the CUDA ops
/// check the host copy of the offsets they upload.
void check_window_offsets(std::string_view op, const tensor& offsets, std::int64_t windows);

/// out (D,C): out[d] = mean of inp[offsets[d]..offsets[d+1]), inp (N,C).
void mean_pool_forward(const tensor& out, const tensor& inp, const tensor& offsets);

/// Accumulates dinp (N,C) += dout[d] / windows of d, on each window of document d.
void mean_pool_backward(const tensor& dinp, const tensor& dout, const tensor& offsets);

/// Attention pooling with a learned query (C): each window's score is its dot product
/// with the query, the weights are the softmax of the scores over the document's windows,
/// out[d] = sum_n probs[n] * inp[n]. Saves probs (N) for backward. A query of zeros gives
/// equal weights: mean pooling (how the query is initialised).
void attention_pool_forward(const tensor& out, const tensor& probs, const tensor& inp,
                            const tensor& query, const tensor& offsets);

/// Accumulates dinp (N,C) and dquery (C). With g[n] = dout[d] . inp[n] and
/// ds[n] = probs[n] * (g[n] - sum_m probs[m] g[m]) over the windows m of d:
/// dinp[n] += probs[n] * dout[d] + ds[n] * query, dquery += sum_n ds[n] * inp[n].
void attention_pool_backward(const tensor& dinp, const tensor& dquery, const tensor& dout,
                             const tensor& inp, const tensor& query, const tensor& probs,
                             const tensor& offsets);

} // namespace axon::ops
