// OpenBLAS thread control and identification.
#include "ops/cpu/blas.hpp"

#include <cblas.h>

namespace axon::ops {

void use_single_threaded_blas() {
  openblas_set_num_threads(1);
}

std::string blas_description() {
  return std::string{openblas_get_config()} + " (core " + openblas_get_corename() + ")";
}

} // namespace axon::ops
