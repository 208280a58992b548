// klgrad/losses/mse.hpp — the mean squared error, PyTorch's F.mse_loss.
//
// What it computes (x = input, t = target)
//   L = (x - t)^2                   per element
// Reduction (losses/reduction.hpp): none | sum | mean (the default, / numel).
//
// Gradients (times g = dL/dy and the reduction factor f)
//   dL/dx =  2 (x - t)
//   dL/dt = -2 (x - t)
//
// Shapes: input and target must have the same shape. PyTorch broadcasts a
// different target shape with only a warning ("This will likely lead to
// incorrect results"); klgrad makes it an Error. Broadcast explicitly
// (broadcast_to) if you mean it.
// Stability: nothing to stabilise; sums accumulate in double.
#pragma once

#include <string>

#include "klgrad/losses/reduction.hpp"
#include "klgrad/tape.hpp"

namespace klgrad {

template <class T>
Tensor<T> mse_loss(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction = Reduction::mean);
template <class T>
Tensor<T> mse_loss(const Tensor<T>& input, const Tensor<T>& target, const std::string& reduction) {
  return mse_loss(input, target, parse_reduction(reduction, "mse_loss"));
}

// nn.MSELoss: the same loss as an object holding the reduction.
struct MSELoss {
  Reduction reduction = Reduction::mean;
  explicit MSELoss(Reduction r = Reduction::mean) : reduction(r) {}
  explicit MSELoss(const std::string& r) : reduction(parse_reduction(r, "MSELoss")) {}
  template <class T>
  Tensor<T> operator()(const Tensor<T>& input, const Tensor<T>& target) const {
    return mse_loss(input, target, reduction);
  }
};

}  // namespace klgrad
