// The JSON of POST /v1/classify: see serve_request.hpp.
#include "apps/axon/serve_request.hpp"

#include "apps/axon/entities_json.hpp"
#include "runtime/data/basic_tokenizer.hpp"
#include "runtime/data/labelled_data.hpp"
#include "runtime/data/utf8.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace axon::app {

namespace {

using json = nlohmann::json;

// A SAX pass that only follows where the parser is ("texts[3]"), so that a body the
// parser refuses is answered naming the field it stopped in.
class path_finder : public nlohmann::json_sax<json> {
public:
  std::string stopped_at; // the path where parsing failed
  std::string reason;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(false); }
  bool key(string_t& name) override {
    frames_.back().key = name;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    stopped_at = path();
    reason = e.what();
    return false;
  }

private:
  struct frame {
    bool array = false;
    std::size_t index = 0;
    std::string key;
  };
  bool value() {
    if (!frames_.empty() && frames_.back().array)
      ++frames_.back().index;
    return true;
  }
  bool open(bool array) {
    frames_.push_back({array, 0, {}});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return value();
  }
  std::string path() const {
    std::string out;
    for (const auto& f : frames_) {
      if (f.array)
        out += "[" + std::to_string(f.index) + "]";
      else if (!f.key.empty())
        out += (out.empty() ? "" : ".") + f.key;
    }
    return out.empty() ? "body" : out;
  }
  std::vector<frame> frames_;
};

field_error unparsable(std::string_view body) {
  path_finder finder;
  json::sax_parse(body, &finder);
  if (auto at = data::find_invalid_utf8(body); at != std::string_view::npos)
    return {finder.stopped_at, "is not valid UTF-8 (byte " + std::to_string(at + 1)
                                 + " of the body); send UTF-8 text"};
  return {finder.stopped_at, "invalid JSON: " + finder.reason};
}

} // namespace

std::variant<std::vector<std::string>, field_error> parse_classify_body(std::string_view body,
                                                                       const request_limits& limits) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded())
    return unparsable(body);
  if (!doc.is_object())
    return field_error{"body", "must be a JSON object: {\"texts\": [\"...\", ...]}"};
  for (const auto& [key, value] : doc.items())
    if (key != "texts")
      return field_error{key, "is not a field of a classify request (it takes \"texts\")"};
  if (!doc.contains("texts"))
    return field_error{"texts", "is missing: give a list of strings"};
  const auto& texts = doc["texts"];
  if (!texts.is_array())
    return field_error{"texts", "must be a list of strings, not " + std::string{texts.type_name()}};
  if (texts.empty())
    return field_error{"texts", "is empty: give at least one text"};
  if (texts.size() > limits.max_texts)
    return field_error{"texts", "has " + std::to_string(texts.size()) + " texts; at most "
                                  + std::to_string(limits.max_texts)
                                  + " per request (serve.max-texts)"};
  std::vector<std::string> out;
  out.reserve(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto field = "texts[" + std::to_string(i) + "]";
    if (!texts[i].is_string())
      return field_error{field, "must be a string, not " + std::string{texts[i].type_name()}};
    auto text = texts[i].get<std::string>();
    if (text.size() > limits.max_text_bytes)
      return field_error{field, "is " + std::to_string(text.size()) + " bytes; at most "
                                  + std::to_string(limits.max_text_bytes)
                                  + " (serve.max-text-bytes)"};
    if (data::has_no_words(text)) // spaces of any kind, control and zero-width characters
      return field_error{field, "is blank: there is nothing to classify"};
    out.push_back(std::move(text));
  }
  return out;
}

std::string error_json(const field_error& error) {
  // A field's path is as deep as the client nested its JSON: a few hundred bytes say where.
  constexpr std::size_t longest_field = 256;
  json inner{{"message", error.message}};
  if (!error.field.empty())
    inner["field"] = error.field.size() <= longest_field
                       ? error.field
                       : error.field.substr(0, longest_field) + "...";
  // The parser's message quotes the body's bytes where it stopped, maybe half a character.
  return json{{"error", inner}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

json model_json(const served_model& model) {
  return {{"run", model.run}, {"checkpoint", model.checkpoint}, {"step", model.step}};
}

std::string classify_json(const tensor& probabilities,
                          const std::vector<std::vector<kg::linked_entity>>& entities,
                          const served_model& model) {
  const auto& labels = model.labels;
  const auto k = static_cast<std::int64_t>(labels.size());
  if (probabilities.size(1) != k)
    throw std::logic_error("classify_json: " + std::to_string(probabilities.size(1))
                           + " probabilities per text for " + std::to_string(k) + " labels");
  const bool linked = entities.size() == static_cast<std::size_t>(probabilities.size(0));
  json predictions = json::array();
  for (std::int64_t row = 0; row < probabilities.size(0); ++row) {
    const float* p = probabilities.data<float>() + row * k;
    auto best = std::max_element(p, p + k) - p;
    json one{{"label", labels[best]}, {"probability", p[best]}};
    for (std::int64_t c = 0; c < k; ++c)
      one["probabilities"][labels[c]] = p[c];
    if (linked)
      one["entities"] = entities_json(entities[static_cast<std::size_t>(row)]);
    predictions.push_back(std::move(one));
  }
  return json{{"predictions", std::move(predictions)}, {"model", model_json(model)}}.dump();
}

} // namespace axon::app
