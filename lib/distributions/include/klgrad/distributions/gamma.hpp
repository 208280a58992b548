// klgrad/distributions/gamma.hpp — Gamma(concentration, rate), PyTorch's
// torch.distributions.Gamma (1.13).
//
// Gamma(concentration a, rate r), a > 0, r > 0: density r^a x^(a-1) e^(-r x) / Gamma(a), x > 0
//   log_prob(x) = a log r + (a - 1) log x - r x - lgamma(a)
//   entropy     = a - log r + lgamma(a) + (1 - a) digamma(a)
//   mean a / r, variance a / r^2
//   (lgamma, digamma: klgrad/distributions/special.hpp, differentiable.)
// At x = 0 with a = 1, (a - 1) log x is 0 * -inf = NaN here; PyTorch's xlogy
// gives 0 there. log_prob does not check the support.
//
// Sampling: X = G / r with G ~ Gamma(a, 1) by Marsaglia and Tsang (2000):
//   a >= 1: d = a - 1/3, c = 1 / sqrt(9 d); repeat: z ~ N(0, 1), v = (1 + c z)^3,
//           u ~ U(0, 1), until v > 0 and log u < z^2 / 2 + d - d v + d log v; G = d v
//   a < 1:  G = G' u^(1/a) with G' ~ Gamma(a + 1, 1) (the boost)
//   Each z is a Box-Muller cosine from two uniforms of the Generator; G is
//   computed in double and clamped below to the smallest normal T (PyTorch's
//   clamp to finfo.tiny), so a tiny a never gives a draw of exactly 0.
// rsample: not yet. PyTorch differentiates Gamma draws by implicit
//   reparameterisation (dG/da from the CDF); until klgrad has it, has_rsample()
//   is false and rsample() is an Error.
#pragma once

#include <string>

#include "klgrad/distributions.hpp"

namespace klgrad {

template <class T>
class Gamma : public Distribution<T> {
 public:
  // concentration and rate broadcast to batch_shape; both > 0 elementwise.
  Gamma(const Tensor<T>& concentration, const Tensor<T>& rate);

  std::string name() const override { return "Gamma"; }
  const Tensor<T>& concentration() const { return concentration_; }
  const Tensor<T>& rate() const { return rate_; }
  Tensor<T> mean() const { return concentration_ / rate_; }
  Tensor<T> variance() const { return concentration_ / pow(rate_, T(2)); }

  Tensor<T> log_prob(const Tensor<T>& value) const override;
  Tensor<T> entropy() const override;
  Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const override;
  // An Error until implicit reparameterisation lands (see above); has_rsample() is false.
  Tensor<T> rsample(Generator& gen, const Shape& sample_shape = {}) const override;

  // Gamma(alpha, 1) draws, one per element of alpha (all > 0), by the sampler above.
  static Array<T> standard(Generator& gen, const Array<T>& alpha);

 private:
  Tensor<T> concentration_, rate_;
};

}  // namespace klgrad
