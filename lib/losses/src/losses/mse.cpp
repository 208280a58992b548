// mse_loss: forward and backward side by side. The math is in klgrad/losses/mse.hpp.
#include "klgrad/losses/mse.hpp"

namespace klgrad {

namespace {

template <class T>
struct MseOp {
  static constexpr const char* name = "mse_loss";
  // args: i[0] = reduction

  static Reduction reduction(const Ctx<T>& c) { return static_cast<Reduction>(c.args().i[0]); }

  static void forward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const std::size_t n = x.size();
    const T* px = x.data();
    const T* pt = c.in(1).data();
    Array<T>& y = c.out();
    if (reduction(c) == Reduction::none) {
      y.resize(x.shape());
      T* py = y.data();
      for (std::size_t i = 0; i < n; ++i) py[i] = (px[i] - pt[i]) * (px[i] - pt[i]);
      return;
    }
    double s = 0;  // accumulate in double: float sums of 1e5 terms would drift
    for (std::size_t i = 0; i < n; ++i) s += static_cast<double>((px[i] - pt[i]) * (px[i] - pt[i]));
    y.resize(Shape{});
    y() = static_cast<T>(s * reduction_factor(reduction(c), x.shape()));
  }

  static void backward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const std::size_t n = x.size();
    const T* px = x.data();
    const T* pt = c.in(1).data();
    const T* pg = c.grad_out().data();
    const bool none = reduction(c) == Reduction::none;
    const T f = static_cast<T>(reduction_factor(reduction(c), x.shape()));
    // g_i: the incoming gradient of term i, with the reduction factor folded in.
    auto g = [&](std::size_t i) { return none ? pg[i] : pg[0] * f; };
    if (c.needs_grad(0)) {
      T* dx = c.grad_in(0).data();
      for (std::size_t i = 0; i < n; ++i) dx[i] += g(i) * T(2) * (px[i] - pt[i]);
    }
    if (c.needs_grad(1)) {
      T* dt = c.grad_in(1).data();
      for (std::size_t i = 0; i < n; ++i) dt[i] -= g(i) * T(2) * (px[i] - pt[i]);
    }
  }
};

}  // namespace

template <class T> Tensor<T> mse_loss(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction) {
  KLGRAD_CHECK(input.shape() == target.shape(), "mse_loss: input " + shape_str(input.shape()) + " and target " +
                                                    shape_str(target.shape()) + " must have the same shape");
  KLGRAD_CHECK(reduction != Reduction::batchmean,
               "mse_loss: reduction 'batchmean' is only for kl_div; use none, sum or mean");
  OpArgs a;
  a.i[0] = static_cast<std::int64_t>(reduction);
  a.n = 1;
  return apply<MseOp<T>>({input, target}, a);
}

template Tensor<float> mse_loss(const Tensor<float>&, const Tensor<float>&, Reduction);
template Tensor<double> mse_loss(const Tensor<double>&, const Tensor<double>&, Reduction);

}  // namespace klgrad
