// axon-bench-gemm-libraries: single-thread sgemm GFLOP/s of the BLAS libraries Debian offers,
// at the linear-layer GEMM shapes of the two benchmark models (L4 H256 B32 S128 and
// BERT-base L12 H768 B8 S128: each weight's forward, input-gradient and weight-gradient
// GEMM), to choose how Axon runs its GEMMs (docs/benchmarks.md, "GEMM kernels").
// Columns: OpenBLAS under each core this CPU runs (switched as ops::cpu_kernels does), BLIS
// (its own CPUID dispatch) and oneDNN's dnnl_sgemm (JIT by CPU features). Built only where
// libblis-dev and libdnnl-dev are installed (bench/CMakeLists.txt).
//   usage: OMP_NUM_THREADS=1 axon-bench-gemm-libraries [repeats]
// (oneDNN runs on an OpenMP pool sized when the process starts: without the variable it
// uses every core and the comparison is void; the program refuses to run then).
#include "ops/cpu/blas.hpp"
#include "ops/cpu/cpu_features.hpp"

#include <blis.h>
#include <cblas.h>
#include <dnnl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

struct shape {
  const char* name;
  bool trans_a, trans_b;
  int m, n, k;
};

std::vector<shape> model_shapes() {
  std::vector<shape> out;
  for (auto [tokens, h] : {std::pair{4096, 256}, {1024, 768}})
    for (auto [out_features, in_features] :
         {std::pair{3 * h, h}, {h, h}, {4 * h, h}, {h, 4 * h}}) {
      out.push_back({"fwd", false, true, tokens, out_features, in_features});
      out.push_back({"dx", false, false, tokens, in_features, out_features});
      out.push_back({"dW", true, false, out_features, in_features, tokens});
    }
  return out;
}

using gemm_fn = std::function<void(const shape&, const float*, const float*, float*)>;

// Best of `repeats` runs after a warm-up, in GFLOP/s.
double rate(const gemm_fn& gemm, const shape& s, int repeats) {
  std::vector<float> a(std::size_t(s.m) * s.k), b(std::size_t(s.k) * s.n), c(std::size_t(s.m) * s.n);
  for (std::size_t i = 0; i < a.size(); ++i)
    a[i] = float(i % 17) * 0.01f;
  for (std::size_t i = 0; i < b.size(); ++i)
    b[i] = float(i % 13) * 0.01f;
  gemm(s, a.data(), b.data(), c.data());
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    gemm(s, a.data(), b.data(), c.data());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return 2.0 * s.m * s.n * s.k / best / 1e9;
}

void openblas(const shape& s, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, s.trans_a ? CblasTrans : CblasNoTrans,
              s.trans_b ? CblasTrans : CblasNoTrans, s.m, s.n, s.k, 1.0f, a,
              s.trans_a ? s.m : s.k, b, s.trans_b ? s.k : s.n, 0.0f, c, s.n);
}

void blis(const shape& s, const float* a, const float* b, float* c) {
  float one = 1.0f, zero = 0.0f;
  // Row-major A (m x k, or k x m transposed): row stride lda, column stride 1.
  bli_sgemm(s.trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
            s.trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, s.m, s.n, s.k, &one,
            const_cast<float*>(a), s.trans_a ? s.m : s.k, 1, const_cast<float*>(b),
            s.trans_b ? s.k : s.n, 1, &zero, c, s.n, 1);
}

void onednn(const shape& s, const float* a, const float* b, float* c) {
  dnnl_sgemm(s.trans_a ? 'T' : 'N', s.trans_b ? 'T' : 'N', s.m, s.n, s.k, 1.0f, a,
             s.trans_a ? s.m : s.k, b, s.trans_b ? s.k : s.n, 0.0f, c, s.n);
}

} // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  const char* omp = std::getenv("OMP_NUM_THREADS");
  if (omp == nullptr || std::string{omp} != "1") {
    std::fprintf(stderr, "axon-bench-gemm-libraries: run with OMP_NUM_THREADS=1 (oneDNN's "
                         "OpenMP pool would use every core)\n");
    return 2;
  }
  using namespace axon::ops;
  use_single_threaded_blas();
  bli_thread_set_num_threads(1);
  const auto& cpu = host_cpu();
  std::printf("CPU %s (%s); OpenBLAS chose %s; BLIS arch %s\n", cpu.model.c_str(),
              cpu.flags().c_str(), openblas_core().c_str(),
              bli_arch_string(bli_arch_query_id()));
  std::vector<std::pair<std::string, gemm_fn>> columns;
  for (const char* core : {"Haswell", "Zen", "SkylakeX", "Cooperlake"})
    if (openblas_core_level(core) <= cpu.level())
      columns.emplace_back(std::string{"OpenBLAS "} + core, [core](const shape& s, const float* a,
                                                                   const float* b, float* c) {
        if (openblas_core() != core)
          switch_openblas_core(core);
        openblas(s, a, b, c);
      });
  columns.emplace_back("BLIS", blis);
  columns.emplace_back("oneDNN", onednn);
  std::printf("| shape (M x N x K) |");
  for (const auto& [name, fn] : columns)
    std::printf(" %s |", name.c_str());
  std::printf("\n|---|");
  for (std::size_t i = 0; i < columns.size(); ++i)
    std::printf("---|");
  std::printf("\n");
  std::vector<double> flops(columns.size()), seconds(columns.size());
  for (const auto& s : model_shapes()) {
    std::printf("| %s %s%s %dx%dx%d |", s.name, s.trans_a ? "T" : "N", s.trans_b ? "T" : "N",
                s.m, s.n, s.k);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      double gflops = rate(columns[i].second, s, repeats);
      flops[i] += 2.0 * s.m * s.n * s.k;
      seconds[i] += 2.0 * s.m * s.n * s.k / (gflops * 1e9);
      std::printf(" %.1f |", gflops);
    }
    std::printf("\n");
  }
  std::printf("| all shapes (total FLOPs / total time) |");
  for (std::size_t i = 0; i < columns.size(); ++i)
    std::printf(" **%.1f** |", flops[i] / seconds[i] / 1e9);
  std::printf("\n");
  return 0;
}
