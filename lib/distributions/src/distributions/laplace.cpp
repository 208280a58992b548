// Laplace(loc, scale): log_prob, entropy, sample, rsample, and KL(Laplace || Laplace),
// registered on first construction. Math: klgrad/distributions/laplace.hpp.
#include "klgrad/distributions/laplace.hpp"

#include <algorithm>
#include <cmath>

namespace klgrad {

template <class T>
Laplace<T>::Laplace(const Tensor<T>& loc, const Tensor<T>& scale)
    : Distribution<T>(loc.tape(), detail::loc_scale_batch("Laplace", loc, scale), Shape{}) {
  // Registers KL(Laplace || Laplace) once per T, before any kl_divergence can see a Laplace.
  static const bool registered = (register_kl<Laplace<T>, Laplace<T>>(&kl_laplace_laplace<T>), true);
  (void)registered;
  loc_ = detail::expand_to(loc, this->batch_shape());
  scale_ = detail::expand_to(scale, this->batch_shape());
}

// -log(2 b) - |x - m| / b
template <class T>
Tensor<T> Laplace<T>::log_prob(const Tensor<T>& value) const {
  return -log(T(2) * scale_) - abs(value - loc_) / scale_;
}

// 1 + log(2 b)
template <class T>
Tensor<T> Laplace<T>::entropy() const {
  return T(1) + log(T(2) * scale_);
}

template <class T>
Array<T> Laplace<T>::standard(Generator& gen, const Shape& shape) {
  Array<T> z = gen.uniform<T>(shape);
  for (T& v : z) {
    const T w = T(2) * v;
    v = w < T(1) ? std::log1p(-w) : -std::log1p(-(w - T(1)));
  }
  return z;
}

template <class T>
Tensor<T> Laplace<T>::sample(Generator& gen, const Shape& sample_shape) const {
  const Array<T> z = standard(gen, this->extended_shape(sample_shape));
  return this->tape().constant(Array<T>(loc_.value() + z * scale_.value()));
}

template <class T>
Tensor<T> Laplace<T>::rsample(Generator& gen, const Shape& sample_shape) const {
  return rsample(standard(gen, this->extended_shape(sample_shape)));
}

// loc + z * scale: z is a constant, so the gradient reaches loc and scale only.
template <class T>
Tensor<T> Laplace<T>::rsample(const Array<T>& z) const {
  const Shape& b = this->batch_shape();
  const Shape& e = z.shape();
  KLGRAD_CHECK(e.size() >= b.size() && std::equal(b.begin(), b.end(), e.end() - static_cast<std::ptrdiff_t>(b.size())),
               "Laplace::rsample: z " + shape_str(e) + " must end with the batch shape " + shape_str(b) +
                   " (z shape = sample_shape + batch_shape)");
  return loc_ + this->tape().constant(z) * scale_;
}

// log(b2 / b1) + delta / b2 + (b1 / b2) e^(-delta / b1) - 1, delta = |m1 - m2|
template <class T>
Tensor<T> kl_laplace_laplace(const Laplace<T>& p, const Laplace<T>& q) {
  const Tensor<T> scale_ratio = p.scale() / q.scale();
  const Tensor<T> delta = abs(p.loc() - q.loc());
  return -log(scale_ratio) + delta / q.scale() + scale_ratio * exp(-delta / p.scale()) - T(1);
}

template class Laplace<float>;
template class Laplace<double>;
template Tensor<float> kl_laplace_laplace(const Laplace<float>&, const Laplace<float>&);
template Tensor<double> kl_laplace_laplace(const Laplace<double>&, const Laplace<double>&);

}  // namespace klgrad
