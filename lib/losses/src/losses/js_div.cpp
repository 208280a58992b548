// js_div: its pointwise term and the two derivatives, as the math in
// klgrad/losses/js_div.hpp states them. The loops and the reduction live in the
// shared node, klgrad/losses/pointwise.hpp.
#include "klgrad/losses/js_div.hpp"

#include <algorithm>
#include <cmath>

#include "klgrad/losses/pointwise.hpp"

namespace klgrad {

namespace {

// log m = log((p + q) / 2) from lp = log p and x = log q, without forming p + q.
template <class T>
T log_mid(T lp, T x) {
  const T hi = std::max(lp, x);
  return hi + std::log1p(std::exp(-std::abs(lp - x))) - static_cast<T>(std::log(2.0));
}

// x = input = log q, p = target.
struct JsDiv {
  static constexpr const char* name = "js_div";
  static constexpr ReductionRule reductions = ReductionRule::divergence;
  static constexpr bool simd = false;  // the edge cases branch

  // L = 1/2 p (log p - log m) + 1/2 q (x - log m); a half with p = 0 or q = 0 is 0.
  template <class T> T term(T x, T p) const {
    const T q = std::exp(x);
    if (p == T(0) && q == T(0)) return T(0);
    const T lp = std::log(p);
    const T lm = log_mid(lp, x);
    const T a = p == T(0) ? T(0) : p * (lp - lm);
    const T b = q == T(0) ? T(0) : q * (x - lm);
    return (a + b) / T(2);
  }
  // dL/dx = 1/2 q (x - log m); 0 at q = 0
  template <class T> T d_input(T x, T p) const {
    const T q = std::exp(x);
    return q == T(0) ? T(0) : q * (x - log_mid(std::log(p), x)) / T(2);
  }
  // dL/dp = 1/2 (log p - log m)
  template <class T> T d_target(T x, T p) const {
    const T lp = std::log(p);
    return (lp - log_mid(lp, x)) / T(2);
  }
};

}  // namespace

template <class T>
Tensor<T> js_div(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction) {
  return pointwise_loss(JsDiv{}, input, target, reduction);
}

template Tensor<float> js_div(const Tensor<float>&, const Tensor<float>&, Reduction);
template Tensor<double> js_div(const Tensor<double>&, const Tensor<double>&, Reduction);

}  // namespace klgrad
