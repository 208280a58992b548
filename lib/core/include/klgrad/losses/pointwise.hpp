// klgrad/losses/pointwise.hpp — the one node every pointwise loss shares.
//
// A pointwise loss compares input x and target t element by element and reduces:
//   terms_i = L(x_i, t_i)          y = terms (none), or f * sum_i terms_i
//   f = reduction_factor: 1 (sum), 1 / numel (mean), 1 / x.shape[0] (batchmean)
// and its backward, with g = dL/dy, is
//   dx_i += g_i dL/dx(x_i, t_i)    dt_i += g_i dL/dt(x_i, t_i)
//   g_i = g[i] for none, else g[0] * f.
// So a loss states only its math, as a small struct (mse_loss, in full):
//
//   struct Mse {
//     static constexpr const char* name = "mse_loss";
//     static constexpr ReductionRule reductions = ReductionRule::per_element;
//     static constexpr bool simd = true;
//     template <class V> V term(V x, V t) const { return (x - t) * (x - t); }      // L
//     template <class V> V d_input(V x, V t) const { return V(2) * (x - t); }      // dL/dx
//     template <class V> V d_target(V x, V t) const { return V(-2) * (x - t); }    // dL/dt
//   };
//   template <class T> Tensor<T> mse_loss(const Tensor<T>& x, const Tensor<T>& t, Reduction r) {
//     return pointwise_loss(Mse{}, x, t, r);
//   }
//
// Its data members are its options (KlDiv{log_target}, AlphaDiv{alpha}); the
// node keeps them with the reduction as its named Args (LossArgs, losses/reduction.hpp).
//
// simd: the formulas are written once, on a lane type V. With simd = true they
// use only arithmetic and the functions of namespace `lanes` below, and the
// node runs them on V = xsimd::batch<T> (16 floats at a time with AVX-512) and
// on V = T for the last few elements. With simd = false (formulas with
// branches, std::exp, ...) V is always T.
#pragma once

#include <cmath>
#include <cstddef>

#include "klgrad/losses/reduction.hpp"
#include "klgrad/simd.hpp"
#include "klgrad/tape.hpp"

namespace klgrad {

// Math for a loss formula, on one number or on a SIMD batch of them.
namespace lanes {
using xsimd::abs;
using xsimd::exp;
using xsimd::log;
using xsimd::log1p;
using xsimd::max;

// xlogx(t) = t log t, and 0 where t = 0 (0 log 0 = 0). NaN stays NaN.
template <class T> T xlogx(T t) { return t == T(0) ? T(0) : t * std::log(t); }
template <class T, class A> xsimd::batch<T, A> xlogx(xsimd::batch<T, A> t) {
  return xsimd::select(t == T(0), xsimd::batch<T, A>(T(0)), t * xsimd::log(t));
}
}  // namespace lanes

// The node: input 0 is x, input 1 is t.
template <class T, class Loss>
struct PointwiseLossOp {
  static constexpr const char* name = Loss::name;

  // f(i, V{}) for every i in [0, n): SIMD batches and a scalar tail, or scalars only.
  template <class F> static void each(std::size_t n, F f) {
    if constexpr (Loss::simd) simd_for<T>(n, f);
    else for (std::size_t i = 0; i < n; ++i) f(i, T{});
  }
  // sum_i f(i, V{}), accumulated in double: float sums of 1e5 terms would drift.
  template <class F> static double sum(std::size_t n, F f) {
    if constexpr (Loss::simd) return simd_sum<T>(n, f);
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(f(i, T{}));
    return s;
  }

  using Args = LossArgs<Loss>;  // the reduction and the loss's own options, e.g. KlDiv{log_target}

  static void forward(Ctx<T>& c, const Args& a) {
    const Array<T>& x = c.in(0);
    const T* px = x.data();
    const T* pt = c.in(1).data();
    auto term = [&](std::size_t i, auto v) { return a.options.term(load_as(px + i, v), load_as(pt + i, v)); };
    Array<T>& y = c.out();
    if (a.reduction == Reduction::none) {
      y.resize(x.shape());
      T* py = y.data();
      each(x.size(), [&](std::size_t i, auto v) { store_to(py + i, term(i, v)); });
      return;
    }
    const double s = sum(x.size(), term);
    y.resize(Shape{});
    y() = static_cast<T>(s * reduction_factor(a.reduction, x.shape()));
  }

  static void backward(Ctx<T>& c, const Args& a) {
    const Array<T>& x = c.in(0);
    const T* px = x.data();
    const T* pt = c.in(1).data();
    const T* pg = c.grad_out().data();
    const bool none = a.reduction == Reduction::none;
    const T g0 = none ? T(0) : pg[0] * static_cast<T>(reduction_factor(a.reduction, x.shape()));
    // d[i] += g_i D(x_i, t_i), for D = dL/dx or dL/dt.
    auto accumulate = [&](T* d, auto derivative) {
      each(x.size(), [&](std::size_t i, auto v) {
        const decltype(v) g = none ? load_as(pg + i, v) : decltype(v)(g0);
        store_to(d + i, load_as(d + i, v) + g * derivative(load_as(px + i, v), load_as(pt + i, v)));
      });
    };
    if (c.needs_grad(0)) accumulate(c.grad_in(0).data(), [&](auto xi, auto ti) { return a.options.d_input(xi, ti); });
    if (c.needs_grad(1)) accumulate(c.grad_in(1).data(), [&](auto xi, auto ti) { return a.options.d_target(xi, ti); });
  }
};

// Records loss(input, target) reduced by `reduction`, after checking the shapes
// and that the loss takes this reduction. input_name names x in errors ("logits").
template <class Loss, class T>
Tensor<T> pointwise_loss(const Loss& loss, const Tensor<T>& input, const Tensor<T>& target, Reduction reduction,
                         const char* input_name = "input") {
  KLGRAD_CHECK(input.shape() == target.shape(), std::string(Loss::name) + ": " + input_name + " " +
                                                    shape_str(input.shape()) + " and target " +
                                                    shape_str(target.shape()) + " must have the same shape");
  check_reduction(reduction, Loss::name, Loss::reductions);
  return apply<PointwiseLossOp<T, Loss>>({input, target}, typename PointwiseLossOp<T, Loss>::Args{reduction, loss});
}

}  // namespace klgrad
