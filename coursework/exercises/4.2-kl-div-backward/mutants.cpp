// Teacher-only (an export drops this file): the reference body of exercise 4.2
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 4.2` proves all of them.
#include <cmath>
#include <string>

#include "course.hpp"

namespace {

using course::Mat;

// The factor the reduction multiplies every term's gradient by.
double factor(const std::string& reduction, const Mat& input) {
  if (reduction == "mean") return 1.0 / static_cast<double>(input.size());
  if (reduction == "batchmean") return 1.0 / static_cast<double>(input.rows);
  return 1.0;
}

// g for entry k: its own for "none", else the one number.
double g_at(const Mat& g, std::size_t k) { return g.size() == 1 ? g[0] : g[k]; }

void reference(const Mat& input, const Mat& target, const std::string& reduction, bool log_target, const Mat& y,
               const Mat& g, Mat& dinput) {
  const double f = factor(reduction, input);
  for (std::size_t k = 0; k < input.size(); ++k) {
    const double p = log_target ? std::exp(target[k]) : target[k];
    dinput[k] += -p * g_at(g, k) * f;  // dL/dx = -p
  }
}

void no_factor(const Mat& input, const Mat& target, const std::string& reduction, bool log_target, const Mat& y,
               const Mat& g, Mat& dinput) {
  for (std::size_t k = 0; k < input.size(); ++k) {
    const double p = log_target ? std::exp(target[k]) : target[k];
    dinput[k] += -p * g_at(g, k);
  }
}

void minus(const Mat& input, const Mat& target, const std::string& reduction, bool log_target, const Mat& y,
           const Mat& g, Mat& dinput) {
  const double f = factor(reduction, input);
  for (std::size_t k = 0; k < input.size(); ++k) {
    const double p = log_target ? std::exp(target[k]) : target[k];
    dinput[k] += p * g_at(g, k) * f;
  }
}

void ignores_log_target(const Mat& input, const Mat& target, const std::string& reduction, bool log_target,
                        const Mat& y, const Mat& g, Mat& dinput) {
  reference(input, target, reduction, false, y, g, dinput);
}

void assign(const Mat& input, const Mat& target, const std::string& reduction, bool log_target, const Mat& y,
            const Mat& g, Mat& dinput) {
  const double f = factor(reduction, input);
  for (std::size_t k = 0; k < input.size(); ++k) {
    const double p = log_target ? std::exp(target[k]) : target[k];
    dinput[k] = -p * g_at(g, k) * f;
  }
}

KLGRAD_TEACHER(course::Teacher{"4.2", &reference, {
    {"no_factor", "factor", &no_factor},
    {"minus", "sign", &minus},
    {"ignores_log_target", "log-target", &ignores_log_target},
    {"assign", "assign", &assign}}});

}  // namespace
