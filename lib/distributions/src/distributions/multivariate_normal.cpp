// MultivariateNormal and LowRankMultivariateNormal: construction with PyTorch
// 1.13's checks, log_prob, entropy, moments, sample, rsample, and their four KL
// pairs. Math: klgrad/distributions/{multivariate_normal,low_rank_multivariate_normal}.hpp;
// the linear algebra: klgrad/distributions/linalg.hpp. (One translation unit for
// both families: each xtensor TU costs about 1 GiB and many seconds to compile.)
#include "klgrad/distributions/low_rank_multivariate_normal.hpp"

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

// No NaN anywhere in the batch of matrices m (PyTorch's checks fail on NaN too:
// NaN is neither close to its mirror nor equal to its tril).
template <class T>
void check_no_nan(const Tensor<T>& m, const std::string& what) {
  const Array<T>& a = m.value();
  const std::size_t n = a.shape().back(), nn = n * n;
  for (std::size_t k = 0; k < a.size(); ++k)
    KLGRAD_CHECK(!std::isnan(a.flat(k)), "MultivariateNormal: " + what + " must be real, found nan at element " +
                                             at(k / nn, k % nn / n, k % n) + " of " + what + " " + shape_str(a.shape()) +
                                             "; check what produced it");
}

// PyTorch's constraints.positive_definite: symmetric (isclose(A, A^T, atol=1e-6),
// rtol 1e-5) and a successful Cholesky factorisation.
template <class T>
void check_positive_definite(const Tensor<T>& m, const std::string& what) {
  check_no_nan(m, what);
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
  check_no_nan(m, "scale_tril");
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

// ---- LowRankMultivariateNormal ---------------------------------------------------

namespace {

// |X|_F^2 per matrix: PyTorch's _batch_trace_XXT
template <class T>
Tensor<T> sum_squares(const Tensor<T>& X) {
  return sum(X * X, {-2, -1});
}

// W^T D^-1 = W^T / d[.., None, :]: (..., m, n)
template <class T>
Tensor<T> wt_dinv(const Tensor<T>& W, const Tensor<T>& d) {
  return transpose(W, -2, -1) / unsqueeze(d, -2);
}

template <class T>
std::size_t lowrank_event(const Tensor<T>& loc) {
  KLGRAD_CHECK(loc.dim() >= 1, "LowRankMultivariateNormal: loc must be at least one-dimensional (..., n), got shape " +
                                   shape_str(loc.shape()) + "; for one dimension use shape (1,)");
  return loc.shape().back();
}

// broadcast(loc's batch, W's batch, d's batch) after PyTorch's shape checks, and the value checks.
template <class T>
Shape lowrank_batch(const Tensor<T>& loc, const Tensor<T>& W, const Tensor<T>& d) {
  const std::string dist = "LowRankMultivariateNormal: ";
  KLGRAD_CHECK(&loc.tape() == &W.tape() && &loc.tape() == &d.tape(),
               dist + "loc, cov_factor and cov_diag live on different tapes; build one step on one tape");
  const std::size_t n = lowrank_event(loc);
  KLGRAD_CHECK(W.dim() >= 2, dist + "cov_factor must be at least two-dimensional (..., n, m), got shape " +
                                 shape_str(W.shape()));
  KLGRAD_CHECK(W.shape()[W.dim() - 2] == n, dist + "cov_factor " + shape_str(W.shape()) +
                                                " must be a batch of n x m matrices with n = " + std::to_string(n) +
                                                " (loc's last dim)");
  KLGRAD_CHECK(d.dim() >= 1 && d.shape().back() == n, dist + "cov_diag " + shape_str(d.shape()) +
                                                          " must be a batch of vectors of size n = " + std::to_string(n) +
                                                          " (loc's last dim)");
  Shape batch;
  try {
    batch = broadcast_shapes(broadcast_shapes(leading(loc.shape(), 1), leading(W.shape(), 2), "LowRankMultivariateNormal"),
                             leading(d.shape(), 1), "LowRankMultivariateNormal");
  } catch (const Error&) {
    throw Error(dist + "incompatible batch shapes: loc " + shape_str(loc.shape()) + ", cov_factor " +
                shape_str(W.shape()) + ", cov_diag " + shape_str(d.shape()) +
                "; aligned from the right, each pair of batch dimensions must be equal or 1");
  }
  const Array<T>& l = loc.value();
  for (std::size_t i = 0; i < l.size(); ++i)
    KLGRAD_CHECK(!std::isnan(l.flat(i)), dist + "loc must be a real vector, found nan at element " + std::to_string(i) +
                                             " of loc " + shape_str(l.shape()));
  const Array<T>& w = W.value();
  for (std::size_t i = 0; i < w.size(); ++i)
    KLGRAD_CHECK(!std::isnan(w.flat(i)), dist + "cov_factor must be real, found nan at element " + std::to_string(i) +
                                             " of cov_factor " + shape_str(w.shape()));
  const Array<T>& v = d.value();
  for (std::size_t i = 0; i < v.size(); ++i)
    KLGRAD_CHECK(v.flat(i) > T(0), dist + "cov_diag must be > 0, found " + number_str(v.flat(i)) + " at element " +
                                       std::to_string(i) + " of cov_diag " + shape_str(v.shape()) +
                                       "; keep it positive by construction, e.g. exp(log_diag) or softplus(raw)");
  return batch;
}

void check_same_event(const char* pair, std::size_t np, std::size_t nq) {
  KLGRAD_CHECK(np == nq, std::string("kl_divergence") + pair + ": p's event size " + std::to_string(np) + " and q's " +
                             std::to_string(nq) + " differ; the KL needs both over the same space");
}

template <class T>
void register_lowrank_kl() {
  static const bool registered = [] {
    register_kl<LowRankMultivariateNormal<T>, LowRankMultivariateNormal<T>>(&kl_lowrank_lowrank<T>);
    register_kl<MultivariateNormal<T>, LowRankMultivariateNormal<T>>(&kl_multivariate_normal_lowrank<T>);
    register_kl<LowRankMultivariateNormal<T>, MultivariateNormal<T>>(&kl_lowrank_multivariate_normal<T>);
    return true;
  }();
  (void)registered;
}

}  // namespace

// Lc = cholesky(I_m + W^T D^-1 W)
template <class T>
LowRankMultivariateNormal<T>::LowRankMultivariateNormal(const Tensor<T>& loc, const Tensor<T>& cov_factor,
                                                        const Tensor<T>& cov_diag)
    : Distribution<T>(loc.tape(), lowrank_batch(loc, cov_factor, cov_diag), Shape{lowrank_event(loc)}) {
  register_lowrank_kl<T>();
  loc_ = detail::expand_to(loc, with_event(this->batch_shape(), event_size(), 1));
  cov_factor_ = cov_factor;
  cov_diag_ = cov_diag;
  const Tensor<T> K = matmul_nt(wt_dinv(cov_factor, cov_diag), transpose(cov_factor, -2, -1));
  capacitance_tril_ = cholesky(K + eye_like(loc, cov_factor.shape().back()));
}

// 2 sum log diag Lc + sum log d
template <class T>
Tensor<T> LowRankMultivariateNormal<T>::log_det() const {
  return T(2) * half_log_det(capacitance_tril_) + sum(log(cov_diag_), {-1});
}

// sum x^2 / d - |Lc^-1 W^T D^-1 x|^2
template <class T>
Tensor<T> LowRankMultivariateNormal<T>::mahalanobis(const Tensor<T>& x) const {
  const Tensor<T> term1 = sum(x * x / cov_diag_, {-1});
  return term1 - klgrad::mahalanobis(capacitance_tril_, batch_mv(wt_dinv(cov_factor_, cov_diag_), x));
}

template <class T>
Tensor<T> LowRankMultivariateNormal<T>::variance() const {
  return detail::expand_to(sum(cov_factor_ * cov_factor_, {-1}) + cov_diag_,
                           with_event(this->batch_shape(), event_size(), 1));
}

template <class T>
Tensor<T> LowRankMultivariateNormal<T>::covariance_matrix() const {
  return detail::expand_to(matmul_nt(cov_factor_, cov_factor_) + diag_embed(cov_diag_),
                           with_event(this->batch_shape(), event_size(), 2));
}

// D^-1 - A^T A, A = Lc^-1 W^T D^-1
template <class T>
Tensor<T> LowRankMultivariateNormal<T>::precision_matrix() const {
  const Tensor<T> At = transpose(solve_triangular(capacitance_tril_, wt_dinv(cov_factor_, cov_diag_)), -2, -1);
  return detail::expand_to(diag_embed(pow(cov_diag_, T(-1))) - matmul_nt(At, At),
                           with_event(this->batch_shape(), event_size(), 2));
}

// D^1/2 cholesky(I + D^-1/2 W W^T D^-1/2)
template <class T>
Tensor<T> LowRankMultivariateNormal<T>::scale_tril() const {
  const Tensor<T> s = unsqueeze(sqrt(cov_diag_), -1);
  const Tensor<T> X = cov_factor_ / s;
  const Tensor<T> L = s * cholesky(matmul_nt(X, X) + eye_like(loc_, event_size()));
  return detail::expand_to(L, with_event(this->batch_shape(), event_size(), 2));
}

template <class T>
Tensor<T> LowRankMultivariateNormal<T>::log_prob(const Tensor<T>& value) const {
  const std::size_t n = event_size();
  KLGRAD_CHECK(value.dim() >= 1 && value.shape().back() == n,
               "LowRankMultivariateNormal::log_prob: value " + shape_str(value.shape()) +
                   " must end with the event size n = " + std::to_string(n) + " (shape sample_shape + batch_shape + (n))");
  try {
    broadcast_shapes(value.shape(), loc_.shape(), "LowRankMultivariateNormal::log_prob");
  } catch (const Error&) {
    throw Error("LowRankMultivariateNormal::log_prob: value " + shape_str(value.shape()) + " does not broadcast with " +
                shape_str(loc_.shape()) + " (batch_shape + (n))");
  }
  return T(-0.5) * (log_det() + mahalanobis(value - loc_) + static_cast<T>(static_cast<double>(n) * log_two_pi));
}

template <class T>
Tensor<T> LowRankMultivariateNormal<T>::entropy() const {
  const double n = static_cast<double>(event_size());
  return detail::expand_to(T(0.5) * (log_det() + static_cast<T>(n * (1.0 + log_two_pi))), this->batch_shape());
}

template <class T>
Tensor<T> LowRankMultivariateNormal<T>::sample(Generator& gen, const Shape& sample_shape) const {
  Array<T> x;
  {
    NoGrad no_grad;
    x = rsample(gen, sample_shape).value();
  }
  return this->tape().constant(x);
}

template <class T>
Tensor<T> LowRankMultivariateNormal<T>::rsample(Generator& gen, const Shape& sample_shape) const {
  const Shape s = this->extended_shape(sample_shape);
  Shape sw = s;
  sw.back() = cov_factor_.shape().back();
  const Array<T> eps_W = gen.normal<T>(sw);
  const Array<T> eps_D = gen.normal<T>(s);
  return rsample(eps_W, eps_D);
}

// loc + W eps_W + sqrt(d) eps_D
template <class T>
Tensor<T> LowRankMultivariateNormal<T>::rsample(const Array<T>& eps_W, const Array<T>& eps_D) const {
  const Shape& l = loc_.shape();
  const Shape& e = eps_D.shape();
  KLGRAD_CHECK(e.size() >= l.size() && std::equal(l.begin(), l.end(), e.end() - static_cast<std::ptrdiff_t>(l.size())),
               "LowRankMultivariateNormal::rsample: eps_D " + shape_str(e) + " must end with batch_shape + (n) = " +
                   shape_str(l));
  Shape sw = e;
  sw.back() = cov_factor_.shape().back();
  KLGRAD_CHECK(eps_W.shape() == sw, "LowRankMultivariateNormal::rsample: eps_W " + shape_str(eps_W.shape()) +
                                        " must be eps_D's shape with the rank m last: " + shape_str(sw));
  Tape<T>& tape = this->tape();
  return loc_ + batch_mv(cov_factor_, tape.constant(eps_W)) + sqrt(cov_diag_) * tape.constant(eps_D);
}

// 1/2 (ld_q - ld_p + maha_q(mq - mp) - n + sum(dp / dq) + |Wp / sqrt(dq)|^2 - |A diag(sqrt(dp))|^2 - |A Wp|^2)
template <class T>
Tensor<T> kl_lowrank_lowrank(const LowRankMultivariateNormal<T>& p, const LowRankMultivariateNormal<T>& q) {
  const std::size_t n = p.event_size();
  check_same_event("(LowRankMultivariateNormal, LowRankMultivariateNormal)", n, q.event_size());
  const Tensor<T> term1 = q.log_det() - p.log_det();
  const Tensor<T> term3 = q.mahalanobis(q.loc() - p.loc());
  const Tensor<T> A = solve_triangular(q.capacitance_tril(), wt_dinv(q.cov_factor(), q.cov_diag()));
  const Tensor<T> term21 = sum(p.cov_diag() / q.cov_diag(), {-1});
  const Tensor<T> term22 = sum_squares(p.cov_factor() * unsqueeze(pow(q.cov_diag(), T(-0.5)), -1));
  const Tensor<T> term23 = sum_squares(A * unsqueeze(sqrt(p.cov_diag()), -2));
  const Tensor<T> term24 = sum_squares(matmul_nt(A, transpose(p.cov_factor(), -2, -1)));
  const Tensor<T> term2 = term21 + term22 - term23 - term24;
  return T(0.5) * (term1 + term2 + term3 - static_cast<T>(n));
}

// 1/2 (ld_q - 2 sum log diag Lp + maha_q(mq - mp) - n + |Lp / sqrt(dq)|^2 - |A Lp|^2)
template <class T>
Tensor<T> kl_multivariate_normal_lowrank(const MultivariateNormal<T>& p, const LowRankMultivariateNormal<T>& q) {
  const std::size_t n = p.event_size();
  check_same_event("(MultivariateNormal, LowRankMultivariateNormal)", n, q.event_size());
  const Tensor<T> term1 = q.log_det() - T(2) * half_log_det(p.scale_tril());
  const Tensor<T> term3 = q.mahalanobis(q.loc() - p.loc());
  const Tensor<T> A = solve_triangular(q.capacitance_tril(), wt_dinv(q.cov_factor(), q.cov_diag()));
  const Tensor<T> term21 = sum_squares(p.scale_tril() * unsqueeze(pow(q.cov_diag(), T(-0.5)), -1));
  const Tensor<T> term22 = sum_squares(matmul_nt(A, transpose(p.scale_tril(), -2, -1)));
  return T(0.5) * (term1 + (term21 - term22) + term3 - static_cast<T>(n));
}

// 1/2 (2 sum log diag Lq - ld_p + |Lq^-1 (mq - mp)|^2 - n + |Lq^-1 Wp|^2 + |Lq^-1 diag(sqrt(dp))|^2)
template <class T>
Tensor<T> kl_lowrank_multivariate_normal(const LowRankMultivariateNormal<T>& p, const MultivariateNormal<T>& q) {
  const std::size_t n = p.event_size();
  check_same_event("(LowRankMultivariateNormal, MultivariateNormal)", n, q.event_size());
  const Tensor<T> term1 = T(2) * half_log_det(q.scale_tril()) - p.log_det();
  const Tensor<T> term3 = mahalanobis(q.scale_tril(), q.loc() - p.loc());
  const Tensor<T> term21 = sum_squares(solve_triangular(q.scale_tril(), p.cov_factor()));
  const Tensor<T> term22 = sum_squares(solve_triangular(q.scale_tril(), diag_embed(sqrt(p.cov_diag()))));
  return T(0.5) * (term1 + (term21 + term22) + term3 - static_cast<T>(n));
}

template class MultivariateNormal<float>;
template class MultivariateNormal<double>;
template Tensor<float> kl_multivariate_normal_multivariate_normal(const MultivariateNormal<float>&,
                                                                  const MultivariateNormal<float>&);
template Tensor<double> kl_multivariate_normal_multivariate_normal(const MultivariateNormal<double>&,
                                                                   const MultivariateNormal<double>&);

#define KLGRAD_LOWRANK(T)                                                                                            \
  template class LowRankMultivariateNormal<T>;                                                                       \
  template Tensor<T> kl_lowrank_lowrank(const LowRankMultivariateNormal<T>&, const LowRankMultivariateNormal<T>&);   \
  template Tensor<T> kl_multivariate_normal_lowrank(const MultivariateNormal<T>&, const LowRankMultivariateNormal<T>&); \
  template Tensor<T> kl_lowrank_multivariate_normal(const LowRankMultivariateNormal<T>&, const MultivariateNormal<T>&);
KLGRAD_LOWRANK(float)
KLGRAD_LOWRANK(double)

}  // namespace klgrad

