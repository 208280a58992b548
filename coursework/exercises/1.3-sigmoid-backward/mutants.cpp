// Teacher-only (an export drops this file): the reference body of exercise 1.3
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 1.3` proves all of them.
#include <cmath>
#include <vector>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  (void)x;
  (void)y;
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] * y[k] * (1 - y[k]);
}

void flipped(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] * y[k] * (y[k] - 1);
}

void nothing(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  (void)x;
  (void)y;
  (void)g;
  (void)dx;
}

void assign(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] = g[k] * y[k] * (1 - y[k]);
}

KLGRAD_TEACHER(course::Teacher{"1.3", &reference, {
    {"flipped", "sign", &flipped},
    {"nothing", "never-written", &nothing},
    {"assign", "assign", &assign}}});

}  // namespace
