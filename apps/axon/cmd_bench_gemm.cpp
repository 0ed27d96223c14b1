// `axon bench gemm`: sgemm GFLOP/s at the GEMM shapes of one BERT training step (the same
// model flags as `axon bench train`), split over Axon's compute threads as the linear and
// attention ops split them, and the machine's peak estimate (a large square sgemm split
// the same way). A training step's GFLOP/s over the shapes' rate is the share of the GEMM
// rate that the step reaches (docs/benchmarks.md). Human-readable lines on stderr, one
// JSON object on stdout.
#include "apps/axon/commands.hpp"
#include "apps/axon/cpu_kernels_log.hpp"
#include "apps/axon/bench_model_flags.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/median.hpp"
#include "ops/cpu/cpu_kernels.hpp"
#include "ops/cpu/gemm.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/random_fill.hpp"
#include "runtime/tensor.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <vector>

namespace axon::app {

namespace {

struct gemm_flags : bench_model_flags {
  int threads = 2, repeats = 5, peak_size = 2048;
};

// One GEMM of the step: C (m x n) = op(A) op(B), k the inner size; `count` of them per
// step (layers, or batch x heads for attention); split over threads by rows of C.
struct gemm_shape {
  std::string name;
  CBLAS_TRANSPOSE trans_a, trans_b;
  int m, n, k;
  std::int64_t count;
  double flops() const { return 2.0 * m * n * k * double(count); }
};

std::string trans_name(CBLAS_TRANSPOSE a, CBLAS_TRANSPOSE b) {
  return std::string{a == CblasTrans ? "T" : "N"} + (b == CblasTrans ? "T" : "N");
}

// The linear ops' three GEMMs (forward y = x W^T, dx = dy W, dW = dy^T x) for each
// weight, and attention's per (batch, head) score and value GEMMs, forward and backward.
std::vector<gemm_shape> step_shapes(const gemm_flags& f) {
  const int t = f.batch * f.seq, h = f.hidden, ffn = f.ffn_mult * f.hidden;
  const int hs = f.hidden / f.heads, s = f.seq;
  const std::int64_t layers = f.layers, tasks = std::int64_t{f.batch} * f.heads * f.layers;
  std::vector<gemm_shape> shapes;
  for (auto [name, out, in] : {std::tuple{"qkv", 3 * h, h}, {"attn_out", h, h},
                               {"ffn_in", ffn, h}, {"ffn_out", h, ffn}}) {
    std::string base = name;
    shapes.push_back({base + " fwd", CblasNoTrans, CblasTrans, t, out, in, layers});
    shapes.push_back({base + " dx", CblasNoTrans, CblasNoTrans, t, in, out, layers});
    shapes.push_back({base + " dW", CblasTrans, CblasNoTrans, out, in, t, layers});
  }
  shapes.push_back({"scores fwd", CblasNoTrans, CblasTrans, s, s, hs, tasks});
  shapes.push_back({"values fwd", CblasNoTrans, CblasNoTrans, s, hs, s, tasks});
  shapes.push_back({"values dP", CblasNoTrans, CblasTrans, s, s, hs, tasks});
  shapes.push_back({"values dV", CblasTrans, CblasNoTrans, s, hs, s, tasks});
  shapes.push_back({"scores dQ", CblasNoTrans, CblasNoTrans, s, hs, s, tasks});
  shapes.push_back({"scores dK", CblasTrans, CblasNoTrans, s, hs, s, tasks});
  return shapes;
}

struct operands {
  tensor a, b, c;
};

operands operands_of(const gemm_shape& g) {
  operands o{tensor::empty({std::int64_t{g.m} * g.k}), tensor::empty({std::int64_t{g.k} * g.n}),
             tensor::empty({std::int64_t{g.m} * g.n})};
  fill_normal(o.a, 0.0f, 1.0f, 1, 0);
  fill_normal(o.b, 0.0f, 1.0f, 1, 1);
  return o;
}

// Runs one shape `count` times the way the ops do: one GEMM split by rows of C, or (for
// the per-head attention GEMMs) whole GEMMs shared out over the threads.
void run_shape(const gemm_shape& g, const operands& o) {
  const float* a = o.a.data<float>();
  const float* b = o.b.data<float>();
  float* c = o.c.data<float>();
  const int lda = g.trans_a == CblasTrans ? g.m : g.k;
  const int ldb = g.trans_b == CblasTrans ? g.k : g.n;
  if (g.count > 64) { // attention: one task per (batch, head), operands reused
    parallel_for(g.count, 1, [&](std::int64_t begin, std::int64_t end) {
      for (auto task = begin; task < end; ++task)
        ops::sgemm(g.trans_a, g.trans_b, g.m, g.n, g.k, 1.0f, a, lda, b, ldb, 0.0f, c, g.n);
    });
    return;
  }
  for (std::int64_t rep = 0; rep < g.count; ++rep)
    parallel_for(g.m, 16, [&](std::int64_t begin, std::int64_t end) {
      const float* a_rows = g.trans_a == CblasTrans ? a + begin : a + begin * lda;
      ops::sgemm(g.trans_a, g.trans_b, int(end - begin), g.n, g.k, 1.0f, a_rows, lda, b, ldb,
                 0.0f, c + begin * g.n, g.n);
    });
}

// Median seconds of `repeats` timed runs after one warm-up run.
double time_shape(const gemm_shape& g, int repeats) {
  auto o = operands_of(g);
  run_shape(g, o);
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    run_shape(g, o);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return median(seconds);
}

int validate(const gemm_flags& f) {
  for (auto [name, value] : {std::pair{"layers", f.layers}, {"hidden", f.hidden},
                             {"heads", f.heads}, {"seq", f.seq}, {"batch", f.batch},
                             {"ffn-mult", f.ffn_mult}, {"threads", f.threads},
                             {"repeats", f.repeats}, {"peak-size", f.peak_size}})
    if (value < 1) {
      std::cerr << "axon bench gemm: --" << name << " must be at least 1, got " << value << '\n';
      return 2;
    }
  if (f.hidden % f.heads != 0) {
    std::cerr << "axon bench gemm: --hidden " << f.hidden << " is not a multiple of --heads "
              << f.heads << '\n';
    return 2;
  }
  if (f.threads > 256 || f.peak_size > 16384 || double(f.batch) * f.seq * f.hidden * f.ffn_mult > 2e9) {
    std::cerr << "axon bench gemm: sizes too large for one machine (at most 256 threads, "
                 "--peak-size 16384, batch x seq x hidden x ffn-mult 2e9)\n";
    return 2;
  }
  return 0;
}

} // namespace

int bench_gemm(args words) {
  gemm_flags f;
  flag_parser flags{"axon bench gemm [FLAGS]"};
  add_model_flags(flags, f);
  flags.add("threads", &f.threads, "Axon compute threads (BLAS single-threaded in each)");
  flags.add("repeats", &f.repeats, "timed runs per shape (the median is reported)");
  flags.add("peak-size", &f.peak_size, "n of the n x n x n sgemm that estimates the peak");
  if (auto status = flags.parse(words))
    return *status;
  if (auto status = validate(f))
    return status;
  if (!choose_cpu_kernels("axon bench gemm", kernel_log::summary))
    return 2;
  const auto& kernels = ops::cpu_kernels();
  compute_pool pool{f.threads};
  compute_pool::scope use_pool{&pool};

  nlohmann::ordered_json r;
  r["tool"] = "axon_bench_gemm";
  r["cpu"] = kernels.cpu_model;
  r["cpu_isa"] = ops::isa_name(kernels.cpu_level);
  r["gemm_kernel"] = "OpenBLAS " + kernels.gemm_core;
  r["gemm_isa"] = ops::isa_name(kernels.gemm_level);
  r["threads"] = f.threads;
  for (auto [key, value] : {std::pair{"layers", f.layers}, {"hidden", f.hidden},
                            {"heads", f.heads}, {"seq", f.seq}, {"batch", f.batch},
                            {"ffn", f.ffn_mult * f.hidden}})
    r[key] = value;
  double total_flops = 0, total_seconds = 0;
  auto rows = nlohmann::ordered_json::array();
  for (const auto& g : step_shapes(f)) {
    double seconds = time_shape(g, f.repeats);
    double gflops = g.flops() / seconds / 1e9;
    total_flops += g.flops();
    total_seconds += seconds;
    rows.push_back({{"name", g.name}, {"trans", trans_name(g.trans_a, g.trans_b)}, {"m", g.m},
                    {"n", g.n}, {"k", g.k}, {"count", g.count}, {"gflops", gflops}});
    std::cerr << g.name << " " << trans_name(g.trans_a, g.trans_b) << " " << g.m << "x" << g.n
              << "x" << g.k << " x" << g.count << ": " << gflops << " GFLOP/s\n";
  }
  r["shapes"] = rows;
  r["step_gemm_gflop"] = total_flops / 1e9;
  r["step_gemm_gflops"] = total_flops / total_seconds / 1e9;
  const gemm_shape square{"peak", CblasNoTrans, CblasNoTrans, f.peak_size, f.peak_size,
                          f.peak_size, 1};
  r["peak_gflops"] = square.flops() / time_shape(square, f.repeats) / 1e9;
  std::cerr << "step GEMMs: " << r["step_gemm_gflops"].get<double>() << " GFLOP/s; peak ("
            << f.peak_size << "^3): " << r["peak_gflops"].get<double>() << " GFLOP/s\n";
  std::cout << r.dump() << std::endl;
  return 0;
}

} // namespace axon::app
