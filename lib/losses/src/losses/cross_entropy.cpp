// cross_entropy: forward and backward side by side. The math is in
// klgrad/losses/cross_entropy.hpp. Plain loops over contiguous rows.
#include "klgrad/losses/cross_entropy.hpp"

#include <algorithm>
#include <cmath>

#include "klgrad/losses/nll.hpp"

namespace klgrad {

namespace {

// Input 0: logits z (N, C); input 1: class indices t (N,), -1 = ignored.
// saved: lse_n = log sum_c e^z_nc per row, for the backward's p = e^(z - lse).
template <class T>
struct CrossEntropyOp {
  static constexpr const char* name = "cross_entropy";
  struct Options {
    double label_smoothing;
  };

  using Args = LossArgs<Options>;

  // The reduction factor: 1 for sum, 1 / (number of samples not ignored) for mean.
  static double factor(const Args& a, const T* pt, std::size_t n) { return detail::kept_mean_factor(a.reduction, pt, n); }

  static void forward(Ctx<T>& c, const Args& a) {
    const Array<T>& z = c.in(0);
    const std::size_t n = z.shape()[0], classes = z.shape()[1];
    const T* pt = c.in(1).data();
    const double eps = a.options.label_smoothing;
    const bool none = a.reduction == Reduction::none;
    Array<T>& lse = c.saved();
    lse.resize(Shape{n});
    Array<T>& y = c.out();
    y.resize(none ? Shape{n} : Shape{});
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const T* zi = z.data() + i * classes;
      T m = *std::max_element(zi, zi + classes);
      if (!std::isfinite(m)) m = T(0);  // a row with inf: let the math give NaN/inf, as log_softmax
      T s = 0;
      for (std::size_t k = 0; k < classes; ++k) s += std::exp(zi[k] - m);
      const T log_s = std::log(s);
      lse(i) = m + log_s;
      double loss = 0;  // log p_k = (z_k - m) - log_s, as log_softmax computes it
      if (pt[i] >= T(0)) {
        loss = (1.0 - eps) * -static_cast<double>((zi[static_cast<std::size_t>(pt[i])] - m) - log_s);
        if (eps > 0) {
          double smooth = 0;
          for (std::size_t k = 0; k < classes; ++k) smooth -= static_cast<double>((zi[k] - m) - log_s);
          loss += eps / static_cast<double>(classes) * smooth;
        }
      }
      if (none) y(i) = static_cast<T>(loss);
      total += loss;
    }
    if (!none) y() = static_cast<T>(total * factor(a, pt, n));
  }

  static void backward(Ctx<T>& c, const Args& a) {
    if (!c.needs_grad(0)) return;
    const Array<T>& z = c.in(0);
    const std::size_t n = z.shape()[0], classes = z.shape()[1];
    const T* pt = c.in(1).data();
    const T* pg = c.grad_out().data();
    const T* lse = c.saved().data();
    const T eps = static_cast<T>(a.options.label_smoothing);
    const bool none = a.reduction == Reduction::none;
    const T g0 = none ? T(0) : pg[0] * static_cast<T>(factor(a, pt, n));
    const T q_other = eps / static_cast<T>(classes);  // q_c off the target class
    T* dz = c.grad_in(0).data();
    for (std::size_t i = 0; i < n; ++i) {
      if (pt[i] < T(0)) continue;  // ignored: no gradient
      const T g = none ? pg[i] : g0;
      const T* zi = z.data() + i * classes;
      T* di = dz + i * classes;
      for (std::size_t k = 0; k < classes; ++k) di[k] += g * (std::exp(zi[k] - lse[i]) - q_other);
      di[static_cast<std::size_t>(pt[i])] -= g * (T(1) - eps);
    }
  }
};

}  // namespace

template <class T>
Tensor<T> cross_entropy(const Tensor<T>& logits, const std::vector<std::int64_t>& target, Reduction reduction,
                        double label_smoothing, std::int64_t ignore_index) {
  check_reduction(reduction, "cross_entropy", ReductionRule::per_element);
  KLGRAD_CHECK(
      label_smoothing >= 0.0 && label_smoothing <= 1.0,
      "cross_entropy: label_smoothing must be in [0, 1] (0 = no smoothing), got " + number_str(label_smoothing));
  Tensor<T> t = detail::class_targets(logits, target, ignore_index, "cross_entropy");
  return apply<CrossEntropyOp<T>>({logits, t},
                                  typename CrossEntropyOp<T>::Args{reduction, {label_smoothing}});
}

template Tensor<float> cross_entropy(const Tensor<float>&, const std::vector<std::int64_t>&, Reduction, double,
                                     std::int64_t);
template Tensor<double> cross_entropy(const Tensor<double>&, const std::vector<std::int64_t>&, Reduction, double,
                                      std::int64_t);

}  // namespace klgrad
