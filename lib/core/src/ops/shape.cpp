// Shape ops: reshape, transpose, broadcast_to. They move elements without
// arithmetic, so each backward moves g back the same way (and broadcast_to's
// sums it over the broadcast axes).
//
// reshape and broadcast_to need the caller's target shape only in forward:
// their Args hold a pointer to it, valid while apply runs the forward and never
// read after (backward reads shapes from x and g). Any rank works.
#include <algorithm>
#include <string>
#include <xtensor/xbroadcast.hpp>

#include "klgrad/ops.hpp"

namespace klgrad {

namespace {

// The target shape of reshape/broadcast_to: read in forward only (see above).
struct TargetShape {
  const Shape* shape;
};

// y = x viewed as shape s (the -1 already resolved)
// Same elements in the same row-major order:  dx = g (read with x's shape)
template <class T>
struct ReshapeOp {
  static constexpr const char* name = "reshape";
  using Args = TargetShape;
  static void forward(Ctx<T>& c, const Args& a) {
    const Array<T>& x = c.in(0);
    c.out().resize(*a.shape);
    std::copy(x.data(), x.data() + x.size(), c.out().data());
  }
  static void backward(Ctx<T>& c, const Args&) {
    if (!c.needs_grad(0)) return;
    const T* pg = c.grad_out().data();
    T* pdx = c.grad_in(0).data();
    for (std::size_t i = 0, n = c.out().size(); i < n; ++i) pdx[i] += pg[i];
  }
};

// x seen as (P, A, M, B, Q) around the swapped dims d0 < d1 (A = size of d0,
// B = size of d1, P/M/Q the products of the dims before, between, after).
struct Swap {
  std::size_t P = 1, A = 1, M = 1, B = 1, Q = 1;
};

Swap swap_of(const Shape& s, std::size_t d0, std::size_t d1) {
  Swap w;
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (k < d0)
      w.P *= s[k];
    else if (k == d0)
      w.A = s[k];
    else if (k < d1)
      w.M *= s[k];
    else if (k == d1)
      w.B = s[k];
    else
      w.Q *= s[k];
  }
  return w;
}

// Calls f(offset in x (P, A, M, B, Q), offset in y (P, B, M, A, Q)) for each
// contiguous run of Q elements.
template <class F>
void for_each_swapped_run(const Swap& w, F f) {
  for (std::size_t p = 0; p < w.P; ++p)
    for (std::size_t a = 0; a < w.A; ++a)
      for (std::size_t m = 0; m < w.M; ++m)
        for (std::size_t b = 0; b < w.B; ++b)
          f((((p * w.A + a) * w.M + m) * w.B + b) * w.Q, (((p * w.B + b) * w.M + m) * w.A + a) * w.Q);
}

// y = x with dims d0 <= d1 swapped:
// y[.., b, .., a, ..] = x[.., a, .., b, ..]       dx = g with the dims swapped back
template <class T>
struct TransposeOp {
  static constexpr const char* name = "transpose";
  struct Args { std::size_t d0, d1; };
  static void forward(Ctx<T>& c, const Args& a) {
    const Array<T>& x = c.in(0);
    const std::size_t d0 = a.d0, d1 = a.d1;
    Shape s = x.shape();
    if (!s.empty()) std::swap(s[d0], s[d1]);
    c.out().resize(s);
    const Swap w = swap_of(x.shape(), d0, d1);
    const T* px = x.data();
    T* py = c.out().data();
    for_each_swapped_run(w, [&](std::size_t i, std::size_t o) { std::copy(px + i, px + i + w.Q, py + o); });
  }
  static void backward(Ctx<T>& c, const Args& a) {
    if (!c.needs_grad(0)) return;
    const Swap w = swap_of(c.in(0).shape(), a.d0, a.d1);
    const T* pg = c.grad_out().data();
    T* pdx = c.grad_in(0).data();
    for_each_swapped_run(w, [&](std::size_t i, std::size_t o) {
      for (std::size_t q = 0; q < w.Q; ++q) pdx[i + q] += pg[o + q];
    });
  }
};

// y = x broadcast to shape s     dx = g summed over the broadcast axes
template <class T>
struct BroadcastToOp {
  static constexpr const char* name = "broadcast_to";
  using Args = TargetShape;
  static void forward(Ctx<T>& c, const Args& a) { xt::noalias(c.out()) = xt::broadcast(c.in(0), *a.shape); }
  static void backward(Ctx<T>& c, const Args&) {
    if (c.needs_grad(0)) accumulate_reduced(c.grad_in(0), c.grad_out());
  }
};

std::string sizes_str(const std::vector<std::int64_t>& s) {
  std::string r = "(";
  for (std::size_t k = 0; k < s.size(); ++k) r += (k ? ", " : "") + std::to_string(s[k]);
  return r + (s.size() == 1 ? ",)" : ")");
}

}  // namespace

template <class T>
Tensor<T> reshape(const Tensor<T>& x, const std::vector<std::int64_t>& shape) {
  const Shape& s = x.shape();
  const std::size_t n = numel(s);
  auto what = [&] {
    return "reshape: cannot view " + shape_str(s) + " (" + std::to_string(n) + " elements) as " + sizes_str(shape) +
           ": ";
  };
  Shape target(shape.size());
  std::size_t known = 1;
  int inferred = -1;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    KLGRAD_CHECK(shape[k] >= -1,
                 what() + "size " + std::to_string(shape[k]) + " is invalid (sizes are >= 0, or -1 once)");
    if (shape[k] == -1) {
      KLGRAD_CHECK(inferred < 0, what() + "only one dimension can be inferred (-1)");
      inferred = static_cast<int>(k);
    } else {
      known *= static_cast<std::size_t>(shape[k]);
    }
    target[k] = static_cast<std::size_t>(shape[k]);
  }
  if (inferred >= 0) {
    KLGRAD_CHECK(known > 0 && n % known == 0, what() + "the other sizes multiply to " + std::to_string(known) +
                                                  ", which does not divide " + std::to_string(n) +
                                                  "; fix the sizes so that their product is the element count");
    target[static_cast<std::size_t>(inferred)] = n / known;
  } else {
    KLGRAD_CHECK(known == n, what() + "the sizes multiply to " + std::to_string(known) +
                                 "; the product must equal the element count (or use -1 for one size)");
  }
  return apply<ReshapeOp<T>>({x}, TargetShape{&target});
}

template <class T>
Tensor<T> transpose(const Tensor<T>& x, int dim0, int dim1) {
  const std::size_t rank = x.dim();
  const std::size_t d0 = normalize_dim(dim0, rank, "transpose");
  const std::size_t d1 = normalize_dim(dim1, rank, "transpose");
  return apply<TransposeOp<T>>({x}, typename TransposeOp<T>::Args{std::min(d0, d1), std::max(d0, d1)});
}

template <class T>
Tensor<T> broadcast_to(const Tensor<T>& x, const Shape& shape) {
  const Shape& s = x.shape();
  auto what = [&] { return "broadcast_to: cannot broadcast " + shape_str(s) + " to " + shape_str(shape) + ": "; };
  KLGRAD_CHECK(s.size() <= shape.size(), what() + "the target has fewer dimensions than the tensor (" +
                                             std::to_string(shape.size()) + " < " + std::to_string(s.size()) +
                                             "); sum or reshape the tensor instead");
  const std::size_t lead = shape.size() - s.size();
  for (std::size_t k = 0; k < s.size(); ++k)
    KLGRAD_CHECK(s[k] == shape[lead + k] || s[k] == 1, what() + "aligned from the right, dimension " +
                                                           std::to_string(k) + " has size " + std::to_string(s[k]) +
                                                           " where the target has " + std::to_string(shape[lead + k]) +
                                                           "; only size-1 dimensions expand");
  return apply<BroadcastToOp<T>>({x}, TargetShape{&shape});
}

#define KLGRAD_SHAPE(T)                                                           \
  template Tensor<T> reshape(const Tensor<T>&, const std::vector<std::int64_t>&); \
  template Tensor<T> transpose(const Tensor<T>&, int, int);                       \
  template Tensor<T> broadcast_to(const Tensor<T>&, const Shape&);
KLGRAD_SHAPE(float)
KLGRAD_SHAPE(double)

}  // namespace klgrad
