// Normal(loc, scale): log_prob, entropy, sample, rsample. Math: klgrad/distributions.hpp.
#include <cmath>

#include "klgrad/distributions.hpp"

namespace klgrad {

namespace {

// log sqrt(2 pi) and 1/2 + 1/2 log(2 pi), computed as PyTorch writes them (in double).
constexpr double pi = 3.14159265358979323846;
const double log_sqrt_2pi = std::log(std::sqrt(2 * pi));
const double entropy_const = 0.5 + 0.5 * std::log(2 * pi);

template <class T>
Shape batch_of(const Tensor<T>& loc, const Tensor<T>& scale) {
  try {
    return broadcast_shapes(loc.shape(), scale.shape(), "Normal");
  } catch (const Error&) {
    throw Error("Normal: loc " + shape_str(loc.shape()) + " and scale " + shape_str(scale.shape()) +
                " are not broadcastable: aligned from the right, each pair of dimensions must be equal or 1");
  }
}

template <class T>
Tensor<T> expand(const Tensor<T>& x, const Shape& s) {
  return x.shape() == s ? x : broadcast_to(x, s);
}

template <class T>
void validate(const Tensor<T>& loc, const Tensor<T>& scale) {
  const Array<T>& l = loc.value();
  for (std::size_t i = 0; i < l.size(); ++i)
    KLGRAD_CHECK(!std::isnan(l.flat(i)), "Normal: loc must be a real number, found nan at element " + std::to_string(i) +
                                      " of loc " + shape_str(l.shape()) + "; check what produced it");
  const Array<T>& s = scale.value();
  for (std::size_t i = 0; i < s.size(); ++i)
    KLGRAD_CHECK(s.flat(i) > T(0), "Normal: scale must be > 0, found " + std::to_string(s.flat(i)) + " at element " +
                                std::to_string(i) + " of scale " + shape_str(s.shape()) +
                                "; keep it positive by construction, e.g. exp(log_scale) or softplus(raw)");
}

}  // namespace

template <class T>
Normal<T>::Normal(const Tensor<T>& loc, const Tensor<T>& scale)
    : Distribution<T>(loc.tape(), batch_of(loc, scale), Shape{}) {
  KLGRAD_CHECK(&loc.tape() == &scale.tape(), "Normal: loc and scale live on different tapes; build one step on one tape");
  validate(loc, scale);
  loc_ = expand(loc, this->batch_shape());
  scale_ = expand(scale, this->batch_shape());
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
