// nll_loss: forward and backward side by side. The math is in klgrad/losses/nll.hpp.
#include "klgrad/losses/nll.hpp"

namespace klgrad {

namespace detail {

template <class T>
Tensor<T> class_targets(const Tensor<T>& input, const std::vector<std::int64_t>& target, std::int64_t ignore_index,
                        const char* op) {
  const Shape& s = input.shape();
  KLGRAD_CHECK(s.size() == 2,
               std::string(op) + ": input " + shape_str(s) +
                   " must be (N, C): one row of class scores per sample (for a single sample use shape (1, C))");
  const std::size_t n = s[0], classes = s[1];
  KLGRAD_CHECK(classes > 0, std::string(op) + ": input " + shape_str(s) + " has no classes (C = 0)");
  KLGRAD_CHECK(target.size() == n, std::string(op) + ": input " + shape_str(s) + " has " + std::to_string(n) +
                                       " rows but target has " + std::to_string(target.size()) +
                                       " class indices; pass one class index per row");
  KLGRAD_CHECK(sizeof(T) > sizeof(float) || classes <= (std::size_t(1) << 24),
               std::string(op) + ": " + std::to_string(classes) +
                   " classes is more than float represents exactly (2^24); use double");
  Array<T> t = Array<T>::from_shape(Shape{n});
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t k = target[i];
    const bool in_range = k >= 0 && static_cast<std::uint64_t>(k) < classes;
    KLGRAD_CHECK(in_range || k == ignore_index,
                 std::string(op) + ": target[" + std::to_string(i) + "] = " + std::to_string(k) +
                     " is out of range for input " + shape_str(s) + " with " + std::to_string(classes) +
                     " classes; class indices must be in [0, " + std::to_string(classes) + ") or equal ignore_index (" +
                     std::to_string(ignore_index) +
                     "). Check that the model has one output per class and that labels start at 0");
    t(i) = k == ignore_index ? T(-1) : static_cast<T>(k);
  }
  return input.tape().constant(t);
}

template Tensor<float> class_targets(const Tensor<float>&, const std::vector<std::int64_t>&, std::int64_t, const char*);
template Tensor<double> class_targets(const Tensor<double>&, const std::vector<std::int64_t>&, std::int64_t,
                                      const char*);

}  // namespace detail

namespace {

// Input 0: log-probabilities x (N, C); input 1: class indices t (N,), -1 = ignored.
template <class T>
struct NllOp {
  static constexpr const char* name = "nll_loss";
  struct Options {};  // no options beyond the reduction

  using Args = LossArgs<Options>;

  // The reduction factor: 1 for sum, 1 / (number of samples not ignored) for mean.
  static double factor(const Args& a, const T* pt, std::size_t n) { return detail::kept_mean_factor(a.reduction, pt, n); }

  static void forward(Ctx<T>& c, const Args& a) {
    const Array<T>& x = c.in(0);
    const std::size_t n = x.shape()[0], classes = x.shape()[1];
    const T* px = x.data();
    const T* pt = c.in(1).data();
    Array<T>& y = c.out();
    if (a.reduction == Reduction::none) {
      y.resize(Shape{n});
      for (std::size_t i = 0; i < n; ++i)
        y(i) = pt[i] < T(0) ? T(0) : -px[i * classes + static_cast<std::size_t>(pt[i])];
      return;
    }
    double s = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (pt[i] >= T(0)) s -= static_cast<double>(px[i * classes + static_cast<std::size_t>(pt[i])]);
    y.resize(Shape{});
    y() = static_cast<T>(s * factor(a, pt, n));
  }

  static void backward(Ctx<T>& c, const Args& a) {
    if (!c.needs_grad(0)) return;
    const Array<T>& x = c.in(0);
    const std::size_t n = x.shape()[0], classes = x.shape()[1];
    const T* pt = c.in(1).data();
    const T* pg = c.grad_out().data();
    const bool none = a.reduction == Reduction::none;
    const T g0 = none ? T(0) : pg[0] * static_cast<T>(factor(a, pt, n));
    T* dx = c.grad_in(0).data();
    for (std::size_t i = 0; i < n; ++i)
      if (pt[i] >= T(0)) dx[i * classes + static_cast<std::size_t>(pt[i])] -= none ? pg[i] : g0;
  }
};

}  // namespace

template <class T>
Tensor<T> nll_loss(const Tensor<T>& log_probs, const std::vector<std::int64_t>& target, Reduction reduction,
                   std::int64_t ignore_index) {
  check_reduction(reduction, "nll_loss", ReductionRule::per_element);
  Tensor<T> t = detail::class_targets(log_probs, target, ignore_index, "nll_loss");
  return apply<NllOp<T>>({log_probs, t}, typename NllOp<T>::Args{reduction, {}});
}

template Tensor<float> nll_loss(const Tensor<float>&, const std::vector<std::int64_t>&, Reduction, std::int64_t);
template Tensor<double> nll_loss(const Tensor<double>&, const std::vector<std::int64_t>&, Reduction, std::int64_t);

}  // namespace klgrad
