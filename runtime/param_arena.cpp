// param_arena layout and lookup.
#include "runtime/param_arena.hpp"

#include <cstring>
#include <stdexcept>

namespace axon {

param_arena::param_arena(std::vector<param_spec> specs, device where)
  : specs_(std::move(specs)) {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    if (!index_.emplace(specs_[i].name, i).second)
      throw std::invalid_argument("param_arena: duplicate parameter name " + specs_[i].name);
    offsets_.push_back(static_cast<std::size_t>(total) * sizeof(float));
    total += specs_[i].sizes.numel();
  }
  auto bytes = storage::allocate(static_cast<std::size_t>(total) * sizeof(float), where);
  flat_ = tensor::from_storage(bytes, 0, shape{total}, dtype::f32);
  if (where.is_cpu())
    flat_.zero_();
  for (std::size_t i = 0; i < specs_.size(); ++i)
    tensors_.push_back(tensor::from_storage(bytes, offsets_[i], specs_[i].sizes, dtype::f32));
}

param_arena param_arena::like() const {
  return param_arena{specs_, flat_.defined() ? flat_.where() : device::cpu()};
}

param_arena param_arena::clone() const {
  auto copy = like();
  std::memcpy(copy.flat_.raw(), flat_.raw(), flat_.nbytes());
  return copy;
}

const tensor& param_arena::operator[](std::string_view name) const {
  auto it = index_.find(std::string{name});
  if (it == index_.end())
    throw std::out_of_range("no parameter named " + std::string{name});
  return tensors_[it->second];
}

bool param_arena::contains(std::string_view name) const {
  return index_.contains(std::string{name});
}

tensor param_arena::fused(std::string_view first, const shape& sizes) const {
  auto it = index_.find(std::string{first});
  if (it == index_.end())
    throw std::out_of_range("no parameter named " + std::string{first});
  return tensor::from_storage(flat_.bytes(), offsets_[it->second], sizes, dtype::f32);
}

} // namespace axon
