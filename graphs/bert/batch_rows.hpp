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

/// What the loss of `in` averages over: its rows (class labels (B)) or its positions with
/// a target (MLM labels (B,T)); 0 without labels.
std::int64_t loss_terms(const batch& in);

} // namespace axon::bert
