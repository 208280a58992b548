// The Distribution base class, and the two primitives the distributions compose
// with: masked_fill (PyTorch's t[mask] = value) and take_last (gather along the
// last axis). The math of each distribution is in klgrad/distributions.hpp.
#include <cmath>

#include "klgrad/distributions.hpp"

namespace klgrad {

template <class T>
Tensor<T> Distribution<T>::rsample(Generator&, const Shape&) const {
  throw Error(name() + ": rsample is not available: " + name() +
              " has no reparameterised sampler (its draws are discrete, so no gradient can flow through them); "
              "use sample(), with a score-function estimator if you need gradients");
}

template <class T>
Shape Distribution<T>::extended_shape(const Shape& sample_shape) const {
  Shape s(sample_shape.size() + batch_shape_.size() + event_shape_.size());
  std::size_t k = 0;
  for (auto d : sample_shape) s[k++] = d;
  for (auto d : batch_shape_) s[k++] = d;
  for (auto d : event_shape_) s[k++] = d;
  return s;
}

namespace detail {

namespace {

// y = value where mask != 0, else x       dx = g where mask == 0, else 0
// Inputs: x, mask (a constant of x's shape).
template <class T>
struct MaskedFillOp {
  static constexpr const char* name = "masked_fill";
  struct Args { T value; };
  static void forward(Ctx<T>& c, const Args& a) {
    const Array<T>& x = c.in(0);
    const T* px = x.data();
    const T* pm = c.in(1).data();
    const T v = a.value;
    Array<T>& y = c.out();
    y.resize(x.shape());
    T* py = y.data();
    for (std::size_t i = 0, n = x.size(); i < n; ++i) py[i] = pm[i] != T(0) ? v : px[i];
  }
  static void backward(Ctx<T>& c, const Args&) {
    if (!c.needs_grad(0)) return;
    const T* pm = c.in(1).data();
    const T* pg = c.grad_out().data();
    T* pdx = c.grad_in(0).data();
    for (std::size_t i = 0, n = c.out().size(); i < n; ++i)
      if (pm[i] == T(0)) pdx[i] += pg[i];
  }
};

// y[r] = x[r, index[r]] over rows r of x seen as (R, K)      dx[r, index[r]] += g[r]
// Inputs: x (..., K), index (...) (a constant).
template <class T>
struct TakeLastOp {
  static constexpr const char* name = "take_last";
  static void forward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const Array<T>& idx = c.in(1);
    const std::size_t k = x.shape().back();
    Array<T>& y = c.out();
    y.resize(idx.shape());
    for (std::size_t r = 0, n = idx.size(); r < n; ++r) y.flat(r) = x.data()[r * k + static_cast<std::size_t>(idx.flat(r))];
  }
  static void backward(Ctx<T>& c) {
    if (!c.needs_grad(0)) return;
    const Array<T>& idx = c.in(1);
    const std::size_t k = c.in(0).shape().back();
    const T* pg = c.grad_out().data();
    T* pdx = c.grad_in(0).data();
    for (std::size_t r = 0, n = idx.size(); r < n; ++r) pdx[r * k + static_cast<std::size_t>(idx.flat(r))] += pg[r];
  }
};

}  // namespace

template <class T>
Tensor<T> masked_fill(const Tensor<T>& x, const Array<T>& mask, T value) {
  KLGRAD_CHECK(mask.shape() == x.shape(), "masked_fill: mask " + shape_str(mask.shape()) + " must have x's shape " +
                                       shape_str(x.shape()) + "; broadcast it first");
  return apply<MaskedFillOp<T>>({x, x.tape().constant(mask)}, typename MaskedFillOp<T>::Args{value});
}

template <class T>
Tensor<T> take_last(const Tensor<T>& x, const Array<T>& index) {
  const Shape& xs = x.shape();
  const Shape& is = index.shape();
  KLGRAD_CHECK(xs.size() == is.size() + 1 && std::equal(is.begin(), is.end(), xs.begin()) && xs.back() > 0,
        "take_last: x " + shape_str(xs) + " must be index " + shape_str(is) + " plus a last axis of categories");
  const std::size_t k = xs.back();
  for (std::size_t r = 0; r < index.size(); ++r) {
    const T v = index.flat(r);
    KLGRAD_CHECK(v >= T(0) && v < static_cast<T>(k) && std::floor(v) == v,
          "take_last: index " + std::to_string(v) + " at element " + std::to_string(r) + " is not in [0, " +
              std::to_string(k) + ")");
  }
  return apply<TakeLastOp<T>>({x, x.tape().constant(index)});
}

template <class T>
Shape loc_scale_batch(const char* dist, const Tensor<T>& loc, const Tensor<T>& scale) {
  const std::string d(dist);
  KLGRAD_CHECK(&loc.tape() == &scale.tape(), d + ": loc and scale live on different tapes; build one step on one tape");
  Shape batch;
  try {
    batch = broadcast_shapes(loc.shape(), scale.shape(), dist);
  } catch (const Error&) {
    throw Error(d + ": loc " + shape_str(loc.shape()) + " and scale " + shape_str(scale.shape()) +
                " are not broadcastable: aligned from the right, each pair of dimensions must be equal or 1");
  }
  const Array<T>& l = loc.value();
  for (std::size_t i = 0; i < l.size(); ++i)
    KLGRAD_CHECK(!std::isnan(l.flat(i)), d + ": loc must be a real number, found nan at element " + std::to_string(i) +
                                             " of loc " + shape_str(l.shape()) + "; check what produced it");
  const Array<T>& sc = scale.value();
  for (std::size_t i = 0; i < sc.size(); ++i)
    KLGRAD_CHECK(sc.flat(i) > T(0), d + ": scale must be > 0, found " + std::to_string(sc.flat(i)) + " at element " +
                                        std::to_string(i) + " of scale " + shape_str(sc.shape()) +
                                        "; keep it positive by construction, e.g. exp(log_scale) or softplus(raw)");
  return batch;
}

}  // namespace detail

#define KLGRAD_DISTRIBUTION(T)                                                         \
  template class Distribution<T>;                                                      \
  template Tensor<T> detail::masked_fill(const Tensor<T>&, const Array<T>&, T);        \
  template Tensor<T> detail::take_last(const Tensor<T>&, const Array<T>&);             \
  template Shape detail::loc_scale_batch(const char*, const Tensor<T>&, const Tensor<T>&);
KLGRAD_DISTRIBUTION(float)
KLGRAD_DISTRIBUTION(double)

}  // namespace klgrad
