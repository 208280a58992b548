// klgrad/distributions/multivariate_normal.hpp — MultivariateNormal(loc, one of
// covariance_matrix | precision_matrix | scale_tril), PyTorch's
// torch.distributions.MultivariateNormal (1.13).
//
//   auto p = klgrad::MultivariateNormal<double>::from_covariance(loc, cov);  // loc (..., n), cov (..., n, n)
//   auto q = klgrad::MultivariateNormal<double>::from_scale_tril(mu, L);
//   auto kl = klgrad::kl_divergence(p, q);                                   // (batch), differentiable
//
// Shapes: event_shape (n); batch_shape = broadcast(loc's batch (...), the
// matrix's batch (...)). Every formula works on L, the lower Cholesky factor of
// the covariance Sigma = L L^T, kept with the matrix's own batch dims (PyTorch's
// _unbroadcasted_scale_tril) and broadcast where it meets loc or a value:
//   from_scale_tril(loc, L)       L as given
//   from_covariance(loc, Sigma)   L = cholesky(Sigma)
//   from_precision(loc, P)        L = Lp^-T with P = Lp Lp^T, computed as PyTorch
//                                 does: Lf = cholesky(flip(P)), L = solve_triangular(flip(Lf)^T, I)
//                                 (flip reverses both matrix axes)
//   (cholesky, solve_triangular, flip: klgrad/distributions/linalg.hpp, differentiable.)
//
//   log_prob(x) = -1/2 (n log 2 pi + |L^-1 (x - loc)|^2) - sum_i log L_ii
//   entropy     = n/2 (1 + log 2 pi) + sum_i log L_ii            (batch_shape)
//   mean loc, variance = diag(Sigma) = sum_j L_ij^2, covariance_matrix L L^T,
//   precision_matrix L^-T L^-1
//   rsample     = loc + L eps, eps ~ N(0, I) of shape sample_shape + batch_shape + (n)
//
// KL(p || q), PyTorch's _kl_multivariatenormal_multivariatenormal:
//   sum_i log Lq_ii - sum_i log Lp_ii
//   + 1/2 (|Lq^-1 Lp|_F^2 + |Lq^-1 (loc_q - loc_p)|^2 - n)
//   (= 1/2 (tr(Sq^-1 Sp) + (mq - mp)^T Sq^-1 (mq - mp) - n + log det Sq / det Sp)),
//   shape broadcast(p.batch_shape, q.batch_shape).
//
// Gradients are the engine's, through the ops above: w.r.t. a covariance or
// precision matrix the gradient is symmetric (cholesky's backward), as PyTorch's.
//
// Validation (PyTorch's constraints, with errors that name the parameter):
//   loc at least 1-D; the matrix (..., n, n) square with loc's n; no NaN in either;
//   covariance_matrix and precision_matrix symmetric (|A - A^T| <= 1e-6 + 1e-5 |A^T|
//   elementwise, PyTorch's isclose) and positive-definite (their Cholesky
//   factorisation succeeds); scale_tril lower triangular (the strict upper
//   triangle exactly 0) with a positive diagonal.
//
// Registration: the MultivariateNormal || MultivariateNormal pair is registered
// by the first construction (per T), like the zoo's pairs (kl_zoo.hpp).
#pragma once

#include <string>

#include "klgrad/distributions.hpp"

namespace klgrad {

template <class T>
class MultivariateNormal : public Distribution<T> {
 public:
  static MultivariateNormal from_covariance(const Tensor<T>& loc, const Tensor<T>& covariance_matrix);
  static MultivariateNormal from_precision(const Tensor<T>& loc, const Tensor<T>& precision_matrix);
  static MultivariateNormal from_scale_tril(const Tensor<T>& loc, const Tensor<T>& scale_tril);

  std::string name() const override { return "MultivariateNormal"; }
  std::size_t event_size() const { return this->event_shape()[0]; }
  const Tensor<T>& loc() const { return loc_; }                 // batch_shape + (n)
  const Tensor<T>& scale_tril() const { return scale_tril_; }   // L, with the matrix's own batch dims
  Tensor<T> covariance_matrix() const;                          // L L^T, batch_shape + (n, n)
  Tensor<T> precision_matrix() const;                           // L^-T L^-1, batch_shape + (n, n)
  Tensor<T> mean() const { return loc_; }
  Tensor<T> variance() const;                                   // batch_shape + (n)

  // value: (..., n), broadcastable against batch_shape + (n); result (...) broadcast with batch_shape.
  Tensor<T> log_prob(const Tensor<T>& value) const override;
  Tensor<T> entropy() const override;
  Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const override;
  bool has_rsample() const override { return true; }
  Tensor<T> rsample(Generator& gen, const Shape& sample_shape = {}) const override;
  // loc + L eps with a caller-drawn eps of shape sample_shape + batch_shape + (n).
  Tensor<T> rsample(const Array<T>& eps) const;

 private:
  MultivariateNormal(const Tensor<T>& loc, const Tensor<T>& scale_tril, const Shape& batch);
  Tensor<T> loc_, scale_tril_;
};

template <class T>
Tensor<T> kl_multivariate_normal_multivariate_normal(const MultivariateNormal<T>& p, const MultivariateNormal<T>& q);

}  // namespace klgrad
