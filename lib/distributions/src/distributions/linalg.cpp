// cholesky, solve_triangular and flip_matrices as primitives (forward and
// backward side by side), and the linear-algebra composites. Math and shapes:
// klgrad/distributions/linalg.hpp.
//
// Storage: klgrad arrays are row-major. BLAS is called through CBLAS with
// CblasRowMajor; LAPACK's potrf (Fortran, column-major) sees a row-major matrix
// as its transpose, so potrf('U') on the row-major buffer of a symmetric A
// writes L (row-major, lower) with A = L L^T, reading only A's lower triangle.
#include "klgrad/distributions/linalg.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <cblas.h>
#include <xtensor/xbuilder.hpp>

#include "klgrad/distributions.hpp"

// LAPACK (OpenBLAS): Cholesky factorisation of a column-major matrix.
extern "C" void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info);
extern "C" void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);

namespace klgrad {

namespace {

// ---- BLAS/LAPACK for float and double, on one row-major n x n (or n x k) matrix --------

// a (n, n) := L in its lower triangle (see the file comment); LAPACK's info:
// 0, or k > 0 when the leading minor of order k is not positive.
int potrf(float* a, int n) {
  const char uplo = 'U';
  int info = 0;
  spotrf_(&uplo, &n, a, &n, &info);
  return info;
}
int potrf(double* a, int n) {
  const char uplo = 'U';
  int info = 0;
  dpotrf_(&uplo, &n, a, &n, &info);
  return info;
}

// b (m, k) := op(L)^-1 b (left) or b op(L)^-1 (right); L lower, op(L) = L or L^T.
void trsm(bool left, bool trans, int m, int k, const float* L, float* b) {
  cblas_strsm(CblasRowMajor, left ? CblasLeft : CblasRight, CblasLower, trans ? CblasTrans : CblasNoTrans,
              CblasNonUnit, m, k, 1.0f, L, left ? m : k, b, k);
}
void trsm(bool left, bool trans, int m, int k, const double* L, double* b) {
  cblas_dtrsm(CblasRowMajor, left ? CblasLeft : CblasRight, CblasLower, trans ? CblasTrans : CblasNoTrans,
              CblasNonUnit, m, k, 1.0, L, left ? m : k, b, k);
}

// b (n, n) := L^T b, L lower.
void trmm_lt(int n, const float* L, float* b) {
  cblas_strmm(CblasRowMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, n, n, 1.0f, L, n, b, n);
}
void trmm_lt(int n, const double* L, double* b) {
  cblas_dtrmm(CblasRowMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, n, n, 1.0, L, n, b, n);
}

// c (n, n) := -a b^T for a, b (n, k).
void gemm_neg_nt(int n, int k, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, k, -1.0f, a, k, b, k, 0.0f, c, n);
}
void gemm_neg_nt(int n, int k, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, k, -1.0, a, k, b, k, 0.0, c, n);
}

// ---- shapes ------------------------------------------------------------------------

// The leading dims of s, all but the last `tail`.
Shape batch_dims(const Shape& s, std::size_t tail) { return Shape(s.begin(), s.end() - static_cast<std::ptrdiff_t>(tail)); }

Shape append(Shape s, std::initializer_list<std::size_t> dims) {
  for (std::size_t d : dims) s.push_back(d);
  return s;
}

std::vector<std::int64_t> as_dims(const Shape& s) { return std::vector<std::int64_t>(s.begin(), s.end()); }

// (..., n, n) with n >= 1, or an Error naming `op` and `what`.
std::size_t square_size(const char* op, const char* what, const Shape& s) {
  KLGRAD_CHECK(s.size() >= 2 && s[s.size() - 1] == s[s.size() - 2] && s.back() > 0,
               std::string(op) + ": " + what + " " + shape_str(s) +
                   " must be a batch of square matrices (..., n, n) with n >= 1");
  return s.back();
}

// Factors every matrix of the batch L (..., n, n) in place (L holds A on entry) and
// zeroes the strict upper triangles. Returns 0, or the info of the first failure with
// its batch index in `failed`.
template <class T>
int factor_batch(Array<T>& L, std::size_t& failed) {
  const std::size_t n = L.shape().back(), nn = n * n, count = L.size() / nn;
  for (std::size_t b = 0; b < count; ++b) {
    T* a = L.data() + b * nn;
    const int info = potrf(a, static_cast<int>(n));
    if (info != 0) {
      failed = b;
      return info;
    }
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) a[i * n + j] = T(0);
  }
  return 0;
}

std::string minor_message(std::size_t failed, const std::string& name, const Shape& s, int info) {
  return "matrix " + std::to_string(failed) + " of " + name + " " + shape_str(s) + ": its leading minor of order " +
         std::to_string(info) + " is not positive";
}

// y = L, A = L L^T     dA = L^-T S L^-1, S = (P + tril(P, -1)^T) / 2, P = tril(L^T g)
// Inputs: A (..., n, n). saved: nothing (backward reads L = out).
template <class T>
struct CholeskyOp {
  static constexpr const char* name = "cholesky";
  static void forward(Ctx<T>& c) {
    Array<T>& L = c.out();
    L.resize(c.in(0).shape());
    std::copy(c.in(0).data(), c.in(0).data() + c.in(0).size(), L.data());
    std::size_t failed = 0;
    const int info = factor_batch(L, failed);
    KLGRAD_CHECK(info == 0, "cholesky: the input is not positive-definite (" + minor_message(failed, "A", L.shape(), info) +
                                "); a covariance built as A A^T + eps I (eps > 0) always is");
  }
  static void backward(Ctx<T>& c) {
    if (!c.needs_grad(0)) return;
    const Array<T>& L = c.out();
    const std::size_t n = L.shape().back(), nn = n * n, count = L.size() / nn;
    const int ni = static_cast<int>(n);
    Array<T> S = c.grad_out();
    for (std::size_t b = 0; b < count; ++b) {
      const T* l = L.data() + b * nn;
      T* s = S.data() + b * nn;
      trmm_lt(ni, l, s);  // L^T g
      for (std::size_t i = 0; i < n; ++i) {
        s[i * n + i] *= T(0.5);
        for (std::size_t j = 0; j < i; ++j) s[j * n + i] = s[i * n + j] *= T(0.5);
      }
      trsm(true, true, ni, ni, l, s);    // L^-T S
      trsm(false, false, ni, ni, l, s);  // (L^-T S) L^-1
    }
    c.grad_in(0) += S;
  }
};

// y = X = L^-1 B     dB = L^-T g,  dL = -tril(dB X^T)
// Inputs: L (..., n, n), B (..., n, k) with the same batch dims.
template <class T>
struct SolveTriangularOp {
  static constexpr const char* name = "solve_triangular";
  static void forward(Ctx<T>& c) {
    const Array<T>& L = c.in(0);
    const Array<T>& B = c.in(1);
    const std::size_t n = L.shape().back(), k = B.shape().back(), count = L.size() / (n * n);
    Array<T>& X = c.out();
    X.resize(B.shape());
    std::copy(B.data(), B.data() + B.size(), X.data());
    if (k == 0) return;
    for (std::size_t b = 0; b < count; ++b)
      trsm(true, false, static_cast<int>(n), static_cast<int>(k), L.data() + b * n * n, X.data() + b * n * k);
  }
  static void backward(Ctx<T>& c) {
    const Array<T>& L = c.in(0);
    const Array<T>& X = c.out();
    const std::size_t n = L.shape().back(), k = X.shape().back(), count = L.size() / (n * n);
    if (k == 0) return;
    Array<T> dB = c.grad_out();
    for (std::size_t b = 0; b < count; ++b)
      trsm(true, true, static_cast<int>(n), static_cast<int>(k), L.data() + b * n * n, dB.data() + b * n * k);
    if (c.needs_grad(0)) {
      Array<T>& dL = c.grad_in(0);
      std::vector<T> C(n * n);
      for (std::size_t b = 0; b < count; ++b) {
        gemm_neg_nt(static_cast<int>(n), static_cast<int>(k), dB.data() + b * n * k, X.data() + b * n * k, C.data());
        T* d = dL.data() + b * n * n;
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j <= i; ++j) d[i * n + j] += C[i * n + j];
      }
    }
    if (c.needs_grad(1)) c.grad_in(1) += dB;
  }
};

// y[.., i, j] = x[.., n-1-i, m-1-j]: in row-major order, each (n, m) block reversed.
// dx = g with each block reversed back.
template <class T>
struct FlipMatricesOp {
  static constexpr const char* name = "flip_matrices";
  static void forward(Ctx<T>& c) {
    const Array<T>& x = c.in(0);
    const Shape& s = x.shape();
    const std::size_t block = s[s.size() - 1] * s[s.size() - 2];
    c.out().resize(s);
    for (std::size_t o = 0; o < x.size(); o += block)
      std::reverse_copy(x.data() + o, x.data() + o + block, c.out().data() + o);
  }
  static void backward(Ctx<T>& c) {
    if (!c.needs_grad(0)) return;
    const Shape& s = c.out().shape();
    const std::size_t block = s[s.size() - 1] * s[s.size() - 2];
    const T* g = c.grad_out().data();
    T* dx = c.grad_in(0).data();
    for (std::size_t o = 0; o < c.out().size(); o += block)
      for (std::size_t i = 0; i < block; ++i) dx[o + i] += g[o + block - 1 - i];
  }
};

}  // namespace

template <class T>
std::string not_positive_definite(const Array<T>& A, const std::string& name) {
  square_size("not_positive_definite", name.c_str(), A.shape());
  Array<T> L = A;
  std::size_t failed = 0;
  const int info = factor_batch(L, failed);
  return info == 0 ? std::string() : minor_message(failed, name, A.shape(), info);
}

template <class T>
Tensor<T> cholesky(const Tensor<T>& A) {
  square_size("cholesky", "A", A.shape());
  return apply<CholeskyOp<T>>({A});
}

template <class T>
Tensor<T> solve_triangular(const Tensor<T>& L, const Tensor<T>& B) {
  const std::size_t n = square_size("solve_triangular", "L", L.shape());
  const Shape& sb = B.shape();
  KLGRAD_CHECK(sb.size() >= 2 && sb[sb.size() - 2] == n,
               "solve_triangular: B " + shape_str(sb) + " must be (..., n, k) with n = " + std::to_string(n) +
                   " rows, as L " + shape_str(L.shape()) + "; a vector b is B = b reshaped to (n, 1)");
  Shape batch;
  try {
    batch = broadcast_shapes(batch_dims(L.shape(), 2), batch_dims(sb, 2), "solve_triangular");
  } catch (const Error&) {
    throw Error("solve_triangular: the batch dims of L " + shape_str(L.shape()) + " and B " + shape_str(sb) +
                " do not broadcast");
  }
  return apply<SolveTriangularOp<T>>(
      {detail::expand_to(L, append(batch, {n, n})), detail::expand_to(B, append(batch, {n, sb.back()}))});
}

template <class T>
Tensor<T> flip_matrices(const Tensor<T>& A) {
  KLGRAD_CHECK(A.dim() >= 2, "flip_matrices: A " + shape_str(A.shape()) + " must be a batch of matrices (..., n, m)");
  return apply<FlipMatricesOp<T>>({A});
}

template <class T>
Tensor<T> eye_like(const Tensor<T>& x, std::size_t n) {
  return x.tape().constant(Array<T>(xt::eye<T>(n)));
}

// x reshaped with a 1 inserted at dim (PyTorch's unsqueeze)
template <class T>
Tensor<T> unsqueeze(const Tensor<T>& x, int dim) {
  const int rank = static_cast<int>(x.dim());
  KLGRAD_CHECK(dim >= -rank - 1 && dim <= rank, "unsqueeze: dim " + std::to_string(dim) +
                                                    " is out of range for a tensor of rank " + std::to_string(rank));
  std::vector<std::int64_t> d = as_dims(x.shape());
  d.insert(d.begin() + (dim < 0 ? dim + rank + 1 : dim), 1);
  return reshape(x, d);
}

// d_i I_ij
template <class T>
Tensor<T> diag_embed(const Tensor<T>& d) {
  KLGRAD_CHECK(d.dim() >= 1, "diag_embed: d must be a batch of vectors (..., n), got a scalar");
  return unsqueeze(d, -1) * eye_like(d, d.shape().back());
}

// sum_j A_ij I_ij
template <class T>
Tensor<T> diagonal(const Tensor<T>& A) {
  const std::size_t n = square_size("diagonal", "A", A.shape());
  return sum(A * eye_like(A, n), {-1});
}

// (A[.., :, None, :] * B[.., None, :, :]).sum(-1)
template <class T>
Tensor<T> matmul_nt(const Tensor<T>& A, const Tensor<T>& B) {
  KLGRAD_CHECK(A.dim() >= 2 && B.dim() >= 2 && A.shape().back() == B.shape().back(),
               "matmul_nt: A " + shape_str(A.shape()) + " and B " + shape_str(B.shape()) +
                   " must be (..., n, k) and (..., m, k) with the same k");
  return sum(unsqueeze(A, -2) * unsqueeze(B, -3), {-1});
}

// (A * x[.., None, :]).sum(-1)
template <class T>
Tensor<T> batch_mv(const Tensor<T>& A, const Tensor<T>& x) {
  KLGRAD_CHECK(A.dim() >= 2 && x.dim() >= 1 && A.shape().back() == x.shape().back(),
               "batch_mv: A " + shape_str(A.shape()) + " and x " + shape_str(x.shape()) +
                   " must be (..., n, k) and (..., k) with the same k");
  return sum(A * unsqueeze(x, -2), {-1});
}

// z = L^-1 x (x as a column), sum_i z_i^2
template <class T>
Tensor<T> mahalanobis(const Tensor<T>& L, const Tensor<T>& x) {
  const Tensor<T> z = solve_triangular(L, unsqueeze(x, -1));
  return sum(z * z, {-2, -1});
}

template <class T>
Tensor<T> half_log_det(const Tensor<T>& L) {
  return sum(log(diagonal(L)), {-1});
}

#define KLGRAD_LINALG(T)                                                  \
  template Tensor<T> cholesky(const Tensor<T>&);                          \
  template Tensor<T> solve_triangular(const Tensor<T>&, const Tensor<T>&); \
  template Tensor<T> flip_matrices(const Tensor<T>&);                     \
  template Tensor<T> diagonal(const Tensor<T>&);                          \
  template Tensor<T> diag_embed(const Tensor<T>&);                        \
  template Tensor<T> unsqueeze(const Tensor<T>&, int);                    \
  template Tensor<T> matmul_nt(const Tensor<T>&, const Tensor<T>&);       \
  template Tensor<T> batch_mv(const Tensor<T>&, const Tensor<T>&);        \
  template Tensor<T> mahalanobis(const Tensor<T>&, const Tensor<T>&);     \
  template Tensor<T> half_log_det(const Tensor<T>&);                      \
  template Tensor<T> eye_like(const Tensor<T>&, std::size_t);             \
  template std::string not_positive_definite(const Array<T>&, const std::string&);
KLGRAD_LINALG(float)
KLGRAD_LINALG(double)

}  // namespace klgrad
