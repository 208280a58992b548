// klgrad/distributions/linalg.hpp — the linear algebra MultivariateNormal needs:
// two LAPACK/BLAS-backed primitives (cholesky, solve_triangular), one shape
// primitive (flip_matrices) and composites built from ops.hpp.
//
// Shapes: a batch of matrices is (..., n, n) (any number of leading batch dims,
// also none); a batch of vectors (..., n). Notation: g = dL/dy as in ops.hpp,
// tril(X) keeps the lower triangle (with the diagonal), L^-T = (L^T)^-1.
//
// cholesky(A): L lower with positive diagonal and A = L L^T (LAPACK potrf).
//   Reads only the lower triangle of A (A is assumed symmetric). A matrix that
//   is not positive-definite is an Error naming the matrix and the minor.
//   Backward (Murray 2016, arXiv 1602.07527; PyTorch 1.13's cholesky_backward):
//     P  = tril(L^T g)
//     S  = (P + tril(P, -1)^T) / 2        (P symmetrised, diagonal halved)
//     dA = L^-T S L^-1                    (two triangular solves)
//   dA is symmetric: the gradient w.r.t. a symmetric matrix, as PyTorch gives it.
// solve_triangular(L, B): X = L^-1 B for L (..., n, n) lower, B (..., n, k);
//   the batch dims broadcast. Reads only the lower triangle of L (BLAS trsm).
//     dB = L^-T g                         dL = -tril(dB X^T)
//   (dL is projected on the lower triangle, as PyTorch 1.13's backward does.)
// flip_matrices(A): A with both matrix axes reversed, y[.., i, j] = x[.., n-1-i, m-1-j]
//   (torch.flip(A, (-2, -1))), dx = g flipped the same way.
//
// Composites (no backward of their own):
//   diagonal(A)            (..., n, n) -> (..., n)     sum_j A_ij I_ij
//   diag_embed(d)          (..., n) -> (..., n, n)     d_i I_ij
//   unsqueeze(x, dim)      a new axis of size 1 at dim (negative: from the end, -1 appends)
//   matmul_nt(A, B)        A (..., n, k), B (..., m, k) -> A B^T (..., n, m), batch dims broadcast
//   batch_mv(A, x)         A (..., n, k), x (..., k) -> A x (..., n), batch dims broadcast
//   mahalanobis(L, x)      |L^-1 x|^2 for x (..., n), L (..., n, n) lower: shape broadcast(batches)
//   half_log_det(L)        sum_i log L_ii = log det(L L^T) / 2, shape L's batch
// matmul_nt and batch_mv broadcast a product and sum it: O(n^2 k) memory, fine
// for the event sizes of a distribution, not for large matrices (use matmul).
// mahalanobis broadcasts L to x's batch (one n x n copy per vector; PyTorch's
// _batch_mahalanobis reshapes instead): simple, and fine for small n.
#pragma once

#include <string>

#include "klgrad/ops.hpp"

namespace klgrad {

template <class T> Tensor<T> cholesky(const Tensor<T>& A);
template <class T> Tensor<T> solve_triangular(const Tensor<T>& L, const Tensor<T>& B);
template <class T> Tensor<T> flip_matrices(const Tensor<T>& A);

template <class T> Tensor<T> diagonal(const Tensor<T>& A);
template <class T> Tensor<T> diag_embed(const Tensor<T>& d);
template <class T> Tensor<T> unsqueeze(const Tensor<T>& x, int dim);
template <class T> Tensor<T> matmul_nt(const Tensor<T>& A, const Tensor<T>& B);
template <class T> Tensor<T> batch_mv(const Tensor<T>& A, const Tensor<T>& x);
template <class T> Tensor<T> mahalanobis(const Tensor<T>& L, const Tensor<T>& x);
template <class T> Tensor<T> half_log_det(const Tensor<T>& L);

// The n x n identity as a constant on x's tape.
template <class T> Tensor<T> eye_like(const Tensor<T>& x, std::size_t n);

// "" when every matrix of the batch A (..., n, n) is positive-definite (its
// Cholesky factorisation succeeds), else what fails, e.g. for name "cov":
// "matrix 1 of cov (2, 3, 3): its leading minor of order 2 is not positive".
template <class T> std::string not_positive_definite(const Array<T>& A, const std::string& name);

}  // namespace klgrad
