// WordPiece vocabulary and tokenizer (see wordpiece.hpp). The greedy matching follows
// transformers' WordpieceTokenizer.tokenize.
#include "runtime/data/wordpiece.hpp"

#include "runtime/data/labelled_data.hpp"
#include "runtime/data/utf8.hpp"
#include "runtime/path_text.hpp"
#include "runtime/whole_file.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace axon::data {

vocabulary vocabulary::load(const std::string& file) {
  const auto read = read_whole_file(file);
  if (!read.error.empty())
    throw data_error(path_in_error(file) + ": the vocabulary file " + read.error);
  std::vector<std::string> tokens;
  std::istringstream in{read.bytes};
  std::string line;
  while (std::getline(in, line)) {
    if (line.ends_with('\r'))
      line.pop_back();
    tokens.push_back(std::move(line));
  }
  return from_tokens(std::move(tokens), file);
}

vocabulary vocabulary::from_tokens(std::vector<std::string> tokens, const std::string& origin) {
  if (tokens.empty())
    throw data_error(origin + ": empty vocabulary");
  vocabulary vocab;
  vocab.tokens_ = std::move(tokens);
  vocab.ids_.reserve(vocab.tokens_.size());
  for (std::size_t id = 0; id < vocab.tokens_.size(); ++id)
    vocab.ids_[vocab.tokens_[id]] = static_cast<std::int32_t>(id); // a repeat: the last wins
  auto special = [&](const char* name) {
    auto id = vocab.find(name);
    if (id < 0)
      throw data_error(origin + ": the vocabulary has no " + name + " token");
    return id;
  };
  vocab.pad_id_ = special("[PAD]");
  vocab.unk_id_ = special("[UNK]");
  vocab.cls_id_ = special("[CLS]");
  vocab.sep_id_ = special("[SEP]");
  return vocab;
}

void vocabulary::save(const std::string& file) const {
  std::ofstream out(file, std::ios::binary);
  for (const auto& token : tokens_)
    out << token << '\n';
  if (!out.flush())
    throw data_error(file + ": cannot write the vocabulary");
}

std::int32_t vocabulary::find(std::string_view token) const {
  auto found = ids_.find(token);
  return found == ids_.end() ? -1 : found->second;
}

wordpiece_tokenizer::wordpiece_tokenizer(vocabulary vocab, bool lower_case)
    : vocab_(std::move(vocab)), basic_(lower_case) {
}

void wordpiece_tokenizer::add_word_pieces(const std::string& word,
                                          std::vector<std::int32_t>& ids) const {
  // Code point boundaries: pieces never cut a character.
  std::vector<std::size_t> boundaries{0};
  for (std::size_t pos = 0; pos < word.size();) {
    next_code_point(word, pos);
    boundaries.push_back(pos);
  }
  const std::size_t chars = boundaries.size() - 1;
  if (chars > max_word_chars) {
    ids.push_back(vocab_.unk_id());
    return;
  }
  const std::size_t first_piece = ids.size();
  std::string candidate;
  for (std::size_t start = 0; start < chars;) {
    std::int32_t match = -1;
    std::size_t end = chars;
    for (; end > start; --end) {
      candidate.clear();
      if (start > 0)
        candidate += "##";
      candidate.append(word, boundaries[start], boundaries[end] - boundaries[start]);
      match = vocab_.find(candidate);
      if (match >= 0)
        break;
    }
    if (match < 0) {
      ids.resize(first_piece);
      ids.push_back(vocab_.unk_id());
      return;
    }
    ids.push_back(match);
    start = end;
  }
}

std::vector<std::string> wordpiece_tokenizer::words(std::string_view text) const {
  if (auto bad = find_invalid_utf8(text); bad != std::string_view::npos)
    throw data_error("invalid UTF-8 at byte " + std::to_string(bad) + " of the text");
  std::vector<std::string> words;
  basic_.split(text, words);
  return words;
}

void wordpiece_tokenizer::tokenize(std::string_view text, std::vector<std::int32_t>& ids) const {
  for (const auto& word : words(text))
    add_word_pieces(word, ids);
}

std::vector<std::string> wordpiece_tokenizer::pieces(std::string_view text) const {
  std::vector<std::int32_t> ids;
  tokenize(text, ids);
  std::vector<std::string> result;
  for (auto id : ids)
    result.push_back(vocab_.token(id));
  return result;
}

encoding wordpiece_tokenizer::assemble(std::vector<std::int32_t> first,
                                       const std::vector<std::int32_t>* second,
                                       std::size_t max_len, bool pad) const {
  encoding out;
  out.ids.push_back(vocab_.cls_id());
  out.ids.insert(out.ids.end(), first.begin(), first.end());
  out.ids.push_back(vocab_.sep_id());
  out.token_types.assign(out.ids.size(), 0);
  if (second != nullptr) {
    out.ids.insert(out.ids.end(), second->begin(), second->end());
    out.ids.push_back(vocab_.sep_id());
    out.token_types.resize(out.ids.size(), 1);
  }
  out.attention_mask.assign(out.ids.size(), 1);
  if (pad && out.ids.size() < max_len) {
    out.ids.resize(max_len, vocab_.pad_id());
    out.token_types.resize(max_len, 0);
    out.attention_mask.resize(max_len, 0);
  }
  return out;
}

encoding wordpiece_tokenizer::encode(std::string_view text, std::size_t max_len, bool pad) const {
  if (max_len < 2)
    throw std::invalid_argument("encode: max_len " + std::to_string(max_len)
                                + " leaves no room for [CLS] and [SEP] (at least 2)");
  std::vector<std::int32_t> ids;
  tokenize(text, ids);
  const std::size_t room = max_len - 2;
  if (ids.size() > room)
    ids.resize(room);
  return assemble(std::move(ids), nullptr, max_len, pad);
}

encoding wordpiece_tokenizer::encode_pair(std::string_view first, std::string_view second,
                                          std::size_t max_len, bool pad) const {
  if (max_len < 3) // else [CLS] A [SEP] B [SEP] would exceed it (the position table)
    throw std::invalid_argument("encode_pair: max_len " + std::to_string(max_len)
                                + " leaves no room for [CLS] and two [SEP] (at least 3)");
  std::vector<std::int32_t> first_ids, second_ids;
  tokenize(first, first_ids);
  tokenize(second, second_ids);
  const std::size_t room = max_len - 3;
  while (first_ids.size() + second_ids.size() > room) {
    if (first_ids.size() > second_ids.size())
      first_ids.pop_back();
    else
      second_ids.pop_back();
  }
  return assemble(std::move(first_ids), &second_ids, max_len, pad);
}

} // namespace axon::data
