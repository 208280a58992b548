// Exponential, Gamma, Beta and Uniform: construction with PyTorch's argument
// checks, log_prob, entropy, moments, sample and (Exponential, Uniform) rsample.
// Math: the headers klgrad/distributions/{exponential,gamma,beta,uniform}.hpp.
// Their KL pairs (kl_zoo.cpp) are registered by the first construction of any of them.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xbroadcast.hpp>

#include "klgrad/distributions/kl_zoo.hpp"
#include "klgrad/distributions/special.hpp"

namespace klgrad {

namespace {

template <class T>
using Named = std::pair<const char*, const Tensor<T>*>;

// The batch shape of parameters that must share a tape and broadcast together.
template <class T>
Shape batch_of(const std::string& dist, const std::vector<Named<T>>& params) {
  Shape batch = params[0].second->shape();
  for (std::size_t i = 1; i < params.size(); ++i) {
    KLGRAD_CHECK(&params[i].second->tape() == &params[0].second->tape(),
                 dist + ": " + params[0].first + " and " + params[i].first +
                     " live on different tapes; build one step on one tape");
    try {
      batch = broadcast_shapes(batch, params[i].second->shape(), dist.c_str());
    } catch (const Error&) {
      std::string shapes;
      for (std::size_t k = 0; k <= i; ++k)
        shapes += (k ? " and " : "") + std::string(params[k].first) + " " + shape_str(params[k].second->shape());
      throw Error(dist + ": " + shapes +
                  " are not broadcastable: aligned from the right, each pair of dimensions must be equal or 1");
    }
  }
  return batch;
}

// "Gamma: concentration must be > 0, found -1 at element 3 of concentration (2, 3); <fix>"
template <class T>
void check_positive(const std::string& dist, const char* param, const Tensor<T>& x) {
  const Array<T>& v = x.value();
  for (std::size_t i = 0; i < v.size(); ++i)
    KLGRAD_CHECK(v.flat(i) > T(0), dist + ": " + param + " must be > 0, found " + number_str(v.flat(i)) +
                                       " at element " + std::to_string(i) + " of " + param + " " +
                                       shape_str(v.shape()) + "; keep it positive by construction, e.g. exp(log_" +
                                       param + ") or softplus(raw)");
}

// Marsaglia-Tsang for alpha >= 1 (klgrad/distributions/gamma.hpp), in double.
double marsaglia_tsang(Generator& gen, double alpha) {
  constexpr double two_pi = 6.283185307179586476925;
  const double d = alpha - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    // z ~ N(0, 1): Box-Muller cosine, u1 in (0, 1] so log u1 is finite
    const double u1 = 1.0 - gen.next_double(), u2 = gen.next_double();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(two_pi * u2);
    const double t = 1.0 + c * z;
    if (t <= 0.0) continue;
    const double v = t * t * t;
    const double u = 1.0 - gen.next_double();  // (0, 1]
    if (std::log(u) < 0.5 * z * z + d - d * v + d * std::log(v)) return d * v;
  }
}

// G ~ Gamma(alpha, 1), alpha > 0, clamped below to the smallest normal T.
template <class T>
T standard_gamma(Generator& gen, double alpha) {
  double x = marsaglia_tsang(gen, alpha >= 1.0 ? alpha : alpha + 1.0);
  if (alpha < 1.0) x *= std::pow(1.0 - gen.next_double(), 1.0 / alpha);  // the boost, u in (0, 1]
  return static_cast<T>(std::max(x, static_cast<double>(std::numeric_limits<T>::min())));
}

[[noreturn]] void no_rsample_yet(const std::string& dist) {
  throw Error(dist + ": rsample is not available yet: reparameterised " + dist +
              " draws need implicit reparameterisation gradients (PyTorch's), which klgrad does not have yet; "
              "use sample(), with a score-function estimator if you need gradients");
}

}  // namespace

// ---- Exponential ------------------------------------------------------------

template <class T>
Exponential<T>::Exponential(const Tensor<T>& rate) : Distribution<T>(rate.tape(), rate.shape(), Shape{}) {
  detail::register_zoo_kl<T>();
  check_positive("Exponential", "rate", rate);
  rate_ = rate;
}

// log r - r x
template <class T>
Tensor<T> Exponential<T>::log_prob(const Tensor<T>& value) const {
  return log(rate_) - rate_ * value;
}

// 1 - log r
template <class T>
Tensor<T> Exponential<T>::entropy() const {
  return T(1) - log(rate_);
}

template <class T>
Array<T> Exponential<T>::standard(Generator& gen, const Shape& shape) {
  Array<T> e = gen.uniform<T>(shape);
  for (T& v : e) v = -std::log1p(-v);
  return e;
}

template <class T>
Tensor<T> Exponential<T>::sample(Generator& gen, const Shape& sample_shape) const {
  const Array<T> e = standard(gen, this->extended_shape(sample_shape));
  return this->tape().constant(Array<T>(e / rate_.value()));
}

// e / r: e is a constant, so the gradient reaches r only.
template <class T>
Tensor<T> Exponential<T>::rsample(Generator& gen, const Shape& sample_shape) const {
  return this->tape().constant(standard(gen, this->extended_shape(sample_shape))) / rate_;
}

// ---- Gamma ------------------------------------------------------------------

template <class T>
Gamma<T>::Gamma(const Tensor<T>& concentration, const Tensor<T>& rate)
    : Distribution<T>(concentration.tape(),
                      batch_of<T>("Gamma", {{"concentration", &concentration}, {"rate", &rate}}), Shape{}) {
  detail::register_zoo_kl<T>();
  check_positive("Gamma", "concentration", concentration);
  check_positive("Gamma", "rate", rate);
  concentration_ = detail::expand_to(concentration, this->batch_shape());
  rate_ = detail::expand_to(rate, this->batch_shape());
}

// a log r + (a - 1) log x - r x - lgamma(a)
template <class T>
Tensor<T> Gamma<T>::log_prob(const Tensor<T>& value) const {
  return concentration_ * log(rate_) + (concentration_ - T(1)) * log(value) - rate_ * value - lgamma(concentration_);
}

// a - log r + lgamma(a) + (1 - a) digamma(a)
template <class T>
Tensor<T> Gamma<T>::entropy() const {
  return concentration_ - log(rate_) + lgamma(concentration_) + (T(1) - concentration_) * digamma(concentration_);
}

template <class T>
Array<T> Gamma<T>::standard(Generator& gen, const Array<T>& alpha) {
  Array<T> g = Array<T>::from_shape(alpha.shape());
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    const double a = static_cast<double>(alpha.flat(i));
    KLGRAD_CHECK(a > 0.0, "Gamma::standard: alpha must be > 0, found " + number_str(a) + " at element " +
                              std::to_string(i));
    g.flat(i) = standard_gamma<T>(gen, a);
  }
  return g;
}

template <class T>
Tensor<T> Gamma<T>::sample(Generator& gen, const Shape& sample_shape) const {
  const Shape s = this->extended_shape(sample_shape);
  const Array<T> alpha = xt::broadcast(concentration_.value(), s);
  const Array<T> g = standard(gen, alpha);
  return this->tape().constant(Array<T>(g / rate_.value()));
}

template <class T>
Tensor<T> Gamma<T>::rsample(Generator&, const Shape&) const {
  no_rsample_yet("Gamma");
}

// ---- Beta -------------------------------------------------------------------

template <class T>
Beta<T>::Beta(const Tensor<T>& concentration1, const Tensor<T>& concentration0)
    : Distribution<T>(concentration1.tape(),
                      batch_of<T>("Beta", {{"concentration1", &concentration1}, {"concentration0", &concentration0}}),
                      Shape{}) {
  detail::register_zoo_kl<T>();
  check_positive("Beta", "concentration1", concentration1);
  check_positive("Beta", "concentration0", concentration0);
  concentration1_ = detail::expand_to(concentration1, this->batch_shape());
  concentration0_ = detail::expand_to(concentration0, this->batch_shape());
}

// a b / (s^2 (s + 1)), s = a + b
template <class T>
Tensor<T> Beta<T>::variance() const {
  const Tensor<T> s = concentration1_ + concentration0_;
  return concentration1_ * concentration0_ / (pow(s, T(2)) * (s + T(1)));
}

// (a - 1) log x + (b - 1) log(1 - x) + lgamma(a + b) - lgamma(a) - lgamma(b)
template <class T>
Tensor<T> Beta<T>::log_prob(const Tensor<T>& value) const {
  const Tensor<T>& a = concentration1_;
  const Tensor<T>& b = concentration0_;
  return (a - T(1)) * log(value) + (b - T(1)) * log(T(1) - value) + lgamma(a + b) - lgamma(a) - lgamma(b);
}

// lgamma(a) + lgamma(b) - lgamma(s) - (a - 1) psi(a) - (b - 1) psi(b) + (s - 2) psi(s)
template <class T>
Tensor<T> Beta<T>::entropy() const {
  const Tensor<T>& a = concentration1_;
  const Tensor<T>& b = concentration0_;
  const Tensor<T> s = a + b;
  return lgamma(a) + lgamma(b) - lgamma(s) - (a - T(1)) * digamma(a) - (b - T(1)) * digamma(b) +
         (s - T(2)) * digamma(s);
}

template <class T>
Tensor<T> Beta<T>::sample(Generator& gen, const Shape& sample_shape) const {
  const Shape s = this->extended_shape(sample_shape);
  const Array<T> a = xt::broadcast(concentration1_.value(), s);
  const Array<T> b = xt::broadcast(concentration0_.value(), s);
  Array<T> x = Array<T>::from_shape(s);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const T ga = standard_gamma<T>(gen, static_cast<double>(a.flat(i)));
    const T gb = standard_gamma<T>(gen, static_cast<double>(b.flat(i)));
    x.flat(i) = ga / (ga + gb);
  }
  return this->tape().constant(x);
}

template <class T>
Tensor<T> Beta<T>::rsample(Generator&, const Shape&) const {
  no_rsample_yet("Beta");
}

// ---- Uniform ----------------------------------------------------------------

template <class T>
Uniform<T>::Uniform(const Tensor<T>& low, const Tensor<T>& high)
    : Distribution<T>(low.tape(), batch_of<T>("Uniform", {{"low", &low}, {"high", &high}}), Shape{}) {
  detail::register_zoo_kl<T>();
  low_ = detail::expand_to(low, this->batch_shape());
  high_ = detail::expand_to(high, this->batch_shape());
  const Array<T>& l = low_.value();
  const Array<T>& h = high_.value();
  for (std::size_t i = 0; i < l.size(); ++i)
    KLGRAD_CHECK(l.flat(i) < h.flat(i), "Uniform: low must be < high, found low " + number_str(l.flat(i)) +
                                            " and high " + number_str(h.flat(i)) + " at element " +
                                            std::to_string(i) + " of the batch " + shape_str(l.shape()) +
                                            "; e.g. high = low + exp(log_width)");
}

// log [l <= x < h] - log(h - l)
template <class T>
Tensor<T> Uniform<T>::log_prob(const Tensor<T>& value) const {
  const Shape s = broadcast_shapes(value.shape(), this->batch_shape(), "Uniform::log_prob");
  const Array<T> x = xt::broadcast(value.value(), s);
  const Array<T> l = xt::broadcast(low_.value(), s);
  const Array<T> h = xt::broadcast(high_.value(), s);
  Array<T> log_inside = Array<T>::from_shape(s);
  for (std::size_t i = 0; i < x.size(); ++i)
    log_inside.flat(i) = l.flat(i) <= x.flat(i) && x.flat(i) < h.flat(i) ? T(0) : -std::numeric_limits<T>::infinity();
  return this->tape().constant(log_inside) - log(high_ - low_);
}

// log(h - l)
template <class T>
Tensor<T> Uniform<T>::entropy() const {
  return log(high_ - low_);
}

template <class T>
Tensor<T> Uniform<T>::sample(Generator& gen, const Shape& sample_shape) const {
  const Array<T> u = gen.uniform<T>(this->extended_shape(sample_shape));
  return this->tape().constant(Array<T>(low_.value() + u * (high_.value() - low_.value())));
}

// l + u (h - l): u is a constant, so the gradient reaches l and h.
template <class T>
Tensor<T> Uniform<T>::rsample(Generator& gen, const Shape& sample_shape) const {
  const Tensor<T> u = this->tape().constant(gen.uniform<T>(this->extended_shape(sample_shape)));
  return low_ + u * (high_ - low_);
}

template class Exponential<float>;
template class Exponential<double>;
template class Gamma<float>;
template class Gamma<double>;
template class Beta<float>;
template class Beta<double>;
template class Uniform<float>;
template class Uniform<double>;

}  // namespace klgrad
