// binary_cross_entropy and binary_cross_entropy_with_logits: their pointwise
// terms and derivatives, as the math in klgrad/losses/bce.hpp states them. The
// loops, the reduction and the SIMD live in the shared node,
// klgrad/losses/pointwise.hpp. _with_logits sits on the VAE's hot path
// (128 x 784 per step): both are written on the lane type V, so they run on
// SIMD batches.
#include "klgrad/losses/bce.hpp"

#include "klgrad/losses/pointwise.hpp"

namespace klgrad {

namespace {

using namespace lanes;  // exp, log, log1p, max, abs: on one number or a SIMD batch

// PyTorch's clamp of each log in the BCE forward.
constexpr double bce_log_floor = -100.0;
// PyTorch's EPSILON in the BCE input gradient: a float constant, 1e-12f.
constexpr float bce_grad_eps = 1e-12f;

// x = input (a probability), t = target.
struct Bce {
  static constexpr const char* name = "binary_cross_entropy";
  static constexpr ReductionRule reductions = ReductionRule::per_element;
  static constexpr bool simd = true;

  // L = (t - 1) max(log(1 - x), -100) - t max(log x, -100), in PyTorch's order.
  template <class V> V term(V x, V t) const {
    const V floor(bce_log_floor);
    return (t - V(1)) * max(log(V(1) - x), floor) - t * max(log(x), floor);
  }
  template <class V> V d_input(V x, V t) const { return (x - t) / max((V(1) - x) * x, V(bce_grad_eps)); }
  template <class V> V d_target(V x, V) const { return -log(x / (V(1) - x)); }
};

// z = logits, t = target.
struct BceWithLogits {
  static constexpr const char* name = "binary_cross_entropy_with_logits";
  static constexpr ReductionRule reductions = ReductionRule::per_element;
  static constexpr bool simd = true;

  // L = max(z, 0) - z t + log1p(e^-|z|)
  template <class V> V term(V z, V t) const { return max(z, V(0)) - z * t + log1p(exp(-abs(z))); }
  // sigmoid(z) - t; for z < -88 (float) e^-z overflows to inf and 1 / inf = 0: no NaN.
  template <class V> V d_input(V z, V t) const { return V(1) / (V(1) + exp(-z)) - t; }
  template <class V> V d_target(V z, V) const { return -z; }
};

}  // namespace

template <class T>
Tensor<T> binary_cross_entropy(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction) {
  const Array<T>& x = input.value();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const T v = x.flat(i);
    KLGRAD_CHECK(v >= T(0) && v <= T(1),
                 "binary_cross_entropy: input element " + std::to_string(i) + " is " + number_str(v) +
                     ", outside [0, 1]; it takes probabilities (e.g. sigmoid(z)). For logits z use "
                     "binary_cross_entropy_with_logits(z, target), which is also exact where sigmoid saturates");
  }
  return pointwise_loss(Bce{}, input, target, reduction);
}

template <class T>
Tensor<T> binary_cross_entropy_with_logits(const Tensor<T>& logits, const Tensor<T>& target, Reduction reduction) {
  return pointwise_loss(BceWithLogits{}, logits, target, reduction, "logits");
}

template Tensor<float> binary_cross_entropy(const Tensor<float>&, const Tensor<float>&, Reduction);
template Tensor<double> binary_cross_entropy(const Tensor<double>&, const Tensor<double>&, Reduction);
template Tensor<float> binary_cross_entropy_with_logits(const Tensor<float>&, const Tensor<float>&, Reduction);
template Tensor<double> binary_cross_entropy_with_logits(const Tensor<double>&, const Tensor<double>&, Reduction);

}  // namespace klgrad
