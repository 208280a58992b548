// klgrad/losses/nll.hpp — the negative log-likelihood loss, PyTorch's F.nll_loss.
//
// What it computes
//   For log-probabilities x (N, C) (one row per sample, e.g. log_softmax(logits, 1))
//   and one class index t_n per sample:
//     L_n = -x[n, t_n]                 and 0 where t_n == ignore_index
//   It picks each sample's log-probability of its true class. With
//   x = log_softmax(z, 1) this is the cross-entropy; cross_entropy(z, t)
//   (losses/cross_entropy.hpp) does both in one fused node.
//
// Reduction (losses/reduction.hpp): none (shape (N,)) | sum | mean (the default).
//   'mean' divides by the number of samples that are NOT ignored (PyTorch's
//   rule), so padding targets do not dilute the loss; if every target is
//   ignored, 'mean' is 0/0 = NaN, as in PyTorch.
//
// Gradient (times g = dL/dy and the reduction factor)
//   dL/dx[n, c] = -1 where c == t_n (not ignored), else 0
//   Targets are integers: no gradient.
//
// Shapes: input (N, C); target: N class indices, each in [0, C) or equal to
// ignore_index (any value, PyTorch's default -100). Anything else is an Error
// naming the index and the class count, before anything is recorded.
// Stability: nothing to stabilise here; take x from log_softmax, not log(softmax).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "klgrad/losses/reduction.hpp"
#include "klgrad/tape.hpp"

namespace klgrad {

template <class T>
Tensor<T> nll_loss(const Tensor<T>& log_probs, const std::vector<std::int64_t>& target,
                   Reduction reduction = Reduction::mean, std::int64_t ignore_index = -100);
template <class T>
Tensor<T> nll_loss(const Tensor<T>& log_probs, const std::vector<std::int64_t>& target, const std::string& reduction,
                   std::int64_t ignore_index = -100) {
  return nll_loss(log_probs, target, parse_reduction(reduction, "nll_loss"), ignore_index);
}

// nn.NLLLoss: the same loss as an object holding its options.
struct NLLLoss {
  Reduction reduction = Reduction::mean;
  std::int64_t ignore_index = -100;

  explicit NLLLoss(Reduction r = Reduction::mean, std::int64_t ignore = -100) : reduction(r), ignore_index(ignore) {}
  explicit NLLLoss(const std::string& r, std::int64_t ignore = -100)
      : reduction(parse_reduction(r, "NLLLoss")), ignore_index(ignore) {}

  template <class T>
  Tensor<T> operator()(const Tensor<T>& log_probs, const std::vector<std::int64_t>& target) const {
    return nll_loss(log_probs, target, reduction, ignore_index);
  }
};

namespace detail {
// Shared by nll_loss and cross_entropy. Checks that `input` is (N, C) and that
// `target` holds N class indices in [0, C) or equal to ignore_index, then
// records them on input's tape as a constant (N,) tensor: the class index as a
// T (exact: C <= 2^24 is checked for float), -1 for an ignored sample. Errors
// name `op`, the offending index and the class count.
template <class T>
Tensor<T> class_targets(const Tensor<T>& input, const std::vector<std::int64_t>& target, std::int64_t ignore_index,
                        const char* op);

// The reduction factor over such targets t[0..n): 1 unless `reduction` is mean,
// then 1 / (number of samples not ignored), as PyTorch (all ignored: 1/0 = inf,
// which makes the mean NaN, as PyTorch).
template <class T>
double kept_mean_factor(Reduction reduction, const T* t, std::size_t n) {
  if (reduction != Reduction::mean) return 1.0;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) kept += t[i] >= T(0);
  return 1.0 / static_cast<double>(kept);
}
}  // namespace detail

}  // namespace klgrad
