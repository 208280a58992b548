// Shape ops: reshape, transpose, broadcast_to. They move elements without
// arithmetic, so each backward moves g back the same way (and broadcast_to's
// sums it over the broadcast axes).
//
// The target shape of reshape and broadcast_to travels in OpArgs::i (at most
// 8 dims, checked before apply).
#include <algorithm>
#include <string>
#include <xtensor/xbroadcast.hpp>

#include "klgrad/ops.hpp"

namespace klgrad {

namespace {

constexpr int kMaxArgRank = static_cast<int>(std::tuple_size<decltype(OpArgs::i)>::value);

Shape shape_from_args(const OpArgs& a) {
  Shape s(static_cast<std::size_t>(a.n));
  for (int k = 0; k < a.n; ++k)
    s[static_cast<std::size_t>(k)] = static_cast<std::size_t>(a.i[static_cast<std::size_t>(k)]);
  return s;
}

// y = x viewed as shape s (args.i[0..n) = s, the -1 already resolved)
// Same elements in the same row-major order:  dx = g (read with x's shape)
template <class T>
struct ReshapeOp {
  static constexpr const char* name = "reshape";
  static void forward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    c.out().resize(shape_from_args(c.args()));
    std::copy(x.data(), x.data() + x.size(), c.out().data());
  }
  static void backward(Ctx<T>& c) {
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

// y = x with dims d0 and d1 swapped (args.i[0] = d0 <= args.i[1] = d1):
// y[.., b, .., a, ..] = x[.., a, .., b, ..]       dx = g with the dims swapped back
template <class T>
struct TransposeOp {
  static constexpr const char* name = "transpose";
  static void forward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const std::size_t d0 = static_cast<std::size_t>(c.args().i[0]), d1 = static_cast<std::size_t>(c.args().i[1]);
    Shape s = x.shape();
    if (!s.empty()) std::swap(s[d0], s[d1]);
    c.out().resize(s);
    const Swap w = swap_of(x.shape(), d0, d1);
    const T* px = x.data();
    T* py = c.out().data();
    for_each_swapped_run(w, [&](std::size_t i, std::size_t o) { std::copy(px + i, px + i + w.Q, py + o); });
  }
  static void backward(Ctx<T>& c) {
    if (!c.needs_grad(0)) return;
    const std::size_t d0 = static_cast<std::size_t>(c.args().i[0]), d1 = static_cast<std::size_t>(c.args().i[1]);
    const Swap w = swap_of(c.in(0).shape(), d0, d1);
    const T* pg = c.grad_out().data();
    T* pdx = c.grad_in(0).data();
    for_each_swapped_run(w, [&](std::size_t i, std::size_t o) {
      for (std::size_t q = 0; q < w.Q; ++q) pdx[i + q] += pg[o + q];
    });
  }
};

// y = x broadcast to shape s (args.i[0..n) = s)     dx = g summed over the broadcast axes
template <class T>
struct BroadcastToOp {
  static constexpr const char* name = "broadcast_to";
  static void forward(Ctx<T>& c) { xt::noalias(c.out()) = xt::broadcast(c.in(0), shape_from_args(c.args())); }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) accumulate_reduced(c.grad_in(0), c.grad_out());
  }
};

std::string sizes_str(const std::vector<std::int64_t>& s) {
  std::string r = "(";
  for (std::size_t k = 0; k < s.size(); ++k) r += (k ? ", " : "") + std::to_string(s[k]);
  return r + (s.size() == 1 ? ",)" : ")");
}

}  // namespace

// KLGRAD_CHECK builds its message only on failure: these run on every step.
template <class T>
Tensor<T> reshape(const Tensor<T>& x, const std::vector<std::int64_t>& shape) {
  const Shape& s = x.shape();
  const std::size_t n = numel(s);
  auto what = [&] {
    return "reshape: cannot view " + shape_str(s) + " (" + std::to_string(n) + " elements) as " + sizes_str(shape) +
           ": ";
  };
  KLGRAD_CHECK(shape.size() <= static_cast<std::size_t>(kMaxArgRank),
               what() + "at most " + std::to_string(kMaxArgRank) + " dimensions are supported");
  OpArgs a;
  a.n = static_cast<int>(shape.size());
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
    a.i[k] = shape[k];
  }
  if (inferred >= 0) {
    KLGRAD_CHECK(known > 0 && n % known == 0, what() + "the other sizes multiply to " + std::to_string(known) +
                                                  ", which does not divide " + std::to_string(n) +
                                                  "; fix the sizes so that their product is the element count");
    a.i[static_cast<std::size_t>(inferred)] = static_cast<std::int64_t>(n / known);
  } else {
    KLGRAD_CHECK(known == n, what() + "the sizes multiply to " + std::to_string(known) +
                                 "; the product must equal the element count (or use -1 for one size)");
  }
  return apply<ReshapeOp<T>>({x}, a);
}

template <class T>
Tensor<T> transpose(const Tensor<T>& x, int dim0, int dim1) {
  const std::size_t rank = x.dim();
  const std::size_t d0 = normalize_dim(dim0, rank, "transpose");
  const std::size_t d1 = normalize_dim(dim1, rank, "transpose");
  OpArgs a;
  a.i[0] = static_cast<std::int64_t>(std::min(d0, d1));
  a.i[1] = static_cast<std::int64_t>(std::max(d0, d1));
  a.n = 2;
  return apply<TransposeOp<T>>({x}, a);
}

template <class T>
Tensor<T> broadcast_to(const Tensor<T>& x, const Shape& shape) {
  const Shape& s = x.shape();
  auto what = [&] { return "broadcast_to: cannot broadcast " + shape_str(s) + " to " + shape_str(shape) + ": "; };
  KLGRAD_CHECK(shape.size() <= static_cast<std::size_t>(kMaxArgRank),
               what() + "at most " + std::to_string(kMaxArgRank) + " dimensions are supported");
  KLGRAD_CHECK(s.size() <= shape.size(), what() + "the target has fewer dimensions than the tensor (" +
                                             std::to_string(shape.size()) + " < " + std::to_string(s.size()) +
                                             "); sum or reshape the tensor instead");
  const std::size_t lead = shape.size() - s.size();
  for (std::size_t k = 0; k < s.size(); ++k)
    KLGRAD_CHECK(s[k] == shape[lead + k] || s[k] == 1, what() + "aligned from the right, dimension " +
                                                           std::to_string(k) + " has size " + std::to_string(s[k]) +
                                                           " where the target has " + std::to_string(shape[lead + k]) +
                                                           "; only size-1 dimensions expand");
  OpArgs a;
  a.n = static_cast<int>(shape.size());
  for (std::size_t k = 0; k < shape.size(); ++k) a.i[k] = static_cast<std::int64_t>(shape[k]);
  return apply<BroadcastToOp<T>>({x}, a);
}

#define KLGRAD_SHAPE(T)                                                           \
  template Tensor<T> reshape(const Tensor<T>&, const std::vector<std::int64_t>&); \
  template Tensor<T> transpose(const Tensor<T>&, int, int);                       \
  template Tensor<T> broadcast_to(const Tensor<T>&, const Shape&);
KLGRAD_SHAPE(float)
KLGRAD_SHAPE(double)

}  // namespace klgrad
