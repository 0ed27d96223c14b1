// CPUID through GCC's builtins: __builtin_cpu_supports also checks that the OS saves the
// AVX and AVX-512 register state (XGETBV), so a feature reported here can be used.
#include "ops/cpu/cpu_features.hpp"

#include <array>
#include <cpuid.h>
#include <cstring>

namespace axon::ops {

std::string_view isa_name(isa_level level) {
  switch (level) {
  case isa_level::generic: return "generic";
  case isa_level::avx: return "avx";
  case isa_level::avx2: return "avx2";
  case isa_level::avx512: return "avx512";
  }
  return "generic";
}

isa_level cpu_features::level() const {
  if (avx512)
    return isa_level::avx512;
  if (avx2)
    return isa_level::avx2;
  if (avx)
    return isa_level::avx;
  return isa_level::generic;
}

std::string cpu_features::flags() const {
  std::string out;
  auto add = [&out](bool has, const char* name) {
    if (has)
      out += (out.empty() ? "" : " ") + std::string{name};
  };
  add(avx, "avx");
  add(avx2, "avx2 fma");
  add(avx512, "avx512f avx512bw avx512dq avx512vl");
  add(avx512_bf16, "avx512_bf16");
  return out.empty() ? "sse2" : out;
}

namespace {

// Leaves 0x80000002..4 hold the 48-byte brand string; padded with spaces and NULs.
std::string brand_string() {
  std::array<unsigned, 12> words{};
  unsigned max_leaf = __get_cpuid_max(0x80000000u, nullptr);
  if (max_leaf < 0x80000004u)
    return "unknown x86-64 CPU";
  for (unsigned i = 0; i < 3; ++i)
    __get_cpuid(0x80000002u + i, &words[4 * i], &words[4 * i + 1], &words[4 * i + 2],
                &words[4 * i + 3]);
  char text[49] = {};
  std::memcpy(text, words.data(), 48);
  std::string s{text};
  auto first = s.find_first_not_of(' ');
  auto last = s.find_last_not_of(' ');
  return first == std::string::npos ? "unknown x86-64 CPU" : s.substr(first, last - first + 1);
}

// AVX512_BF16 is CPUID leaf 7 sub-leaf 1, EAX bit 5; GCC 12 has no builtin name for it.
// Usable only where AVX-512 state is (checked by the caller through avx512f).
bool has_avx512_bf16() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_max(0, nullptr) < 7 || !__get_cpuid_count(7, 1, &a, &b, &c, &d))
    return false;
  return (a & (1u << 5)) != 0;
}

cpu_features detect() {
  __builtin_cpu_init();
  cpu_features f;
  f.model = brand_string();
  f.avx = __builtin_cpu_supports("avx");
  f.avx2 = f.avx && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  f.avx512 = f.avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
             && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  f.avx512_bf16 = f.avx512 && has_avx512_bf16();
  return f;
}

} // namespace

const cpu_features& host_cpu() {
  static const cpu_features features = detect();
  return features;
}

} // namespace axon::ops
