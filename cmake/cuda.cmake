# Optional CUDA: AXON_CUDA=ON requires nvcc, AUTO enables it when nvcc is found, OFF never.
# A GPU is never needed to configure or build: without one we compile for sm_90 (H100/H200).
include(CheckLanguage)
set(AXON_HAVE_CUDA OFF)
if(NOT AXON_CUDA STREQUAL "OFF")
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)
    endif()
    enable_language(CUDA)
    # CMake 3.25 has no C++20 dialect flag for nvcc 12+; the CUDA targets follow
    # CMAKE_CXX_STANDARD (20), so tell it the flag.
    if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    find_package(CUDAToolkit REQUIRED)
    set(AXON_HAVE_CUDA ON)
  elseif(AXON_CUDA STREQUAL "ON")
    message(FATAL_ERROR "AXON_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
endif()
message(STATUS "Axon CUDA support: ${AXON_HAVE_CUDA}")
