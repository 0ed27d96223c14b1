// The JSON of `POST /v1/classify` (docs/serving.md): the request body checked field by
// field (every problem a field_error naming the field, answered with 400), and the answer
// built from the class probabilities as `axon predict --json` prints them.
#pragma once

#include "actors/serve/serve_model.hpp"
#include "runtime/tensor.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace axon::app {

struct request_limits {
  std::size_t max_texts = 64;          // serve.max-texts
  std::size_t max_text_bytes = 10000;  // serve.max-text-bytes
  /// The largest body a valid request can have: every text escaped as \uXXXX at worst.
  std::size_t max_body_bytes() const { return max_texts * (max_text_bytes * 6 + 16) + 4096; }
};

struct field_error {
  std::string field;   // "body", "texts", "texts[3]"
  std::string message; // what is wrong and what is allowed
};

/// The texts of a body `{"texts": ["...", ...]}`, or the first problem: invalid JSON or
/// UTF-8 (naming the field where the parser stopped), another shape, an unknown key, an
/// empty or too long list, a text that is not a string, blank, or too long.
std::variant<std::vector<std::string>, field_error> parse_classify_body(std::string_view body,
                                                                       const request_limits& limits);

/// `{"error": {"field": ..., "message": ...}}` (without "field" when it is empty).
std::string error_json(const field_error& error);

/// `{"run", "checkpoint", "step"}` of a served model.
nlohmann::json model_json(const served_model& model);

/// `{"predictions": [{"label", "probability", "probabilities": {label: p}[, "entities":
/// [...]]}], "model": {"run", "checkpoint", "step"}}` of (n,K) probabilities in the
/// columns of model.labels; "entities" (entities_json.hpp) when `entities` has a list per
/// text (a KG run), else none.
std::string classify_json(const tensor& probabilities,
                          const std::vector<std::vector<kg::linked_entity>>& entities,
                          const served_model& model);

} // namespace axon::app
