// klgrad/losses/bce.hpp — binary cross-entropy, PyTorch's F.binary_cross_entropy
// and F.binary_cross_entropy_with_logits. Two fused nodes, one per function.
//
// What they compute
//   The negative log-likelihood of targets t in [0, 1] (pixels, labels) under
//   independent Bernoulli variables with success probability x:
//     L = -(t log x + (1 - t) log(1 - x))
//   binary_cross_entropy takes the probabilities x (e.g. sigmoid(logits));
//   binary_cross_entropy_with_logits takes the logits z, x = sigmoid(z), and is
//   the one to use: it is exact for every z, and faster.
//
// binary_cross_entropy(x, t), x in [0, 1]
//   L = -(t max(log x, -100) + (1 - t) max(log(1 - x), -100))
//   PyTorch clamps each log at -100, so x = 0 or 1 gives a finite loss (at most
//   100 per element) instead of inf. log(1 - x) is computed as written, not
//   as log1p(-x), exactly as PyTorch 1.13 does.
//   dL/dx = (x - t) / max(x (1 - x), eps)   eps = 1e-12 rounded to float, as
//           PyTorch's EPSILON: at x = 0 or 1 the gradient is huge (~1e12), not inf
//   dL/dt = log(1 - x) - log x = -logit(x)  (unclamped: +inf at x = 0, -inf at x = 1)
//   An x outside [0, 1] (or NaN) is an Error: pass logits to the _with_logits
//   version instead. Targets are not range-checked (neither in PyTorch).
//
// binary_cross_entropy_with_logits(z, t)
//   L = max(z, 0) - z t + log1p(e^-|z|)
//   The stability trick: log(1 + e^z) = max(z, 0) + log(1 + e^-|z|), so no
//   exp overflows and no log sees 0; z = +-100 (even +-1e4) is exact.
//   dL/dz = sigmoid(z) - t                  sigmoid(z) = 1 / (1 + e^-z), or
//                                           e^z / (1 + e^z) for z < 0
//   dL/dt = -z
//   PyTorch 1.13 writes the last term as log(e^-m + e^(-z-m)), m = max(-z, 0):
//   the same value, except that log1p keeps tiny losses (|z| > ~37 with the
//   target on the right side) that PyTorch's log(1 + tiny) rounds to 0.
//
// Reduction (losses/reduction.hpp): none | sum | mean (the default, / numel).
// Gradients above are per element, times g = dL/dy and the reduction factor.
// Shapes: input and target must have the same shape, any rank (e.g. (batch, 784)).
#pragma once

#include <string>

#include "klgrad/losses/reduction.hpp"
#include "klgrad/tape.hpp"

namespace klgrad {

template <class T>
Tensor<T> binary_cross_entropy(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction = Reduction::mean);
template <class T>
Tensor<T> binary_cross_entropy(const Tensor<T>& input, const Tensor<T>& target, const std::string& reduction) {
  return binary_cross_entropy(input, target, parse_reduction(reduction, "binary_cross_entropy"));
}

template <class T>
Tensor<T> binary_cross_entropy_with_logits(const Tensor<T>& logits, const Tensor<T>& target,
                                           Reduction reduction = Reduction::mean);
template <class T>
Tensor<T> binary_cross_entropy_with_logits(const Tensor<T>& logits, const Tensor<T>& target,
                                           const std::string& reduction) {
  return binary_cross_entropy_with_logits(logits, target,
                                          parse_reduction(reduction, "binary_cross_entropy_with_logits"));
}

// nn.BCELoss and nn.BCEWithLogitsLoss: the same losses as objects holding the reduction.
struct BCELoss {
  Reduction reduction = Reduction::mean;
  explicit BCELoss(Reduction r = Reduction::mean) : reduction(r) {}
  explicit BCELoss(const std::string& r) : reduction(parse_reduction(r, "BCELoss")) {}
  template <class T>
  Tensor<T> operator()(const Tensor<T>& input, const Tensor<T>& target) const {
    return binary_cross_entropy(input, target, reduction);
  }
};

struct BCEWithLogitsLoss {
  Reduction reduction = Reduction::mean;
  explicit BCEWithLogitsLoss(Reduction r = Reduction::mean) : reduction(r) {}
  explicit BCEWithLogitsLoss(const std::string& r) : reduction(parse_reduction(r, "BCEWithLogitsLoss")) {}
  template <class T>
  Tensor<T> operator()(const Tensor<T>& logits, const Tensor<T>& target) const {
    return binary_cross_entropy_with_logits(logits, target, reduction);
  }
};

}  // namespace klgrad
