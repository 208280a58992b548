// klgrad/distributions/monte_carlo.hpp — KL(p || q) estimated from samples of
// p, with its standard error: for any pair with log_prob and sample, where
// kl_divergence has no closed form (PyTorch raises NotImplementedError there).
//
//   x_1..x_n ~ p,  r_i = log p(x_i) - log q(x_i)   (the log ratio; E_p r = KL(p || q))
//   k1_i = r_i                          unbiased, high variance, can be negative
//   k2_i = r_i^2 / 2                    biased (by about E r^3 / 6), low variance, >= 0
//   k3_i = (e^(-r_i) - 1) + r_i         unbiased (E_p[q/p] = 1), low variance, >= 0 per sample
//          = (ratio - 1) - log ratio with ratio = q(x) / p(x)
//   estimate = mean_i k_i, standard error = sd_i(k_i) / sqrt(n) (n - 1 in the sd),
//   per batch entry. (The three are from the RL literature on KL penalties:
//   J. Schulman, "Approximating KL divergence", 2020.)
//
// Gradients: the draws are p.rsample(gen) when p has one, so the estimate is
// differentiable w.r.t. the parameters of p and q (the reparameterization
// trick); otherwise p.sample(gen), a constant, and only q's gradient (and the
// part of p's through log p) flows: the estimate's gradient w.r.t. p is then
// not the gradient of the KL (that needs the score function).
#pragma once

#include <cstddef>
#include <string>

#include "klgrad/distributions.hpp"

namespace klgrad {

enum class KlEstimator { k1, k2, k3 };

// "k1" | "k2" | "k3", or an Error naming the choices.
KlEstimator parse_kl_estimator(const std::string& name);
const char* kl_estimator_name(KlEstimator e);

template <class T>
struct KlEstimate {
  Tensor<T> value;       // batch_shape: the mean of the per-sample estimates (differentiable)
  Array<T> stderr_;      // batch_shape: sd / sqrt(n)
  Array<T> samples;      // (n,) + batch_shape: the per-sample estimates k_i
  std::size_t n = 0;
};

// n >= 2 draws of p; p and q on one tape with broadcastable batch shapes and the same event shape.
template <class T>
KlEstimate<T> kl_divergence_mc(const Distribution<T>& p, const Distribution<T>& q, std::size_t n, Generator& gen,
                               KlEstimator estimator = KlEstimator::k3);

}  // namespace klgrad
