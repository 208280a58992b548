// klgrad/distributions/beta.hpp — Beta(concentration1, concentration0), PyTorch's
// torch.distributions.Beta (1.13).
//
// Beta(a = concentration1, b = concentration0), a > 0, b > 0, s = a + b:
//   density x^(a-1) (1 - x)^(b-1) / B(a, b) on [0, 1], log B(a, b) = lgamma(a) + lgamma(b) - lgamma(s)
//   log_prob(x) = (a - 1) log x + (b - 1) log(1 - x) - log B(a, b)
//   entropy     = log B(a, b) - (a - 1) digamma(a) - (b - 1) digamma(b) + (s - 2) digamma(s)
//   mean a / s, variance a b / (s^2 (s + 1))
//   (PyTorch computes all of these through a two-category Dirichlet; the sums are
//   the same terms.) log_prob does not check the support.
//
// Sampling: X / (X + Y) with X ~ Gamma(a, 1), Y ~ Gamma(b, 1) drawn by
//   Gamma<T>::standard (X then Y for each element), each clamped below to the
//   smallest normal T, so the ratio is always defined.
// rsample: not yet (PyTorch uses implicit reparameterisation of the Gamma
//   draws); has_rsample() is false and rsample() is an Error.
#pragma once

#include <string>

#include "klgrad/distributions.hpp"

namespace klgrad {

template <class T>
class Beta : public Distribution<T> {
 public:
  // concentration1 (a) and concentration0 (b) broadcast to batch_shape; both > 0.
  Beta(const Tensor<T>& concentration1, const Tensor<T>& concentration0);

  std::string name() const override { return "Beta"; }
  const Tensor<T>& concentration1() const { return concentration1_; }
  const Tensor<T>& concentration0() const { return concentration0_; }
  Tensor<T> mean() const { return concentration1_ / (concentration1_ + concentration0_); }
  Tensor<T> variance() const;

  Tensor<T> log_prob(const Tensor<T>& value) const override;
  Tensor<T> entropy() const override;
  Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const override;
  // An Error until implicit reparameterisation lands (see above); has_rsample() is false.
  Tensor<T> rsample(Generator& gen, const Shape& sample_shape = {}) const override;

 private:
  Tensor<T> concentration1_, concentration0_;
};

}  // namespace klgrad
