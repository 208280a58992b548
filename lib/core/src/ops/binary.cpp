// Elementwise binary ops with NumPy/PyTorch broadcasting, and their scalar forms.
//
// y = a op b has the broadcast shape of a and b. Backward: each input receives
// its partial derivative times g, summed over the axes along which it was
// broadcast (accumulate_reduced), so that dL/da has a's shape.
#include <xtensor/xmath.hpp>

#include "klgrad/ops.hpp"

namespace klgrad {

namespace {

template <class T>
void forward_shape(Ctx<T>& c, const char* op) {
  c.out().resize(broadcast_shapes(c.in(0).shape(), c.in(1).shape(), op));
}

// dL/d input i += expr, where expr has the output's shape: straight into the
// gradient when input i was not broadcast (no temporary), else summed down.
template <class T, class E>
void accumulate(Ctx<T>& c, int i, E&& expr) {
  Array<T>& g = c.grad_in(i);
  if (g.shape() == c.grad_out().shape()) xt::noalias(g) += expr;
  else accumulate_reduced(g, Array<T>(expr));
}

// y = a + b      da = g,  db = g
template <class T> struct AddOp {
  static constexpr const char* name = "add";
  static void forward(Ctx<T>& c) { forward_shape(c, name); xt::noalias(c.out()) = c.in(0) + c.in(1); }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) accumulate_reduced(c.grad_in(0), c.grad_out());
    if (c.needs_grad(1)) accumulate_reduced(c.grad_in(1), c.grad_out());
  }
};

// y = a - b      da = g,  db = -g
template <class T> struct SubOp {
  static constexpr const char* name = "sub";
  static void forward(Ctx<T>& c) { forward_shape(c, name); xt::noalias(c.out()) = c.in(0) - c.in(1); }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) accumulate_reduced(c.grad_in(0), c.grad_out());
    if (c.needs_grad(1)) accumulate(c, 1, -c.grad_out());
  }
};

// y = a * b      da = g b,  db = g a
template <class T> struct MulOp {
  static constexpr const char* name = "mul";
  static void forward(Ctx<T>& c) { forward_shape(c, name); xt::noalias(c.out()) = c.in(0) * c.in(1); }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) accumulate(c, 0, c.grad_out() * c.in(1));
    if (c.needs_grad(1)) accumulate(c, 1, c.grad_out() * c.in(0));
  }
};

// y = a / b      da = g / b,  db = -g a / b^2
template <class T> struct DivOp {
  static constexpr const char* name = "div";
  static void forward(Ctx<T>& c) { forward_shape(c, name); xt::noalias(c.out()) = c.in(0) / c.in(1); }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) accumulate(c, 0, c.grad_out() / c.in(1));
    if (c.needs_grad(1)) accumulate(c, 1, -c.grad_out() * c.in(0) / (c.in(1) * c.in(1)));
  }
};

// Scalar forms, with the scalar s in Args.  y = x + s: dx = g.  y = x * s: dx = g s.
// y = x / s: dx = g / s.  y = s - x: dx = -g.
template <class T> struct Scalar { T s; };
template <class T> struct AddScalarOp {
  static constexpr const char* name = "add_scalar";
  using Args = Scalar<T>;
  static void forward(Ctx<T>& c, const Args& a) { xt::noalias(c.out()) = c.in(0) + a.s; }
  static void backward(Ctx<T>& c, const Args&) { if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) += c.grad_out(); }
};
template <class T> struct MulScalarOp {
  static constexpr const char* name = "mul_scalar";
  using Args = Scalar<T>;
  static void forward(Ctx<T>& c, const Args& a) { xt::noalias(c.out()) = c.in(0) * a.s; }
  static void backward(Ctx<T>& c, const Args& a) {
    if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) += c.grad_out() * a.s;
  }
};
template <class T> struct DivScalarOp {
  static constexpr const char* name = "div_scalar";
  using Args = Scalar<T>;
  static void forward(Ctx<T>& c, const Args& a) { xt::noalias(c.out()) = c.in(0) / a.s; }
  static void backward(Ctx<T>& c, const Args& a) {
    if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) += c.grad_out() / a.s;
  }
};
template <class T> struct RsubScalarOp {
  static constexpr const char* name = "rsub_scalar";
  using Args = Scalar<T>;
  static void forward(Ctx<T>& c, const Args& a) { xt::noalias(c.out()) = a.s - c.in(0); }
  static void backward(Ctx<T>& c, const Args&) { if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) -= c.grad_out(); }
};

}  // namespace

template <class T> Tensor<T> add(const Tensor<T>& a, const Tensor<T>& b) { return apply<AddOp<T>>({a, b}); }
template <class T> Tensor<T> sub(const Tensor<T>& a, const Tensor<T>& b) { return apply<SubOp<T>>({a, b}); }
template <class T> Tensor<T> mul(const Tensor<T>& a, const Tensor<T>& b) { return apply<MulOp<T>>({a, b}); }
template <class T> Tensor<T> div(const Tensor<T>& a, const Tensor<T>& b) { return apply<DivOp<T>>({a, b}); }
template <class T> Tensor<T> add_scalar(const Tensor<T>& x, T s) { return apply<AddScalarOp<T>>({x}, Scalar<T>{s}); }
template <class T> Tensor<T> mul_scalar(const Tensor<T>& x, T s) { return apply<MulScalarOp<T>>({x}, Scalar<T>{s}); }
template <class T> Tensor<T> div_scalar(const Tensor<T>& x, T s) { return apply<DivScalarOp<T>>({x}, Scalar<T>{s}); }
template <class T> Tensor<T> rsub_scalar(T s, const Tensor<T>& x) { return apply<RsubScalarOp<T>>({x}, Scalar<T>{s}); }

#define KLGRAD_BINARY(T)                                                   \
  template Tensor<T> add(const Tensor<T>&, const Tensor<T>&);              \
  template Tensor<T> sub(const Tensor<T>&, const Tensor<T>&);              \
  template Tensor<T> mul(const Tensor<T>&, const Tensor<T>&);              \
  template Tensor<T> div(const Tensor<T>&, const Tensor<T>&);              \
  template Tensor<T> add_scalar(const Tensor<T>&, T);                      \
  template Tensor<T> mul_scalar(const Tensor<T>&, T);                      \
  template Tensor<T> div_scalar(const Tensor<T>&, T);                      \
  template Tensor<T> rsub_scalar(T, const Tensor<T>&);
KLGRAD_BINARY(float)
KLGRAD_BINARY(double)

}  // namespace klgrad
