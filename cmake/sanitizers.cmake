# Instrumented builds (each in its own build folder):
#   -DAXON_SANITIZE=ON  ASan + UBSan on everything (the sanitizer CI lane, scripts/test.sh)
#   -DAXON_FUZZ=ON      clang's libFuzzer coverage on every library, ASan + UBSan too; the
#                       fuzz_* targets of test/fuzz/ link libFuzzer (scripts/fuzz.sh)
option(AXON_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(AXON_FUZZ "Build the libFuzzer targets (clang) with ASan and UBSan" OFF)
if(AXON_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AXON_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(AXON_SANITIZE ON)
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link>)
endif()
if(AXON_SANITIZE)
  # UBSan findings stop the program (a test fails) instead of printing and going on: under
  # libFuzzer by -fno-sanitize-recover; in the sanitizer lane by UBSAN_OPTIONS=halt_on_error=1
  # (scripts/sanitize.sh), since only recoverable checks honour the lane's suppressions of
  # two CAF 0.17 header patterns (scripts/ubsan-caf.supp): the abort variants die first.
  set(axon_sanitizers -fsanitize=address,undefined -fno-omit-frame-pointer)
  if(AXON_FUZZ)
    list(APPEND axon_sanitizers -fno-sanitize-recover=undefined)
  endif()
  add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:${axon_sanitizers}>")
  add_link_options(-fsanitize=address,undefined)
endif()
