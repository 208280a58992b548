// kl_div: forward and backward side by side. The math is in klgrad/losses/kl_div.hpp.
#include "klgrad/losses/kl_div.hpp"

#include <cmath>

namespace klgrad {

namespace {

template <class T>
T xlogy(T x, T y) { return x == T(0) && !std::isnan(y) ? T(0) : x * std::log(y); }

template <class T>
struct KlDivOp {
  static constexpr const char* name = "kl_div";
  // args: i[0] = reduction, i[1] = log_target

  static Reduction reduction(const Ctx<T>& c) { return static_cast<Reduction>(c.args().i[0]); }
  static bool log_target(const Ctx<T>& c) { return c.args().i[1] != 0; }

  // Pointwise term L(x, t).
  static T term(T x, T t, bool log_t) { return log_t ? std::exp(t) * (t - x) : xlogy(t, t) - t * x; }

  static void forward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const Array<T>& t = c.in(1);
    const bool log_t = log_target(c);
    const std::size_t n = x.size();
    const T* px = x.data();
    const T* pt = t.data();
    Array<T>& y = c.out();
    if (reduction(c) == Reduction::none) {
      y.resize(x.shape());
      T* py = y.data();
      for (std::size_t i = 0; i < n; ++i) py[i] = term(px[i], pt[i], log_t);
      return;
    }
    double s = 0;  // accumulate in double: float sums of 1e5 terms would drift
    for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(term(px[i], pt[i], log_t));
    y.resize(Shape{});
    y() = static_cast<T>(s * reduction_factor(reduction(c), x.shape()));
  }

  static void backward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const Array<T>& t = c.in(1);
    const bool log_t = log_target(c);
    const bool none = reduction(c) == Reduction::none;
    const std::size_t n = x.size();
    const T* px = x.data();
    const T* pt = t.data();
    const T* pg = c.grad_out().data();
    const T f = static_cast<T>(reduction_factor(reduction(c), x.shape()));
    // g_i: the incoming gradient of term i, with the reduction factor folded in.
    auto g = [&](std::size_t i) { return none ? pg[i] : pg[0] * f; };
    if (c.needs_grad(0)) {
      T* dx = c.grad_in(0).data();
      for (std::size_t i = 0; i < n; ++i) dx[i] += g(i) * -(log_t ? std::exp(pt[i]) : pt[i]);
    }
    if (c.needs_grad(1)) {
      T* dt = c.grad_in(1).data();
      for (std::size_t i = 0; i < n; ++i)
        dt[i] += g(i) * (log_t ? std::exp(pt[i]) * (pt[i] - px[i] + T(1)) : std::log(pt[i]) + pt[i] / pt[i] - px[i]);
    }
  }
};

}  // namespace

template <class T>
Tensor<T> kl_div(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction, bool log_target) {
  check(input.shape() == target.shape(), "kl_div: input " + shape_str(input.shape()) + " and target " +
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
