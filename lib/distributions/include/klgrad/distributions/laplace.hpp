// klgrad/distributions/laplace.hpp — the Laplace distribution and KL(Laplace || Laplace),
// PyTorch's torch.distributions.Laplace. Added by following docs/EXTENDING.md.
//
// Laplace(loc m, scale b), b > 0: density e^(-|x - m| / b) / (2 b)
//   log_prob(x) = -log(2 b) - |x - m| / b
//   entropy     = 1 + log(2 b)
//   mean m, variance 2 b^2
//   rsample     = m + b z with z a standard Laplace draw (a constant), so the
//                 gradient reaches m and b; sample is the same draw, detached.
//   z from one uniform u in [0, 1) (Generator::uniform), w = 2 u:
//     z = log(1 - w)             for w < 1   (minus an Exp(1) draw)
//     z = -log(1 - (w - 1))      for w >= 1  (plus an Exp(1) draw)
//   1 - w and 1 - (w - 1) lie in (0, 1], so z is always finite.
//
// KL(Laplace(m1, b1) || Laplace(m2, b2)), with delta = |m1 - m2|
//   = E_p[log p(X) - log q(X)]
//   = log(2 b2) - log(2 b1) - E_p|X - m1| / b1 + E_p|X - m2| / b2
//   E_p|X - m1| = b1, and for Y = X - m1 ~ Laplace(0, b1), as |a| = -a + 2 max(a, 0) and E Y = 0,
//   E|Y - delta| = delta + 2 int_delta^inf (y - delta) e^(-y / b1) / (2 b1) dy = delta + b1 e^(-delta / b1), so
//   KL = log(b2 / b1) + delta / b2 + (b1 / b2) e^(-delta / b1) - 1
//   (PyTorch's _kl_laplace_laplace writes the same four terms.) At delta = 0 the
//   |.| kink cancels: dKL/d delta = (1 - e^(-delta / b1)) / b2 vanishes there,
//   so the gradient of abs at 0 (0, as PyTorch) is the true gradient.
//
// Registration: the pair is registered by the first construction of a
// Laplace<T> (a function-local static in the constructor, run once per T,
// thread-safe). Why not a static initializer in laplace.cpp: it would also run
// whenever laplace.o is linked, but static-initialisation order across files is
// unspecified, so another file's global that calls kl_divergence on Laplaces
// could run first; and a file that registers a pair for types it does not define
// would be dropped from the static archive altogether. Constructing a Laplace is
// the only way to reach kl_divergence(Laplace, Laplace), so first construction
// is always early enough. To replace the built-in pair with your own function,
// call register_kl after a Laplace<T> has been constructed once.
#pragma once

#include <string>

#include "klgrad/distributions.hpp"

namespace klgrad {

template <class T>
class Laplace : public Distribution<T> {
 public:
  // loc and scale broadcast to batch_shape; scale > 0 elementwise.
  Laplace(const Tensor<T>& loc, const Tensor<T>& scale);

  std::string name() const override { return "Laplace"; }
  const Tensor<T>& loc() const { return loc_; }
  const Tensor<T>& scale() const { return scale_; }
  Tensor<T> mean() const { return loc_; }
  Tensor<T> variance() const { return T(2) * pow(scale_, T(2)); }

  Tensor<T> log_prob(const Tensor<T>& value) const override;
  Tensor<T> entropy() const override;
  Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const override;
  bool has_rsample() const override { return true; }
  Tensor<T> rsample(Generator& gen, const Shape& sample_shape = {}) const override;
  // loc + z * scale with a caller-drawn standard Laplace z (shape sample_shape + batch_shape).
  Tensor<T> rsample(const Array<T>& z) const;

  // Standard Laplace draws (loc 0, scale 1) of `shape`, one uniform each.
  static Array<T> standard(Generator& gen, const Shape& shape);

 private:
  Tensor<T> loc_, scale_;
};

// KL(p || q) in closed form (above), shape broadcast(p.batch_shape, q.batch_shape).
// kl_divergence(p, q) dispatches here once a Laplace<T> has been constructed.
template <class T>
Tensor<T> kl_laplace_laplace(const Laplace<T>& p, const Laplace<T>& q);

}  // namespace klgrad
