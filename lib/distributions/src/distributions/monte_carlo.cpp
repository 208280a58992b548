// kl_divergence_mc: the three sample estimators of KL(p || q) and their standard
// errors. Math: klgrad/distributions/monte_carlo.hpp.
#include "klgrad/distributions/monte_carlo.hpp"

#include <cmath>

namespace klgrad {

KlEstimator parse_kl_estimator(const std::string& name) {
  if (name == "k1") return KlEstimator::k1;
  if (name == "k2") return KlEstimator::k2;
  if (name == "k3") return KlEstimator::k3;
  throw Error("kl_divergence_mc: unknown estimator '" + name + "'; use k1, k2 or k3");
}

const char* kl_estimator_name(KlEstimator e) { return e == KlEstimator::k1 ? "k1" : e == KlEstimator::k2 ? "k2" : "k3"; }

template <class T>
KlEstimate<T> kl_divergence_mc(const Distribution<T>& p, const Distribution<T>& q, std::size_t n, Generator& gen,
                               KlEstimator estimator) {
  KLGRAD_CHECK(n >= 2, "kl_divergence_mc: n must be >= 2 (the standard error needs two draws), got " + std::to_string(n));
  KLGRAD_CHECK(&p.tape() == &q.tape(), "kl_divergence_mc: " + p.name() + " and " + q.name() +
                                           " live on different tapes; build one step on one tape");
  KLGRAD_CHECK(p.event_shape() == q.event_shape(), "kl_divergence_mc: " + p.name() + " has event shape " +
                                                       shape_str(p.event_shape()) + " but " + q.name() + " has " +
                                                       shape_str(q.event_shape()) + "; the two must describe the same space");
  const Tensor<T> x = p.has_rsample() ? p.rsample(gen, {n}) : p.sample(gen, {n});
  const Tensor<T> r = p.log_prob(x) - q.log_prob(x);  // (n,) + batch
  Tensor<T> k;
  switch (estimator) {
    case KlEstimator::k1: k = r; break;
    case KlEstimator::k2: k = r * r * T(0.5); break;
    case KlEstimator::k3: k = (exp(-r) - T(1)) + r; break;
  }
  KlEstimate<T> e;
  e.n = n;
  e.samples = k.value();
  e.value = mean(k, {0});
  // sd with n - 1, over the sample axis, per batch entry
  // The mean is evaluated first: a lazy keep_dims reducer broadcast inside an
  // expression reads past its buffer (docs/XTENSOR.md, trap 3).
  const Array<T> m = xt::mean(e.samples, {0}, xt::keep_dims);
  const Array<T> centered = e.samples - m;
  const Array<T> var = xt::sum(centered * centered, {0}) / static_cast<T>(n - 1);
  e.stderr_ = xt::sqrt(var / static_cast<T>(n));
  return e;
}

template KlEstimate<float> kl_divergence_mc(const Distribution<float>&, const Distribution<float>&, std::size_t, Generator&,
                                            KlEstimator);
template KlEstimate<double> kl_divergence_mc(const Distribution<double>&, const Distribution<double>&, std::size_t, Generator&,
                                             KlEstimator);

}  // namespace klgrad
