// prepare_classification: everything a classification job needs from its data settings:
// the labelled splits (read, or split from one file with a seeded stratified split), the
// label names, a WordPiece vocabulary (given, or built from the train split), and the
// tokenized splits (from the run directory's cache when it is still valid).
#pragma once

#include "runtime/data/labelled_data.hpp"
#include "runtime/data/split.hpp"
#include "runtime/data/tokenized_examples.hpp"
#include "runtime/data/wordpiece.hpp"

#include <optional>
#include <string>
#include <vector>

namespace axon::data {

struct data_settings {
  std::string path, train, dev, test; // path alone: split it; else the named split files
  std::string format = "auto";        // auto (from the extension), csv, tsv, jsonl, fpb
  std::string text_column = "text", label_column = "label";
  std::string encoding = "auto";      // auto, utf-8, latin-1
  bool skip_bad_lines = false;
  split_ratios split;                 // used with `path`
  std::uint64_t split_seed = 13;
  std::string vocab;                  // vocab.txt; empty: build from the train split
  std::size_t vocab_size = 8000;
  bool cased = false;
  std::size_t max_len = 128;
  std::string cache_dir;              // empty: no token cache
  bool keep_words = false;            // keep each example's words for KG linking
  /// Fixed label names (e.g. from a run being resumed or evaluated); empty: from the data.
  std::vector<std::string> label_names;
};

struct prepared_data {
  std::vector<std::string> label_names;
  vocabulary vocab;
  std::vector<tokenized_example> train, dev, test; // dev/test may be empty
  labelled_dataset dev_rows, test_rows; // dev and test as read, for the run's splits/ folder
  std::string report; // what was read, split, skipped, built: for the user
};

/// Throws data_error with the file, line and problem for bad input.
prepared_data prepare_classification(const data_settings& settings);

/// Reads one labelled file with the settings' format, columns and encoding.
labelled_dataset read_labelled(const std::string& file, const data_settings& settings);

} // namespace axon::data
