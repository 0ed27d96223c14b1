// param_arena: one allocation carved into named parameter tensors (llm.c style).
// The same layout serves parameters, gradients and AdamW moments (like()), so the
// optimizer can walk them in lock step and a checkpoint can name every tensor.
#pragma once

#include "runtime/tensor.hpp"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace axon {

struct param_spec {
  std::string name; // Hugging Face name, e.g. "bert.encoder.layer.0.attention.self.query.weight"
  shape sizes;
  bool weight_decay = true; // false for biases and LayerNorm (as Hugging Face fine-tuning)
};

/// A run of whole tensors of a spec list: specs [first, last), elements [offset, offset +
/// count) of the flat layout.
struct spec_range {
  std::size_t first = 0, last = 0;
  std::int64_t offset = 0, count = 0;
};

/// Splits `specs` into `parts` consecutive runs of whole tensors with about equal element
/// counts (the slices of ZeRO-1 optimizer sharding: a tensor is never split, so per-tensor
/// settings such as weight decay stay with it). Throws std::invalid_argument when there
/// are fewer tensors than parts.
std::vector<spec_range> split_specs(const std::vector<param_spec>& specs, int parts);

class param_arena {
public:
  param_arena() = default;
  /// Allocates sum(numel) floats at once on `where`, zero-filled; names must be unique.
  explicit param_arena(std::vector<param_spec> specs, device where = device::cpu());

  /// An arena whose tensors are views into `flat` (1-D f32 of the specs' total size), e.g.
  /// parameters received in a message: nothing is copied.
  static param_arena over(std::vector<param_spec> specs, const tensor& flat);

  /// A zeroed arena with the same layout (for gradients and moments).
  param_arena like() const;
  /// A deep copy on the same device.
  param_arena clone() const;

  /// All parameters as one 1-D f32 tensor, in declaration order.
  const tensor& flat() const { return flat_; }
  const std::vector<param_spec>& specs() const { return specs_; }
  const std::vector<tensor>& tensors() const { return tensors_; }
  std::size_t count() const { return specs_.size(); }
  std::int64_t numel() const { return flat_.numel(); }
  /// Throws std::out_of_range naming the tensor when absent.
  const tensor& operator[](std::string_view name) const;
  bool contains(std::string_view name) const;
  /// Tensors `first` .. `first + n - 1` (consecutive in declaration order) as one view of
  /// `sizes`, e.g. query/key/value weights (C,C) x 3 -> a fused (3C,C) QKV weight.
  tensor fused(std::string_view first, const shape& sizes) const;

private:
  void carve(const std::shared_ptr<storage>& bytes, std::size_t base_offset);

  std::vector<param_spec> specs_;
  std::vector<tensor> tensors_;
  std::vector<std::size_t> offsets_; // byte offset of each tensor in the arena
  std::unordered_map<std::string, std::size_t> index_;
  tensor flat_;
};

} // namespace axon
