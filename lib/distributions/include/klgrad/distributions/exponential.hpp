// klgrad/distributions/exponential.hpp — Exponential(rate), PyTorch's
// torch.distributions.Exponential (1.13).
//
// Exponential(rate r), r > 0: density r e^(-r x) on x >= 0
//   log_prob(x) = log r - r x
//   entropy     = 1 - log r
//   mean 1 / r, variance 1 / r^2
//   rsample     = e / r with e ~ Exp(1) a constant (e = -log(1 - u), u uniform in
//                 [0, 1), so e is finite), so the gradient reaches r; sample is
//                 the same draw, detached.
// log_prob does not check that x lies in the support (PyTorch's validate_args
// raises for x < 0); there it returns the formula's value.
//
// KL pairs with Exponential (formulas: klgrad/distributions/kl_zoo.hpp) are
// registered by the first construction of any zoo family (Exponential, Gamma,
// Beta, Uniform) of that scalar type.
#pragma once

#include <string>

#include "klgrad/distributions.hpp"

namespace klgrad {

template <class T>
class Exponential : public Distribution<T> {
 public:
  // rate > 0 elementwise; batch_shape = rate's shape.
  explicit Exponential(const Tensor<T>& rate);

  std::string name() const override { return "Exponential"; }
  const Tensor<T>& rate() const { return rate_; }
  Tensor<T> mean() const { return pow(rate_, T(-1)); }
  Tensor<T> variance() const { return pow(rate_, T(-2)); }

  Tensor<T> log_prob(const Tensor<T>& value) const override;
  Tensor<T> entropy() const override;
  Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const override;
  bool has_rsample() const override { return true; }
  Tensor<T> rsample(Generator& gen, const Shape& sample_shape = {}) const override;

  // Standard Exp(1) draws of `shape`, one uniform each.
  static Array<T> standard(Generator& gen, const Shape& shape);

 private:
  Tensor<T> rate_;
};

}  // namespace klgrad
