// WordPiece vocabulary builder (see vocab_builder.hpp). Words are sequences of symbol
// ids; a lazy max-heap of pair counts picks each merge, ties broken by the pair's text so
// the result does not depend on hash order.
#include "runtime/data/vocab_builder.hpp"

#include "runtime/data/basic_tokenizer.hpp"
#include "runtime/data/utf8.hpp"

#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <unordered_map>

namespace axon::data {

namespace {

using symbol_id = std::uint32_t;

std::uint64_t pair_key(symbol_id left, symbol_id right) {
  return (std::uint64_t{left} << 32) | right;
}

struct word_entry {
  std::vector<symbol_id> symbols;
  std::int64_t count;
};

class bpe_state {
public:
  explicit bpe_state(const std::map<std::string, std::int64_t>& word_counts) {
    std::set<std::string> alphabet;
    for (const auto& [word, count] : word_counts) {
      std::size_t pos = 0;
      while (pos < word.size()) {
        std::size_t start = pos;
        next_code_point(word, pos);
        alphabet.insert((start > 0 ? "##" : "") + word.substr(start, pos - start));
      }
    }
    for (const auto& symbol : alphabet)
      intern(symbol);
    for (const auto& [word, count] : word_counts) {
      word_entry entry{{}, count};
      std::size_t pos = 0;
      while (pos < word.size()) {
        std::size_t start = pos;
        next_code_point(word, pos);
        entry.symbols.push_back(ids_.at((start > 0 ? "##" : "") + word.substr(start, pos - start)));
      }
      words_.push_back(std::move(entry));
      add_pairs(words_.size() - 1, +1);
    }
    for (const auto& [key, count] : pair_counts_)
      heap_.push({count, key});
  }

  /// Merges the most frequent pair; false when no pair has at least `min_count`.
  bool merge_best(std::int64_t min_count) {
    while (!heap_.empty()) {
      auto [count, key] = heap_.top();
      heap_.pop();
      auto current = pair_counts_.find(key);
      std::int64_t now = current == pair_counts_.end() ? 0 : current->second;
      if (now != count) { // stale entry: requeue the current count
        if (now > 0)
          heap_.push({now, key});
        continue;
      }
      if (count < min_count)
        return false;
      merge(static_cast<symbol_id>(key >> 32), static_cast<symbol_id>(key & 0xFFFFFFFFu));
      return true;
    }
    return false;
  }

  const std::vector<std::string>& symbols() const { return symbols_; }

private:
  struct heap_entry {
    std::int64_t count;
    std::uint64_t key;
  };
  struct heap_order {
    const bpe_state* state;
    bool operator()(const heap_entry& a, const heap_entry& b) const {
      if (a.count != b.count)
        return a.count < b.count;
      return state->pair_text(a.key) > state->pair_text(b.key); // smaller text first
    }
  };

  std::pair<const std::string&, const std::string&> pair_text(std::uint64_t key) const {
    return {symbols_[key >> 32], symbols_[key & 0xFFFFFFFFu]};
  }

  symbol_id intern(const std::string& symbol) {
    auto [where, added] = ids_.try_emplace(symbol, static_cast<symbol_id>(symbols_.size()));
    if (added)
      symbols_.push_back(symbol);
    return where->second;
  }

  /// Adds (sign +1) or removes (-1) the pairs of word `index` from the counts.
  void add_pairs(std::size_t index, int sign) {
    const auto& word = words_[index];
    for (std::size_t i = 0; i + 1 < word.symbols.size(); ++i) {
      auto key = pair_key(word.symbols[i], word.symbols[i + 1]);
      pair_counts_[key] += sign * word.count;
      if (sign > 0) {
        words_with_pair_[key].push_back(index);
        touched_.insert(key);
      }
    }
  }

  void merge(symbol_id left, symbol_id right) {
    const std::string& right_text = symbols_[right];
    const symbol_id merged =
      intern(symbols_[left] + (right_text.starts_with("##") ? right_text.substr(2) : right_text));
    const auto key = pair_key(left, right);
    std::vector<std::size_t> affected = std::move(words_with_pair_[key]);
    words_with_pair_.erase(key);
    std::sort(affected.begin(), affected.end());
    affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
    touched_.clear();
    for (auto index : affected) {
      auto& symbols = words_[index].symbols;
      add_pairs(index, -1);
      std::vector<symbol_id> joined;
      for (std::size_t i = 0; i < symbols.size(); ++i) {
        if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
          joined.push_back(merged);
          ++i;
        } else {
          joined.push_back(symbols[i]);
        }
      }
      symbols = std::move(joined);
      add_pairs(index, +1);
    }
    for (auto touched : touched_)
      heap_.push({pair_counts_[touched], touched});
  }

  std::vector<std::string> symbols_;
  std::unordered_map<std::string, symbol_id> ids_;
  std::vector<word_entry> words_;
  std::unordered_map<std::uint64_t, std::int64_t> pair_counts_;
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> words_with_pair_;
  std::set<std::uint64_t> touched_;
  std::priority_queue<heap_entry, std::vector<heap_entry>, heap_order> heap_{heap_order{this}};
};

} // namespace

vocabulary build_wordpiece_vocab(const std::vector<std::string>& texts,
                                 const vocab_builder_options& options) {
  basic_tokenizer basic(options.lower_case);
  std::map<std::string, std::int64_t> word_counts;
  std::vector<std::string> words;
  for (const auto& text : texts) {
    words.clear();
    basic.split(text, words);
    for (auto& word : words)
      ++word_counts[std::move(word)];
  }
  std::vector<std::string> tokens{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  const std::size_t specials = tokens.size();
  bpe_state state(word_counts);
  while (specials + state.symbols().size() < options.vocab_size &&
         state.merge_best(static_cast<std::int64_t>(options.min_pair_count)))
    ; // each call adds at most one symbol
  tokens.insert(tokens.end(), state.symbols().begin(), state.symbols().end());
  return vocabulary::from_tokens(std::move(tokens), "built vocabulary");
}

} // namespace axon::data
