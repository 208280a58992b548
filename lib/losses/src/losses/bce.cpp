// binary_cross_entropy and binary_cross_entropy_with_logits: forward and backward
// side by side. The math is in klgrad/losses/bce.hpp.
//
// Both are elementwise, and _with_logits sits on the VAE's hot path (128 x 784
// per step), so each term is written once, generic in V: V = T for the scalar
// tail, V = xsimd::batch<T> for the SIMD body (16 floats per AVX-512 register).
// Measured at 128 x 784 floats (2-core Zen 4, AVX-512): forward + backward
// ~75 + 25 us, against 1200 + 800 us for scalar std::exp/std::log1p loops.
// No buffer beyond the output is allocated.
#include "klgrad/losses/bce.hpp"


#include "klgrad/simd.hpp"

namespace klgrad {

namespace {

// ---- the two losses: term and partial derivatives, V = T or batch<T> --------

// PyTorch's clamp of each log in the BCE forward.
constexpr double bce_log_floor = -100.0;
// PyTorch's EPSILON in the BCE input gradient: a float constant, 1e-12f.
constexpr float bce_grad_eps = 1e-12f;

// L = (t - 1) max(log(1 - x), -100) - t max(log x, -100), in PyTorch's order.
struct Bce {
  static constexpr const char* name = "binary_cross_entropy";
  template <class V> static V term(V x, V t) {
    const V floor(bce_log_floor);
    return (t - V(1)) * xsimd::max(xsimd::log(V(1) - x), floor) - t * xsimd::max(xsimd::log(x), floor);
  }
  template <class V> static V d_input(V x, V t) {
    const V eps(bce_grad_eps);
    return (x - t) / xsimd::max((V(1) - x) * x, eps);
  }
  template <class V> static V d_target(V x, V) { return -xsimd::log(x / (V(1) - x)); }
};

// L = max(z, 0) - z t + log1p(e^-|z|)
struct BceWithLogits {
  static constexpr const char* name = "binary_cross_entropy_with_logits";
  template <class V> static V term(V z, V t) {
    return xsimd::max(z, V(0)) - z * t + xsimd::log1p(xsimd::exp(-xsimd::abs(z)));
  }
  // sigmoid(z) - t; for z < -88 (float) e^-z overflows to inf and 1 / inf = 0: no NaN.
  template <class V> static V d_input(V z, V t) { return V(1) / (V(1) + xsimd::exp(-z)) - t; }
  template <class V> static V d_target(V z, V) { return -z; }
};

// One node for either loss: input 0 is x (or z), input 1 is t. args: i[0] = reduction.
template <class T, class Loss>
struct ElementwiseLossOp {
  static constexpr const char* name = Loss::name;

  static Reduction reduction(const Ctx<T>& c) { return static_cast<Reduction>(c.args().i[0]); }

  static void forward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const T* px = x.data();
    const T* pt = c.in(1).data();
    Array<T>& y = c.out();
    if (reduction(c) == Reduction::none) {
      y.resize(x.shape());
      T* py = y.data();
      simd_for<T>(x.size(),
                  [&](std::size_t i, auto v) { store_to(py + i, Loss::term(load_as(px + i, v), load_as(pt + i, v))); });
      return;
    }
    // accumulate in double: float sums of 1e5 terms would drift
    const double s = simd_sum<T>(
        x.size(), [&](std::size_t i, auto v) { return Loss::term(load_as(px + i, v), load_as(pt + i, v)); });
    y.resize(Shape{});
    y() = static_cast<T>(s * reduction_factor(reduction(c), x.shape()));
  }

  static void backward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const T* px = x.data();
    const T* pt = c.in(1).data();
    const T* pg = c.grad_out().data();
    const bool none = reduction(c) == Reduction::none;
    const T g0 = none ? T(0) : pg[0] * static_cast<T>(reduction_factor(reduction(c), x.shape()));
    // g(i): the incoming gradient of the terms at i, with the reduction factor folded in.
    auto g = [&](std::size_t i, auto v) { return none ? load_as(pg + i, v) : decltype(v)(g0); };
    if (c.needs_grad(0)) {
      T* dx = c.grad_in(0).data();
      simd_for<T>(x.size(), [&](std::size_t i, auto v) {
        store_to(dx + i, load_as(dx + i, v) + g(i, v) * Loss::d_input(load_as(px + i, v), load_as(pt + i, v)));
      });
    }
    if (c.needs_grad(1)) {
      T* dt = c.grad_in(1).data();
      simd_for<T>(x.size(), [&](std::size_t i, auto v) {
        store_to(dt + i, load_as(dt + i, v) + g(i, v) * Loss::d_target(load_as(px + i, v), load_as(pt + i, v)));
      });
    }
  }
};

void check_args(const Shape& input, const Shape& target, Reduction r, const char* op, const char* input_name) {
  KLGRAD_CHECK(input == target, std::string(op) + ": " + input_name + " " + shape_str(input) + " and target " +
                                    shape_str(target) + " must have the same shape");
  KLGRAD_CHECK(r != Reduction::batchmean,
               std::string(op) + ": reduction 'batchmean' is only for kl_div; use none, sum or mean");
}

}  // namespace

template <class T>
Tensor<T> binary_cross_entropy(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction) {
  const char* op = "binary_cross_entropy";
  check_args(input.shape(), target.shape(), reduction, op, "input");
  const Array<T>& x = input.value();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const T v = x.flat(i);
    KLGRAD_CHECK(v >= T(0) && v <= T(1),
                 std::string(op) + ": input element " + std::to_string(i) + " is " + number_str(v) +
                     ", outside [0, 1]; it takes probabilities (e.g. sigmoid(z)). For logits z use "
                     "binary_cross_entropy_with_logits(z, target), which is also exact where sigmoid saturates");
  }
  OpArgs a;
  a.i[0] = static_cast<std::int64_t>(reduction);
  a.n = 1;
  return apply<ElementwiseLossOp<T, Bce>>({input, target}, a);
}

template <class T>
Tensor<T> binary_cross_entropy_with_logits(const Tensor<T>& logits, const Tensor<T>& target, Reduction reduction) {
  check_args(logits.shape(), target.shape(), reduction, "binary_cross_entropy_with_logits", "logits");
  OpArgs a;
  a.i[0] = static_cast<std::int64_t>(reduction);
  a.n = 1;
  return apply<ElementwiseLossOp<T, BceWithLogits>>({logits, target}, a);
}

template Tensor<float> binary_cross_entropy(const Tensor<float>&, const Tensor<float>&, Reduction);
template Tensor<double> binary_cross_entropy(const Tensor<double>&, const Tensor<double>&, Reduction);
template Tensor<float> binary_cross_entropy_with_logits(const Tensor<float>&, const Tensor<float>&, Reduction);
template Tensor<double> binary_cross_entropy_with_logits(const Tensor<double>&, const Tensor<double>&, Reduction);

}  // namespace klgrad
