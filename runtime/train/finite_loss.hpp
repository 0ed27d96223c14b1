// A training loss that is not finite ends the run at that step: weights that produced it
// (diverged, or NaN from model.init) would only train on at loss nan.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace axon::train {

/// Throws std::runtime_error naming the step (from 1) and the loss unless it is finite.
inline void require_finite_loss(std::int64_t step, double loss) {
  if (std::isfinite(loss))
    return;
  throw std::runtime_error("step " + std::to_string(step) + ": the training loss is "
                           + (std::isnan(loss) ? "nan" : "inf")
                           + ": training stops here (the checkpoints before it are intact); "
                             "look at train.lr, model.init's weights and the data");
}

} // namespace axon::train
