// param_arena layout and lookup.
#include "runtime/param_arena.hpp"

#include <cstring>
#include <stdexcept>

namespace axon {

namespace {

std::int64_t total_numel(const std::vector<param_spec>& specs) {
  std::int64_t total = 0;
  for (const auto& s : specs)
    total += s.sizes.numel();
  return total;
}

} // namespace

param_arena::param_arena(std::vector<param_spec> specs, device where)
  : specs_(std::move(specs)) {
  auto total = total_numel(specs_);
  auto bytes = storage::allocate(static_cast<std::size_t>(total) * sizeof(float), where);
  flat_ = tensor::from_storage(bytes, 0, shape{total}, dtype::f32);
  flat_.zero_();
  carve(bytes, 0);
}

param_arena param_arena::over(std::vector<param_spec> specs, const tensor& flat) {
  param_arena arena;
  arena.specs_ = std::move(specs);
  auto total = total_numel(arena.specs_);
  if (!flat.defined() || flat.type() != dtype::f32 || flat.numel() != total)
    throw std::invalid_argument("param_arena::over: got " + flat.describe() + ", expected f32["
                                + std::to_string(total) + "]");
  arena.flat_ = flat.reshape({total});
  arena.carve(flat.bytes(), flat.offset());
  return arena;
}

void param_arena::carve(const std::shared_ptr<storage>& bytes, std::size_t base_offset) {
  std::size_t offset = base_offset;
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    if (!index_.emplace(specs_[i].name, i).second)
      throw std::invalid_argument("param_arena: duplicate parameter name " + specs_[i].name);
    offsets_.push_back(offset);
    tensors_.push_back(tensor::from_storage(bytes, offset, specs_[i].sizes, dtype::f32));
    offset += static_cast<std::size_t>(specs_[i].sizes.numel()) * sizeof(float);
  }
}

param_arena param_arena::like() const {
  return param_arena{specs_, flat_.defined() ? flat_.where() : device::cpu()};
}

param_arena param_arena::clone() const {
  return flat_.defined() ? over(specs_, flat_.clone()) : param_arena{};
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

std::vector<spec_range> split_specs(const std::vector<param_spec>& specs, int parts) {
  if (parts < 1 || static_cast<std::size_t>(parts) > specs.size())
    throw std::invalid_argument("cannot split " + std::to_string(specs.size()) + " tensors into "
                                + std::to_string(parts) + " slices of whole tensors");
  std::int64_t total = 0;
  for (const auto& s : specs)
    total += s.sizes.numel();
  std::vector<spec_range> ranges;
  std::size_t next = 0;
  std::int64_t offset = 0;
  for (int k = 0; k < parts; ++k) {
    spec_range r{next, next, offset, 0};
    // Take tensors until this slice reaches its share of the total, leaving at least one
    // tensor for each slice after it.
    const std::int64_t target = total * (k + 1) / parts;
    const std::size_t keep = static_cast<std::size_t>(parts - k - 1);
    while (r.last < specs.size() - keep
           && (r.last == r.first || offset + specs[r.last].sizes.numel() / 2 <= target)) {
      offset += specs[r.last].sizes.numel();
      ++r.last;
    }
    if (k == parts - 1)
      for (; r.last < specs.size(); ++r.last)
        offset += specs[r.last].sizes.numel();
    r.count = offset - r.offset;
    next = r.last;
    ranges.push_back(r);
  }
  return ranges;
}

} // namespace axon
