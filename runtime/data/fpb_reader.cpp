// Financial PhraseBank reader: `sentence@label` per line, the label after the last '@'
// (sentences may contain '@'). The files are ISO-8859-1 or UTF-8; detected by default.
#include "runtime/data/readers.hpp"

namespace axon::data {

labelled_dataset read_fpb(const std::string& file, const read_options& options) {
  auto encoding = options.encoding.value_or(text_encoding::detect);
  const std::string text = read_text_file(file, encoding);
  dataset_builder rows(file, options);
  for_each_line(text, [&](std::size_t line, std::string_view content) {
    auto at = content.rfind('@');
    if (at == std::string_view::npos)
      return rows.reject(line, "no label (expected 'sentence@label')");
    rows.add(line, std::string{content.substr(0, at)}, content.substr(at + 1));
  });
  return rows.finish();
}

} // namespace axon::data
