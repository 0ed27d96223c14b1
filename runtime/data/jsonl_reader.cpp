// JSONL reader: one object per line, e.g. {"text": "...", "label": "positive"}.
#include "runtime/data/readers.hpp"

#include <nlohmann/json.hpp>

namespace axon::data {

labelled_dataset read_jsonl(const std::string& file, const read_options& options) {
  auto encoding = options.encoding.value_or(text_encoding::utf8);
  const std::string text = read_text_file(file, encoding);
  dataset_builder rows(file, options);
  for_each_line(text, [&](std::size_t line, std::string_view content) {
    if (!rows.check_utf8(line, content))
      return;
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(content);
    } catch (const nlohmann::json::exception& e) { // parse_error, out_of_range (1e888)
      return rows.reject(line, std::string{"invalid JSON: "} + e.what());
    }
    if (!object.is_object())
      return rows.reject(line, "not a JSON object");
    auto text_field = object.find(options.text_column);
    if (text_field == object.end() || !text_field->is_string())
      return rows.reject(line, "no string field '" + options.text_column + "'");
    auto label_field = object.find(options.label_column);
    if (label_field == object.end() || label_field->is_null())
      return rows.reject(line, "no label (field '" + options.label_column + "')");
    if (!label_field->is_string() && !label_field->is_number_integer())
      return rows.reject(line, "label '" + options.label_column +
                                 "' must be a string or an integer");
    rows.add(line, text_field->get<std::string>(),
             label_field->is_string() ? label_field->get<std::string>() : label_field->dump());
  });
  return rows.finish();
}

} // namespace axon::data
