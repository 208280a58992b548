// klgrad/distributions/kl_zoo.hpp — KL(p || q) among Exponential, Gamma, Beta and
// Uniform: every pair PyTorch 1.13 registers for these four families
// (torch/distributions/kl.py), with the same formulas, composed from ops so the
// engine gives the gradient w.r.t. every parameter. Shapes broadcast:
// KL has shape broadcast(p.batch_shape, q.batch_shape).
//
// Notation: Exp(r), Gamma(a, r), Beta(a, b) (a = concentration1, b = concentration0),
// U(l, h); H(p) the entropy of p, psi = digamma, gamma_e = 0.5772... (Euler),
// lB(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), xlx(t) = t log t (0 at t = 0).
//
//   Exp(r1)   || Exp(r2)       log(r1 / r2) + r2 / r1 - 1
//   Exp(r)    || Gamma(a, s)   -a log(s / r) + s / r + lgamma(a) + a gamma_e - (1 + gamma_e)
//   Gamma(a1, r1) || Gamma(a2, r2)
//                              a2 log(r1 / r2) + lgamma(a2) - lgamma(a1)
//                              + (a1 - a2) psi(a1) + (r2 - r1) a1 / r1
//   Gamma(a, r) || Exp(s)      -H(p) - log s + s a / r
//   Beta(a1, b1) || Beta(a2, b2), s1 = a1 + b1, s2 = a2 + b2
//                              lB(a2, b2) - lB(a1, b1) + (a1 - a2) psi(a1)
//                              + (b1 - b2) psi(b1) + (s2 - s1) psi(s1)
//   Beta(a, b) || Exp(s)       -H(p) - log s + s a / (a + b)
//   Beta(a, b) || Gamma(c, s)  -H(p) + lgamma(c) - c log s
//                              - (c - 1) (psi(a) - psi(a + b)) + s a / (a + b)
//   Beta(a, b) || U(l, h)      -H(p) + log(h - l);          inf where l > 0 or h < 1
//   U(l1, h1) || U(l2, h2)     log((h2 - l2) / (h1 - l1));  inf where l2 > l1 or h2 < h1
//   U(l, h)   || Exp(s)        s (h + l) / 2 - log((h - l) s);  inf where l < 0
//   U(l, h)   || Gamma(a, s), w = h - l
//                              -log w + lgamma(a) - a log s
//                              + (1 - a) (xlx(h) - xlx(l) - w) / w + s (h + l) / 2;  inf where l < 0
//   U(l, h)   || Beta(a, b), w = h - l
//                              -log w + lB(a, b) - (a - 1) (xlx(h) - xlx(l) - w) / w
//                              + (b - 1) (xlx(1 - h) - xlx(1 - l) + w) / w;  inf where l < 0 or h > 1
//   Exp || Beta, Exp || U, Gamma || Beta, Gamma || U   inf everywhere (p's support
//                              [0, inf) is not inside q's)
//
// The inf elements: a term forced to inf gets a zero gradient (PyTorch's masked
// assignment), and the formula is evaluated there on stand-in parameters inside
// the support, so no NaN from log of a negative number leaks into the gradient
// of the finite elements. The all-inf pairs are inf of the broadcast shape with
// a zero gradient w.r.t. p's parameters (PyTorch: full_like(p's parameter, inf),
// of p's shape, with no gradient at all).
//
// 0 log 0: klgrad's xlx is 0 at t = 0 (its gradient there is 0, a stand-in for
// the true -inf). PyTorch's _x_log_x is t * log(t), NaN at t = 0, so PyTorch
// gives NaN for U(0, h) || Gamma, U(0, h) || Beta and U(l, 1) || Beta, where the
// KL is finite; klgrad gives the finite limit (tests/distributions/test_zoo.cpp
// checks it against a closed form evaluated by PyTorch).
//
// Registration: every pair above, for one T, by the first construction of an
// Exponential<T>, Gamma<T>, Beta<T> or Uniform<T> (register_zoo_kl, a
// function-local static: once per T, thread-safe). To replace one of these pairs
// with your own function, call register_kl after that first construction.
#pragma once

#include "klgrad/distributions/beta.hpp"
#include "klgrad/distributions/exponential.hpp"
#include "klgrad/distributions/gamma.hpp"
#include "klgrad/distributions/uniform.hpp"

namespace klgrad {

template <class T> Tensor<T> kl_exponential_exponential(const Exponential<T>& p, const Exponential<T>& q);
template <class T> Tensor<T> kl_exponential_gamma(const Exponential<T>& p, const Gamma<T>& q);
template <class T> Tensor<T> kl_gamma_gamma(const Gamma<T>& p, const Gamma<T>& q);
template <class T> Tensor<T> kl_gamma_exponential(const Gamma<T>& p, const Exponential<T>& q);
template <class T> Tensor<T> kl_beta_beta(const Beta<T>& p, const Beta<T>& q);
template <class T> Tensor<T> kl_beta_exponential(const Beta<T>& p, const Exponential<T>& q);
template <class T> Tensor<T> kl_beta_gamma(const Beta<T>& p, const Gamma<T>& q);
template <class T> Tensor<T> kl_beta_uniform(const Beta<T>& p, const Uniform<T>& q);
template <class T> Tensor<T> kl_uniform_uniform(const Uniform<T>& p, const Uniform<T>& q);
template <class T> Tensor<T> kl_uniform_exponential(const Uniform<T>& p, const Exponential<T>& q);
template <class T> Tensor<T> kl_uniform_gamma(const Uniform<T>& p, const Gamma<T>& q);
template <class T> Tensor<T> kl_uniform_beta(const Uniform<T>& p, const Beta<T>& q);

namespace detail {
// Registers every pair above for T, once (called by the four constructors).
template <class T> void register_zoo_kl();
}  // namespace detail

}  // namespace klgrad
