// klgrad/losses/cross_entropy.hpp — the cross-entropy loss from logits, PyTorch's
// F.cross_entropy with class-index targets: log_softmax and nll_loss in one node.
//
// What it computes
//   For logits z (N, C) and one class index t_n per sample, with
//   log p_nc = log_softmax(z_n)_c = z_nc - lse_n,   lse_n = log sum_c e^z_nc:
//     L_n = -sum_c q_nc log p_nc
//   against the label-smoothed target distribution (PyTorch 1.13's formula)
//     q_nc = (1 - eps) [c == t_n] + eps / C
//   i.e. L_n = (1 - eps) (-log p_n,t_n) + (eps / C) sum_c (-log p_nc).
//   eps = label_smoothing in [0, 1]; eps = 0 is the plain cross-entropy,
//   equal to nll_loss(log_softmax(z, 1), t) (tested, values and gradients).
//   L_n = 0 where t_n == ignore_index (default -100).
//
// Reduction (losses/reduction.hpp): none (shape (N,)) | sum | mean (the default).
//   'mean' divides by the number of samples not ignored, for both terms
//   (PyTorch 1.13); all ignored gives NaN, as in PyTorch.
//
// Gradient (times g = dL/dy and the reduction factor)
//   dL/dz_nc = p_nc - q_nc           (0 for an ignored sample)
//   The softmax minus the (smoothed) one-hot target. Targets: no gradient.
//
// Shapes: logits (N, C); target: N class indices in [0, C) or ignore_index
// (an Error otherwise, naming the index and the class count).
// Stability: lse_n = m_n + log sum_c e^(z_nc - m_n) with m_n = max_c z_nc, so
// no exp overflows and no log sees 0: logits of +-1e4 are fine, where
// log(softmax(z)) would give -inf and NaN gradients. The node saves lse_n
// (N values) for its backward.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "klgrad/losses/reduction.hpp"
#include "klgrad/tape.hpp"

namespace klgrad {

template <class T>
Tensor<T> cross_entropy(const Tensor<T>& logits, const std::vector<std::int64_t>& target,
                        Reduction reduction = Reduction::mean, double label_smoothing = 0.0,
                        std::int64_t ignore_index = -100);
template <class T>
Tensor<T> cross_entropy(const Tensor<T>& logits, const std::vector<std::int64_t>& target, const std::string& reduction,
                        double label_smoothing = 0.0, std::int64_t ignore_index = -100) {
  return cross_entropy(logits, target, parse_reduction(reduction, "cross_entropy"), label_smoothing, ignore_index);
}

// nn.CrossEntropyLoss: the same loss as an object holding its options.
struct CrossEntropyLoss {
  Reduction reduction = Reduction::mean;
  double label_smoothing = 0.0;
  std::int64_t ignore_index = -100;

  explicit CrossEntropyLoss(Reduction r = Reduction::mean, double smoothing = 0.0, std::int64_t ignore = -100)
      : reduction(r), label_smoothing(smoothing), ignore_index(ignore) {}
  explicit CrossEntropyLoss(const std::string& r, double smoothing = 0.0, std::int64_t ignore = -100)
      : reduction(parse_reduction(r, "CrossEntropyLoss")), label_smoothing(smoothing), ignore_index(ignore) {}

  template <class T>
  Tensor<T> operator()(const Tensor<T>& logits, const std::vector<std::int64_t>& target) const {
    return cross_entropy(logits, target, reduction, label_smoothing, ignore_index);
  }
};

}  // namespace klgrad
