// mse_loss: its pointwise term and the two derivatives (klgrad/losses/mse.hpp).
// The loops and the reduction live in the shared node, klgrad/losses/pointwise.hpp.
#include "klgrad/losses/mse.hpp"

#include "klgrad/losses/pointwise.hpp"

namespace klgrad {

namespace {

struct Mse {
  static constexpr const char* name = "mse_loss";
  static constexpr ReductionRule reductions = ReductionRule::per_element;
  static constexpr bool simd = false;  // sums stay in double, term by term

  template <class V> V term(V x, V t) const { return (x - t) * (x - t); }  // L = (x - t)^2
  template <class V> V d_input(V x, V t) const { return V(2) * (x - t); }  // dL/dx = 2 (x - t)
  template <class V> V d_target(V x, V t) const { return V(-2) * (x - t); }  // dL/dt = -2 (x - t)
};

}  // namespace

template <class T> Tensor<T> mse_loss(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction) {
  return pointwise_loss(Mse{}, input, target, reduction);
}

template Tensor<float> mse_loss(const Tensor<float>&, const Tensor<float>&, Reduction);
template Tensor<double> mse_loss(const Tensor<double>&, const Tensor<double>&, Reduction);

}  // namespace klgrad
