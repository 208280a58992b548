#include "klgrad/error.hpp"
#include "klgrad/nn.hpp"

// OpenBLAS's thread control. Declared here rather than through <cblas.h>,
// which clashes with the declarations xtensor-blas makes (docs/XTENSOR.md).
extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

namespace klgrad {

void set_num_threads(int n) {
  KLGRAD_CHECK(n >= 1, "set_num_threads: " + std::to_string(n) + " threads; use 1 or more");
  openblas_set_num_threads(n);
}

int num_threads() { return openblas_get_num_threads(); }

}  // namespace klgrad
