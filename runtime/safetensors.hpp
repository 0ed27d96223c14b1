// safetensors files (the Hugging Face format): an 8-byte little-endian header length, a
// JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {..}},
// then the raw little-endian tensor bytes. Used for checkpoints, Hugging Face weights
// and the PyTorch reference values of the tests. Reading treats the file as untrusted:
// every size and offset is checked before use.
#pragma once

#include "runtime/tensor.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace axon {

struct safetensors_file {
  std::map<std::string, tensor> tensors;
  std::map<std::string, std::string> metadata;

  /// Throws std::out_of_range naming the tensor and the file when absent.
  const tensor& at(const std::string& name) const;
  std::string path;
};

/// Reads F32, BF16 and I32 tensors as such; F16 and F64 become f32, I64 becomes i32 (with
/// a range check). Throws std::runtime_error naming the file and what is wrong.
safetensors_file read_safetensors(const std::string& path);

/// Writes tensors (host, any dtype) in the given order: to `path.tmp`, fsync, rename, so a
/// crash leaves either the old file or the complete new one.
void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

} // namespace axon
