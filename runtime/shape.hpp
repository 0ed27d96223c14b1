// A tensor shape: up to 6 dimensions stored inline (no allocation when tensors are copied).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>

namespace axon {

class shape {
public:
  static constexpr int max_rank = 6;

  shape() = default;
  shape(std::initializer_list<std::int64_t> dims);
  explicit shape(std::span<const std::int64_t> dims);

  int rank() const { return rank_; }
  std::int64_t operator[](int i) const { return dims_[i]; }
  /// Dimension i counted from the end when negative (-1 = last).
  std::int64_t dim(int i) const { return dims_[i < 0 ? rank_ + i : i]; }
  std::int64_t numel() const;
  std::span<const std::int64_t> dims() const { return {dims_.data(), std::size_t(rank_)}; }
  /// "[4,16,64]".
  std::string to_string() const;

  friend bool operator==(const shape& a, const shape& b);
  friend std::ostream& operator<<(std::ostream& out, const shape& s);

private:
  std::array<std::int64_t, max_rank> dims_{};
  int rank_ = 0;
};

} // namespace axon
