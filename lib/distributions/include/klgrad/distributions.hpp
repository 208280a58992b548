// klgrad/distributions.hpp — probability distributions and the KL divergence
// between them, PyTorch's torch.distributions (1.13) in miniature.
//
//   klgrad::Tape<double> tape;
//   auto mu = tape.param(mu_param), logvar = tape.param(logvar_param);   // (N, 20)
//   klgrad::Normal<double> q(mu, klgrad::exp(logvar * 0.5));             // q(z | x)
//   klgrad::Normal<double> prior(tape.constant(0.0), tape.constant(1.0));
//   auto z  = q.rsample(gen);                         // mu + eps * sigma, differentiable
//   auto kl = klgrad::sum(klgrad::kl_divergence(q, prior));
//   //  = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)), the VAE's KL term
//
// Model
//   A distribution holds its parameters as Tensors on one tape, so log_prob,
//   entropy, rsample and kl_divergence are ordinary klgrad graphs: they are
//   composed from the primitives in ops.hpp and need no backward of their own.
//   Like every Tensor, a distribution lives for one step (until tape.clear()).
//   Shapes follow PyTorch: a draw has shape sample_shape + batch_shape +
//   event_shape; log_prob(value) returns sample_shape + batch_shape. The
//   parameters are broadcast against each other (NumPy rules) to batch_shape.
//   Parameters are validated on construction (PyTorch's validate_args=True):
//   an Error names the distribution, the parameter, the bad element and the fix.
//
// Normal(loc, scale), scale > 0
//   log_prob(x) = -(x - loc)^2 / (2 scale^2) - log scale - log sqrt(2 pi)
//   entropy     = 1/2 + 1/2 log(2 pi) + log scale
//   rsample     = loc + eps * scale, eps ~ N(0, 1) drawn once: the gradient flows
//                 to loc and scale (the reparameterisation trick).
// Categorical(probs | logits), categories along the last axis (K)
//   from_probs: probs >= 0, normalised per row (probs / sum); from_logits: any
//   real logits, normalised to log-probabilities by log_softmax.
//   log_prob(k) = logits[..., k] (k: class indices stored as T)
//   entropy     = -sum_k p_k max(logits_k, lowest(T))   (so 0 * -inf is 0, not NaN)
// Bernoulli(probs | logits), probs in [0, 1]
//   log_prob(y) = -BCEwithlogits(logits, y) = y x - log(1 + e^x), y in {0, 1},
//                 evaluated as PyTorch does: m = max(-x, 0),
//                 BCE = (1 - y) x + m + log(e^-m + e^(-x - m))   (never overflows)
//   entropy     = BCEwithlogits(logits, probs)
// Independent(base, n): the rightmost n batch dims of base become event dims;
//   log_prob and entropy sum over them (a diagonal Gaussian is
//   Independent(Normal(mu, sigma), 1)).
//
// Probabilities to logits: the one epsilon (named, as PyTorch's clamp_probs)
//   A probs-parameterised Categorical/Bernoulli computes its logits from probs
//   clamped to [probs_eps, 1 - probs_eps], probs_eps = machine epsilon of T
//   (2.2e-16 double, 1.2e-7 float). So a class of probability 0 has log_prob
//   log(probs_eps) (about -36 double, -16 float), not -inf, exactly as PyTorch
//   1.13. A logits-parameterised distribution has no clamp. The KL divergences
//   below set their 0 log 0 and p log(p / 0) terms explicitly instead.
//
// kl_divergence(p, q) = KL(p || q) = E_p[log p(x) - log q(x)], shape batch_shape
//   Normal || Normal:  r = (sp / sq)^2, t = ((mp - mq) / sq)^2,
//                      KL = 1/2 (r + t - 1 - log r)
//   Categorical || Categorical: sum_k p_k (logp_k - logq_k); a term is +inf
//                      where q_k = 0 < p_k, and 0 where p_k = 0 (0 log 0 = 0)
//   Bernoulli || Bernoulli: p (softplus(-lq) - softplus(-lp))
//                      + (1 - p) (softplus(lq) - softplus(lp))   (l: logits);
//                      the first term is inf where q = 0 (0 where p = 0), the
//                      second inf where q = 1 (0 where p = 1)
//   Independent || Independent: same n, KL of the bases summed over the n dims
//   Forced-to-a-value terms (the inf and 0 above) get a zero gradient, as
//   PyTorch's masked assignment does.
//
// Adding a KL pair (your own distribution, or a pair klgrad lacks)
//   kl_divergence dispatches on the dynamic types of p and q through a registry
//   keyed by (typeid(p), typeid(q)); the exact pair must be registered (no
//   subclass matching). Register once, e.g. at the start of main; here for a
//   user-defined `struct Rayleigh : klgrad::Distribution<double>` holding a
//   Tensor `scale` (tests/distributions/test_kl.cpp registers a pair the same way):
//
//     // KL(Rayleigh(a) || Rayleigh(b)) = 2 log(b / a) + a^2 / b^2 - 1
//     klgrad::register_kl<Rayleigh, Rayleigh>(
//         [](const Rayleigh& p, const Rayleigh& q) { return 2.0 * log(q.scale / p.scale) + pow(p.scale / q.scale, 2.0) - 1.0; });
//
//   fn receives p and q as their own types and returns a Tensor of the broadcast
//   batch shape, composed from ops.hpp so that it is differentiable.
//   A registration replaces an earlier one for the same pair. The built-in pairs
//   are registered by the registry itself on first use, so they exist even when
//   klgrad is linked as a static archive.
//
// More families, each in its own header under klgrad/distributions/: Laplace,
// Exponential, Gamma, Beta, Uniform (their KL pairs: kl_zoo.hpp; the table of
// families and pairs: docs/DISTRIBUTIONS.md), MultivariateNormal and
// LowRankMultivariateNormal (multivariate_normal.hpp, low_rank_multivariate_normal.hpp).
//
// Randomness: sample/rsample take a klgrad::Generator (random.hpp) explicitly:
// no global stream, and a checkpoint of the Generator resumes the same draws.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <typeindex>
#include <typeinfo>

#include "klgrad/ops.hpp"
#include "klgrad/random.hpp"
#include "klgrad/tape.hpp"

namespace klgrad {

// The interface every distribution implements.
template <class T>
class Distribution {
 public:
  using value_type = T;
  virtual ~Distribution() = default;

  // "Normal": used in error messages and by the KL registry's errors.
  virtual std::string name() const = 0;

  const Shape& batch_shape() const { return batch_shape_; }
  const Shape& event_shape() const { return event_shape_; }
  Tape<T>& tape() const { return *tape_; }

  // log density / mass of `value` (shape sample_shape + batch_shape + event_shape),
  // shape sample_shape + batch_shape. Differentiable w.r.t. the parameters.
  virtual Tensor<T> log_prob(const Tensor<T>& value) const = 0;
  // Differential / Shannon entropy in nats, shape batch_shape.
  virtual Tensor<T> entropy() const = 0;
  // A draw of shape sample_shape + batch_shape + event_shape, as a constant (no gradient).
  virtual Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const = 0;
  // A reparameterised draw, differentiable w.r.t. the parameters; an Error unless has_rsample().
  virtual bool has_rsample() const { return false; }
  virtual Tensor<T> rsample(Generator& gen, const Shape& sample_shape = {}) const;

 protected:
  Distribution(Tape<T>& tape, Shape batch_shape, Shape event_shape)
      : tape_(&tape), batch_shape_(std::move(batch_shape)), event_shape_(std::move(event_shape)) {}
  Distribution(const Distribution&) = default;
  Distribution& operator=(const Distribution&) = default;
  // sample_shape + batch_shape + event_shape
  Shape extended_shape(const Shape& sample_shape) const;

 private:
  Tape<T>* tape_;
  Shape batch_shape_, event_shape_;
};

// PyTorch's clamp_probs epsilon (see "Probabilities to logits" above).
template <class T>
inline constexpr T probs_eps = std::numeric_limits<T>::epsilon();

template <class T>
class Normal : public Distribution<T> {
 public:
  // loc and scale broadcast to batch_shape; scale > 0 elementwise.
  Normal(const Tensor<T>& loc, const Tensor<T>& scale);

  std::string name() const override { return "Normal"; }
  const Tensor<T>& loc() const { return loc_; }
  const Tensor<T>& scale() const { return scale_; }
  Tensor<T> mean() const { return loc_; }
  Tensor<T> stddev() const { return scale_; }
  Tensor<T> variance() const { return pow(scale_, T(2)); }

  Tensor<T> log_prob(const Tensor<T>& value) const override;
  Tensor<T> entropy() const override;
  Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const override;
  bool has_rsample() const override { return true; }
  Tensor<T> rsample(Generator& gen, const Shape& sample_shape = {}) const override;
  // loc + eps * scale with a caller-drawn eps of shape sample_shape + batch_shape:
  // a training loop refills one eps buffer with gen.normal_(eps) every step.
  Tensor<T> rsample(const Array<T>& eps) const;

 private:
  Tensor<T> loc_, scale_;
};

template <class T>
class Categorical : public Distribution<T> {
 public:
  static Categorical from_probs(const Tensor<T>& probs);    // (..., K), >= 0, positive row sums
  static Categorical from_logits(const Tensor<T>& logits);  // (..., K), not NaN

  std::string name() const override { return "Categorical"; }
  std::size_t num_categories() const { return probs_.shape().back(); }
  const Tensor<T>& probs() const { return probs_; }    // normalised, rows sum to 1
  const Tensor<T>& logits() const { return logits_; }  // normalised log-probabilities

  // value: class indices in [0, K) stored as T, shape broadcastable with batch_shape.
  Tensor<T> log_prob(const Tensor<T>& value) const override;
  Tensor<T> entropy() const override;
  Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const override;

 private:
  Categorical(const Tensor<T>& probs, const Tensor<T>& logits);
  Tensor<T> probs_, logits_;
};

template <class T>
class Bernoulli : public Distribution<T> {
 public:
  static Bernoulli from_probs(const Tensor<T>& probs);    // in [0, 1]
  static Bernoulli from_logits(const Tensor<T>& logits);  // log-odds, not NaN

  std::string name() const override { return "Bernoulli"; }
  const Tensor<T>& probs() const { return probs_; }
  const Tensor<T>& logits() const { return logits_; }
  Tensor<T> mean() const { return probs_; }
  Tensor<T> variance() const { return probs_ * (T(1) - probs_); }

  // value: 0 or 1, shape broadcastable with batch_shape.
  Tensor<T> log_prob(const Tensor<T>& value) const override;
  Tensor<T> entropy() const override;
  Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const override;

 private:
  Bernoulli(const Tensor<T>& probs, const Tensor<T>& logits);
  Tensor<T> probs_, logits_;
};

template <class T>
class Independent : public Distribution<T> {
 public:
  // Copies `base` (its Tensors are handles: cheap).
  template <class D, class = std::enable_if_t<std::is_base_of<Distribution<T>, D>::value>>
  Independent(const D& base, std::size_t reinterpreted_batch_ndims)
      : Independent(std::shared_ptr<const Distribution<T>>(std::make_shared<const D>(base)), reinterpreted_batch_ndims) {}
  Independent(std::shared_ptr<const Distribution<T>> base, std::size_t reinterpreted_batch_ndims);

  std::string name() const override { return "Independent"; }
  const Distribution<T>& base() const { return *base_; }
  std::size_t reinterpreted_batch_ndims() const { return ndims_; }

  Tensor<T> log_prob(const Tensor<T>& value) const override;
  Tensor<T> entropy() const override;
  Tensor<T> sample(Generator& gen, const Shape& sample_shape = {}) const override;
  bool has_rsample() const override { return base_->has_rsample(); }
  Tensor<T> rsample(Generator& gen, const Shape& sample_shape = {}) const override;

 private:
  std::shared_ptr<const Distribution<T>> base_;  // immutable, so sharing it cannot form a cycle
  std::size_t ndims_;
};

// Independent(Normal<double>(...), 1) deduces Independent<double>.
template <class D>
Independent(const D&, std::size_t) -> Independent<typename D::value_type>;

// ---- KL divergence ---------------------------------------------------------

template <class T>
using KlFn = std::function<Tensor<T>(const Distribution<T>&, const Distribution<T>&)>;

// KL(p || q), shape broadcast(p.batch_shape, q.batch_shape). An Error names both
// types when the pair is not registered.
template <class T>
Tensor<T> kl_divergence(const Distribution<T>& p, const Distribution<T>& q);

// The registry's raw entry point: fn receives p and q as Distribution<T>&.
template <class T>
void register_kl_fn(std::type_index p, std::type_index q, KlFn<T> fn);

// Registers fn(const P&, const Q&) -> Tensor<T> for the pair (P, Q).
template <class P, class Q, class F>
void register_kl(F fn) {
  using T = typename P::value_type;
  static_assert(std::is_same<T, typename Q::value_type>::value, "register_kl: P and Q must share the scalar type");
  static_assert(std::is_base_of<Distribution<T>, P>::value && std::is_base_of<Distribution<T>, Q>::value,
                "register_kl: P and Q must derive from klgrad::Distribution<T>");
  register_kl_fn<T>(typeid(P), typeid(Q), [fn](const Distribution<T>& p, const Distribution<T>& q) -> Tensor<T> {
    return fn(static_cast<const P&>(p), static_cast<const Q&>(q));
  });
}

namespace detail {
// Two small primitives the distributions compose with (lib/distributions/src/distributions/distribution.cpp).
// y = value where mask != 0, else x (mask: x's shape)        dx = g where mask == 0, else 0
template <class T>
Tensor<T> masked_fill(const Tensor<T>& x, const Array<T>& mask, T value);
// y[...] = x[..., index[...]] for x (..., K), index (...) of class indices     dx[..., index] += g
template <class T>
Tensor<T> take_last(const Tensor<T>& x, const Array<T>& index);

// Location-scale families (Normal, Laplace): checks that loc and scale share a
// tape, broadcast, that loc has no NaN and scale > 0, and returns the batch
// shape. `dist` names the family in the errors.
template <class T>
Shape loc_scale_batch(const char* dist, const Tensor<T>& loc, const Tensor<T>& scale);
// x broadcast to shape s (x itself when it has that shape already).
template <class T>
Tensor<T> expand_to(const Tensor<T>& x, const Shape& s) {
  return x.shape() == s ? x : broadcast_to(x, s);
}
}  // namespace detail

}  // namespace klgrad
