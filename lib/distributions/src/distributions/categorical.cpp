// Categorical(probs | logits): log_prob, entropy, sample. Math: klgrad/distributions.hpp.
#include <cmath>
#include <limits>

#include <xtensor/xbroadcast.hpp>

#include "klgrad/distributions.hpp"

namespace klgrad {

namespace {

Shape drop_last(const Shape& s) { return Shape(s.begin(), s.end() - 1); }

template <class T>
void check_rank(const Tensor<T>& x, const char* param) {
  KLGRAD_CHECK(x.dim() >= 1 && x.shape().back() >= 1,
        std::string("Categorical: ") + param + " " + shape_str(x.shape()) +
            " needs a last axis of categories (shape (K,) or (..., K) with K >= 1); a single distribution over "
            "3 classes is shape (3,)");
}

}  // namespace

template <class T>
Categorical<T>::Categorical(const Tensor<T>& probs, const Tensor<T>& logits)
    : Distribution<T>(probs.tape(), drop_last(probs.shape()), Shape{}), probs_(probs), logits_(logits) {}

// probs / sum(probs), and logits = log(clamp(probs, probs_eps, 1 - probs_eps)) (PyTorch's probs_to_logits).
template <class T>
Categorical<T> Categorical<T>::from_probs(const Tensor<T>& probs) {
  check_rank(probs, "probs");
  const Array<T>& p = probs.value();
  const std::size_t k = p.shape().back();
  for (std::size_t r = 0; r < p.size() / k; ++r) {
    T total = 0;
    for (std::size_t j = 0; j < k; ++j) {
      const T v = p.flat(r * k + j);
      KLGRAD_CHECK(std::isfinite(v) && v >= T(0),
            "Categorical: probs must be finite and >= 0, found " + std::to_string(v) + " at row " + std::to_string(r) +
                ", class " + std::to_string(j) + " of probs " + shape_str(p.shape()) +
                "; for unnormalised scores use Categorical::from_logits");
      total += v;
    }
    KLGRAD_CHECK(total > T(0), "Categorical: row " + std::to_string(r) + " of probs " + shape_str(p.shape()) +
                            " sums to 0; every row needs positive mass (rows are normalised to sum to 1)");
  }
  const Tensor<T> normalised = probs / sum(probs, {-1}, true);
  const Tensor<T> logits = log(clamp(normalised, probs_eps<T>, T(1) - probs_eps<T>));
  return Categorical(normalised, logits);
}

// logits - logsumexp(logits) (= log_softmax), probs = softmax.
template <class T>
Categorical<T> Categorical<T>::from_logits(const Tensor<T>& logits) {
  check_rank(logits, "logits");
  const Array<T>& l = logits.value();
  for (std::size_t i = 0; i < l.size(); ++i)
    KLGRAD_CHECK(!std::isnan(l.flat(i)) && l.flat(i) < std::numeric_limits<T>::infinity(),
          "Categorical: logits must be real numbers below +inf (-inf is a class of probability 0), found " +
              std::to_string(l.flat(i)) + " at element " + std::to_string(i) + " of logits " + shape_str(l.shape()));
  const Tensor<T> normalised = log_softmax(logits, -1);
  return Categorical(softmax(normalised, -1), normalised);
}

// logits[..., value]: value broadcast against batch_shape, logits expanded to match.
template <class T>
Tensor<T> Categorical<T>::log_prob(const Tensor<T>& value) const {
  const Array<T>& v = value.value();
  const std::size_t k = num_categories();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const T c = v.flat(i);
    KLGRAD_CHECK(c >= T(0) && c < static_cast<T>(k) && std::floor(c) == c,
          "Categorical::log_prob: value " + std::to_string(c) + " at element " + std::to_string(i) +
              " is not a class index in [0, " + std::to_string(k) + "); pass integer class indices, not one-hot rows");
  }
  Shape s;
  try {
    s = broadcast_shapes(v.shape(), this->batch_shape(), "Categorical::log_prob");
  } catch (const Error&) {
    throw Error("Categorical::log_prob: value " + shape_str(v.shape()) + " does not broadcast with the batch shape " +
                shape_str(this->batch_shape()) + "; value holds one class index per distribution");
  }
  Shape sk = s;
  sk.push_back(k);
  const Tensor<T> l = logits_.shape() == sk ? logits_ : broadcast_to(logits_, sk);
  const Array<T> index = v.shape() == s ? v : Array<T>(xt::broadcast(v, s));
  return detail::take_last(l, index);
}

// -sum_k p_k max(logits_k, lowest): the clamp makes a p = 0, logit = -inf term 0, not NaN.
template <class T>
Tensor<T> Categorical<T>::entropy() const {
  const Tensor<T> l = clamp(logits_, std::numeric_limits<T>::lowest(), std::numeric_limits<T>::infinity());
  return -sum(l * probs_, {-1});
}

template <class T>
Tensor<T> Categorical<T>::sample(Generator& gen, const Shape& sample_shape) const {
  return this->tape().constant(gen.categorical(probs_.value(), sample_shape));
}

template class Categorical<float>;
template class Categorical<double>;

}  // namespace klgrad
