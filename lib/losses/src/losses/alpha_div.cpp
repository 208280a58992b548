// alpha_div: forward and backward side by side. The math is in klgrad/losses/alpha_div.hpp.
#include "klgrad/losses/alpha_div.hpp"

#include <cmath>
#include <limits>

namespace klgrad {

namespace {

// phi(s, d) = expm1(s d) / s, and its limit d at s = 0.
template <class T>
T phi(T s, T d) {
  return s == T(0) ? d : std::expm1(s * d) / s;
}

template <class T>
struct AlphaDivOp {
  static constexpr const char* name = "alpha_div";
  // args: i[0] = reduction, a = alpha

  static Reduction reduction(const Ctx<T>& c) { return static_cast<Reduction>(c.args().i[0]); }

  static T term(T x, T p, T a) {
    const T inf = std::numeric_limits<T>::infinity();
    const T q = std::exp(x);
    if (p == T(0)) return q == T(0) ? T(0) : (a > T(0) ? q / a : inf);
    if (q == T(0)) return a < T(1) ? p / (T(1) - a) : inf;
    const T lp = std::log(p);
    if (a >= T(0.5)) return ((q - p) - p * phi(T(1) - a, x - lp)) / a;
    return ((p - q) - q * phi(a, lp - x)) / (T(1) - a);
  }

  static void forward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const std::size_t n = x.size();
    const T* px = x.data();
    const T* pp = c.in(1).data();
    const T a = static_cast<T>(c.args().a);
    Array<T>& y = c.out();
    if (reduction(c) == Reduction::none) {
      y.resize(x.shape());
      T* py = y.data();
      for (std::size_t i = 0; i < n; ++i) py[i] = term(px[i], pp[i], a);
      return;
    }
    double s = 0;  // accumulate in double, as kl_div
    for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(term(px[i], pp[i], a));
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
    const T a = static_cast<T>(c.args().a);
    const T f = static_cast<T>(reduction_factor(reduction(c), x.shape()));
    // g_i: the incoming gradient of term i, with the reduction factor folded in.
    auto g = [&](std::size_t i) { return none ? pg[i] : pg[0] * f; };
    if (c.needs_grad(0)) {  // dL/dx = -q phi(a, log p - x); 0 at q = 0 for a < 1
      T* dx = c.grad_in(0).data();
      for (std::size_t i = 0; i < n; ++i) {
        const T q = std::exp(px[i]);
        if (q == T(0))
          dx[i] += a < T(1) ? T(0) : std::numeric_limits<T>::quiet_NaN();
        else
          dx[i] += g(i) * -q * phi(a, std::log(pp[i]) - px[i]);
      }
    }
    if (c.needs_grad(1)) {  // dL/dp = -phi(1 - a, x - log p)
      T* dp = c.grad_in(1).data();
      for (std::size_t i = 0; i < n; ++i) dp[i] += g(i) * -phi(T(1) - a, px[i] - std::log(pp[i]));
    }
  }
};

}  // namespace

template <class T>
Tensor<T> alpha_div(const Tensor<T>& input, const Tensor<T>& target, double alpha, Reduction reduction) {
  KLGRAD_CHECK(input.shape() == target.shape(),
               "alpha_div: input " + shape_str(input.shape()) + " and target " + shape_str(target.shape()) +
                   " must have the same shape (input = log Q of the model, target = P, e.g. both (batch, classes))");
  KLGRAD_CHECK(std::isfinite(alpha), "alpha_div: alpha must be a finite number, got " + std::to_string(alpha) +
                                         "; alpha = 1 is KL(P || Q), alpha = 0 is KL(Q || P)");
  KLGRAD_CHECK(
      reduction != Reduction::mean,
      std::string("alpha_div: reduction 'mean' divides by every element (batch x support) and is not the "
                  "alpha-divergence; use 'batchmean' (sum / batch size) for the divergence per sample, or 'sum'"));
  OpArgs args;
  args.i[0] = static_cast<std::int64_t>(reduction);
  args.n = 1;
  args.a = alpha;
  return apply<AlphaDivOp<T>>({input, target}, args);
}

template Tensor<float> alpha_div(const Tensor<float>&, const Tensor<float>&, double, Reduction);
template Tensor<double> alpha_div(const Tensor<double>&, const Tensor<double>&, double, Reduction);

}  // namespace klgrad
