// kl_div: its pointwise term and the two derivatives, as the math in
// klgrad/losses/kl_div.hpp states them. The loops, the reduction and the SIMD
// live in the shared node, klgrad/losses/pointwise.hpp.
#include "klgrad/losses/kl_div.hpp"

#include "klgrad/losses/pointwise.hpp"

namespace klgrad {

namespace {

using namespace lanes;  // exp, log, xlogx: on one number or a SIMD batch

// x = input = log q, t = target = p (log p when log_target).
struct KlDiv {
  static constexpr const char* name = "kl_div";
  static constexpr ReductionRule reductions = ReductionRule::kl_div;
  static constexpr bool simd = true;
  bool log_target;

  // L = xlogx(t) - t x                     (log_target: e^t (t - x))
  template <class V> V term(V x, V t) const {
    return log_target ? V(exp(t) * (t - x)) : V(xlogx(t) - t * x);
  }
  // dL/dx = -t                             (log_target: -e^t)
  template <class V> V d_input(V, V t) const { return log_target ? V(-exp(t)) : V(-t); }
  // dL/dt = log t + t/t - x                (log_target: e^t (t - x + 1))
  // t/t is 1, and NaN at t = 0, exactly as PyTorch 1.13.
  template <class V> V d_target(V x, V t) const {
    return log_target ? V(exp(t) * (t - x + V(1))) : V(log(t) + t / t - x);
  }
};

}  // namespace

template <class T>
Tensor<T> kl_div(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction, bool log_target) {
  return pointwise_loss(KlDiv{log_target}, input, target, reduction);
}

template Tensor<float> kl_div(const Tensor<float>&, const Tensor<float>&, Reduction, bool);
template Tensor<double> kl_div(const Tensor<double>&, const Tensor<double>&, Reduction, bool);

}  // namespace klgrad
