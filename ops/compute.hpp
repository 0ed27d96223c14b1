// compute: where a model part's ops run, the host (the CPU ops) or one CUDA stream on a
// device (the CUDA ops). A stage actor, or the single-loop model, owns one and passes it
// to the layer functions, which call ops/dispatch.hpp; that is the only place that picks
// between ops:: and ops::cuda::. No CUDA header is needed to include this file, so host
// builds compile the same layer code.
#pragma once

#include "ops/gemm_precision.hpp"
#include "runtime/dtype.hpp"

#include <memory>
#include <optional>
#include <string_view>

namespace axon::ops {

namespace cuda {
class op_stream;
}

/// How attention runs on a device: gemm (cuBLAS batched GEMMs, (B,NH,T,T) probabilities
/// kept for backward) or fused (ops/cuda/flash_attention.hpp: only (B,NH,T) log-sum-exps
/// kept). The host always runs the CPU op, which keeps the probabilities.
enum class attention_kernel { gemm, fused };

/// "gemm", "fused".
std::string_view to_string(attention_kernel kernel);
/// The inverse of to_string; nullopt for any other word.
std::optional<attention_kernel> parse_attention_kernel(std::string_view word);

/// Throws std::runtime_error ("cannot use cuda:1: ...") unless this build and machine
/// reach `where` (the host always); cheap: no stream or handle is created.
void check_device(device where);

class compute {
public:
  /// The host.
  compute() = default;
  /// Ops on `where`: the host (f32 and gemm attention only), or a new stream on cuda:N
  /// with GEMMs at `precision` and attention by `attention`. Throws std::runtime_error
  /// when this build has no CUDA support or the machine no such device,
  /// std::invalid_argument for a reduced precision or fused attention on the host.
  static compute on(device where, gemm_precision precision = gemm_precision::f32,
                    attention_kernel attention = attention_kernel::gemm);

  bool on_host() const { return stream_ == nullptr; }
  device where() const;
  gemm_precision precision() const;
  attention_kernel attention() const { return attention_; }
  /// The device stream; throws std::logic_error on the host.
  const cuda::op_stream& stream() const;
  /// Waits for the queued device work and reports a fault the kernels flagged (op_error);
  /// nothing to do on the host.
  void synchronize() const;

private:
  std::shared_ptr<const cuda::op_stream> stream_;
  attention_kernel attention_ = attention_kernel::gemm;
};

/// While it lives, the calling thread's device allocations, tensor copies (tensor::to)
/// and tensor::zero_ are ordered with `c`'s stream (and its device is the current one);
/// nothing on the host. CAF runs an actor's handlers on any scheduler thread, so code
/// that computes on a device opens one at the top of each handler.
class compute_scope {
public:
  explicit compute_scope(const compute& c);
  ~compute_scope();
  compute_scope(const compute_scope&) = delete;
  compute_scope& operator=(const compute_scope&) = delete;

private:
  struct saved;
  std::unique_ptr<saved> saved_; // the thread's previous stream and device; null on the host
};

} // namespace axon::ops
