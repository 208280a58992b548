// klgrad/losses/distill.hpp — the knowledge-distillation loss of Hinton, Vinyals
// & Dean (2015), the most common use of kl_div in practice.
//
// Vocabulary: the teacher's softened prediction is the data P (fixed), the
// student's is the model Q (learned), exactly kl_div's input = log Q, target = P:
//   P = softmax(t / T)          t: the teacher's logits (N, K), a constant
//   Q = softmax(s / T)          s: the student's logits (N, K)
//   kd   = T^2 KL(P || Q) per sample
//        = T^2 kl_div(log_softmax(s / T), softmax(t / T), batchmean)
//          (log_target: the target is log_softmax(t / T), kl_div(..., log_target=true);
//           the same number, without exp/log round trips near 0)
//   loss = alpha kd + (1 - alpha) cross_entropy(s, y)       y: the true labels
// PyTorch: F.kl_div(F.log_softmax(s/T, 1), F.softmax(t/T, 1), reduction='batchmean') * T*T
//          * alpha + (1 - alpha) * F.cross_entropy(s, y).
//
// Why T^2: dkd/ds = T (Q - P) / N, and for large T, with zero-mean logits,
// Q - P ~ (s - t) / (T K), so the gradient tends to (s - t) / (K N), the same
// size at any T: the paper's logit matching. Without T^2 it would shrink as 1/T.
//
// A composite: every piece is an existing node, so its gradient needs no
// backward of its own. alpha = 0 is the hard-label baseline (cross-entropy
// only; t is not used), alpha = 1 pure distillation (y is not used).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "klgrad/error.hpp"
#include "klgrad/losses/cross_entropy.hpp"
#include "klgrad/losses/kl_div.hpp"
#include "klgrad/ops.hpp"

namespace klgrad {

// T^2 KL(softmax(t / T) || softmax(s / T)), the mean over the N samples.
template <class T>
Tensor<T> distillation_kl(const Tensor<T>& student_logits, const Tensor<T>& teacher_logits, T temperature,
                          bool log_target = false) {
  KLGRAD_CHECK(student_logits.dim() == 2 && student_logits.shape() == teacher_logits.shape(),
               "distillation_kl: student logits " + shape_str(student_logits.shape()) + " and teacher logits " +
                   shape_str(teacher_logits.shape()) + " must both be (N, K)");
  KLGRAD_CHECK(temperature > T(0) && temperature < std::numeric_limits<T>::infinity(),
               "distillation_kl: temperature must be a finite number > 0, got " + number_str(static_cast<double>(temperature)));
  const Tensor<T> log_q = log_softmax(student_logits / temperature, 1);
  const Tensor<T> p = log_target ? log_softmax(teacher_logits / temperature, 1) : softmax(teacher_logits / temperature, 1);
  return kl_div(log_q, p, Reduction::batchmean, log_target) * (temperature * temperature);
}

// alpha distillation_kl + (1 - alpha) cross_entropy(s, labels), alpha in [0, 1].
template <class T>
Tensor<T> distillation_loss(const Tensor<T>& student_logits, const Tensor<T>& teacher_logits,
                            const std::vector<std::int64_t>& labels, T temperature, T alpha, bool log_target = false) {
  KLGRAD_CHECK(alpha >= T(0) && alpha <= T(1),
               "distillation_loss: alpha must be in [0, 1], got " + number_str(static_cast<double>(alpha)));
  if (alpha == T(0)) return cross_entropy(student_logits, labels);
  const Tensor<T> kd = distillation_kl(student_logits, teacher_logits, temperature, log_target);
  if (alpha == T(1)) return kd;
  return kd * alpha + cross_entropy(student_logits, labels) * (T(1) - alpha);
}

}  // namespace klgrad
