// synth-longdocs: a deterministic generated data set of long financial documents (interim
// reports, analyst notes, filings of fictional companies) whose label is decided by one
// sentence placed at a random depth; the rest is neutral filler and distractors (polar
// sentences about rivals or the market, independent of the label). It measures what
// truncation loses and chunking keeps (issue #22). Described in docs/synth-longdocs.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace axon::data {

struct synth_longdocs_options {
  std::uint64_t seed = 42;
  std::size_t docs = 2000;        // documents in all; 80% train, 10% dev, 10% test
  std::size_t min_words = 200;    // document length in words (whitespace-separated),
  std::size_t max_words = 3000;   // drawn log-uniformly in [min_words, max_words]
  double distractor_share = 0.15; // share of the body's other sentences that are distractors
  double label_noise = 0.0;       // share of labels flipped (the sentence stays)
  std::size_t companies = 80;     // fictional companies documents are about and name as rivals
};

/// What a sentence of a document is.
enum class doc_sentence_kind {
  title,      // the first sentence: the company and the kind of document, neutral
  filler,     // neutral: segments, dates, people, accounting (no polar words)
  distractor, // polar, but about a rival company or the market: not the document's verdict
  deciding,   // the verdict on the document's company: it decides the label
};
const char* to_string(doc_sentence_kind kind);

struct doc_sentence {
  doc_sentence_kind kind = doc_sentence_kind::filler;
  std::size_t first_word = 0; // index of its first word in the document
  std::size_t words = 0;
};

struct synth_document {
  std::string text;           // one line: sentences joined by single spaces
  std::string label;          // negative or positive
  std::size_t words = 0;      // whitespace-separated words of `text`
  std::size_t deciding_word = 0; // the deciding sentence's first word
  std::vector<doc_sentence> sentences;
  /// Where the deciding sentence starts, as a share of the document: in [0, 1).
  double depth() const { return double(deciding_word) / double(words); }
};

struct synth_longdocs_data {
  std::vector<synth_document> train, dev, test;
};

/// The same options give the same data on every machine. Throws data_error on bad
/// options (fewer than 10 documents, min_words < 60, max_words < min_words + 60, fewer
/// than 2 or more than 400 companies, shares outside [0, 1]).
synth_longdocs_data generate_synth_longdocs(const synth_longdocs_options& options);

/// Writes DIR/{train,dev,test}.csv with the header
/// `text,label,depth,words,deciding_word`, text always quoted, depth with 4 decimals.
/// Files are written under temporary names and renamed, so a failure leaves no partial
/// file; throws data_error naming the file.
void write_synth_longdocs(const synth_longdocs_data& data, const std::string& dir);

} // namespace axon::data
