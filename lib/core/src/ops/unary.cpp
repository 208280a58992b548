// Elementwise unary ops: y_i = f(x_i), and backward dx_i += g_i f'(x_i).
// x, y, g = dL/dy and dx all have x's shape.
//
// At kinks and poles the derivative is PyTorch 1.13's, not a subgradient of
// our choosing: abs'(0) = 0, relu'(0) = 0, clamp passes g where lo <= x <= hi
// (both ends included), pow' is the literal p x^(p-1) (so x = 0, p < 1 gives
// +-inf, p = 0 gives 0), softplus is the identity above its threshold.
// Smooth, vectorisable forms are xtensor expressions (xsimd); branches are
// plain loops over the contiguous buffers.
#include <algorithm>
#include <cmath>
#include <string>
#include <xtensor/xmath.hpp>

#include "klgrad/ops.hpp"

namespace klgrad {

namespace {

// y_i = f(x_i) into the reused output buffer.
template <class T, class F>
void map_forward(Ctx<T>& c, F f) {
  const Array<T>& x = c.in(0);
  Array<T>& y = c.out();
  y.resize(x.shape());
  const T* px = x.data();
  T* py = y.data();
  for (std::size_t i = 0, n = x.size(); i < n; ++i) py[i] = f(px[i]);
}

// dx_i += d(x_i, y_i, g_i).
template <class T, class F>
void map_backward(Ctx<T>& c, F d) {
  if (!c.needs_grad(0)) return;
  const T* px = c.in(0).data();
  const T* py = c.out().data();
  const T* pg = c.grad_out().data();
  T* pdx = c.grad_in(0).data();
  for (std::size_t i = 0, n = c.out().size(); i < n; ++i) pdx[i] += d(px[i], py[i], pg[i]);
}

// y = -x      dx = -g
template <class T>
struct NegOp {
  static constexpr const char* name = "neg";
  static void forward(Ctx<T>& c) { xt::noalias(c.out()) = -c.in(0); }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) -= c.grad_out();
  }
};

// y = e^x     dx = g y
template <class T>
struct ExpOp {
  static constexpr const char* name = "exp";
  static void forward(Ctx<T>& c) { xt::noalias(c.out()) = xt::exp(c.in(0)); }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) += c.grad_out() * c.out();
  }
};

// y = ln x    dx = g / x        (ln 0 = -inf, ln of a negative = NaN: no hidden epsilon)
template <class T>
struct LogOp {
  static constexpr const char* name = "log";
  static void forward(Ctx<T>& c) { xt::noalias(c.out()) = xt::log(c.in(0)); }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) += c.grad_out() / c.in(0);
  }
};

// y = sqrt x  dx = g / (2 y)    (x = 0: +inf, as PyTorch)
template <class T>
struct SqrtOp {
  static constexpr const char* name = "sqrt";
  static void forward(Ctx<T>& c) { xt::noalias(c.out()) = xt::sqrt(c.in(0)); }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) += c.grad_out() / (T(2) * c.out());
  }
};

// y = |x|     dx = g sign(x),   sign(0) = 0
template <class T>
struct AbsOp {
  static constexpr const char* name = "abs";
  static void forward(Ctx<T>& c) { xt::noalias(c.out()) = xt::abs(c.in(0)); }
  static void backward(Ctx<T>& c) {
    map_backward(c, [](T x, T, T g) { return x > T(0) ? g : (x < T(0) ? -g : T(0)); });
  }
};

// y = x^p     dx = g p x^(p-1), and dx = 0 when p = 0
// Literal, as PyTorch: x = 0 with p < 1 gives g * (+-inf); x < 0 with a
// non-integer p gives NaN.
template <class T>
struct PowOp {
  static constexpr const char* name = "pow";
  struct Args { T exponent; };
  static void forward(Ctx<T>& c, const Args& a) {
    const T p = a.exponent;
    if (p == T(2))
      xt::noalias(c.out()) = c.in(0) * c.in(0);
    else
      map_forward(c, [p](T x) { return std::pow(x, p); });
  }
  static void backward(Ctx<T>& c, const Args& a) {
    const T p = a.exponent;
    if (p == T(0)) {
      if (c.needs_grad(0)) c.grad_in(0);  // touched: a zero gradient, as PyTorch
    } else if (p == T(2)) {
      if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) += c.grad_out() * (T(2) * c.in(0));
    } else {
      map_backward(c, [p](T x, T, T g) { return g * (p * std::pow(x, p - T(1))); });
    }
  }
};

// y = min(max(x, lo), hi)     dx = g where lo <= x <= hi, else 0
// lo > hi gives y = hi everywhere and dx = 0 (PyTorch 1.13); NaN stays NaN.
template <class T>
struct ClampOp {
  static constexpr const char* name = "clamp";
  struct Args { T lo, hi; };
  static void forward(Ctx<T>& c, const Args& a) {
    const T lo = a.lo, hi = a.hi;
    map_forward(c, [lo, hi](T x) { return std::min(std::max(x, lo), hi); });
  }
  static void backward(Ctx<T>& c, const Args& a) {
    const T lo = a.lo, hi = a.hi;
    map_backward(c, [lo, hi](T x, T, T g) { return x >= lo && x <= hi ? g : T(0); });
  }
};

// y = max(x, 0)      dx = g [y > 0]    (0 at x = 0)
template <class T>
struct ReluOp {
  static constexpr const char* name = "relu";
  static void forward(Ctx<T>& c) {
    map_forward(c, [](T x) { return x > T(0) || std::isnan(x) ? x : T(0); });
  }
  static void backward(Ctx<T>& c) {
    map_backward(c, [](T, T y, T g) { return y <= T(0) ? T(0) : g; });
  }
};

// y = 1 / (1 + e^-x)     dx = g (1 - y) y
template <class T>
struct SigmoidOp {
  static constexpr const char* name = "sigmoid";
  static void forward(Ctx<T>& c) { xt::noalias(c.out()) = T(1) / (T(1) + xt::exp(-c.in(0))); }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) += c.grad_out() * (T(1) - c.out()) * c.out();
  }
};

// y = tanh x     dx = g (1 - y^2)
template <class T>
struct TanhOp {
  static constexpr const char* name = "tanh";
  static void forward(Ctx<T>& c) { xt::noalias(c.out()) = xt::tanh(c.in(0)); }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) += c.grad_out() * (T(1) - c.out() * c.out());
  }
};

// z = beta x:
//   y = log(1 + e^z) / beta  (y = x where z > threshold: e^z would overflow)
//   dx = g e^z / (e^z + 1) = g sigmoid(z)  (dx = g where z > threshold)
template <class T>
struct SoftplusOp {
  static constexpr const char* name = "softplus";
  struct Args { T beta, threshold; };
  static void forward(Ctx<T>& c, const Args& a) {
    const T beta = a.beta, th = a.threshold;
    map_forward(c, [beta, th](T x) { return x * beta > th ? x : std::log1p(std::exp(x * beta)) / beta; });
  }
  static void backward(Ctx<T>& c, const Args& a) {
    const T beta = a.beta, th = a.threshold;
    map_backward(c, [beta, th](T x, T, T g) {
      const T z = std::exp(x * beta);
      return x * beta > th ? g : g * z / (z + T(1));
    });
  }
};

}  // namespace

template <class T>
Tensor<T> neg(const Tensor<T>& x) {
  return apply<NegOp<T>>({x});
}
template <class T>
Tensor<T> exp(const Tensor<T>& x) {
  return apply<ExpOp<T>>({x});
}
template <class T>
Tensor<T> log(const Tensor<T>& x) {
  return apply<LogOp<T>>({x});
}
template <class T>
Tensor<T> sqrt(const Tensor<T>& x) {
  return apply<SqrtOp<T>>({x});
}
template <class T>
Tensor<T> abs(const Tensor<T>& x) {
  return apply<AbsOp<T>>({x});
}
template <class T>
Tensor<T> relu(const Tensor<T>& x) {
  return apply<ReluOp<T>>({x});
}
template <class T>
Tensor<T> sigmoid(const Tensor<T>& x) {
  return apply<SigmoidOp<T>>({x});
}
template <class T>
Tensor<T> tanh(const Tensor<T>& x) {
  return apply<TanhOp<T>>({x});
}

template <class T>
Tensor<T> pow(const Tensor<T>& x, T p) {
  KLGRAD_CHECK(!std::isnan(p), "pow: the exponent is NaN; pass a number");
  return apply<PowOp<T>>({x}, typename PowOp<T>::Args{p});
}

template <class T>
Tensor<T> clamp(const Tensor<T>& x, T lo, T hi) {
  KLGRAD_CHECK(!std::isnan(lo) && !std::isnan(hi), "clamp: bounds (" + number_str(lo) + ", " + number_str(hi) +
                                                       ") must not be NaN; use -inf or inf for a side without a bound");
  return apply<ClampOp<T>>({x}, typename ClampOp<T>::Args{lo, hi});
}

template <class T>
Tensor<T> softplus(const Tensor<T>& x, T beta, T threshold) {
  KLGRAD_CHECK(beta != T(0) && std::isfinite(beta),
               "softplus: beta " + number_str(beta) +
                   " must be finite and non-zero (y = log(1 + e^(beta x)) / beta); PyTorch's default is 1");
  KLGRAD_CHECK(!std::isnan(threshold), "softplus: threshold is NaN; PyTorch's default is 20");
  return apply<SoftplusOp<T>>({x}, typename SoftplusOp<T>::Args{beta, threshold});
}

#define KLGRAD_UNARY(T)                             \
  template Tensor<T> neg(const Tensor<T>&);         \
  template Tensor<T> exp(const Tensor<T>&);         \
  template Tensor<T> log(const Tensor<T>&);         \
  template Tensor<T> sqrt(const Tensor<T>&);        \
  template Tensor<T> abs(const Tensor<T>&);         \
  template Tensor<T> pow(const Tensor<T>&, T);      \
  template Tensor<T> clamp(const Tensor<T>&, T, T); \
  template Tensor<T> relu(const Tensor<T>&);        \
  template Tensor<T> sigmoid(const Tensor<T>&);     \
  template Tensor<T> tanh(const Tensor<T>&);        \
  template Tensor<T> softplus(const Tensor<T>&, T, T);
KLGRAD_UNARY(float)
KLGRAD_UNARY(double)

}  // namespace klgrad
