// alpha_div: its pointwise term and the two derivatives, as the math in
// klgrad/losses/alpha_div.hpp states them. The loops and the reduction live in
// the shared node, klgrad/losses/pointwise.hpp.
#include "klgrad/losses/alpha_div.hpp"

#include <cmath>
#include <limits>

#include "klgrad/losses/pointwise.hpp"

namespace klgrad {

namespace {

// phi(s, d) = expm1(s d) / s, and its limit d at s = 0.
template <class T>
T phi(T s, T d) {
  return s == T(0) ? d : std::expm1(s * d) / s;
}

// x = input = log q, p = target.
struct AlphaDiv {
  static constexpr const char* name = "alpha_div";
  static constexpr ReductionRule reductions = ReductionRule::divergence;
  static constexpr bool simd = false;  // the edge cases branch
  double alpha;

  // L = [(q - p) - p phi(1 - a, x - log p)] / a        for a >= 1/2
  // L = [(p - q) - q phi(a, log p - x)] / (1 - a)      for a <  1/2
  template <class T> T term(T x, T p) const {
    const T a = static_cast<T>(alpha), inf = std::numeric_limits<T>::infinity();
    const T q = std::exp(x);
    if (p == T(0)) return q == T(0) ? T(0) : (a > T(0) ? q / a : inf);
    if (q == T(0)) return a < T(1) ? p / (T(1) - a) : inf;
    const T lp = std::log(p);
    if (a >= T(0.5)) return ((q - p) - p * phi(T(1) - a, x - lp)) / a;
    return ((p - q) - q * phi(a, lp - x)) / (T(1) - a);
  }
  // dL/dx = -q phi(a, log p - x); at q = 0: 0 for a < 1, NaN for a >= 1 (L = +inf)
  template <class T> T d_input(T x, T p) const {
    const T a = static_cast<T>(alpha), q = std::exp(x);
    if (q == T(0)) return a < T(1) ? T(0) : std::numeric_limits<T>::quiet_NaN();
    return -q * phi(a, std::log(p) - x);
  }
  // dL/dp = -phi(1 - a, x - log p)
  template <class T> T d_target(T x, T p) const { return -phi(T(1) - static_cast<T>(alpha), x - std::log(p)); }
};

}  // namespace

template <class T>
Tensor<T> alpha_div(const Tensor<T>& input, const Tensor<T>& target, double alpha, Reduction reduction) {
  KLGRAD_CHECK(std::isfinite(alpha), "alpha_div: alpha must be a finite number, got " + std::to_string(alpha) +
                                         "; alpha = 1 is KL(P || Q), alpha = 0 is KL(Q || P)");
  return pointwise_loss(AlphaDiv{alpha}, input, target, reduction);
}

template Tensor<float> alpha_div(const Tensor<float>&, const Tensor<float>&, double, Reduction);
template Tensor<double> alpha_div(const Tensor<double>&, const Tensor<double>&, double, Reduction);

}  // namespace klgrad
