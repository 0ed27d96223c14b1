// Readers for labelled text: CSV and TSV with a header, JSONL, and the Financial
// PhraseBank `sentence@label` format. Each returns texts with label ids (labelled_data.hpp)
// or throws data_error naming the file, the line and what is wrong.
#pragma once

#include "runtime/data/labelled_data.hpp"

#include <string>
#include <string_view>

namespace axon::data {

enum class data_format { csv, tsv, jsonl, fpb };

/// "csv", "tsv", "jsonl" or "fpb"; throws data_error otherwise.
data_format parse_data_format(std::string_view name);
/// From the extension: .csv, .tsv, .jsonl/.json, .txt (Financial PhraseBank).
data_format format_from_path(const std::string& file);

/// CSV (RFC 4180: quoted fields, "" inside quotes, LF or CRLF) with a header row.
labelled_dataset read_csv(const std::string& file, const read_options& options = {});
/// Tab-separated with a header row, no quoting (SST-2's `sentence\tlabel`; set
/// text_column to "sentence").
labelled_dataset read_tsv(const std::string& file, const read_options& options = {});
/// One JSON object per line; the label may be a string or an integer.
labelled_dataset read_jsonl(const std::string& file, const read_options& options = {});
/// Financial PhraseBank: `sentence@label`, the label after the last '@'. Encoding
/// detected by default (the files are ISO-8859-1 or UTF-8).
labelled_dataset read_fpb(const std::string& file, const read_options& options = {});

labelled_dataset read_dataset(const std::string& file, data_format format,
                              const read_options& options = {});

} // namespace axon::data
