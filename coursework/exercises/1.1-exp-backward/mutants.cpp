// Teacher-only (an export drops this file): the reference body of exercise 1.1
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 1.1` proves all of them.
#include <cmath>
#include <vector>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  (void)x;
  (void)y;
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] * y[k];
}

void minus(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] -= g[k] * y[k];
}

void assign(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] = g[k] * y[k];
}

void copy(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  Mat d = dx;
  for (std::size_t k = 0; k < d.size(); ++k) d[k] += g[k] * y[k];
}

void off_by_one(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k <= dx.size(); ++k) dx.data.at(k) += g.data.at(k) * y.data.at(k);
}

KLGRAD_TEACHER(course::Teacher{"1.1", &reference, {
    {"minus", "sign", &minus},
    {"assign", "assign", &assign},
    {"copy", "never-written", &copy},
    {"off_by_one", "exception", &off_by_one}}});

}  // namespace
