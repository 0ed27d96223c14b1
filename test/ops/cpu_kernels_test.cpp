// The CPU kernel choice (ops/cpu/cpu_kernels.hpp): GEMMs never run on a generic OpenBLAS
// core, and the own loops never below the CPU's level, on a CPU with AVX2 or AVX-512 (the
// CPU's flags read independently, from /proc/cpuinfo); the decision table; switching
// OpenBLAS's core as Axon does for a CPU that OpenBLAS does not know; and every build of
// the own loops agreeing with the generic one.
#include "ops/cpu/blas.hpp"
#include "ops/cpu/cpu_kernels.hpp"
#include "ops/cpu/gemm.hpp"
#include "ops/cpu/simd_kernels.hpp"
#include "test/ops/op_test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

using namespace axon;
using ops::isa_level;

namespace {

// The flags of the first processor in /proc/cpuinfo (empty when there is none).
std::set<std::string> proc_cpuinfo_flags() {
  std::ifstream in{"/proc/cpuinfo"};
  for (std::string line; std::getline(in, line);)
    if (line.rfind("flags", 0) == 0) {
      std::istringstream words{line.substr(line.find(':') + 1)};
      return {std::istream_iterator<std::string>{words}, std::istream_iterator<std::string>{}};
    }
  return {};
}

isa_level level_of_flags(const std::set<std::string>& f) {
  auto has = [&f](const char* name) { return f.count(name) != 0; };
  if (has("avx512f") && has("avx512bw") && has("avx512dq") && has("avx512vl") && has("avx2"))
    return isa_level::avx512;
  if (has("avx2") && has("fma"))
    return isa_level::avx2;
  if (has("avx"))
    return isa_level::avx;
  return isa_level::generic;
}

ops::cpu_features cpu_of(isa_level level, bool bf16 = false) {
  ops::cpu_features cpu;
  cpu.avx = level >= isa_level::avx;
  cpu.avx2 = level >= isa_level::avx2;
  cpu.avx512 = level >= isa_level::avx512;
  cpu.avx512_bf16 = bf16;
  return cpu;
}

// C = A B (row-major, m x k times k x n) in double: the reference for sgemm.
std::vector<double> reference_product(const tensor& a, const tensor& b, int m, int n, int k) {
  std::vector<double> c(std::size_t(m) * n, 0.0);
  for (int i = 0; i < m; ++i)
    for (int p = 0; p < k; ++p)
      for (int j = 0; j < n; ++j)
        c[i * n + j] += double(a.data<float>()[i * k + p]) * b.data<float>()[p * n + j];
  return c;
}

double max_relative_error(const tensor& a, const tensor& b, int m, int n, int k) {
  auto want = reference_product(a, b, m, n, k);
  auto c = tensor::zeros({m, n});
  ops::sgemm(CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a.data<float>(), k, b.data<float>(), n,
             0.0f, c.data<float>(), n);
  double worst = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    worst = std::max(worst, std::fabs(c.data<float>()[i] - want[i]) / (1.0 + std::fabs(want[i])));
  return worst;
}

bool named_in_environment() {
  return std::getenv("OPENBLAS_CORETYPE") != nullptr || std::getenv("AXON_SIMD") != nullptr;
}

} // namespace

BOOST_AUTO_TEST_SUITE(cpu_kernels_suite)

BOOST_AUTO_TEST_CASE(detection_agrees_with_proc_cpuinfo) {
  auto flags = proc_cpuinfo_flags();
  if (flags.empty()) {
    BOOST_TEST_MESSAGE("no /proc/cpuinfo: nothing to compare with");
    return;
  }
  BOOST_TEST(ops::isa_name(ops::host_cpu().level()) == ops::isa_name(level_of_flags(flags)));
}

BOOST_AUTO_TEST_CASE(no_generic_gemm_and_no_lower_own_loops_on_an_avx2_or_avx512_cpu) {
  const auto& k = ops::cpu_kernels();
  BOOST_TEST_MESSAGE(k.summary());
  auto flags = proc_cpuinfo_flags();
  auto cpu_level = flags.empty() ? ops::host_cpu().level() : level_of_flags(flags);
  if (cpu_level < isa_level::avx2)
    return;
  BOOST_TEST((k.warning.empty() == (k.gemm_level >= cpu_level)));
  BOOST_TEST(ops::isa_name(ops::simd().level) == ops::isa_name(k.simd_level));
  if (const char* named = std::getenv("OPENBLAS_CORETYPE")) {
    // A core named in the environment (by a variant run, or by an administrator ruling
    // kernels out) is kept: check that it is, not what it is.
    BOOST_TEST_MESSAGE("OPENBLAS_CORETYPE=" << named << " names the GEMM core");
    BOOST_TEST(k.gemm_reason == "named by OPENBLAS_CORETYPE");
  } else {
    BOOST_TEST((ops::openblas_core_level(k.gemm_core) >= isa_level::avx2),
               "GEMMs run on OpenBLAS core " << k.gemm_core << " on a "
                                             << ops::isa_name(cpu_level) << " CPU");
  }
  if (std::getenv("AXON_SIMD") == nullptr)
    BOOST_TEST(ops::isa_name(k.simd_level) == ops::isa_name(cpu_level),
               "own loops run " << ops::isa_name(k.simd_level) << " on a "
                                << ops::isa_name(cpu_level) << " CPU");
}

BOOST_AUTO_TEST_CASE(the_gemm_core_decision) {
  auto choose = [](isa_level level, const char* openblas, bool bf16 = false) {
    return ops::choose_gemm_core(cpu_of(level, bf16), openblas, false).core;
  };
  // A CPU newer than OpenBLAS's table (an Emerald Rapids Xeon is "Prescott" to 0.3.21).
  BOOST_TEST(choose(isa_level::avx512, "Prescott", true) == "SkylakeX");
  BOOST_TEST(choose(isa_level::avx512, "Prescott") == "SkylakeX");
  BOOST_TEST(choose(isa_level::avx512, "Haswell") == "SkylakeX");
  BOOST_TEST(choose(isa_level::avx2, "Unknown") == "Haswell");
  BOOST_TEST(choose(isa_level::avx2, "Nehalem") == "Haswell");
  BOOST_TEST(choose(isa_level::avx, "Prescott") == "Sandybridge");
  // OpenBLAS's own choice stands when it reaches the CPU's level.
  BOOST_TEST(choose(isa_level::avx2, "Zen") == "Zen");
  BOOST_TEST(choose(isa_level::avx512, "Cooperlake") == "Cooperlake");
  BOOST_TEST(choose(isa_level::generic, "Prescott") == "Prescott");
  // A core named by the user stands, whatever it is.
  BOOST_TEST(ops::choose_gemm_core(cpu_of(isa_level::avx512), "Prescott", true).core == "Prescott");
  BOOST_TEST(ops::isa_name(ops::openblas_core_level("skylakex")) == "avx512");
  BOOST_TEST(ops::isa_name(ops::openblas_core_level("NoSuchCore")) == "generic");
}

BOOST_AUTO_TEST_CASE(a_generic_openblas_choice_is_switched_to_the_cpus_level_with_equal_results) {
  const auto& k = ops::cpu_kernels();
  if (k.cpu_level < isa_level::avx2 || named_in_environment())
    return;
  const std::string chosen = ops::openblas_core();
  std::mt19937 rng{7};
  const int m = 96, n = 80, kk = 200;
  auto a = test::random_tensor({m, kk}, rng), b = test::random_tensor({kk, n}, rng);
  // What OpenBLAS does on a CPU it does not know: SSE3 kernels.
  BOOST_REQUIRE(ops::switch_openblas_core("Prescott"));
  BOOST_REQUIRE_EQUAL(ops::openblas_core(), "Prescott");
  double generic_error = max_relative_error(a, b, m, n, kk);
  auto choice = ops::choose_gemm_core(ops::host_cpu(), ops::openblas_core(), false);
  BOOST_REQUIRE(ops::switch_openblas_core(choice.core));
  BOOST_TEST(ops::openblas_core() == choice.core);
  BOOST_TEST(ops::isa_name(ops::openblas_core_level(ops::openblas_core()))
             == ops::isa_name(k.cpu_level == isa_level::avx ? isa_level::avx : k.cpu_level));
  double chosen_error = max_relative_error(a, b, m, n, kk);
  BOOST_TEST(generic_error < 1e-5);
  BOOST_TEST(chosen_error < 1e-5);
  BOOST_REQUIRE(ops::switch_openblas_core(chosen)); // as the process had it
  BOOST_TEST(ops::openblas_core() == chosen);
}

BOOST_AUTO_TEST_CASE(every_build_of_the_own_loops_agrees_with_the_generic_one) {
  const auto& generic = ops::simd_kernels_for(isa_level::generic);
  std::mt19937 rng{11};
  const std::int64_t c = 773; // not a multiple of any vector width
  auto x = test::random_tensor({c}, rng, 3.0f), dy = test::random_tensor({c}, rng);
  auto w = test::random_tensor({c}, rng, 1.0f, 1.0f), b = test::random_tensor({c}, rng);
  auto keep = tensor::empty({c});
  for (std::int64_t i = 0; i < c; ++i)
    keep.data<float>()[i] = i % 5 == 3 ? 0.0f : 1.0f;
  for (auto level : {isa_level::avx2, isa_level::avx512}) {
    if (level > ops::host_cpu().level())
      continue;
    const auto& built = ops::simd_kernels_for(level);
    BOOST_TEST(ops::isa_name(built.level) == ops::isa_name(level));
    auto run = [&](const ops::simd_kernels& s) {
      std::vector<tensor> out;
      auto y = tensor::zeros({c});
      s.gelu_forward(y.data<float>(), x.data<float>(), 0, c);
      out.push_back(y);
      auto dx = tensor::zeros({c});
      s.gelu_backward(dx.data<float>(), dy.data<float>(), x.data<float>(), 0, c, true);
      out.push_back(dx);
      auto p = tensor::zeros({c});
      s.softmax_row(p.data<float>(), x.data<float>(), c);
      out.push_back(p);
      auto dp = tensor::zeros({c});
      s.softmax_row_backward(dp.data<float>(), dy.data<float>(), p.data<float>(), c);
      out.push_back(dp);
      auto mp = tensor::zeros({c});
      s.masked_softmax_row(mp.data<float>(), x.data<float>(), keep.data<float>(), c);
      out.push_back(mp);
      auto ln = tensor::zeros({c});
      auto stats = s.layernorm_forward_row(ln.data<float>(), x.data<float>(), w.data<float>(),
                                           b.data<float>(), c, 1e-5f);
      out.push_back(ln);
      auto dln = tensor::zeros({c});
      std::vector<double> partial(2 * c, 0.0);
      s.layernorm_backward_row(dln.data<float>(), partial.data(), dy.data<float>(),
                               x.data<float>(), w.data<float>(), stats, c, false);
      out.push_back(dln);
      auto param = x.clone(), m = tensor::zeros({c}), v = tensor::zeros({c});
      s.adamw(param.data<float>(), m.data<float>(), v.data<float>(), dy.data<float>(), 0, c,
              {0.999f, 1e-3f, 0.03f, 0.9f, 0.999f, 1e-8f});
      out.push_back(param);
      auto sum = x.clone();
      s.add(sum.data<float>(), dy.data<float>(), 0, c);
      out.push_back(sum);
      auto scaled = x.clone();
      s.scale(scaled.data<float>(), dy.data<float>(), w.data<float>(), c, true);
      out.push_back(scaled);
      return out;
    };
    auto want = run(generic), got = run(built);
    const char* names[] = {"gelu_forward", "gelu_backward", "softmax_row",
                           "softmax_row_backward", "masked_softmax_row", "layernorm_forward_row",
                           "layernorm_backward_row", "adamw", "add", "scale"};
    for (std::size_t i = 0; i < want.size(); ++i) {
      auto m = test::compare(got[i], want[i], 1e-6f, 1e-5f);
      BOOST_TEST(m.count == 0, ops::isa_name(level) << " " << names[i] << ": " << m.count
                                                    << " elements differ from the generic build");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
