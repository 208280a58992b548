// klgrad/distributions/low_rank_multivariate_normal.hpp —
// LowRankMultivariateNormal(loc, cov_factor, cov_diag), PyTorch's
// torch.distributions.LowRankMultivariateNormal (1.13): a normal with
// covariance Sigma = W W^T + D, W = cov_factor (..., n, m), D = diag(cov_diag (..., n)).
//
//   auto q = klgrad::LowRankMultivariateNormal<double>(loc, W, d);  // loc (..., n), W (..., n, m), d (..., n) > 0
//   auto kl = klgrad::kl_divergence(p, q);                           // p: LowRank or MultivariateNormal
//
// batch_shape = broadcast(loc's batch, W's batch (all but the last two dims),
// d's batch); event_shape (n). W and d are kept with their own batch dims (PyTorch's
// _unbroadcasted_cov_factor/_unbroadcasted_cov_diag). Nothing of size n x n is
// factored: with the capacitance C = I_m + W^T D^-1 W and its Cholesky factor Lc,
//   log det Sigma     = 2 sum_i log Lc_ii + sum_i log d_i             (determinant lemma)
//   x^T Sigma^-1 x    = sum_i x_i^2 / d_i - |Lc^-1 W^T D^-1 x|^2      (Woodbury)
//   log_prob(x)       = -1/2 (n log 2 pi + log det Sigma + (x - loc)^T Sigma^-1 (x - loc))
//   entropy           = 1/2 (n (1 + log 2 pi) + log det Sigma)
//   mean loc, variance sum_j W_ij^2 + d_i, covariance_matrix W W^T + D,
//   precision_matrix  D^-1 - A^T A with A = Lc^-1 W^T D^-1
//   scale_tril        D^1/2 cholesky(I_n + D^-1/2 W W^T D^-1/2)        (well conditioned)
//   rsample           loc + W eps_W + sqrt(d) eps_D, eps_W (sample_shape + batch_shape + (m)),
//                     eps_D (sample_shape + batch_shape + (n)), both N(0, I)
//
// KL pairs, PyTorch's formulas (torch/distributions/kl.py), p and q over the same n;
// ld = log det Sigma, maha_q(x) = x^T Sigma_q^-1 x, |X|_F^2 = sum of squares:
//   LowRank || LowRank   1/2 (ld_q - ld_p + maha_q(mq - mp) - n + sum(dp / dq)
//                        + |W_p / sqrt(dq)|_F^2 - |A_q diag(sqrt(dp))|_F^2 - |A_q W_p|_F^2)
//   MVN || LowRank       1/2 (ld_q - 2 sum log Lp_ii + maha_q(mq - mp) - n
//                        + |diag(dq)^-1/2 Lp|_F^2 - |A_q Lp|_F^2)
//   LowRank || MVN       1/2 (2 sum log Lq_ii - ld_p + |Lq^-1 (mq - mp)|^2 - n
//                        + |Lq^-1 W_p|_F^2 + |Lq^-1 diag(sqrt(dp))|_F^2)
//   registered by the first construction of a LowRankMultivariateNormal<T>.
//
// Validation (PyTorch's): loc at least 1-D; cov_factor at least 2-D with n rows;
// cov_diag ending in n; the three batch shapes broadcast; loc and cov_factor
// without NaN; cov_diag > 0.
//
// (The implementation shares lib/distributions/src/distributions/multivariate_normal.cpp
// with MultivariateNormal: one xtensor translation unit for both.)
#pragma once

#include <string>

#include "klgrad/distributions/multivariate_normal.hpp"

namespace klgrad {

template <class T>
class LowRankMultivariateNormal : public Distribution<T> {
 public:
  LowRankMultivariateNormal(const Tensor<T>& loc, const Tensor<T>& cov_factor, const Tensor<T>& cov_diag);

  std::string name() const override { return "LowRankMultivariateNormal"; }
  std::size_t event_size() const { return this->event_shape()[0]; }
  const Tensor<T>& loc() const { return loc_; }                  // batch_shape + (n)
  const Tensor<T>& cov_factor() const { return cov_factor_; }    // W, its own batch dims + (n, m)
  const Tensor<T>& cov_diag() const { return cov_diag_; }        // d, its own batch dims + (n)
  const Tensor<T>& capacitance_tril() const { return capacitance_tril_; }  // Lc, (..., m, m)
  Tensor<T> mean() const { return loc_; }
  Tensor<T> variance() const;           // batch_shape + (n)
  Tensor<T> covariance_matrix() const;  // batch_shape + (n, n)
  Tensor<T> precision_matrix() const;   // batch_shape + (n, n)
  Tensor<T> scale_tril() const;         // batch_shape + (n, n)
  Tensor<T> log_det() const;            // log det Sigma, the parameters' broadcast batch
  // x^T Sigma^-1 x for x (..., n)
  Tensor<T> mahalanobis(const Tensor<T>& x) const;

  Tensor<T> log_prob(const Tensor<T>& value) const override;
  Tensor<T> entropy() const override;
  Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const override;
  bool has_rsample() const override { return true; }
  Tensor<T> rsample(Generator& gen, const Shape& sample_shape = {}) const override;
  // loc + W eps_W + sqrt(d) eps_D with caller-drawn eps_W (sample_shape + batch_shape + (m))
  // and eps_D (sample_shape + batch_shape + (n)).
  Tensor<T> rsample(const Array<T>& eps_W, const Array<T>& eps_D) const;

 private:
  Tensor<T> loc_, cov_factor_, cov_diag_, capacitance_tril_;
};

template <class T>
Tensor<T> kl_lowrank_lowrank(const LowRankMultivariateNormal<T>& p, const LowRankMultivariateNormal<T>& q);
template <class T>
Tensor<T> kl_multivariate_normal_lowrank(const MultivariateNormal<T>& p, const LowRankMultivariateNormal<T>& q);
template <class T>
Tensor<T> kl_lowrank_multivariate_normal(const LowRankMultivariateNormal<T>& p, const MultivariateNormal<T>& q);

}  // namespace klgrad
