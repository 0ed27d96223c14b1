// mask_tokens: see mlm_masking.hpp.
#include "runtime/data/mlm_masking.hpp"

#include "runtime/data/labelled_data.hpp"
#include "runtime/data/seeded_random.hpp"

#include <algorithm>
#include <cmath>

namespace axon::data {

mlm_vocab mlm_vocab::of(const vocabulary& vocab) {
  mlm_vocab v;
  v.mask_id = vocab.find("[MASK]");
  if (v.mask_id < 0)
    throw data_error("the vocabulary has no [MASK] token, which MLM pretraining needs");
  v.size = std::int32_t(vocab.size());
  v.special.assign(vocab.size(), false);
  v.continuation.assign(vocab.size(), false);
  for (auto id : {vocab.pad_id(), vocab.cls_id(), vocab.sep_id(), v.mask_id})
    v.special[std::size_t(id)] = true;
  for (std::size_t id = 0; id < vocab.size(); ++id)
    v.continuation[id] = vocab.token(std::int32_t(id)).starts_with("##");
  return v;
}

std::vector<std::int32_t> mask_tokens(std::vector<std::int32_t>& ids, const mlm_vocab& vocab,
                                      const mlm_masking_options& options, std::uint64_t seed) {
  std::vector<std::int32_t> labels(ids.size(), -100);
  // Candidate units: single tokens, or whole words [first, end).
  std::vector<std::pair<std::size_t, std::size_t>> units;
  std::size_t tokens = 0;
  for (std::size_t k = 0; k < ids.size(); ++k) {
    if (vocab.special[std::size_t(ids[k])])
      continue;
    ++tokens;
    if (options.whole_word && vocab.continuation[std::size_t(ids[k])] && !units.empty()
        && units.back().second == k)
      units.back().second = k + 1;
    else
      units.push_back({k, k + 1});
  }
  if (tokens == 0)
    return labels;
  std::mt19937_64 rng{seed};
  seeded_shuffle(units, rng);
  const auto wanted = std::max<std::size_t>(
    1, static_cast<std::size_t>(std::llround(options.select * double(tokens))));
  std::size_t chosen = 0;
  for (const auto& [first, end] : units) {
    if (chosen >= wanted)
      break;
    if (chosen + (end - first) > wanted && chosen > 0)
      continue; // a word that would overshoot (whole-word masking); a smaller one may fit
    for (auto k = first; k < end; ++k) {
      labels[k] = ids[k];
      const double r = uniform_unit(rng);
      if (r < options.mask)
        ids[k] = vocab.mask_id;
      else if (r < options.mask + options.random)
        ids[k] = std::int32_t(uniform_below(rng, std::uint64_t(vocab.size)));
    }
    chosen += end - first;
  }
  return labels;
}

} // namespace axon::data
