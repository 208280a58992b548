// kl_div: forward and backward side by side. The math is in klgrad/losses/kl_div.hpp.
//
// Each pointwise formula is written once as a template on the lane type V
// (klgrad/simd.hpp): V = xsimd::batch<T> runs 16 floats at a time, V = T
// finishes the tail. Read them as ordinary scalar formulas.
#include "klgrad/losses/kl_div.hpp"

#include <cmath>

#include "klgrad/simd.hpp"

namespace klgrad {

namespace {

// xlogy(t, t) = t log t, and 0 where t = 0 (0 log 0 = 0). NaN stays NaN.
template <class T> T xlogx(T t) { return t == T(0) ? T(0) : t * std::log(t); }
template <class T, class A> xsimd::batch<T, A> xlogx(xsimd::batch<T, A> t) {
  return xsimd::select(t == T(0), xsimd::batch<T, A>(T(0)), t * xsimd::log(t));
}

template <class T>
struct KlDivOp {
  static constexpr const char* name = "kl_div";
  // args: i[0] = reduction, i[1] = log_target

  // Pointwise loss L(x, t).
  template <class V> static V term(V x, V t, bool log_t) { return log_t ? V(xsimd::exp(t) * (t - x)) : V(xlogx(t) - t * x); }
  // dL/dx and dL/dt.
  template <class V> static V d_input(V, V t, bool log_t) { return log_t ? V(-xsimd::exp(t)) : V(-t); }
  template <class V> static V d_target(V x, V t, bool log_t) {
    // log t + t/t - x: t/t makes the gradient NaN at t = 0, exactly as PyTorch 1.13.
    return log_t ? V(xsimd::exp(t) * (t - x + V(1))) : V(xsimd::log(t) + t / t - x);
  }

  static void forward(Ctx<T>& c) {
    const Reduction r = static_cast<Reduction>(c.args().i[0]);
    const bool log_t = c.args().i[1] != 0;
    const T* x = c.in(0).data();
    const T* t = c.in(1).data();
    const std::size_t n = c.in(0).size();
    Array<T>& y = c.out();
    if (r == Reduction::none) {
      y.resize(c.in(0).shape());
      T* py = y.data();
      simd_for<T>(n, [&](std::size_t i, auto l) { store_to(py + i, term(load_as(x + i, l), load_as(t + i, l), log_t)); });
      return;
    }
    const double s = simd_sum<T>(n, [&](std::size_t i, auto l) { return term(load_as(x + i, l), load_as(t + i, l), log_t); });
    y.resize(Shape{});
    y() = static_cast<T>(s * reduction_factor(r, c.in(0).shape()));
  }

  static void backward(Ctx<T>& c) {
    const Reduction r = static_cast<Reduction>(c.args().i[0]);
    const bool log_t = c.args().i[1] != 0;
    const T* x = c.in(0).data();
    const T* t = c.in(1).data();
    const T* g = c.grad_out().data();
    const std::size_t n = c.in(0).size();
    // The incoming gradient of term i: g_i for 'none', else the one g times the reduction factor.
    const T gf = r == Reduction::none ? T(0) : g[0] * static_cast<T>(reduction_factor(r, c.in(0).shape()));
    auto grad = [&](std::size_t i, auto l) {
      using V = decltype(l);
      return r == Reduction::none ? load_as(g + i, l) : V(gf);
    };
    if (c.needs_grad(0)) {
      T* dx = c.grad_in(0).data();
      simd_for<T>(n, [&](std::size_t i, auto l) {
        store_to(dx + i, load_as(dx + i, l) + grad(i, l) * d_input(load_as(x + i, l), load_as(t + i, l), log_t));
      });
    }
    if (c.needs_grad(1)) {
      T* dt = c.grad_in(1).data();
      simd_for<T>(n, [&](std::size_t i, auto l) {
        store_to(dt + i, load_as(dt + i, l) + grad(i, l) * d_target(load_as(x + i, l), load_as(t + i, l), log_t));
      });
    }
  }
};

}  // namespace

template <class T>
Tensor<T> kl_div(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction, bool log_target) {
  KLGRAD_CHECK(input.shape() == target.shape(), "kl_div: input " + shape_str(input.shape()) + " and target " +
                                                    shape_str(target.shape()) + " must have the same shape");
  if (reduction == Reduction::mean)
    warn("kl_div: reduction 'mean' divides the summed loss by every element (batch x support), which is not "
         "the KL divergence; use 'batchmean' (sum / batch size) for the true KL per sample");
  OpArgs a;
  a.i[0] = static_cast<std::int64_t>(reduction);
  a.i[1] = log_target ? 1 : 0;
  a.n = 2;
  return apply<KlDivOp<T>>({input, target}, a);
}

template Tensor<float> kl_div(const Tensor<float>&, const Tensor<float>&, Reduction, bool);
template Tensor<double> kl_div(const Tensor<double>&, const Tensor<double>&, Reduction, bool);

}  // namespace klgrad
