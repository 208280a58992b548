// klgrad/distributions/uniform.hpp — Uniform(low, high), PyTorch's
// torch.distributions.Uniform (1.13).
//
// Uniform(low l, high h), l < h: density 1 / (h - l) on [l, h)
//   log_prob(x) = log [l <= x < h] - log(h - l)   (-inf outside: the indicator
//                 is a constant, so the gradient reaches l and h through -log(h - l))
//   entropy     = log(h - l)
//   mean (l + h) / 2, variance (h - l)^2 / 12
//   rsample     = l + u (h - l), u ~ U[0, 1) a constant; sample is the same draw, detached.
// Validation: l and h must be real (no NaN) and l < h elementwise. (PyTorch 1.13's
// constraints on low and high are "dependent" and are not checked; klgrad does.)
// log_prob does not raise for x outside [l, h) (PyTorch's validate_args does): it is -inf there.
#pragma once

#include <string>

#include "klgrad/distributions.hpp"

namespace klgrad {

template <class T>
class Uniform : public Distribution<T> {
 public:
  // low and high broadcast to batch_shape; low < high elementwise.
  Uniform(const Tensor<T>& low, const Tensor<T>& high);

  std::string name() const override { return "Uniform"; }
  const Tensor<T>& low() const { return low_; }
  const Tensor<T>& high() const { return high_; }
  Tensor<T> mean() const { return (low_ + high_) / T(2); }
  Tensor<T> variance() const { return pow(high_ - low_, T(2)) / T(12); }

  Tensor<T> log_prob(const Tensor<T>& value) const override;
  Tensor<T> entropy() const override;
  Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const override;
  bool has_rsample() const override { return true; }
  Tensor<T> rsample(Generator& gen, const Shape& sample_shape = {}) const override;

 private:
  Tensor<T> low_, high_;
};

}  // namespace klgrad
