// Normal(loc, scale): log_prob, entropy, sample, rsample. Math: klgrad/distributions.hpp.
#include <cmath>

#include "klgrad/distributions.hpp"

namespace klgrad {

namespace {

// log sqrt(2 pi) and 1/2 + 1/2 log(2 pi), computed as PyTorch writes them (in double).
constexpr double pi = 3.14159265358979323846;
const double log_sqrt_2pi = std::log(std::sqrt(2 * pi));
const double entropy_const = 0.5 + 0.5 * std::log(2 * pi);

}  // namespace

template <class T>
Normal<T>::Normal(const Tensor<T>& loc, const Tensor<T>& scale)
    : Distribution<T>(loc.tape(), detail::loc_scale_batch("Normal", loc, scale), Shape{}) {
  loc_ = detail::expand_to(loc, this->batch_shape());
  scale_ = detail::expand_to(scale, this->batch_shape());
}

// -(x - loc)^2 / (2 scale^2) - log scale - log sqrt(2 pi)
template <class T>
Tensor<T> Normal<T>::log_prob(const Tensor<T>& value) const {
  const Tensor<T> var = pow(scale_, T(2));
  return -pow(value - loc_, T(2)) / (var * T(2)) - log(scale_) - static_cast<T>(log_sqrt_2pi);
}

// 1/2 + 1/2 log(2 pi) + log scale
template <class T>
Tensor<T> Normal<T>::entropy() const {
  return static_cast<T>(entropy_const) + log(scale_);
}

template <class T>
Tensor<T> Normal<T>::sample(Generator& gen, const Shape& sample_shape) const {
  const Array<T> eps = gen.normal<T>(this->extended_shape(sample_shape));
  return this->tape().constant(Array<T>(loc_.value() + eps * scale_.value()));
}

template <class T>
Tensor<T> Normal<T>::rsample(Generator& gen, const Shape& sample_shape) const {
  return rsample(gen.normal<T>(this->extended_shape(sample_shape)));
}

// loc + eps * scale: eps is a constant, so the gradient reaches loc and scale only.
template <class T>
Tensor<T> Normal<T>::rsample(const Array<T>& eps) const {
  const Shape& b = this->batch_shape();
  const Shape& e = eps.shape();
  KLGRAD_CHECK(e.size() >= b.size() && std::equal(b.begin(), b.end(), e.end() - static_cast<std::ptrdiff_t>(b.size())),
        "Normal::rsample: eps " + shape_str(e) + " must end with the batch shape " + shape_str(b) +
            " (eps shape = sample_shape + batch_shape)");
  return loc_ + this->tape().constant(eps) * scale_;
}

template class Normal<float>;
template class Normal<double>;

}  // namespace klgrad
