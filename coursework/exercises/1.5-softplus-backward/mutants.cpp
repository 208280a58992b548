// Teacher-only (an export drops this file): the reference body of exercise 1.5
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 1.5` proves all of them.
#include <cmath>
#include <vector>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  (void)x;
  (void)y;
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += x[k] > 20 ? g[k] : g[k] * std::exp(x[k]) / (std::exp(x[k]) + 1);
}

void overflow(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] * std::exp(x[k]) / (1 + std::exp(x[k]));
}

void no_threshold(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] / (1 + std::exp(-x[k]));
}

KLGRAD_TEACHER(course::Teacher{"1.5", &reference, {
    {"overflow", "nan", &overflow},
    {"no_threshold", "branch", &no_threshold}}});

}  // namespace
