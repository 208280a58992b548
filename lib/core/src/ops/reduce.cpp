// Reductions: sum and mean (over everything or over a set of dims), max (over
// everything or along one dim), logsumexp along one dim. Plain loops over the
// contiguous buffers, no temporaries.
//
// sum/mean over a set of dims walk the input in row-major order. Neighbouring
// axes that are all reduced or all kept merge into one group, so the innermost
// group is one contiguous run: for x (N, M), sum over dim 1 sums each row (a
// run reduced to one number), sum over dim 0 adds each row into the output row
// (a run kept elementwise). The backward walks the same way and broadcasts g
// back: dx_i += g_{o(i)} (divided by n for mean).
//
// max and logsumexp along dim d see x as (outer, len, inner) like softmax:
// element (o, k, i) sits at o*len*inner + k*inner + i, output (o, i) at o*inner + i.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "klgrad/ops.hpp"
#include "slices.hpp"

namespace klgrad {

namespace {

constexpr std::size_t kMaxRank = 16;  // sum/mean: reduced dims as a bit mask, walk state on the stack

// ---- sum / mean over dims -------------------------------------------------

// The walk over x: groups of merged axes, their sizes, whether they are
// reduced, and their stride in the output (0 for reduced groups).
struct Walk {
  std::array<std::size_t, kMaxRank> size{}, out_stride{};
  std::array<bool, kMaxRank> reduced{};
  std::size_t groups = 0;
  std::size_t count = 1;  // input elements per output element (n of the mean)
};

Walk plan(const Shape& s, std::uint64_t mask) {
  Walk w;
  if (s.empty()) {  // a 0-d tensor: one run of one element
    w.size[0] = 1;
    w.reduced[0] = true;
    w.groups = 1;
    return w;
  }
  for (std::size_t d = 0; d < s.size(); ++d) {
    const bool r = (mask >> d) & 1u;
    if (r) w.count *= s[d];
    if (w.groups > 0 && w.reduced[w.groups - 1] == r) {
      w.size[w.groups - 1] *= s[d];
    } else {
      w.size[w.groups] = s[d];
      w.reduced[w.groups] = r;
      ++w.groups;
    }
  }
  std::size_t stride = 1;
  for (std::size_t g = w.groups; g-- > 0;) {
    w.out_stride[g] = w.reduced[g] ? 0 : stride;
    if (!w.reduced[g]) stride *= w.size[g];
  }
  return w;
}

// Calls f(input offset, output offset) once per innermost run of
// w.size[groups - 1] input elements, in row-major order (an odometer over the
// outer groups: the input offset just advances, the output offset follows).
template <class F>
void for_each_run(const Walk& w, F f) {
  const std::size_t last = w.groups - 1, len = w.size[last];
  std::size_t runs = 1;
  for (std::size_t g = 0; g < last; ++g) runs *= w.size[g];
  std::array<std::size_t, kMaxRank> idx{};
  std::size_t in = 0, out = 0;
  for (std::size_t r = 0; r < runs; ++r, in += len) {
    f(in, out);
    for (std::size_t g = last; g-- > 0;) {
      out += w.out_stride[g];
      if (++idx[g] < w.size[g]) break;
      out -= w.out_stride[g] * w.size[g];
      idx[g] = 0;
    }
  }
}

// Sum of a contiguous run with 8 independent partial sums (vectorisable,
// and more accurate than one running sum, like PyTorch's cascade).
template <class T>
T sum_run(const T* p, std::size_t n) {
  T a[8] = {};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (std::size_t k = 0; k < 8; ++k) a[k] += p[i + k];
  T rest = 0;
  for (; i < n; ++i) rest += p[i];
  return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7])) + rest;
}

// x's shape with the dims in `mask` removed (or kept as 1 with keepdim).
Shape reduced_shape(const Shape& s, std::uint64_t mask, bool keepdim) {
  Shape out;
  for (std::size_t d = 0; d < s.size(); ++d) {
    if (!((mask >> d) & 1u))
      out.push_back(s[d]);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

// sum:  y_o = sum_{i -> o} x_i        dx_i = g_{o(i)}
// mean: y_o = sum_{i -> o} x_i / n    dx_i = g_{o(i)} / n,   n = elements per output
// y has x's shape with
// the reduced dims dropped (or 1 with keepdim). Mean over no elements is NaN (0 / 0).
template <class T, bool Mean>
struct SumOp {
  static constexpr const char* name = Mean ? "mean" : "sum";
  struct Args {
    std::uint64_t dims;  // bit d set: dim d is reduced; a bit mask caps the rank (kMaxRank = 16, checked)
    bool keepdim;
  };
  static void forward(Ctx<T>& c, const Args& a) {
    const Array<T>& x = c.in(0);
    const std::uint64_t mask = a.dims;
    Array<T>& y = c.out();
    y.resize(reduced_shape(x.shape(), mask, a.keepdim));
    y.fill(T(0));
    const Walk w = plan(x.shape(), mask);
    const std::size_t len = w.size[w.groups - 1];
    const T* px = x.data();
    T* py = y.data();
    if (w.reduced[w.groups - 1])
      for_each_run(w, [&](std::size_t i, std::size_t o) { py[o] += sum_run(px + i, len); });
    else
      for_each_run(w, [&](std::size_t i, std::size_t o) {
        for (std::size_t j = 0; j < len; ++j) py[o + j] += px[i + j];
      });
    if (Mean) {
      const T n = static_cast<T>(w.count);
      for (std::size_t o = 0; o < y.size(); ++o) py[o] /= n;
    }
  }
  static void backward(Ctx<T>& c, const Args& a) {
    if (!c.needs_grad(0)) return;
    const Walk w = plan(c.in(0).shape(), a.dims);
    const std::size_t len = w.size[w.groups - 1];
    const T n = Mean ? static_cast<T>(w.count) : T(1);
    const T* pg = c.grad_out().data();
    T* pdx = c.grad_in(0).data();
    if (w.reduced[w.groups - 1])
      for_each_run(w, [&](std::size_t i, std::size_t o) {
        const T g = Mean ? pg[o] / n : pg[o];
        for (std::size_t j = 0; j < len; ++j) pdx[i + j] += g;
      });
    else
      for_each_run(w, [&](std::size_t i, std::size_t o) {
        for (std::size_t j = 0; j < len; ++j) pdx[i + j] += Mean ? pg[o + j] / n : pg[o + j];
      });
  }
};

// ---- max over everything ----------------------------------------------------

// Whether x_i is one of the maximal elements m (NaN propagates: then the NaNs are).
template <class T>
bool is_max(T x, T m) {
  return std::isnan(m) ? std::isnan(x) : x == m;
}

// y = max_i x_i (0-d)      dx_i = g / #{j : x_j = y} where x_i = y, else 0
// (ties share g evenly, as PyTorch's max(); a NaN input makes y NaN)
template <class T>
struct MaxAllOp {
  static constexpr const char* name = "max";
  static void forward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const T* px = x.data();
    T m = px[0];
    for (std::size_t i = 1, n = x.size(); i < n && !std::isnan(m); ++i)
      if (px[i] > m || std::isnan(px[i])) m = px[i];
    c.out().resize(Shape{});
    c.out()() = m;
  }
  static void backward(Ctx<T>& c) {
    if (!c.needs_grad(0)) return;
    const Array<T>& x = c.in(0);
    const T* px = x.data();
    const T m = c.out()();
    std::size_t ties = 0;
    for (std::size_t i = 0, n = x.size(); i < n; ++i) ties += is_max(px[i], m) ? 1 : 0;
    const T share = c.grad_out()() / static_cast<T>(ties);
    T* pdx = c.grad_in(0).data();
    for (std::size_t i = 0, n = x.size(); i < n; ++i)
      if (is_max(px[i], m)) pdx[i] += share;
  }
};

// ---- along one dim ------------------------------------------------------------

using detail::Slices;
using detail::slices;

std::uint64_t bit(std::size_t d) { return std::uint64_t(1) << d; }

// Arguments of the ops along one dim.
struct DimArgs {
  std::size_t dim;
  bool keepdim;
};

// y_(o,i) = max_k x_(o,k,i)     dx_(o,k*,i) += g_(o,i) at the first argmax k*
// saved() keeps k* per output element.
template <class T>
struct MaxDimOp {
  static constexpr const char* name = "max";
  using Args = DimArgs;
  static void forward(Ctx<T>& c, const Args& a) {
    const Array<T>& x = c.in(0);
    c.out().resize(reduced_shape(x.shape(), bit(a.dim), a.keepdim));
    c.saved().resize(c.out().shape());
    const Slices v = slices(x.shape(), a.dim);
    const T* px = x.data();
    T* py = c.out().data();
    T* pk = c.saved().data();
    for (std::size_t o = 0; o < v.outer; ++o) {
      for (std::size_t i = 0; i < v.inner; ++i) {
        const T* s = px + o * v.len * v.inner + i;
        T m = s[0];
        std::size_t arg = 0;
        for (std::size_t k = 1; k < v.len && !std::isnan(m); ++k)
          if (s[k * v.inner] > m || std::isnan(s[k * v.inner])) {
            m = s[k * v.inner];
            arg = k;
          }
        py[o * v.inner + i] = m;
        pk[o * v.inner + i] = static_cast<T>(arg);
      }
    }
  }
  static void backward(Ctx<T>& c, const Args& a) {
    if (!c.needs_grad(0)) return;
    const Slices v = slices(c.in(0).shape(), a.dim);
    const T* pg = c.grad_out().data();
    const T* pk = c.saved().data();
    T* pdx = c.grad_in(0).data();
    for (std::size_t o = 0; o < v.outer; ++o)
      for (std::size_t i = 0; i < v.inner; ++i) {
        const std::size_t k = static_cast<std::size_t>(pk[o * v.inner + i]);
        pdx[o * v.len * v.inner + k * v.inner + i] += pg[o * v.inner + i];
      }
  }
};

// y_(o,i) = m + log sum_k exp(x_(o,k,i) - m),  m = max_k x_(o,k,i) (0 if m is +-inf)
// dx_(o,k,i) = g_(o,i) exp(x_(o,k,i) - y_(o,i))     (= g softmax(x) along dim)
// An empty slice gives -inf, as PyTorch.
template <class T>
struct LogsumexpOp {
  static constexpr const char* name = "logsumexp";
  using Args = DimArgs;
  static void forward(Ctx<T>& c, const Args& a) {
    const Array<T>& x = c.in(0);
    c.out().resize(reduced_shape(x.shape(), bit(a.dim), a.keepdim));
    const Slices v = slices(x.shape(), a.dim);
    const T* px = x.data();
    T* py = c.out().data();
    for (std::size_t o = 0; o < v.outer; ++o) {
      for (std::size_t i = 0; i < v.inner; ++i) {
        const T* s = px + o * v.len * v.inner + i;
        T m = -std::numeric_limits<T>::infinity();
        for (std::size_t k = 0; k < v.len; ++k) m = std::max(m, s[k * v.inner]);
        if (std::isinf(m)) m = T(0);
        T sum = 0;
        for (std::size_t k = 0; k < v.len; ++k) sum += std::exp(s[k * v.inner] - m);
        py[o * v.inner + i] = std::log(sum) + m;
      }
    }
  }
  static void backward(Ctx<T>& c, const Args& a) {
    if (!c.needs_grad(0)) return;
    const Slices v = slices(c.in(0).shape(), a.dim);
    const T* px = c.in(0).data();
    const T* py = c.out().data();
    const T* pg = c.grad_out().data();
    T* pdx = c.grad_in(0).data();
    for (std::size_t o = 0; o < v.outer; ++o)
      for (std::size_t k = 0; k < v.len; ++k)
        for (std::size_t i = 0; i < v.inner; ++i) {
          const std::size_t j = o * v.len * v.inner + k * v.inner + i, r = o * v.inner + i;
          pdx[j] += pg[r] * std::exp(px[j] - py[r]);
        }
  }
};

std::string dims_str(const std::vector<int>& dims) {
  std::string s = "{";
  for (std::size_t k = 0; k < dims.size(); ++k) s += (k ? ", " : "") + std::to_string(dims[k]);
  return s + "}";
}

// Validated arguments of sum/mean over `dims`: the bit mask of the normalised
// dims (every dim when `dims` is empty, as PyTorch 1.13) and keepdim.
template <class T, bool Mean>
typename SumOp<T, Mean>::Args reduce_args(const Shape& s, const std::vector<int>& dims, bool keepdim, const char* op) {
  KLGRAD_CHECK(s.size() <= kMaxRank, std::string(op) + ": tensors of rank " + std::to_string(s.size()) +
                                         " are not supported (at most " + std::to_string(kMaxRank) +
                                         "); reshape first");
  std::uint64_t mask = 0;
  for (int d : dims) {
    const std::size_t k = normalize_dim(d, s.size(), op);
    KLGRAD_CHECK(!((mask >> k) & 1u), std::string(op) + ": dim " + std::to_string(k) +
                                          " appears more than once in dims " + dims_str(dims) +
                                          " for a tensor of shape " + shape_str(s) + "; list each dim once");
    mask |= std::uint64_t(1) << k;
  }
  if (dims.empty()) mask = (std::uint64_t(1) << s.size()) - 1;
  return {mask, keepdim};
}

}  // namespace

template <class T>
Tensor<T> sum(const Tensor<T>& x) {
  return apply<SumOp<T, false>>({x}, reduce_args<T, false>(x.shape(), {}, false, "sum"));
}

template <class T>
Tensor<T> sum(const Tensor<T>& x, const std::vector<int>& dims, bool keepdim) {
  return apply<SumOp<T, false>>({x}, reduce_args<T, false>(x.shape(), dims, keepdim, "sum"));
}

template <class T>
Tensor<T> mean(const Tensor<T>& x) {
  return apply<SumOp<T, true>>({x}, reduce_args<T, true>(x.shape(), {}, false, "mean"));
}

template <class T>
Tensor<T> mean(const Tensor<T>& x, const std::vector<int>& dims, bool keepdim) {
  return apply<SumOp<T, true>>({x}, reduce_args<T, true>(x.shape(), dims, keepdim, "mean"));
}

template <class T>
Tensor<T> max(const Tensor<T>& x) {
  KLGRAD_CHECK(x.numel() > 0, "max: the tensor of shape " + shape_str(x.shape()) +
                                  " has no elements, so it has no maximum; use max(x, dim) over a non-empty dim");
  return apply<MaxAllOp<T>>({x});
}

template <class T>
Tensor<T> max(const Tensor<T>& x, int dim, bool keepdim) {
  const Shape& s = x.shape();
  const DimArgs a{normalize_dim(dim, s.size(), "max"), keepdim};
  KLGRAD_CHECK(s.empty() || s[a.dim] > 0,
               "max: dim " + std::to_string(dim) + " of the tensor of shape " + shape_str(s) +
                   " has size 0, so its slices have no maximum; reduce over a non-empty dim");
  return apply<MaxDimOp<T>>({x}, a);
}

template <class T>
Tensor<T> logsumexp(const Tensor<T>& x, int dim, bool keepdim) {
  return apply<LogsumexpOp<T>>({x}, DimArgs{normalize_dim(dim, x.dim(), "logsumexp"), keepdim});
}

#define KLGRAD_REDUCE(T)                                                    \
  template Tensor<T> sum(const Tensor<T>&);                                 \
  template Tensor<T> sum(const Tensor<T>&, const std::vector<int>&, bool);  \
  template Tensor<T> mean(const Tensor<T>&);                                \
  template Tensor<T> mean(const Tensor<T>&, const std::vector<int>&, bool); \
  template Tensor<T> max(const Tensor<T>&);                                 \
  template Tensor<T> max(const Tensor<T>&, int, bool);                      \
  template Tensor<T> logsumexp(const Tensor<T>&, int, bool);
KLGRAD_REDUCE(float)
KLGRAD_REDUCE(double)

}  // namespace klgrad
