// Cutting a batch into micro-batches: rows [begin, end), optionally trimmed to the longest
// real row among them (dynamic padding per micro-batch; padded positions never change the
// real positions' results, since attention gives them probability 0).
#pragma once

#include "graphs/bert/bert_layers.hpp"

namespace axon::bert {

/// Copies rows [begin, end) of every tensor of `in`; with `trim`, only the first columns up
/// to the last position whose mask is 1 in any of those rows (at least one column).
/// MLM labels (B,T) are cut like the ids; class labels (B) by rows.
batch take_rows(const batch& in, std::int64_t begin, std::int64_t end, bool trim);

/// Documents [begin, end) of a batch of documents (in.offsets defined): their windows (rows
/// offsets[begin] .. offsets[end], cut as take_rows), their labels, and their offsets
/// counted from 0. A document's windows are never split.
batch take_documents(const batch& in, std::int64_t begin, std::int64_t end, bool trim);

/// Rows of a batch: its documents (in.offsets) or its rows.
std::int64_t batch_items(const batch& in);

/// What the loss of `in` averages over: its rows (class labels (B)), its documents (labels
/// (D) with offsets) or its positions with a target (MLM labels (B,T)); 0 without labels.
std::int64_t loss_terms(const batch& in);

} // namespace axon::bert
