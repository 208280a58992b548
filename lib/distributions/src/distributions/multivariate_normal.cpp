// MultivariateNormal: construction with PyTorch 1.13's checks, log_prob,
// entropy, moments, sample, rsample, and KL(MultivariateNormal || MultivariateNormal).
// Math: klgrad/distributions/multivariate_normal.hpp; the linear algebra:
// klgrad/distributions/linalg.hpp.
#include "klgrad/distributions/multivariate_normal.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "klgrad/distributions/linalg.hpp"

namespace klgrad {

namespace {

constexpr double log_two_pi = 1.83787706640934548356;

Shape leading(const Shape& s, std::size_t tail) { return Shape(s.begin(), s.end() - static_cast<std::ptrdiff_t>(tail)); }

Shape with_event(Shape s, std::size_t n, std::size_t copies) {
  for (std::size_t k = 0; k < copies; ++k) s.push_back(n);
  return s;
}

std::string at(std::size_t b, std::size_t i, std::size_t j) {
  return "(" + std::to_string(i) + ", " + std::to_string(j) + ") of matrix " + std::to_string(b);
}

// The batch shape broadcast(loc (..., n), m (..., n, n)), after the shape checks
// PyTorch makes (and the event sizes it leaves to fail later).
template <class T>
Shape batch_of(const Tensor<T>& loc, const Tensor<T>& m, const std::string& what) {
  const std::string d = "MultivariateNormal: ";
  KLGRAD_CHECK(&loc.tape() == &m.tape(), d + "loc and " + what + " live on different tapes; build one step on one tape");
  KLGRAD_CHECK(loc.dim() >= 1, d + "loc must be at least one-dimensional (..., n), got shape " + shape_str(loc.shape()) +
                                   "; for one dimension use shape (1,)");
  const Shape& s = m.shape();
  KLGRAD_CHECK(s.size() >= 2 && s[s.size() - 1] == s[s.size() - 2],
               d + what + " must be a batch of square matrices (..., n, n), got shape " + shape_str(s));
  const std::size_t n = loc.shape().back();
  KLGRAD_CHECK(n >= 1 && s.back() == n, d + "loc " + shape_str(loc.shape()) + " and " + what + " " + shape_str(s) +
                                            " disagree on the event size n (loc's last dim, the matrix's last two)");
  Shape batch;
  try {
    batch = broadcast_shapes(leading(loc.shape(), 1), leading(s, 2), "MultivariateNormal");
  } catch (const Error&) {
    throw Error(d + "the batch dims of loc " + shape_str(loc.shape()) + " and " + what + " " + shape_str(s) +
                " are not broadcastable: aligned from the right, each pair of dimensions must be equal or 1");
  }
  const Array<T>& l = loc.value();
  for (std::size_t i = 0; i < l.size(); ++i)
    KLGRAD_CHECK(!std::isnan(l.flat(i)), d + "loc must be a real vector, found nan at element " + std::to_string(i) +
                                             " of loc " + shape_str(l.shape()) + "; check what produced it");
  return batch;
}

// PyTorch's constraints.positive_definite: symmetric (isclose(A, A^T, atol=1e-6),
// rtol 1e-5) and a successful Cholesky factorisation.
template <class T>
void check_positive_definite(const Tensor<T>& m, const std::string& what) {
  const Array<T>& a = m.value();
  const std::size_t n = a.shape().back(), nn = n * n;
  for (std::size_t b = 0; b < a.size() / nn; ++b)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < i; ++j) {
        const T x = a.data()[b * nn + i * n + j], y = a.data()[b * nn + j * n + i];
        KLGRAD_CHECK(std::abs(x - y) <= T(1e-6) + T(1e-5) * std::abs(y),
                     "MultivariateNormal: " + what + " is not symmetric: element " + at(b, i, j) + " of " + what +
                         " " + shape_str(a.shape()) + " is " + number_str(x) + " but its mirror is " + number_str(y) +
                         "; symmetrise it, e.g. (A + A^T) / 2");
      }
  const std::string why = not_positive_definite(a, what);
  KLGRAD_CHECK(why.empty(), "MultivariateNormal: " + what + " is not positive-definite (" + why +
                                "); build it as A A^T + eps I with eps > 0, or pass scale_tril");
}

// PyTorch's constraints.lower_cholesky: tril(L) == L and a positive diagonal.
template <class T>
void check_lower_cholesky(const Tensor<T>& m) {
  const Array<T>& a = m.value();
  const std::size_t n = a.shape().back(), nn = n * n;
  const std::string where = " of scale_tril " + shape_str(a.shape());
  for (std::size_t b = 0; b < a.size() / nn; ++b)
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = i + 1; j < n; ++j)
        KLGRAD_CHECK(a.data()[b * nn + i * n + j] == T(0),
                     "MultivariateNormal: scale_tril must be lower triangular, found " +
                         number_str(a.data()[b * nn + i * n + j]) + " above the diagonal at " + at(b, i, j) + where +
                         "; keep only the lower triangle (tril)");
      const T d = a.data()[b * nn + i * n + i];
      KLGRAD_CHECK(d > T(0), "MultivariateNormal: scale_tril's diagonal must be > 0, found " + number_str(d) + " at " +
                                 at(b, i, i) + where + "; e.g. exp or softplus of a raw diagonal");
    }
}

template <class T>
void register_mvn_kl() {
  static const bool registered = [] {
    register_kl<MultivariateNormal<T>, MultivariateNormal<T>>(&kl_multivariate_normal_multivariate_normal<T>);
    return true;
  }();
  (void)registered;
}

}  // namespace

template <class T>
MultivariateNormal<T>::MultivariateNormal(const Tensor<T>& loc, const Tensor<T>& scale_tril, const Shape& batch)
    : Distribution<T>(loc.tape(), batch, Shape{loc.shape().back()}) {
  register_mvn_kl<T>();
  loc_ = detail::expand_to(loc, with_event(batch, event_size(), 1));
  scale_tril_ = scale_tril;
}

template <class T>
MultivariateNormal<T> MultivariateNormal<T>::from_scale_tril(const Tensor<T>& loc, const Tensor<T>& scale_tril) {
  const Shape batch = batch_of(loc, scale_tril, "scale_tril");
  check_lower_cholesky(scale_tril);
  return MultivariateNormal(loc, scale_tril, batch);
}

// L = cholesky(Sigma)
template <class T>
MultivariateNormal<T> MultivariateNormal<T>::from_covariance(const Tensor<T>& loc, const Tensor<T>& covariance_matrix) {
  const Shape batch = batch_of(loc, covariance_matrix, "covariance_matrix");
  check_positive_definite(covariance_matrix, "covariance_matrix");
  return MultivariateNormal(loc, cholesky(covariance_matrix), batch);
}

// PyTorch's _precision_to_scale_tril: Lf = cholesky(flip(P)), L = solve_triangular(flip(Lf)^T, I)
template <class T>
MultivariateNormal<T> MultivariateNormal<T>::from_precision(const Tensor<T>& loc, const Tensor<T>& precision_matrix) {
  const Shape batch = batch_of(loc, precision_matrix, "precision_matrix");
  check_positive_definite(precision_matrix, "precision_matrix");
  const Tensor<T> Lf = cholesky(flip_matrices(precision_matrix));
  const Tensor<T> L_inv = transpose(flip_matrices(Lf), -2, -1);
  return MultivariateNormal(loc, solve_triangular(L_inv, eye_like(loc, loc.shape().back())), batch);
}

// L L^T
template <class T>
Tensor<T> MultivariateNormal<T>::covariance_matrix() const {
  return detail::expand_to(matmul_nt(scale_tril_, scale_tril_), with_event(this->batch_shape(), event_size(), 2));
}

// W^T W with W = L^-1
template <class T>
Tensor<T> MultivariateNormal<T>::precision_matrix() const {
  const Tensor<T> Wt = transpose(solve_triangular(scale_tril_, eye_like(loc_, event_size())), -2, -1);
  return detail::expand_to(matmul_nt(Wt, Wt), with_event(this->batch_shape(), event_size(), 2));
}

// sum_j L_ij^2
template <class T>
Tensor<T> MultivariateNormal<T>::variance() const {
  return detail::expand_to(sum(scale_tril_ * scale_tril_, {-1}), with_event(this->batch_shape(), event_size(), 1));
}

// -1/2 (n log 2 pi + |L^-1 (x - loc)|^2) - sum_i log L_ii
template <class T>
Tensor<T> MultivariateNormal<T>::log_prob(const Tensor<T>& value) const {
  const std::size_t n = event_size();
  KLGRAD_CHECK(value.dim() >= 1 && value.shape().back() == n,
               "MultivariateNormal::log_prob: value " + shape_str(value.shape()) + " must end with the event size n = " +
                   std::to_string(n) + " (shape sample_shape + batch_shape + (n))");
  try {
    broadcast_shapes(value.shape(), loc_.shape(), "MultivariateNormal::log_prob");
  } catch (const Error&) {
    throw Error("MultivariateNormal::log_prob: value " + shape_str(value.shape()) + " does not broadcast with " +
                shape_str(loc_.shape()) + " (batch_shape + (n))");
  }
  const Tensor<T> M = mahalanobis(scale_tril_, value - loc_);
  return T(-0.5) * (M + static_cast<T>(static_cast<double>(n) * log_two_pi)) - half_log_det(scale_tril_);
}

// n/2 (1 + log 2 pi) + sum_i log L_ii
template <class T>
Tensor<T> MultivariateNormal<T>::entropy() const {
  const double n = static_cast<double>(event_size());
  const Tensor<T> H = half_log_det(scale_tril_) + static_cast<T>(0.5 * n * (1.0 + log_two_pi));
  return detail::expand_to(H, this->batch_shape());
}

template <class T>
Tensor<T> MultivariateNormal<T>::sample(Generator& gen, const Shape& sample_shape) const {
  const Array<T> eps = gen.normal<T>(this->extended_shape(sample_shape));
  Array<T> x;
  {
    NoGrad no_grad;
    x = rsample(eps).value();
  }
  return this->tape().constant(x);
}

template <class T>
Tensor<T> MultivariateNormal<T>::rsample(Generator& gen, const Shape& sample_shape) const {
  return rsample(gen.normal<T>(this->extended_shape(sample_shape)));
}

// loc + L eps
template <class T>
Tensor<T> MultivariateNormal<T>::rsample(const Array<T>& eps) const {
  const Shape& e = eps.shape();
  const Shape& l = loc_.shape();
  KLGRAD_CHECK(e.size() >= l.size() && std::equal(l.begin(), l.end(), e.end() - static_cast<std::ptrdiff_t>(l.size())),
               "MultivariateNormal::rsample: eps " + shape_str(e) + " must end with batch_shape + (n) = " + shape_str(l) +
                   " (eps shape = sample_shape + batch_shape + (n))");
  return loc_ + batch_mv(scale_tril_, this->tape().constant(eps));
}

// sum log diag Lq - sum log diag Lp + 1/2 (|Lq^-1 Lp|_F^2 + |Lq^-1 (mq - mp)|^2 - n)
template <class T>
Tensor<T> kl_multivariate_normal_multivariate_normal(const MultivariateNormal<T>& p, const MultivariateNormal<T>& q) {
  const std::size_t n = p.event_size();
  KLGRAD_CHECK(n == q.event_size(), "kl_divergence(MultivariateNormal, MultivariateNormal): p's event size " +
                                        std::to_string(n) + " and q's " + std::to_string(q.event_size()) +
                                        " differ; the KL needs both over the same space");
  const Tensor<T> half_term1 = half_log_det(q.scale_tril()) - half_log_det(p.scale_tril());
  const Tensor<T> X = solve_triangular(q.scale_tril(), p.scale_tril());
  const Tensor<T> term2 = sum(X * X, {-2, -1});
  const Tensor<T> term3 = mahalanobis(q.scale_tril(), q.loc() - p.loc());
  return half_term1 + T(0.5) * (term2 + term3 - static_cast<T>(n));
}

template class MultivariateNormal<float>;
template class MultivariateNormal<double>;
template Tensor<float> kl_multivariate_normal_multivariate_normal(const MultivariateNormal<float>&,
                                                                  const MultivariateNormal<float>&);
template Tensor<double> kl_multivariate_normal_multivariate_normal(const MultivariateNormal<double>&,
                                                                   const MultivariateNormal<double>&);

}  // namespace klgrad
