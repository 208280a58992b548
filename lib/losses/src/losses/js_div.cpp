// js_div: forward and backward side by side. The math is in klgrad/losses/js_div.hpp.
#include "klgrad/losses/js_div.hpp"

#include <algorithm>
#include <cmath>

namespace klgrad {

namespace {

// log m = log((p + q) / 2) from lp = log p and x = log q, without forming p + q.
template <class T>
T log_mid(T lp, T x) {
  const T hi = std::max(lp, x);
  return hi + std::log1p(std::exp(-std::abs(lp - x))) - static_cast<T>(std::log(2.0));
}

template <class T>
struct JsDivOp {
  static constexpr const char* name = "js_div";
  // args: i[0] = reduction

  static Reduction reduction(const Ctx<T>& c) { return static_cast<Reduction>(c.args().i[0]); }

  // L = 1/2 p (log p - log m) + 1/2 q (x - log m); a half with p = 0 or q = 0 is 0.
  static T term(T x, T p) {
    const T q = std::exp(x);
    if (p == T(0) && q == T(0)) return T(0);
    const T lp = std::log(p);
    const T lm = log_mid(lp, x);
    const T a = p == T(0) ? T(0) : p * (lp - lm);
    const T b = q == T(0) ? T(0) : q * (x - lm);
    return (a + b) / T(2);
  }

  static void forward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const std::size_t n = x.size();
    const T* px = x.data();
    const T* pp = c.in(1).data();
    Array<T>& y = c.out();
    if (reduction(c) == Reduction::none) {
      y.resize(x.shape());
      T* py = y.data();
      for (std::size_t i = 0; i < n; ++i) py[i] = term(px[i], pp[i]);
      return;
    }
    double s = 0;  // accumulate in double, as kl_div
    for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(term(px[i], pp[i]));
    y.resize(Shape{});
    y() = static_cast<T>(s * reduction_factor(reduction(c), x.shape()));
  }

  static void backward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const bool none = reduction(c) == Reduction::none;
    const std::size_t n = x.size();
    const T* px = x.data();
    const T* pp = c.in(1).data();
    const T* pg = c.grad_out().data();
    const T f = static_cast<T>(reduction_factor(reduction(c), x.shape()));
    // g_i: the incoming gradient of term i, with the reduction factor folded in.
    auto g = [&](std::size_t i) { return none ? pg[i] : pg[0] * f; };
    if (c.needs_grad(0)) {
      T* dx = c.grad_in(0).data();
      for (std::size_t i = 0; i < n; ++i) {
        const T q = std::exp(px[i]);
        if (q != T(0)) dx[i] += g(i) * q * (px[i] - log_mid(std::log(pp[i]), px[i])) / T(2);
      }
    }
    if (c.needs_grad(1)) {
      T* dp = c.grad_in(1).data();
      for (std::size_t i = 0; i < n; ++i) {
        const T lp = std::log(pp[i]);
        dp[i] += g(i) * (lp - log_mid(lp, px[i])) / T(2);
      }
    }
  }
};

}  // namespace

template <class T>
Tensor<T> js_div(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction) {
  KLGRAD_CHECK(input.shape() == target.shape(),
               "js_div: input " + shape_str(input.shape()) + " and target " + shape_str(target.shape()) +
                   " must have the same shape (input = log Q of the model, target = P, e.g. both (batch, classes))");
  KLGRAD_CHECK(reduction != Reduction::mean,
               std::string("js_div: reduction 'mean' divides by every element (batch x support) and is not the JS "
                           "divergence; use 'batchmean' (sum / batch size) for the JS per sample, or 'sum'"));
  OpArgs a;
  a.i[0] = static_cast<std::int64_t>(reduction);
  a.n = 1;
  return apply<JsDivOp<T>>({input, target}, a);
}

template Tensor<float> js_div(const Tensor<float>&, const Tensor<float>&, Reduction);
template Tensor<double> js_div(const Tensor<double>&, const Tensor<double>&, Reduction);

}  // namespace klgrad
