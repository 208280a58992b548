// klgrad/ops.hpp — the differentiable primitives.
//
// Each function records one node on its inputs' tape. Shapes follow PyTorch:
// binary ops broadcast (aligned from the right, sizes equal or 1), `dim`
// arguments may be negative (-1 is the last axis). Forward and backward of each
// primitive sit side by side in lib/core/src/ops/*.cpp. Notation: g = dL/dy, the
// gradient arriving at the output; every backward accumulates (+=) into dL/dx.
#pragma once

#include <cstdint>
#include <vector>

#include "klgrad/tape.hpp"

namespace klgrad {

// ---- elementwise, binary, broadcasting (lib/core/src/ops/binary.cpp) -------------
// The backward of broadcasting sums g over the broadcast axes.
template <class T> Tensor<T> add(const Tensor<T>& a, const Tensor<T>& b);  // y = a + b   da = g, db = g
template <class T> Tensor<T> sub(const Tensor<T>& a, const Tensor<T>& b);  // y = a - b   da = g, db = -g
template <class T> Tensor<T> mul(const Tensor<T>& a, const Tensor<T>& b);  // y = a * b   da = g b, db = g a
template <class T> Tensor<T> div(const Tensor<T>& a, const Tensor<T>& b);  // y = a / b   da = g / b, db = -g a / b^2

// ---- with a scalar s (lib/core/src/ops/binary.cpp) --------------------------------
template <class T> Tensor<T> add_scalar(const Tensor<T>& x, T s);  // y = x + s
template <class T> Tensor<T> mul_scalar(const Tensor<T>& x, T s);  // y = x * s
template <class T> Tensor<T> div_scalar(const Tensor<T>& x, T s);  // y = x / s
template <class T> Tensor<T> rsub_scalar(T s, const Tensor<T>& x); // y = s - x

// ---- elementwise, unary (lib/core/src/ops/unary.cpp) ------------------------------
template <class T> Tensor<T> neg(const Tensor<T>& x);         // y = -x                 dx = -g
template <class T> Tensor<T> exp(const Tensor<T>& x);         // y = e^x                dx = g y
template <class T> Tensor<T> log(const Tensor<T>& x);         // y = ln x               dx = g / x   (log 0 = -inf, no hidden epsilon)
template <class T> Tensor<T> sqrt(const Tensor<T>& x);        // y = sqrt x             dx = g / (2 y)
template <class T> Tensor<T> abs(const Tensor<T>& x);         // y = |x|                dx = g sign(x)  (0 at x = 0, as PyTorch)
template <class T> Tensor<T> pow(const Tensor<T>& x, T p);    // y = x^p                dx = g p x^(p-1)
template <class T> Tensor<T> clamp(const Tensor<T>& x, T lo, T hi);  // y = min(max(x, lo), hi)  dx = g where lo <= x <= hi, else 0
template <class T> Tensor<T> relu(const Tensor<T>& x);        // y = max(x, 0)          dx = g [x > 0]
template <class T> Tensor<T> sigmoid(const Tensor<T>& x);     // y = 1 / (1 + e^-x)     dx = g y (1 - y)
template <class T> Tensor<T> tanh(const Tensor<T>& x);        // y = tanh x             dx = g (1 - y^2)
// y = log(1 + e^(beta x)) / beta, and y = x where beta x > threshold (PyTorch's defaults 1, 20)
// dx = g sigmoid(beta x) (g where beta x > threshold)
template <class T> Tensor<T> softplus(const Tensor<T>& x, T beta = T(1), T threshold = T(20));

// ---- reductions (lib/core/src/ops/reduce.cpp) --------------------------------------
// dims: the axes to reduce (negative allowed); keepdim keeps them with size 1.
template <class T> Tensor<T> sum(const Tensor<T>& x);                                              // y = sum of all elements   dx = g
template <class T> Tensor<T> sum(const Tensor<T>& x, const std::vector<int>& dims, bool keepdim = false);
template <class T> Tensor<T> mean(const Tensor<T>& x);                                             // dx = g / n
template <class T> Tensor<T> mean(const Tensor<T>& x, const std::vector<int>& dims, bool keepdim = false);
// max over all elements: dx = g split evenly among the maximal elements (PyTorch's max()).
template <class T> Tensor<T> max(const Tensor<T>& x);
// max along dim: dx = g at the (first) argmax of each slice (PyTorch's max(dim).values).
template <class T> Tensor<T> max(const Tensor<T>& x, int dim, bool keepdim = false);
// y = m + log sum exp(x - m), m = max along dim (stable)    dx = g softmax(x)
template <class T> Tensor<T> logsumexp(const Tensor<T>& x, int dim, bool keepdim = false);

// ---- shape (lib/core/src/ops/shape.cpp) --------------------------------------------
// reshape: same elements, new shape; one entry may be -1 (inferred).  dx = g reshaped back
template <class T> Tensor<T> reshape(const Tensor<T>& x, const std::vector<std::int64_t>& shape);
// swaps two axes.  dx = g with the same axes swapped back
template <class T> Tensor<T> transpose(const Tensor<T>& x, int dim0, int dim1);
// expands x to `shape` by broadcasting.  dx = g summed over the broadcast axes
template <class T> Tensor<T> broadcast_to(const Tensor<T>& x, const Shape& shape);

// ---- linear algebra (lib/core/src/ops/matmul.cpp), BLAS sgemm/dgemm ----------------
// y = a b for a (m, k), b (k, n)          da = g b^T,  db = a^T g
template <class T> Tensor<T> matmul(const Tensor<T>& a, const Tensor<T>& b);
// y = x W^T + bias for x (N, in), W (out, in), bias (out,): nn.Linear in one fused node.
// dx = g W,  dW = g^T x,  dbias = sum_rows g.  Equals matmul(x, transpose(W)) + bias (tested).
template <class T> Tensor<T> linear(const Tensor<T>& x, const Tensor<T>& W, const Tensor<T>& bias);

// ---- softmax family (lib/core/src/ops/softmax.cpp), fused and stable ---------------
// With m = max along dim (subtracted so exp never overflows; e.g. logits at +-1e4):
// softmax:     y = exp(x - m) / sum exp(x - m)         dx = y (g - sum(g y))
// log_softmax: y = (x - m) - log sum exp(x - m)        dx = g - exp(y) sum(g)
template <class T> Tensor<T> softmax(const Tensor<T>& x, int dim);
template <class T> Tensor<T> log_softmax(const Tensor<T>& x, int dim);

// ---- operators ----------------------------------------------------------------
template <class T> Tensor<T> operator+(const Tensor<T>& a, const Tensor<T>& b) { return add(a, b); }
template <class T> Tensor<T> operator-(const Tensor<T>& a, const Tensor<T>& b) { return sub(a, b); }
template <class T> Tensor<T> operator*(const Tensor<T>& a, const Tensor<T>& b) { return mul(a, b); }
template <class T> Tensor<T> operator/(const Tensor<T>& a, const Tensor<T>& b) { return div(a, b); }
template <class T> Tensor<T> operator-(const Tensor<T>& x) { return neg(x); }
template <class T> Tensor<T> operator+(const Tensor<T>& x, T s) { return add_scalar(x, s); }
template <class T> Tensor<T> operator+(T s, const Tensor<T>& x) { return add_scalar(x, s); }
template <class T> Tensor<T> operator-(const Tensor<T>& x, T s) { return add_scalar(x, -s); }
template <class T> Tensor<T> operator-(T s, const Tensor<T>& x) { return rsub_scalar(s, x); }
template <class T> Tensor<T> operator*(const Tensor<T>& x, T s) { return mul_scalar(x, s); }
template <class T> Tensor<T> operator*(T s, const Tensor<T>& x) { return mul_scalar(x, s); }
template <class T> Tensor<T> operator/(const Tensor<T>& x, T s) { return div_scalar(x, s); }

// Normalises a possibly negative `dim` for a tensor of rank `rank`, or throws an
// Error naming `op` ("softmax: dim 2 is out of range for a tensor of rank 2 ...").
std::size_t normalize_dim(int dim, std::size_t rank, const char* op);

}  // namespace klgrad
