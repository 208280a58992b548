// KL(p || q) among Exponential, Gamma, Beta and Uniform, and their registration.
// Formulas, the inf convention and the 0 log 0 convention: klgrad/distributions/kl_zoo.hpp.
#include <limits>

#include <xtensor/xbroadcast.hpp>

#include "klgrad/distributions/kl_zoo.hpp"
#include "klgrad/distributions/special.hpp"

namespace klgrad {

namespace {

constexpr double euler_gamma = 0.57721566490153286060;

template <class T>
Shape pair_shape(const Distribution<T>& p, const Distribution<T>& q) {
  return broadcast_shapes(p.batch_shape(), q.batch_shape(), "kl_divergence");
}

// x's value broadcast to `shape`, as a plain array.
template <class T>
Array<T> values(const Tensor<T>& x, const Shape& shape) {
  return xt::broadcast(x.value(), shape);
}

// 1 where pred(a_i, b_i) holds, else 0 (a, b of the same shape).
template <class T, class Pred>
Array<T> mask_where(const Array<T>& a, const Array<T>& b, Pred pred) {
  Array<T> m = Array<T>::from_shape(a.shape());
  for (std::size_t i = 0; i < a.size(); ++i) m.flat(i) = pred(a.flat(i), b.flat(i)) ? T(1) : T(0);
  return m;
}

// x broadcast to mask's shape, with `stand_in` where mask is 1 (no gradient there).
template <class T>
Tensor<T> where_not(const Tensor<T>& x, const Array<T>& mask, T stand_in) {
  return detail::masked_fill(detail::expand_to(x, mask.shape()), mask, stand_in);
}

// inf where mask is 1, with a zero gradient there.
template <class T>
Tensor<T> inf_where(const Tensor<T>& kl, const Array<T>& mask) {
  return detail::masked_fill(detail::expand_to(kl, mask.shape()), mask, std::numeric_limits<T>::infinity());
}

// t log t, 0 at t = 0 (t >= 0): evaluated on t with 1 put at its zeros (1 log 1 = 0).
template <class T>
Tensor<T> xlx(const Tensor<T>& t) {
  const Array<T>& v = t.value();
  const Tensor<T> safe = where_not(t, mask_where(v, v, [](T a, T) { return a == T(0); }), T(1));
  return safe * log(safe);
}

// lgamma(a) + lgamma(b) - lgamma(a + b)
template <class T>
Tensor<T> log_beta(const Tensor<T>& a, const Tensor<T>& b) {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

// inf of the broadcast shape, zero gradient w.r.t. p's parameter `anchor`.
template <class T>
Tensor<T> infinite(const Tensor<T>& anchor, const Shape& shape) {
  return inf_where(anchor, Array<T>(xt::ones<T>(shape)));
}

}  // namespace

template <class T>
Tensor<T> kl_exponential_exponential(const Exponential<T>& p, const Exponential<T>& q) {
  const Tensor<T> ratio = q.rate() / p.rate();
  return -log(ratio) + ratio - T(1);
}

template <class T>
Tensor<T> kl_exponential_gamma(const Exponential<T>& p, const Gamma<T>& q) {
  const Tensor<T> ratio = q.rate() / p.rate();
  const Tensor<T>& a = q.concentration();
  return -a * log(ratio) + ratio + lgamma(a) + a * static_cast<T>(euler_gamma) - static_cast<T>(1 + euler_gamma);
}

template <class T>
Tensor<T> kl_gamma_gamma(const Gamma<T>& p, const Gamma<T>& q) {
  const Tensor<T>& a1 = p.concentration();
  const Tensor<T>& a2 = q.concentration();
  return a2 * log(p.rate() / q.rate()) + lgamma(a2) - lgamma(a1) + (a1 - a2) * digamma(a1) +
         (q.rate() - p.rate()) * (a1 / p.rate());
}

template <class T>
Tensor<T> kl_gamma_exponential(const Gamma<T>& p, const Exponential<T>& q) {
  return -p.entropy() - log(q.rate()) + q.rate() * p.concentration() / p.rate();
}

template <class T>
Tensor<T> kl_beta_beta(const Beta<T>& p, const Beta<T>& q) {
  const Tensor<T>&a1 = p.concentration1(), &b1 = p.concentration0();
  const Tensor<T>&a2 = q.concentration1(), &b2 = q.concentration0();
  const Tensor<T> s1 = a1 + b1, s2 = a2 + b2;
  return log_beta(a2, b2) - log_beta(a1, b1) + (a1 - a2) * digamma(a1) + (b1 - b2) * digamma(b1) +
         (s2 - s1) * digamma(s1);
}

template <class T>
Tensor<T> kl_beta_exponential(const Beta<T>& p, const Exponential<T>& q) {
  return -p.entropy() - log(q.rate()) + q.rate() * p.mean();
}

template <class T>
Tensor<T> kl_beta_gamma(const Beta<T>& p, const Gamma<T>& q) {
  const Tensor<T>&a = p.concentration1(), &c = q.concentration();
  return -p.entropy() + lgamma(c) - c * log(q.rate()) - (c - T(1)) * (digamma(a) - digamma(a + p.concentration0())) +
         q.rate() * p.mean();
}

template <class T>
Tensor<T> kl_beta_uniform(const Beta<T>& p, const Uniform<T>& q) {
  const Shape s = pair_shape(p, q);
  const Array<T> outside = mask_where(values(q.low(), s), values(q.high(), s),
                                      [](T l, T h) { return l > T(0) || h < T(1); });
  return inf_where(-p.entropy() + log(q.high() - q.low()), outside);
}

template <class T>
Tensor<T> kl_uniform_uniform(const Uniform<T>& p, const Uniform<T>& q) {
  const Shape s = pair_shape(p, q);
  const Array<T> pl = values(p.low(), s), ph = values(p.high(), s), ql = values(q.low(), s), qh = values(q.high(), s);
  Array<T> outside = Array<T>::from_shape(s);
  for (std::size_t i = 0; i < outside.size(); ++i)
    outside.flat(i) = ql.flat(i) > pl.flat(i) || qh.flat(i) < ph.flat(i) ? T(1) : T(0);
  return inf_where(log((q.high() - q.low()) / (p.high() - p.low())), outside);
}

template <class T>
Tensor<T> kl_uniform_exponential(const Uniform<T>& p, const Exponential<T>& q) {
  const Shape s = pair_shape(p, q);
  const Array<T> l = values(p.low(), s);
  const Tensor<T> kl = q.rate() * (p.high() + p.low()) / T(2) - log((p.high() - p.low()) * q.rate());
  return inf_where(kl, mask_where(l, l, [](T v, T) { return v < T(0); }));
}

template <class T>
Tensor<T> kl_uniform_gamma(const Uniform<T>& p, const Gamma<T>& q) {
  const Shape s = pair_shape(p, q);
  const Array<T> l0 = values(p.low(), s);
  const Array<T> outside = mask_where(l0, l0, [](T v, T) { return v < T(0); });
  // stand-ins U(0, 1) where the support is not inside [0, inf)
  const Tensor<T> l = where_not(p.low(), outside, T(0)), h = where_not(p.high(), outside, T(1));
  const Tensor<T>&a = q.concentration(), &r = q.rate();
  const Tensor<T> w = h - l;
  const Tensor<T> kl = -log(w) + lgamma(a) - a * log(r) + (T(1) - a) * (xlx(h) - xlx(l) - w) / w + r * (h + l) / T(2);
  return inf_where(kl, outside);
}

template <class T>
Tensor<T> kl_uniform_beta(const Uniform<T>& p, const Beta<T>& q) {
  const Shape s = pair_shape(p, q);
  const Array<T> outside = mask_where(values(p.low(), s), values(p.high(), s),
                                      [](T l, T h) { return l < T(0) || h > T(1); });
  // stand-ins U(1/4, 3/4) where the support is not inside [0, 1]
  const Tensor<T> l = where_not(p.low(), outside, T(0.25)), h = where_not(p.high(), outside, T(0.75));
  const Tensor<T>&a = q.concentration1(), &b = q.concentration0();
  const Tensor<T> w = h - l;
  const Tensor<T> kl = -log(w) + log_beta(a, b) - (a - T(1)) * (xlx(h) - xlx(l) - w) / w +
                       (b - T(1)) * (xlx(T(1) - h) - xlx(T(1) - l) + w) / w;
  return inf_where(kl, outside);
}

namespace detail {

template <class T>
void register_zoo_kl() {
  static const bool registered = [] {
    register_kl<Exponential<T>, Exponential<T>>(&kl_exponential_exponential<T>);
    register_kl<Exponential<T>, Gamma<T>>(&kl_exponential_gamma<T>);
    register_kl<Gamma<T>, Gamma<T>>(&kl_gamma_gamma<T>);
    register_kl<Gamma<T>, Exponential<T>>(&kl_gamma_exponential<T>);
    register_kl<Beta<T>, Beta<T>>(&kl_beta_beta<T>);
    register_kl<Beta<T>, Exponential<T>>(&kl_beta_exponential<T>);
    register_kl<Beta<T>, Gamma<T>>(&kl_beta_gamma<T>);
    register_kl<Beta<T>, Uniform<T>>(&kl_beta_uniform<T>);
    register_kl<Uniform<T>, Uniform<T>>(&kl_uniform_uniform<T>);
    register_kl<Uniform<T>, Exponential<T>>(&kl_uniform_exponential<T>);
    register_kl<Uniform<T>, Gamma<T>>(&kl_uniform_gamma<T>);
    register_kl<Uniform<T>, Beta<T>>(&kl_uniform_beta<T>);
    // p's support [0, inf) is not inside q's: inf everywhere
    register_kl<Exponential<T>, Beta<T>>(
        [](const Exponential<T>& p, const Beta<T>& q) { return infinite(p.rate(), pair_shape(p, q)); });
    register_kl<Exponential<T>, Uniform<T>>(
        [](const Exponential<T>& p, const Uniform<T>& q) { return infinite(p.rate(), pair_shape(p, q)); });
    register_kl<Gamma<T>, Beta<T>>(
        [](const Gamma<T>& p, const Beta<T>& q) { return infinite(p.concentration(), pair_shape(p, q)); });
    register_kl<Gamma<T>, Uniform<T>>(
        [](const Gamma<T>& p, const Uniform<T>& q) { return infinite(p.concentration(), pair_shape(p, q)); });
    return true;
  }();
  (void)registered;
}

}  // namespace detail

#define KLGRAD_KL_ZOO(T)                                                                        \
  template Tensor<T> kl_exponential_exponential(const Exponential<T>&, const Exponential<T>&); \
  template Tensor<T> kl_exponential_gamma(const Exponential<T>&, const Gamma<T>&);             \
  template Tensor<T> kl_gamma_gamma(const Gamma<T>&, const Gamma<T>&);                         \
  template Tensor<T> kl_gamma_exponential(const Gamma<T>&, const Exponential<T>&);             \
  template Tensor<T> kl_beta_beta(const Beta<T>&, const Beta<T>&);                             \
  template Tensor<T> kl_beta_exponential(const Beta<T>&, const Exponential<T>&);               \
  template Tensor<T> kl_beta_gamma(const Beta<T>&, const Gamma<T>&);                           \
  template Tensor<T> kl_beta_uniform(const Beta<T>&, const Uniform<T>&);                       \
  template Tensor<T> kl_uniform_uniform(const Uniform<T>&, const Uniform<T>&);                 \
  template Tensor<T> kl_uniform_exponential(const Uniform<T>&, const Exponential<T>&);         \
  template Tensor<T> kl_uniform_gamma(const Uniform<T>&, const Gamma<T>&);                     \
  template Tensor<T> kl_uniform_beta(const Uniform<T>&, const Beta<T>&);                       \
  template void detail::register_zoo_kl<T>();
KLGRAD_KL_ZOO(float)
KLGRAD_KL_ZOO(double)

}  // namespace klgrad
