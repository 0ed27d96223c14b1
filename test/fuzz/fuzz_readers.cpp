// Fuzz target: the labelled-data readers (CSV, TSV, JSONL, Financial PhraseBank). The first
// byte picks the reader, the encoding and whether bad lines fail or are skipped; the rest is
// the file. A reader may throw data_error (a refusal); anything else is a finding.
#include "test/fuzz/fuzz_target.hpp"

#include "runtime/data/readers.hpp"

#include <cstdio>

using namespace axon::data;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::uint8_t mode = data[0];
  static const data_format formats[] = {data_format::csv, data_format::tsv,
                                        data_format::jsonl, data_format::fpb};
  static const char* extensions[] = {".csv", ".tsv", ".jsonl", ".txt"};
  const int which = mode & 3;
  read_options options;
  if (mode & 4)
    options.bad_lines = on_bad_line::skip;
  if (mode & 8)
    options.encoding = (mode & 16) ? text_encoding::latin1 : text_encoding::detect;
  if (mode & 32)
    options.label_set = {"negative", "neutral", "positive"};
  const auto path = axon::fuzz::scratch_file(axon::fuzz::as_text(data + 1, size - 1),
                                             extensions[which]);
  try {
    auto set = read_dataset(path, formats[which], options);
    // What the readers promise: one label per text, each an index into label_names.
    if (set.labels.size() != set.texts.size())
      __builtin_trap();
    for (auto label : set.labels)
      if (label < 0 || std::size_t(label) >= set.label_names.size())
        __builtin_trap();
  } catch (const data_error&) {
    // a refusal naming the line: the expected outcome for bad input
  }
  std::remove(path.c_str());
  return 0;
}
