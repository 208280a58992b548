// klgrad/distributions/special.hpp — the special functions the distribution zoo
// needs, as differentiable primitives (values from Boost.Math, which only the
// .cpp includes).
//
//   lgamma(x)  = log |Gamma(x)|          d/dx = digamma(x)
//   digamma(x) = psi(x) = d/dx lgamma(x)   d/dx = trigamma(x) = psi'(x)
//
// Gamma, Beta (and later Dirichlet) write their log_prob, entropy and KL with
// these two, so the engine differentiates those formulas with no backward of
// their own; the backward of digamma makes a KL's gradient w.r.t. a
// concentration exact (it involves trigamma).
//
// Poles, as PyTorch 1.13: lgamma is +inf at x = 0, -1, -2, ... (its gradient
// there is digamma's value at the pole, below); digamma is -inf at x = 0 and NaN
// at x = -1, -2, ...; trigamma is +inf at every pole. Elsewhere the values are
// Boost.Math's, accurate to a few ulp in float and double. NaN in, NaN out.
#pragma once

#include "klgrad/tape.hpp"

namespace klgrad {

template <class T> Tensor<T> lgamma(const Tensor<T>& x);   // y = log|Gamma(x)|   dx = g digamma(x)
template <class T> Tensor<T> digamma(const Tensor<T>& x);  // y = psi(x)          dx = g trigamma(x)

// The same functions on plain numbers (samplers, tests, reference formulas).
namespace special {
template <class T> T lgamma(T x);
template <class T> T digamma(T x);
template <class T> T trigamma(T x);
}  // namespace special

}  // namespace klgrad
