// Teacher-only (an export drops this file): the reference body of exercise 1.2
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 1.2` proves all of them.
#include <cmath>
#include <vector>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  (void)x;
  (void)y;
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] / x[k];
}

void minus(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] -= g[k] / x[k];
}

void assign(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] = g[k] / x[k];
}

void static_count(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  static double calls = 0;
  calls += 1;
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += calls * g[k] / x[k];
}

KLGRAD_TEACHER(course::Teacher{"1.2", &reference, {
    {"minus", "sign", &minus},
    {"assign", "assign", &assign},
    {"static_count", "state", &static_count}}});

}  // namespace
