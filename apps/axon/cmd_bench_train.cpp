// `axon bench train`: BERT classifier training and inference throughput, with the flags
// and data of ../shared/bench/peer_torch_bert.py so the two run side by side. Random token
// ids in [1, vocab), token 0 = [CLS] (101), row lengths uniform in [min-len, seq], pad
// id 0 masked out, random labels; padded tokens count in tokens/s (the compute is done).
// Prints human-readable lines on stderr and one JSON object on stdout.
#include "apps/axon/bench_train_runners.hpp"
#include "apps/axon/commands.hpp"
#include "apps/axon/cpu_kernels_log.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/median.hpp"
#include "actors/bert/setup_compute.hpp"
#include "ops/cpu/cpu_kernels.hpp"
#include "runtime/monitor/endpoint.hpp"
#include "runtime/monitor/job_view.hpp"
#include "runtime/random_fill.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <sys/resource.h>
#include <vector>

namespace axon::app {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

std::vector<bert::batch> make_batches(const bench_train_flags& f, int count) {
  std::vector<bert::batch> batches;
  const std::int64_t b = f.batch, t = f.seq;
  for (int k = 0; k < count; ++k) {
    auto stream = static_cast<std::uint64_t>(k) * 3;
    bert::batch in;
    in.ids = tensor::empty({b, t}, dtype::i32);
    fill_uniform_int(in.ids, 1, f.vocab, f.seed, stream);
    auto lengths = tensor::empty({b}, dtype::i32);
    fill_uniform_int(lengths, f.min_len, f.seq + 1, f.seed, stream + 1);
    in.labels = tensor::empty({b}, dtype::i32);
    fill_uniform_int(in.labels, 0, f.classes, f.seed, stream + 2);
    in.mask = tensor::empty({b, t}, dtype::i32);
    auto* ids = in.ids.data<std::int32_t>();
    auto* mask = in.mask.data<std::int32_t>();
    for (std::int64_t r = 0; r < b; ++r)
      for (std::int64_t j = 0; j < t; ++j) {
        bool real = j < lengths.data<std::int32_t>()[r];
        mask[r * t + j] = real;
        if (j == 0)
          ids[r * t] = std::min(101, f.vocab - 1); // [CLS]
        if (!real)
          ids[r * t + j] = 0; // [PAD]
      }
    batches.push_back(std::move(in));
  }
  return batches;
}

// FLOPs of one forward pass, as peer_torch_bert.py counts them (multiply-add = 2), over
// `tokens` token rows whose sequences' squared lengths sum to `squares` (attention).
double forward_flops(const bench_train_flags& f, double tokens, double squares) {
  double h = f.hidden, ffn = double(f.ffn_mult) * f.hidden;
  double n_mm = f.layers * (4 * h * h + 2 * h * ffn);
  double n_head = h * f.classes + (f.pooler ? h * h : 0);
  return 2 * n_mm * tokens + f.layers * 4 * squares * h + 2 * n_head * f.batch;
}

// The padded batch's FLOPs: every sequence S tokens long.
double forward_flops(const bench_train_flags& f) {
  const double b = f.batch, s = f.seq;
  return forward_flops(f, b * s, b * s * s);
}

// FLOPs of one forward pass over the real tokens only, mean over `batches`: the work a
// model that skips the padding does.
double computed_forward_flops(const bench_train_flags& f, const std::vector<bert::batch>& batches) {
  if (f.no_packing || batches.empty())
    return forward_flops(f);
  double total = 0;
  for (const auto& in : batches) {
    double tokens = 0, squares = 0;
    for (std::int64_t r = 0; r < in.mask.size(0); ++r) {
      double length = 0;
      for (std::int64_t j = 0; j < in.mask.size(1); ++j)
        length += in.mask.data<std::int32_t>()[r * in.mask.size(1) + j];
      tokens += length;
      squares += length * length;
    }
    total += forward_flops(f, tokens, squares);
  }
  return total / double(batches.size());
}

int validate(const bench_train_flags& f) {
  auto bad = [](const std::string& message) {
    std::cerr << "axon bench train: " << message << '\n';
    return 2;
  };
  if (f.layers < 0 || f.hidden < 1 || f.heads < 1 || f.seq < 1 || f.batch < 1 || f.vocab < 2
      || f.classes < 1 || f.ffn_mult < 1)
    return bad("--layers must be >= 0; --hidden, --heads, --seq, --batch, --classes, "
               "--ffn-mult >= 1; --vocab >= 2");
  if (f.hidden % f.heads != 0)
    return bad("--hidden must be divisible by --heads");
  if (f.steps < 1 || f.repeats < 1 || f.warmup < 0)
    return bad("--steps and --repeats must be >= 1, --warmup >= 0");
  if (f.threads < 1)
    return bad("--threads must be >= 1");
  if (f.min_len < 1 || f.min_len > f.seq)
    return bad("--min-len must be in [1, seq]");
  if (f.phase != "both" && f.phase != "train" && f.phase != "infer")
    return bad("--phase must be both, train or infer");
  if (f.mode != "loop" && f.mode != "actors")
    return bad("--mode must be loop or actors");
  try {
    device::parse(f.device);
  } catch (const std::invalid_argument& e) {
    return bad(std::string{"--device: "} + e.what());
  }
  if (!ops::parse_gemm_precision(f.precision))
    return bad("--precision must be f32, tf32 or bf16");
  if (!ops::parse_attention_kernel(f.attention))
    return bad("--attention must be gemm or fused");
  if (f.stages < 1 || f.shards < 1 || f.micro_batches < 1 || f.credit_window < 1)
    return bad("--stages, --shards, --micro-batches and --credit-window must be >= 1");
  if (f.stages > f.layers + 1)
    return bad("--stages must be at most --layers + 1");
  if (f.batch < f.shards * f.micro_batches)
    return bad("--batch must be at least --shards x --micro-batches");
  if (!(f.dropout >= 0 && f.dropout < 1))
    return bad("--dropout must be in [0, 1)");
  return 0;
}

} // namespace

int bench_train(args words) {
  bench_train_flags f;
  flag_parser flags{"axon bench train [FLAGS]"};
  add_model_flags(flags, f);
  flags.add("steps", &f.steps, "timed steps per window");
  flags.add("warmup", &f.warmup, "untimed steps before timing");
  flags.add("repeats", &f.repeats, "timed windows; the median is reported");
  flags.add("threads", &f.threads, "compute threads (one per core)");
  flags.add("seed", &f.seed, "seed for weights and data");
  flags.add("vocab", &f.vocab, "vocabulary size");
  flags.add("classes", &f.classes, "classifier outputs");
  flags.add("min-len", &f.min_len, "shortest row length (0: seq/2)");
  flags.add("lr", &f.lr, "AdamW learning rate");
  flags.add("weight-decay", &f.weight_decay, "AdamW weight decay (all tensors, as the peer)");
  flags.add("dropout", &f.dropout, "hidden and attention dropout");
  flags.add("pooler", &f.pooler, "use BERT's pooler (dense + tanh on [CLS])");
  flags.add("no-packing", &f.no_packing,
            "compute the padding too (by default the CPU computes only real tokens)");
  flags.add("phase", &f.phase, "what to time: both, train or infer");
  flags.add("mode", &f.mode, "loop: the single-loop model; actors: the actor graph");
  flags.add("device", &f.device,
            "where the model computes: cpu, cuda or cuda:N (actors: every stage and optimizer)");
  flags.add("precision", &f.precision,
            "GEMM arithmetic on a CUDA device: f32, tf32 or bf16 (bf16 inputs, fp32 accumulation)");
  flags.add("attention", &f.attention,
            "attention on a CUDA device: gemm (cuBLAS) or fused (flash-style kernels)");
  flags.add("stages", &f.stages, "actors: pipeline stages per replica");
  flags.add("shards", &f.shards, "actors: data-parallel replicas");
  flags.add("micro-batches", &f.micro_batches, "actors: micro-batches per replica and step");
  flags.add("credit-window", &f.credit_window, "actors: micro-batches in flight per edge");
  flags.add("monitor", &f.monitor,
            "actors: keep the console's probes and serve the endpoint, as `axon train` does");
  if (auto status = flags.parse(words))
    return *status;
  if (f.min_len == 0)
    f.min_len = std::max(1, f.seq / 2);
  if (auto status = validate(f))
    return status;

  if (!choose_cpu_kernels("axon bench train", kernel_log::summary))
    return 2;
  const auto& kernels = ops::cpu_kernels();
  auto cfg = model_config(f);
  monitor::process_probes().set_enabled(f.monitor);
  std::unique_ptr<monitor::endpoint> endpoint;
  if (f.monitor) {
    endpoint = std::make_unique<monitor::endpoint>(monitor::endpoint_options{},
                                                   monitor::process_probes(),
                                                   [](const std::string& line) { std::cerr << line << '\n'; });
    std::cerr << "axon bench train: monitor endpoint on 127.0.0.1:" << endpoint->port() << '\n';
  }
  ops::compute on; // checked here, so a missing device is one clear error in either mode
  try {
    on = compute_of(f.device, f.precision, f.attention);
  } catch (const std::exception& e) {
    std::cerr << "axon bench train: " << e.what() << '\n';
    return 1;
  }
  auto model = make_runner(f, cfg, std::move(on));
  auto batches = make_batches(f, std::min(f.warmup + f.steps * f.repeats, 64));
  const double tokens = double(f.batch) * f.seq;
  std::cerr << "axon bench train: mode=" << f.mode << " device=" << f.device
            << " precision=" << f.precision << " L=" << f.layers << " H=" << f.hidden
            << " A=" << f.heads << " S=" << f.seq << " B=" << f.batch
            << " params=" << model->params() << " threads=" << f.threads << '\n';

  nlohmann::ordered_json r;
  r["tool"] = "axon_bench_train";
  r["mode"] = f.mode;
  r["device"] = f.device;
  r["precision"] = f.precision;
  r["attention"] = f.attention;
  for (auto [key, value] : {std::pair{"layers", f.layers}, {"hidden", f.hidden}, {"heads", f.heads},
                            {"seq", f.seq}, {"batch", f.batch}, {"classes", f.classes},
                            {"vocab", f.vocab}, {"ffn", f.ffn_mult * f.hidden},
                            {"min_len", f.min_len}, {"steps", f.steps}, {"warmup", f.warmup},
                            {"repeats", f.repeats}, {"threads", f.threads}, {"stages", f.stages},
                            {"shards", f.shards}, {"micro_batches", f.micro_batches},
                            {"credit_window", f.credit_window}})
    r[key] = value;
  r["pooler"] = f.pooler;
  r["packing"] = !f.no_packing;
  r["monitor"] = f.monitor;
  r["dropout"] = f.dropout;
  r["seed"] = f.seed;
  r["params"] = model->params();
  const double fwd_flops = forward_flops(f);
  const double computed_fwd_flops = computed_forward_flops(f, batches);
  r["computed_flops_share"] = computed_fwd_flops / fwd_flops;

  if (f.phase != "infer") {
    std::vector<double> windows;
    phase_times phases;
    std::vector<float> losses;
    std::uint64_t k = 0;
    auto step = [&](phase_times* record) {
      losses.push_back(model->train(batches[k % batches.size()], k, record));
      ++k;
    };
    for (int i = 0; i < f.warmup; ++i)
      step(nullptr);
    const double cpu_start = monitor::process_cpu_seconds();
    for (int w = 0; w < f.repeats; ++w) {
      auto t0 = clock_type::now();
      for (int i = 0; i < f.steps; ++i)
        step(&phases);
      windows.push_back(seconds_since(t0));
    }
    // CPU time (all threads) per step: what a cost such as monitoring adds, and less
    // disturbed than wall time when other programs share the cores.
    r["train_cpu_ms_per_step"] =
      1e3 * (monitor::process_cpu_seconds() - cpu_start) / (f.repeats * f.steps);
    double t = median(windows);
    r["train_tokens_per_s"] = tokens * f.steps / t;
    r["train_tokens_per_s_min"] = tokens * f.steps / *std::max_element(windows.begin(), windows.end());
    r["train_tokens_per_s_max"] = tokens * f.steps / *std::min_element(windows.begin(), windows.end());
    r["train_step_ms"] = 1e3 * t / f.steps;
    if (!phases.fwd_ms.empty()) { // the loop times its phases; the actor graph overlaps them
      r["train_fwd_ms"] = median(phases.fwd_ms);
      r["train_bwd_ms"] = median(phases.bwd_ms);
      r["train_opt_ms"] = median(phases.opt_ms);
    }
    r["train_gflops"] = 3 * fwd_flops * f.steps / t / 1e9;
    r["train_gflops_computed"] = 3 * computed_fwd_flops * f.steps / t / 1e9;
    r["loss_first"] = losses.front();
    r["loss_last"] = losses.back();
    std::cerr << "train: " << r["train_tokens_per_s"].get<double>() << " tok/s, step "
              << r["train_step_ms"].get<double>() << " ms\n";
  }
  if (f.phase != "train") {
    std::vector<double> windows;
    std::size_t k = 0;
    for (int i = 0; i < f.warmup; ++i)
      model->infer(batches[k++ % batches.size()]);
    for (int w = 0; w < f.repeats; ++w) {
      auto t0 = clock_type::now();
      for (int i = 0; i < f.steps; ++i)
        model->infer(batches[k++ % batches.size()]);
      windows.push_back(seconds_since(t0));
    }
    double t = median(windows);
    r["infer_tokens_per_s"] = tokens * f.steps / t;
    r["infer_batch_ms"] = 1e3 * t / f.steps;
    r["infer_gflops"] = fwd_flops * f.steps / t / 1e9;
    r["infer_gflops_computed"] = computed_fwd_flops * f.steps / t / 1e9;
    std::cerr << "infer: " << r["infer_tokens_per_s"].get<double>() << " tok/s\n";
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  r["peak_rss_mib"] = double(usage.ru_maxrss) / 1024.0;
  r["cpu"] = kernels.cpu_model;
  r["cpu_isa"] = ops::isa_name(kernels.cpu_level);
  r["cpu_flags"] = kernels.cpu_flags;
  r["gemm_kernel"] = "OpenBLAS " + kernels.gemm_core;
  r["gemm_isa"] = ops::isa_name(kernels.gemm_level);
  r["gemm_reason"] = kernels.gemm_reason;
  r["own_loops_isa"] = ops::isa_name(kernels.simd_level);
  r["blas"] = kernels.blas_config;
  std::cout << r.dump() << std::endl;
  return 0;
}

} // namespace axon::app
