// Format names and dispatch to the reader of each format (see readers.hpp).
#include "runtime/data/readers.hpp"

namespace axon::data {

data_format parse_data_format(std::string_view name) {
  if (name == "csv")
    return data_format::csv;
  if (name == "tsv")
    return data_format::tsv;
  if (name == "jsonl")
    return data_format::jsonl;
  if (name == "fpb")
    return data_format::fpb;
  throw data_error("unknown data format '" + std::string{name} +
                   "' (expected csv, tsv, jsonl or fpb)");
}

data_format format_from_path(const std::string& file) {
  auto ends = [&](std::string_view suffix) { return file.ends_with(suffix); };
  if (ends(".csv"))
    return data_format::csv;
  if (ends(".tsv"))
    return data_format::tsv;
  if (ends(".jsonl") || ends(".json"))
    return data_format::jsonl;
  if (ends(".txt"))
    return data_format::fpb;
  throw data_error(file + ": cannot tell the format from the extension (.csv, .tsv, .jsonl, "
                          ".txt for Financial PhraseBank); name it explicitly");
}

labelled_dataset read_dataset(const std::string& file, data_format format,
                              const read_options& options) {
  switch (format) {
  case data_format::csv:
    return read_csv(file, options);
  case data_format::tsv:
    return read_tsv(file, options);
  case data_format::jsonl:
    return read_jsonl(file, options);
  case data_format::fpb:
    return read_fpb(file, options);
  }
  throw data_error("unknown data format");
}

} // namespace axon::data
