// softmax and log_softmax along one dim: fused, numerically stable, plain loops.
//
// A tensor seen along `dim` is (outer, len, inner): element (o, k, i) sits at
// o*len*inner + k*inner + i. Each (o, i) is one slice of `len` values that the
// softmax normalises. With m = max_k x_k (so every exp argument is <= 0 and
// nothing overflows, even for logits of +-1e4):
//   log_softmax: y_k = (x_k - m) - log s,   s = sum_j exp(x_j - m)
//   softmax:     y_k = exp(x_k - m) / s
// Backward, with g = dL/dy along the slice:
//   log_softmax: dx_k = g_k - exp(y_k) sum_j g_j      (exp(y) = softmax)
//   softmax:     dx_k = y_k (g_k - sum_j g_j y_j)
// We loop instead of writing `x - xt::amax(x, {d}, xt::keep_dims)`: that
// textbook expression reads out of bounds on xtensor 0.24.3 (docs/XTENSOR.md).
// Slices along the last dim (inner = 1) are contiguous rows: those run with
// SIMD lanes (klgrad/simd.hpp); other dims use the strided scalar loop.
#include <cmath>
#include <limits>

#include "klgrad/ops.hpp"
#include "slices.hpp"
#include "klgrad/simd.hpp"

namespace klgrad {

std::size_t normalize_dim(int dim, std::size_t rank, const char* op) {
  const long r = static_cast<long>(rank);
  const long lo = rank == 0 ? -1 : -r, hi = rank == 0 ? 0 : r - 1;
  KLGRAD_CHECK(dim >= lo && dim <= hi, std::string(op) + ": dim " + std::to_string(dim) + " is out of range for a tensor of rank " +
                                    std::to_string(rank) + " (expected " + std::to_string(lo) + " to " + std::to_string(hi) + ")");
  return static_cast<std::size_t>(dim < 0 ? dim + r : dim) % (rank == 0 ? 1 : rank);
}

namespace {

using detail::Slices;
using detail::slices;

// Calls f(base pointer offset, stride) once per slice.
template <class F>
void for_each_slice(const Slices& v, F f) {
  for (std::size_t o = 0; o < v.outer; ++o)
    for (std::size_t i = 0; i < v.inner; ++i) f(o * v.len * v.inner + i, v.inner);
}

template <class T, bool Log>
struct SoftmaxOp {
  static constexpr const char* name = Log ? "log_softmax" : "softmax";
  struct Args { std::size_t dim; };

  static void forward(Ctx<T>& c, const Args& a) {
    const Array<T>& x = c.in(0);
    Array<T>& y = c.out();
    y.resize(x.shape());
    const Slices v = slices(x.shape(), a.dim);
    const T* px = x.data();
    T* py = y.data();
    if (v.inner == 1) {
      for (std::size_t o = 0; o < v.outer; ++o) forward_row(px + o * v.len, py + o * v.len, v.len);
      return;
    }
    for_each_slice(v, [&](std::size_t b, std::size_t st) {
      T m = px[b];
      for (std::size_t k = 1; k < v.len; ++k) m = std::max(m, px[b + k * st]);
      if (!std::isfinite(m)) m = T(0);  // all -inf (or +inf): let the math give NaN/-inf, as PyTorch
      T s = 0;
      for (std::size_t k = 0; k < v.len; ++k) s += std::exp(px[b + k * st] - m);
      if (Log) {
        const T ls = std::log(s);
        for (std::size_t k = 0; k < v.len; ++k) py[b + k * st] = (px[b + k * st] - m) - ls;
      } else {
        for (std::size_t k = 0; k < v.len; ++k) py[b + k * st] = std::exp(px[b + k * st] - m) / s;
      }
    });
  }

  // One contiguous row x[0..n) -> y[0..n), the same math with SIMD lanes.
  static void forward_row(const T* x, T* y, std::size_t n) {
    T m = simd_max<T>(n, -std::numeric_limits<T>::infinity(), [&](std::size_t i, auto l) { return load_as(x + i, l); });
    if (!std::isfinite(m)) m = T(0);
    const T s = static_cast<T>(simd_sum<T>(n, [&](std::size_t i, auto l) {
      using V = decltype(l);
      const V e = xsimd::exp(load_as(x + i, l) - V(m));
      if (!Log) store_to(y + i, e);
      return e;
    }));
    const T ls = std::log(s);
    simd_for<T>(n, [&](std::size_t i, auto l) {
      using V = decltype(l);
      store_to(y + i, Log ? V((load_as(x + i, l) - V(m)) - V(ls)) : V(load_as(y + i, l) / V(s)));
    });
  }

  static void backward_row(const T* y, const T* g, T* dx, std::size_t n) {
    const T s = static_cast<T>(simd_sum<T>(n, [&](std::size_t i, auto l) {
      using V = decltype(l);
      return Log ? load_as(g + i, l) : V(load_as(g + i, l) * load_as(y + i, l));
    }));
    simd_for<T>(n, [&](std::size_t i, auto l) {
      using V = decltype(l);
      const V yi = load_as(y + i, l), gi = load_as(g + i, l);
      store_to(dx + i, load_as(dx + i, l) + (Log ? V(gi - xsimd::exp(yi) * V(s)) : V(yi * (gi - V(s)))));
    });
  }

  static void backward(Ctx<T>& c, const Args& a) {
    if (!c.needs_grad(0)) return;
    const Array<T>& y = c.out();
    const Slices v = slices(y.shape(), a.dim);
    const T* py = y.data();
    const T* pg = c.grad_out().data();
    T* pdx = c.grad_in(0).data();
    if (v.inner == 1) {
      for (std::size_t o = 0; o < v.outer; ++o) backward_row(py + o * v.len, pg + o * v.len, pdx + o * v.len, v.len);
      return;
    }
    for_each_slice(v, [&](std::size_t b, std::size_t st) {
      T s = 0;
      for (std::size_t k = 0; k < v.len; ++k) s += Log ? pg[b + k * st] : pg[b + k * st] * py[b + k * st];
      for (std::size_t k = 0; k < v.len; ++k) {
        const std::size_t j = b + k * st;
        pdx[j] += Log ? pg[j] - std::exp(py[j]) * s : py[j] * (pg[j] - s);
      }
    });
  }
};

template <class T, bool Log>
Tensor<T> softmax_impl(const Tensor<T>& x, int dim) {
  using Op = SoftmaxOp<T, Log>;
  return apply<Op>({x}, typename Op::Args{normalize_dim(dim, x.dim(), Op::name)});
}

}  // namespace

template <class T>
Tensor<T> softmax(const Tensor<T>& x, int dim) { return softmax_impl<T, false>(x, dim); }
template <class T>
Tensor<T> log_softmax(const Tensor<T>& x, int dim) { return softmax_impl<T, true>(x, dim); }

template Tensor<float> softmax(const Tensor<float>&, int);
template Tensor<double> softmax(const Tensor<double>&, int);
template Tensor<float> log_softmax(const Tensor<float>&, int);
template Tensor<double> log_softmax(const Tensor<double>&, int);

}  // namespace klgrad
