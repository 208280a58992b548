// klgrad/gradcheck.hpp — is an op's backward the derivative of its forward?
//
// For f: inputs -> output, compares the analytic Jacobian (one backward pass per
// output element, seeded with a one-hot gradient) with central differences
//   dF_k/dx_j ~ (F_k(x + eps e_j) - F_k(x - eps e_j)) / (2 eps)
// in double precision. Element (k, j) passes when
//   |analytic - numeric| <= atol + rtol * |numeric|
// (PyTorch's defaults: eps 1e-6, atol 1e-5, rtol 1e-3); a NaN fails. The
// analytic Jacobian is computed twice and both must agree (backward must be
// deterministic and must not depend on stale state).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "klgrad/tape.hpp"

namespace klgrad {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  std::vector<bool> wrt;  // which inputs to differentiate (empty: all)
};

struct GradcheckResult {
  bool ok = true;
  std::string message;  // on failure: the op, the input index, the element, both values
  std::size_t compared = 0;     // Jacobian entries compared
  double max_abs_diff = 0;      // largest |analytic - numeric| seen
  explicit operator bool() const { return ok; }
};

using GradcheckFn = std::function<Tensor<double>(std::vector<Tensor<double>>&)>;

GradcheckResult gradcheck(const GradcheckFn& f, const std::vector<Array<double>>& inputs,
                          const GradcheckOptions& options = {});

}  // namespace klgrad
