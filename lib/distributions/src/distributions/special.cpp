// lgamma and digamma as primitives: forward and backward side by side.
// Math and pole conventions: klgrad/distributions/special.hpp.
//
// Boost.Math signals poles and domain errors by throwing unless told otherwise;
// the policy below makes every error return a value instead, and the poles are
// set explicitly to PyTorch's values before Boost sees them.
#include "klgrad/distributions/special.hpp"

#include <cmath>
#include <limits>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

namespace klgrad {

namespace {

namespace bmp = boost::math::policies;
using no_throw = bmp::policy<bmp::domain_error<bmp::ignore_error>, bmp::pole_error<bmp::ignore_error>,
                             bmp::overflow_error<bmp::ignore_error>, bmp::evaluation_error<bmp::ignore_error>>;

template <class T>
bool is_pole(T x) { return x <= T(0) && std::floor(x) == x; }  // 0, -1, -2, ...

}  // namespace

namespace special {

template <class T>
T lgamma(T x) {
  if (std::isnan(x)) return x;
  if (is_pole(x)) return std::numeric_limits<T>::infinity();
  if (std::isinf(x)) return std::numeric_limits<T>::infinity();
  return boost::math::lgamma(x, no_throw());
}

template <class T>
T digamma(T x) {
  if (std::isnan(x)) return x;
  if (x == T(0)) return -std::numeric_limits<T>::infinity();
  if (is_pole(x)) return std::numeric_limits<T>::quiet_NaN();
  if (std::isinf(x)) return x > T(0) ? x : std::numeric_limits<T>::quiet_NaN();
  return boost::math::digamma(x, no_throw());
}

template <class T>
T trigamma(T x) {
  if (std::isnan(x)) return x;
  if (is_pole(x)) return std::numeric_limits<T>::infinity();
  if (std::isinf(x)) return x > T(0) ? T(0) : std::numeric_limits<T>::quiet_NaN();
  return boost::math::trigamma(x, no_throw());
}

}  // namespace special

namespace {

// y_i = f(x_i)
template <class T, class F>
void map_forward(Ctx<T>& c, F f) {
  const Array<T>& x = c.in(0);
  Array<T>& y = c.out();
  y.resize(x.shape());
  const T* px = x.data();
  T* py = y.data();
  for (std::size_t i = 0, n = x.size(); i < n; ++i) py[i] = f(px[i]);
}

// dx_i += g_i f'(x_i)
template <class T, class D>
void map_backward(Ctx<T>& c, D fprime) {
  if (!c.needs_grad(0)) return;
  const T* px = c.in(0).data();
  const T* pg = c.grad_out().data();
  T* pdx = c.grad_in(0).data();
  for (std::size_t i = 0, n = c.out().size(); i < n; ++i) pdx[i] += pg[i] * fprime(px[i]);
}

// y = log|Gamma(x)|     dx = g digamma(x)
template <class T>
struct LgammaOp {
  static constexpr const char* name = "lgamma";
  static void forward(Ctx<T>& c) { map_forward(c, [](T x) { return special::lgamma(x); }); }
  static void backward(Ctx<T>& c) { map_backward(c, [](T x) { return special::digamma(x); }); }
};

// y = psi(x)            dx = g trigamma(x)
template <class T>
struct DigammaOp {
  static constexpr const char* name = "digamma";
  static void forward(Ctx<T>& c) { map_forward(c, [](T x) { return special::digamma(x); }); }
  static void backward(Ctx<T>& c) { map_backward(c, [](T x) { return special::trigamma(x); }); }
};

}  // namespace

template <class T>
Tensor<T> lgamma(const Tensor<T>& x) { return apply<LgammaOp<T>>({x}); }
template <class T>
Tensor<T> digamma(const Tensor<T>& x) { return apply<DigammaOp<T>>({x}); }

#define KLGRAD_SPECIAL(T)                              \
  template Tensor<T> lgamma(const Tensor<T>&);         \
  template Tensor<T> digamma(const Tensor<T>&);        \
  template T special::lgamma(T);                       \
  template T special::digamma(T);                      \
  template T special::trigamma(T);
KLGRAD_SPECIAL(float)
KLGRAD_SPECIAL(double)

}  // namespace klgrad
