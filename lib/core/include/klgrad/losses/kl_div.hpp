// klgrad/losses/kl_div.hpp — the Kullback-Leibler divergence loss, PyTorch's F.kl_div.
//
// Vocabulary (the whole project uses it): P is the data, Q is the model.
//   target = P, the data distribution (fixed; probabilities, or log P when log_target)
//   input  = log Q, the model's log-probabilities (learned, e.g. log_softmax(logits))
//   kl_div(input = log Q, target = P) = KL(P || Q) = sum_i p_i (log p_i - log q_i)
// The model comes first, as in every PyTorch loss, although it is the second
// argument of KL(P || Q).
//
// This node is the model to copy when you add a loss (docs/EXTENDING.md).
//
// Pointwise terms (x = input = log q, t = target = p)
//   L = xlogx(t) - t x             xlogx(t) = t log t, and 0 where t = 0 (0 log 0 = 0);
//                                  PyTorch calls it xlogy(t, t)
//   L = e^t (t - x)                when log_target (t = log p)
//
// Reduction (losses/reduction.hpp): none | sum | mean | batchmean.
//   'mean' divides by every element, batch x support, which is NOT the KL
//   divergence; it is PyTorch's default, so it is ours, and it warns.
//   'batchmean' divides by input.size(0) and is the true KL per sample.
//
// Gradients (times g = dL/dy and the reduction factor f)
//   dL/dx = -t                      (log_target: -e^t)
//   dL/dt = log t + 1 - x           (log_target: e^t (t - x + 1))
//   The code writes the 1 as t/t, so at t = 0 the target gradient is NaN, exactly as in
//   PyTorch 1.13; use log_target = true if you differentiate through a target
//   that can hit 0.
//
// Shapes: input and target must have the same shape, e.g. (batch, classes).
// Stability: no epsilon anywhere. Take x from log_softmax (stable for any
// logits) rather than log(softmax(.)), which gives -inf once a probability
// underflows to 0.
#pragma once

#include <string>

#include "klgrad/losses/reduction.hpp"
#include "klgrad/tape.hpp"

namespace klgrad {

template <class T>
Tensor<T> kl_div(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction = Reduction::mean,
                 bool log_target = false);
template <class T>
Tensor<T> kl_div(const Tensor<T>& input, const Tensor<T>& target, const std::string& reduction,
                 bool log_target = false) {
  return kl_div(input, target, parse_reduction(reduction, "kl_div", true), log_target);
}

// nn.KLDivLoss: the same loss as an object holding its options.
struct KLDivLoss {
  Reduction reduction = Reduction::mean;
  bool log_target = false;

  explicit KLDivLoss(Reduction r = Reduction::mean, bool log_target_ = false) : reduction(r), log_target(log_target_) {}
  explicit KLDivLoss(const std::string& r, bool log_target_ = false)
      : reduction(parse_reduction(r, "KLDivLoss", true)), log_target(log_target_) {}

  template <class T>
  Tensor<T> operator()(const Tensor<T>& input, const Tensor<T>& target) const {
    return kl_div(input, target, reduction, log_target);
  }
};

}  // namespace klgrad
