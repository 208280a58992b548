// Matrix products on BLAS (sgemm/dgemm through xt::blas::gemm).
//
// gemm computes C = alpha op(A) op(B) + beta C in place, op = identity or
// transpose (no copy: BLAS reads the row-major buffer the other way round).
// Forward writes into the reused output buffer (beta = 0); backward writes
// straight into the gradient buffers with beta = 1, which is the `+=` that
// gradient accumulation needs, for free.
//
// Shapes: matmul a (m, k) b (k, n) -> (m, n).
//         linear x (N, in), W (out, in), bias (out,) -> (N, out).
#include <algorithm>
#include <string>
#include <xtensor-blas/xblas.hpp>

#include "klgrad/ops.hpp"

namespace klgrad {

namespace {

// C (m, n) = A (m, k) B (k, n)   [+ C when accumulate]; transA/transB read A/B transposed.
// BLAS rejects zero-sized matrices (leading dimension 0), so an empty product is
// done by hand: k = 0 gives zeros, m = 0 or n = 0 has nothing to write.
template <class T>
void gemm(const Array<T>& A, const Array<T>& B, Array<T>& C, bool transA, bool transB, bool accumulate) {
  const std::size_t k = transA ? A.shape()[0] : A.shape()[1];
  if (C.size() == 0) return;
  if (k == 0) {
    if (!accumulate) C.fill(T(0));
    return;
  }
  xt::blas::gemm(A, B, C, transA, transB, T(1), accumulate ? T(1) : T(0));
}

// y = a b       a (m, k), b (k, n), y (m, n)
// da = g b^T    (m, n) (n, k)
// db = a^T g    (k, m) (m, n)
template <class T>
struct MatmulOp {
  static constexpr const char* name = "matmul";
  static void forward(Ctx<T>& c) {
    c.out().resize(Shape{c.in(0).shape()[0], c.in(1).shape()[1]});
    gemm(c.in(0), c.in(1), c.out(), false, false, false);
  }
  static void backward(Ctx<T>& c) {
    if (c.needs_grad(0)) gemm(c.grad_out(), c.in(1), c.grad_in(0), false, true, true);
    if (c.needs_grad(1)) gemm(c.in(0), c.grad_out(), c.grad_in(1), true, false, true);
  }
};

// y = x W^T + bias     x (N, in), W (out, in), bias (out,), y (N, out)
// dx = g W             (N, out) (out, in)
// dW = g^T x           (out, N) (N, in)
// dbias = sum_rows g   (out,)
// Forward copies bias into every row of y, then gemm accumulates x W^T on top.
template <class T>
struct LinearOp {
  static constexpr const char* name = "linear";
  static void forward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const Array<T>& b = c.in(2);
    const std::size_t N = x.shape()[0], out = b.size();
    Array<T>& y = c.out();
    y.resize(Shape{N, out});
    T* py = y.data();
    for (std::size_t r = 0; r < N; ++r) std::copy(b.data(), b.data() + out, py + r * out);
    gemm(x, c.in(1), y, false, true, true);
  }
  static void backward(Ctx<T>& c) {
    const Array<T>& g = c.grad_out();
    if (c.needs_grad(0)) gemm(g, c.in(1), c.grad_in(0), false, false, true);
    if (c.needs_grad(1)) gemm(g, c.in(0), c.grad_in(1), true, false, true);
    if (c.needs_grad(2)) accumulate_reduced(c.grad_in(2), g);  // (N, out) rows summed into (out,)
  }
};

}  // namespace

template <class T>
Tensor<T> matmul(const Tensor<T>& a, const Tensor<T>& b) {
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  auto what = [&] { return "matmul: a " + shape_str(sa) + " and b " + shape_str(sb) + ": "; };
  KLGRAD_CHECK(sa.size() == 2 && sb.size() == 2,
               what() + "both must be 2-D matrices (reshape vectors to (1, k) or (k, 1), batches to (N, k))");
  KLGRAD_CHECK(sa[1] == sb[0], what() + "a's columns (" + std::to_string(sa[1]) + ") must equal b's rows (" +
                                   std::to_string(sb[0]) + ")");
  return apply<MatmulOp<T>>({a, b});
}

template <class T>
Tensor<T> linear(const Tensor<T>& x, const Tensor<T>& W, const Tensor<T>& bias) {
  const Shape& sx = x.shape();
  const Shape& sw = W.shape();
  const Shape& sb = bias.shape();
  auto what = [&] { return "linear: x " + shape_str(sx) + ", W " + shape_str(sw) + ", bias " + shape_str(sb) + ": "; };
  KLGRAD_CHECK(sx.size() == 2 && sw.size() == 2,
               what() + "x must be (N, in_features) and W (out_features, in_features), both 2-D");
  KLGRAD_CHECK(sx[1] == sw[1], what() + "x's columns (" + std::to_string(sx[1]) +
                                   ") must equal W's columns (in_features, " + std::to_string(sw[1]) +
                                   "); W is stored (out, in) as in nn.Linear");
  KLGRAD_CHECK(sb.size() == 1 && sb[0] == sw[0], what() + "bias must have shape (out_features,) = (" +
                                                     std::to_string(sw[0]) + ",), one entry per row of W");
  return apply<LinearOp<T>>({x, W, bias});
}

template Tensor<float> matmul(const Tensor<float>&, const Tensor<float>&);
template Tensor<double> matmul(const Tensor<double>&, const Tensor<double>&);
template Tensor<float> linear(const Tensor<float>&, const Tensor<float>&, const Tensor<float>&);
template Tensor<double> linear(const Tensor<double>&, const Tensor<double>&, const Tensor<double>&);

}  // namespace klgrad
