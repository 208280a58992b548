// Teacher-only (an export drops this file): the reference body of exercise 1.4
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 1.4` proves all of them.
#include <cmath>
#include <vector>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  (void)x;
  (void)y;
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] * (1 - y[k] * y[k]);
}

void flipped(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] * (y[k] * y[k] - 1);
}

void static_sum(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  static std::vector<double> sum;
  sum.resize(dx.size());
  for (std::size_t k = 0; k < dx.size(); ++k) {
    sum[k] += g[k] * (1 - y[k] * y[k]);
    dx[k] += sum[k];
  }
}

void resized(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  dx.data.assign(dx.size() + 1, 0.0);
  for (std::size_t k = 0; k < x.size(); ++k) dx[k] += g[k] * (1 - y[k] * y[k]);
}

KLGRAD_TEACHER(course::Teacher{"1.4", &reference, {
    {"flipped", "sign", &flipped},
    {"static_sum", "state", &static_sum},
    {"resized", "shape", &resized}}});

}  // namespace
