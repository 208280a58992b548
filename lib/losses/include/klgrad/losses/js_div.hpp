// klgrad/losses/js_div.hpp — the Jensen-Shannon divergence loss (registered as "js").
//
// Added by following docs/EXTENDING.md, with kl_div as the model.
//
// What it computes
//   JS(P, Q) = 1/2 KL(P || M) + 1/2 KL(Q || M),   M = (P + Q) / 2
//   with input = log Q (log-probabilities of the model, e.g. log_softmax(logits))
//   and target = P (probabilities), kl_div's argument order.
//   Symmetric, JS(P, Q) = JS(Q, P); 0 <= JS <= log 2 per row, log 2 exactly when
//   P and Q have disjoint supports. Unlike KL it stays finite where q = 0 < p.
//
// Pointwise terms (x = input, q = e^x, p = target, m = (p + q) / 2)
//   L = 1/2 p (log p - log m) + 1/2 q (x - log m)
//     = 1/2 p log p + 1/2 q log q - m log m     (>= 0: t log t is convex)
//   Edge values, from 0 log 0 = 0: a term with p = 0 or q = 0 contributes 0
//   to its half, so L(p, q = 0) = p log 2 / 2 and L(0, 0) = 0.
//
// Gradients (times g = dL/dy and the reduction factor f), from
//   d(t log t)/dt = log t + 1 and dm/dp = dm/dq = 1/2 (the +1s cancel):
//   dL/dp = 1/2 (log p + 1) - 1/2 (log m + 1) = 1/2 (log p - log m)
//   dL/dx = dL/dq dq/dx = 1/2 (x - log m) q
//   At p = 0 the target gradient is -inf (the slope of p log p at 0); at q = 0
//   the input gradient is 0. At p = q = 0 the term is not differentiable in p
//   and its target gradient is NaN.
//
// Reduction (losses/reduction.hpp): none | sum | batchmean (the JS per sample).
//   'mean' (divide by batch x support) is refused: it is not the JS divergence.
//
// Shapes: input and target must have the same shape, e.g. (batch, classes).
// Stability: no epsilon. Everything is computed from log-probabilities:
//   log m = logaddexp(log p, x) - log 2 = max + log1p(e^-|log p - x|) - log 2,
// so m never underflows to 0 while p or q is representable, and neither half
// divides by anything.
#pragma once

#include <string>

#include "klgrad/losses/reduction.hpp"
#include "klgrad/tape.hpp"

namespace klgrad {

template <class T>
Tensor<T> js_div(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction = Reduction::batchmean);
template <class T>
Tensor<T> js_div(const Tensor<T>& input, const Tensor<T>& target, const std::string& reduction) {
  return js_div(input, target, parse_reduction(reduction, "js_div", true));
}

}  // namespace klgrad
