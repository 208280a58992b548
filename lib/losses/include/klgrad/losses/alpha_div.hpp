// klgrad/losses/alpha_div.hpp — Amari's alpha-divergence family (registered as "alpha", alpha = 1/2).
//
// Added by following docs/EXTENDING.md, with kl_div as the model.
//
// What it computes (any real alpha)
//   D_a(P || Q) = 1 / (a (a - 1)) sum_i [ p^a q^(1-a) - a p - (1 - a) q ]
//   with input = log Q (log-probabilities of the model) and target = P
//   (probabilities), kl_div's argument order. One knob moves between the two KLs:
//     a -> 1 : sum p log(p / q) - p + q  = KL(P || Q)   (mass-covering, kl_div)
//     a -> 0 : sum q log(q / p) - q + p  = KL(Q || P)   (mode-seeking)
//     a = 1/2: 2 sum (sqrt p - sqrt q)^2 = 4 (1 - sum sqrt(p q)), symmetric, <= 4
//   (the -p + q terms sum to 0 on normalised rows). D_a(P || Q) = D_(1-a)(Q || P).
//   Every term is >= 0 (weighted AM-GM: p^a q^(1-a) <= a p + (1 - a) q for a in
//   (0, 1), the reverse outside, and a (a - 1) changes sign with it), so even the
//   'none' terms are divergences, of unnormalised measures.
//   a = 0 and a = 1 are the limits above, computed exactly (no special case: see
//   Stability).
//
// Pointwise terms (x = input, q = e^x, p = target), with s = 1 - a,
//   d = x - log p = log(q / p), e = -d, phi(s, d) = expm1(s d) / s (= d at s = 0):
//   L = [(q - p) - p phi(s, d)] / a           for a >= 1/2  (p^a q^s = p e^(s d))
//   L = [(p - q) - q phi(a, e)] / (1 - a)     for a <  1/2  (p^a q^s = q e^(a e))
//   Edge values: L(0, 0) = 0; p = 0: L = q / a (a > 0), +inf (a <= 0);
//   q = 0: L = p / (1 - a) (a < 1), +inf (a >= 1).
//
// Gradients (times g = dL/dy and the reduction factor f)
//   dL/dp = (a p^(a-1) q^s - a) / (a (a - 1)) = (e^(s d) - 1) / (a - 1) = -phi(s, d)
//   dL/dx = dL/dq q = s (p^a q^(-a) - 1) q / (a (a - 1)) = (q - p^a q^s) / a = -q phi(a, e)
//   (at a = 1: dp = log p - x, dx = q - p; at a = 0: dp = 1 - q / p, dx = q (x - log p)).
//   At p = 0 the target gradient is the one-sided slope (-inf for a < 1); at q = 0
//   the input gradient is 0 for a < 1 and NaN for a >= 1, where L = +inf.
//
// Reduction (losses/reduction.hpp): none | sum | batchmean (the divergence per
//   sample). 'mean' (divide by batch x support) is refused: it is not D_a.
//
// Shapes: input and target must have the same shape, e.g. (batch, classes).
// Stability: no epsilon. The textbook form divides a difference that vanishes
//   like (a - 1) by (a - 1); the phi forms never do: expm1(s d) / s is accurate
//   for every s, and tends to d as s -> 0, so a near 0 or 1 loses no digits and
//   a = 0, 1 need no branch. Everything is computed from log p and x = log q.
#pragma once

#include <string>

#include "klgrad/losses/reduction.hpp"
#include "klgrad/tape.hpp"

namespace klgrad {

template <class T>
Tensor<T> alpha_div(const Tensor<T>& input, const Tensor<T>& target, double alpha,
                    Reduction reduction = Reduction::batchmean);
template <class T>
Tensor<T> alpha_div(const Tensor<T>& input, const Tensor<T>& target, double alpha, const std::string& reduction) {
  return alpha_div(input, target, alpha, parse_reduction(reduction, "alpha_div", true));
}

}  // namespace klgrad
