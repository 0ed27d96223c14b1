// prepare_classification: read, split, build the vocabulary, tokenize (with cache).
#include "runtime/data/prepare.hpp"

#include "runtime/data/readers.hpp"
#include "runtime/data/vocab_builder.hpp"
#include "runtime/fnv1a.hpp"

#include <filesystem>
#include <sstream>

namespace axon::data {

namespace {

read_options options_of(const data_settings& s) {
  read_options o;
  o.text_column = s.text_column;
  o.label_column = s.label_column;
  o.label_set = s.label_names;
  o.bad_lines = s.skip_bad_lines ? on_bad_line::skip : on_bad_line::fail;
  if (s.encoding == "utf-8")
    o.encoding = text_encoding::utf8;
  else if (s.encoding == "latin-1")
    o.encoding = text_encoding::latin1;
  else if (s.encoding != "auto")
    throw data_error("data.encoding = " + s.encoding + ": expected auto, utf-8 or latin-1");
  return o;
}

// A line for the report about one split read from `file`.
std::string describe(const std::string& name, const std::string& file, const labelled_dataset& d) {
  std::ostringstream out;
  out << name << ": " << d.texts.size() << " rows from " << file;
  if (d.skipped_lines > 0)
    out << " (" << d.skipped_lines << " bad lines skipped, first: "
        << (d.skip_reasons.empty() ? "?" : d.skip_reasons.front()) << ")";
  return out.str() + "\n";
}

// Tokenizes `data`, through the cache file `name` in settings.cache_dir when there is one.
std::vector<tokenized_example> tokenize_cached(const wordpiece_tokenizer& tokenizer,
                                               const labelled_dataset& data,
                                               const data_settings& s, const std::string& name,
                                               const std::string& fingerprint) {
  if (s.cache_dir.empty())
    return tokenize_dataset(tokenizer, data, s.max_len, s.keep_words);
  auto file = (std::filesystem::path{s.cache_dir} / (name + ".tokens.msgpack")).string();
  if (std::filesystem::exists(file)) {
    try {
      return read_token_cache(file, fingerprint);
    } catch (const data_error&) {
      // stale or damaged: tokenize again and overwrite it
    }
  }
  auto examples = tokenize_dataset(tokenizer, data, s.max_len, s.keep_words);
  std::filesystem::create_directories(s.cache_dir);
  write_token_cache(file, fingerprint, examples);
  return examples;
}

} // namespace

labelled_dataset read_labelled(const std::string& file, const data_settings& s) {
  auto format = s.format == "auto" ? format_from_path(file) : parse_data_format(s.format);
  return read_dataset(file, format, options_of(s));
}

prepared_data prepare_classification(const data_settings& s) {
  if (s.path.empty() == s.train.empty())
    throw data_error("set either data.path (one file to split) or data.train (and optionally "
                     "data.dev and data.test)");
  prepared_data out;
  labelled_dataset train, dev, test;
  std::ostringstream report;
  if (!s.path.empty()) {
    auto all = read_labelled(s.path, s);
    report << describe("data", s.path, all);
    auto rows = stratified_split(all.labels, s.split, s.split_seed);
    require_rows_in_every_part(rows, s.split, s.path, all.texts.size(), all.label_names.size());
    train = select_rows(all, rows.train);
    dev = select_rows(all, rows.dev);
    test = select_rows(all, rows.test);
    report << "split (seed " << s.split_seed << ", stratified): train " << train.texts.size()
           << ", dev " << dev.texts.size() << ", test " << test.texts.size() << "\n";
  } else {
    train = read_labelled(s.train, s);
    report << describe("train", s.train, train);
    // dev and test must use train's label ids
    auto fixed = s;
    fixed.label_names = train.label_names;
    if (!s.dev.empty()) {
      dev = read_labelled(s.dev, fixed);
      report << describe("dev", s.dev, dev);
    }
    if (!s.test.empty()) {
      test = read_labelled(s.test, fixed);
      report << describe("test", s.test, test);
    }
  }
  out.label_names = train.label_names;
  if (out.label_names.size() < 2)
    throw data_error((s.path.empty() ? s.train : s.path) + ": every row has the label '"
                     + (out.label_names.empty() ? "" : out.label_names.front())
                     + "': a classifier needs at least two labels");
  if (s.vocab.empty()) {
    vocab_builder_options vo;
    vo.vocab_size = s.vocab_size;
    vo.lower_case = !s.cased;
    out.vocab = build_wordpiece_vocab(train.texts, vo);
    report << "vocabulary: " << out.vocab.size() << " WordPiece tokens built from the train split\n";
  } else {
    out.vocab = vocabulary::load(s.vocab);
    report << "vocabulary: " << out.vocab.size() << " tokens from " << s.vocab << "\n";
  }
  wordpiece_tokenizer tokenizer{out.vocab, !s.cased};
  // What produced the tokens: a cache made otherwise is refused and rebuilt.
  std::ostringstream fingerprint;
  fnv1a64 vocab_hash;
  for (const auto& token : out.vocab.tokens())
    vocab_hash.add(token).add("\n");
  fingerprint << "vocab=" << out.vocab.size() << ":" << vocab_hash.hex()
              << " cased=" << s.cased << " max_len=" << s.max_len << " path=" << s.path
              << " train=" << s.train << " dev=" << s.dev << " test=" << s.test
              << " split=" << s.split.train << "," << s.split.dev << "," << s.split.test
              << " seed=" << s.split_seed << " words=" << s.keep_words;
  out.train = tokenize_cached(tokenizer, train, s, "train", fingerprint.str());
  if (!dev.texts.empty())
    out.dev = tokenize_cached(tokenizer, dev, s, "dev", fingerprint.str());
  if (!test.texts.empty())
    out.test = tokenize_cached(tokenizer, test, s, "test", fingerprint.str());
  out.dev_rows = std::move(dev);
  out.test_rows = std::move(test);
  out.report = report.str();
  return out;
}

} // namespace axon::data
