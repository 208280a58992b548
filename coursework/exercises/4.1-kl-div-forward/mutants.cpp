// Teacher-only (an export drops this file): the reference body of exercise 4.1
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 4.1` proves all of them.
#include <cmath>
#include <string>

#include "course.hpp"

namespace {

using course::Mat;

// The reduction of the terms into out, as the library's kl_div does it.
void reduce(const Mat& terms, const std::string& reduction, std::size_t batch, Mat& out) {
  if (reduction == "none") {
    for (std::size_t k = 0; k < terms.size(); ++k) out[k] = terms[k];
    return;
  }
  double s = 0;
  for (double v : terms.data) s += v;
  if (reduction == "mean") s /= static_cast<double>(terms.size());
  if (reduction == "batchmean") s /= static_cast<double>(batch);
  out[0] = s;
}

void reference(const Mat& input, const Mat& target, const std::string& reduction, bool log_target, Mat& out) {
  Mat terms = input;
  for (std::size_t k = 0; k < input.size(); ++k) {
    const double t = target[k], x = input[k];
    if (log_target) terms[k] = std::exp(t) * (t - x);  // p (log p - log q), p = e^t
    else terms[k] = t == 0 ? 0.0 : t * (std::log(t) - x);  // 0 log 0 = 0
  }
  reduce(terms, reduction, input.rows, out);
}

void no_xlogy(const Mat& input, const Mat& target, const std::string& reduction, bool log_target, Mat& out) {
  Mat terms = input;
  for (std::size_t k = 0; k < input.size(); ++k) {
    const double t = target[k], x = input[k];
    terms[k] = log_target ? std::exp(t) * (t - x) : t * std::log(t) - t * x;  // 0 * -inf = NaN at t = 0
  }
  reduce(terms, reduction, input.rows, out);
}

void mean_for_batchmean(const Mat& input, const Mat& target, const std::string& reduction, bool log_target, Mat& out) {
  reference(input, target, reduction == "batchmean" ? "mean" : reduction, log_target, out);
}

void reversed(const Mat& input, const Mat& target, const std::string& reduction, bool log_target, Mat& out) {
  Mat terms = input;
  for (std::size_t k = 0; k < input.size(); ++k) {
    const double log_p = log_target ? target[k] : std::log(target[k]);
    terms[k] = std::exp(input[k]) * (input[k] - log_p);  // q (log q - log p): KL(Q || P)
  }
  reduce(terms, reduction, input.rows, out);
}

void ignores_log_target(const Mat& input, const Mat& target, const std::string& reduction, bool log_target, Mat& out) {
  reference(input, target, reduction, false, out);
}

KLGRAD_TEACHER(course::Teacher{"4.1", &reference, {
    {"no_xlogy", "nan", &no_xlogy},
    {"mean_for_batchmean", "reduction", &mean_for_batchmean},
    {"reversed", "direction", &reversed},
    {"ignores_log_target", "log-target", &ignores_log_target}}});

}  // namespace
