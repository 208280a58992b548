// Independent(base, n): the rightmost n batch dims of base become event dims.
#include "klgrad/distributions.hpp"

namespace klgrad {

namespace {

template <class T>
const Distribution<T>& checked(const std::shared_ptr<const Distribution<T>>& base, std::size_t n) {
  KLGRAD_CHECK(base != nullptr, "Independent: base distribution is null");
  KLGRAD_CHECK(n <= base->batch_shape().size(),
        "Independent: reinterpreted_batch_ndims " + std::to_string(n) + " exceeds the batch rank " +
            std::to_string(base->batch_shape().size()) + " of the base " + base->name() + " (batch shape " +
            shape_str(base->batch_shape()) + "); pass at most " + std::to_string(base->batch_shape().size()));
  return *base;
}

template <class T>
Shape batch_part(const Distribution<T>& b, std::size_t n) {
  const Shape& s = b.batch_shape();
  return Shape(s.begin(), s.end() - static_cast<std::ptrdiff_t>(n));
}

template <class T>
Shape event_part(const Distribution<T>& b, std::size_t n) {
  const Shape& s = b.batch_shape();
  Shape e(s.end() - static_cast<std::ptrdiff_t>(n), s.end());
  for (auto d : b.event_shape()) e.push_back(d);
  return e;
}

// PyTorch's _sum_rightmost: sums the last n axes (n = 0: x itself).
template <class T>
Tensor<T> sum_rightmost(const Tensor<T>& x, std::size_t n) {
  if (n == 0) return x;
  std::vector<int> dims;
  for (std::size_t k = 1; k <= n; ++k) dims.push_back(-static_cast<int>(k));
  return sum(x, dims);
}

}  // namespace

template <class T>
Independent<T>::Independent(std::shared_ptr<const Distribution<T>> base, std::size_t n)
    // (each argument validates: their evaluation order is unspecified)
    : Distribution<T>(checked(base, n).tape(), batch_part(checked(base, n), n), event_part(checked(base, n), n)),
      base_(std::move(base)), ndims_(n) {}

template <class T>
Tensor<T> Independent<T>::log_prob(const Tensor<T>& value) const {
  return sum_rightmost(base_->log_prob(value), ndims_);
}

template <class T>
Tensor<T> Independent<T>::entropy() const {
  return sum_rightmost(base_->entropy(), ndims_);
}

template <class T>
Tensor<T> Independent<T>::sample(Generator& gen, const Shape& sample_shape) const {
  return base_->sample(gen, sample_shape);
}

template <class T>
Tensor<T> Independent<T>::rsample(Generator& gen, const Shape& sample_shape) const {
  return base_->rsample(gen, sample_shape);
}

template class Independent<float>;
template class Independent<double>;

}  // namespace klgrad
