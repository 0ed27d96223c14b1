// TSV reader: one row per line, fields split at tabs, no quoting (SST-2's format).
#include "runtime/data/readers.hpp"

namespace axon::data {

namespace {

std::vector<std::string> split_at_tabs(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t begin = 0;
  for (;;) {
    auto tab = line.find('\t', begin);
    fields.emplace_back(line.substr(begin, tab == std::string_view::npos ? line.npos : tab - begin));
    if (tab == std::string_view::npos)
      return fields;
    begin = tab + 1;
  }
}

} // namespace

labelled_dataset read_tsv(const std::string& file, const read_options& options) {
  auto encoding = options.encoding.value_or(text_encoding::utf8);
  const std::string text = read_text_file(file, encoding);
  dataset_builder rows(file, options);
  std::vector<std::string> header;
  column_positions columns{};
  for_each_line(text, [&](std::size_t line, std::string_view content) {
    auto fields = split_at_tabs(content);
    if (header.empty()) {
      header = std::move(fields);
      columns = find_columns(header, options, file);
      return;
    }
    add_table_row(rows, line, fields, header.size(), columns);
  });
  return rows.finish();
}

} // namespace axon::data
