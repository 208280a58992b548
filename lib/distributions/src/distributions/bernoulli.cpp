// Bernoulli(probs | logits): log_prob, entropy, sample. Math: klgrad/distributions.hpp.
#include <cmath>
#include <limits>

#include "klgrad/distributions.hpp"

namespace klgrad {

namespace {

// PyTorch's binary_cross_entropy_with_logits(x, y), reduction none, in its own order:
//   m = max(-x, 0),  (1 - y) x + m + log(e^-m + e^(-x - m))
// Both exponents are <= 0, so nothing overflows for any logit.
template <class T>
Tensor<T> bce_with_logits(const Tensor<T>& x, const Tensor<T>& y) {
  const Tensor<T> m = clamp(-x, T(0), std::numeric_limits<T>::infinity());
  return (T(1) - y) * x + m + log(exp(-m) + exp(-x - m));
}

}  // namespace

template <class T>
Bernoulli<T>::Bernoulli(const Tensor<T>& probs, const Tensor<T>& logits)
    : Distribution<T>(probs.tape(), probs.shape(), Shape{}), probs_(probs), logits_(logits) {}

// logits = log(pc) - log(1 - pc), pc = clamp(probs, probs_eps, 1 - probs_eps) (PyTorch's probs_to_logits).
template <class T>
Bernoulli<T> Bernoulli<T>::from_probs(const Tensor<T>& probs) {
  const Array<T>& p = probs.value();
  for (std::size_t i = 0; i < p.size(); ++i)
    KLGRAD_CHECK(p.flat(i) >= T(0) && p.flat(i) <= T(1),
          "Bernoulli: probs must lie in [0, 1], found " + std::to_string(p.flat(i)) + " at element " +
              std::to_string(i) + " of probs " + shape_str(p.shape()) +
              "; squash scores with sigmoid, or use Bernoulli::from_logits");
  const Tensor<T> pc = clamp(probs, probs_eps<T>, T(1) - probs_eps<T>);
  return Bernoulli(probs, log(pc) - log(T(1) - pc));
}

template <class T>
Bernoulli<T> Bernoulli<T>::from_logits(const Tensor<T>& logits) {
  const Array<T>& l = logits.value();
  for (std::size_t i = 0; i < l.size(); ++i)
    KLGRAD_CHECK(!std::isnan(l.flat(i)), "Bernoulli: logits must be real numbers, found nan at element " + std::to_string(i) +
                                      " of logits " + shape_str(l.shape()) + "; check what produced them");
  return Bernoulli(sigmoid(logits), logits);
}

// -BCEwithlogits(logits, value), value in {0, 1}
template <class T>
Tensor<T> Bernoulli<T>::log_prob(const Tensor<T>& value) const {
  const Array<T>& v = value.value();
  for (std::size_t i = 0; i < v.size(); ++i)
    KLGRAD_CHECK(v.flat(i) == T(0) || v.flat(i) == T(1),
          "Bernoulli::log_prob: value " + std::to_string(v.flat(i)) + " at element " + std::to_string(i) +
              " is not 0 or 1; pass binary outcomes (for soft targets use binary_cross_entropy)");
  try {
    broadcast_shapes(v.shape(), this->batch_shape(), "Bernoulli::log_prob");
  } catch (const Error&) {
    throw Error("Bernoulli::log_prob: value " + shape_str(v.shape()) + " does not broadcast with the batch shape " +
                shape_str(this->batch_shape()));
  }
  return -bce_with_logits(logits_, value);
}

// BCEwithlogits(logits, probs) = -(p log p + (1 - p) log(1 - p))
template <class T>
Tensor<T> Bernoulli<T>::entropy() const {
  return bce_with_logits(logits_, probs_);
}

template <class T>
Tensor<T> Bernoulli<T>::sample(Generator& gen, const Shape& sample_shape) const {
  return this->tape().constant(gen.bernoulli(probs_.value(), sample_shape));
}

template class Bernoulli<float>;
template class Bernoulli<double>;

}  // namespace klgrad
