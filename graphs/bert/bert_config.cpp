// bert_config validation.
#include "graphs/bert/bert_config.hpp"

#include <stdexcept>
#include <string>

namespace axon::bert {

namespace {

void require_at_least(const char* name, long value, long low) {
  if (value < low)
    throw std::invalid_argument("model." + std::string{name} + " = " + std::to_string(value)
                                + ": must be >= " + std::to_string(low));
}

void require_probability(const char* name, float p) {
  if (!(p >= 0.0f && p < 1.0f))
    throw std::invalid_argument("model." + std::string{name} + " = " + std::to_string(p)
                                + ": must be in [0, 1)");
}

} // namespace

void bert_config::validate() const {
  require_at_least("vocab-size", vocab_size, 1);
  require_at_least("max-positions", max_positions, 1);
  require_at_least("type-vocab-size", type_vocab_size, 0);
  require_at_least("hidden", hidden, 1);
  require_at_least("layers", layers, 0);
  require_at_least("heads", heads, 1);
  require_at_least("intermediate", intermediate, 1);
  require_at_least("classes", classes, 1);
  if (hidden % heads != 0)
    throw std::invalid_argument("model.hidden = " + std::to_string(hidden)
                                + " must be divisible by model.heads = " + std::to_string(heads));
  if (!(layer_norm_eps > 0.0f))
    throw std::invalid_argument("model.layer-norm-eps must be > 0");
  require_probability("hidden-dropout", hidden_dropout);
  require_probability("attention-dropout", attention_dropout);
  if (entities < 0 || (entities > 0 && entity_dim < 1))
    throw std::invalid_argument("kg: " + std::to_string(entities) + " entities of width kg.dim = "
                                + std::to_string(entity_dim) + ": the width must be >= 1");
  if (documents && mlm)
    throw std::invalid_argument("data.long-text = chunk classifies documents from windows; "
                                "pretraining (the MLM head) packs its corpus into "
                                "model.max-seq sequences: use data.long-text = truncate");
}

} // namespace axon::bert
