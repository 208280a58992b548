// Teacher-only (an export drops this file): the reference body of exercise 2.5
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 2.5` proves all of them.
#include <cmath>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  const double n = static_cast<double>(x.size());
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[0] / n;
}

void no_divide(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[0];
}

void divide_by_rows(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[0] / static_cast<double>(x.rows);
}

void assign(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] = g[0] / static_cast<double>(x.size());
}

KLGRAD_TEACHER(course::Teacher{"2.5", &reference, {
    {"no_divide", "factor", &no_divide},
    {"divide_by_rows", "factor", &divide_by_rows},
    {"assign", "assign", &assign}}});

}  // namespace
