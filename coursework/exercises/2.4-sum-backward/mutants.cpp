// Teacher-only (an export drops this file): the reference body of exercise 2.4
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 2.4` proves all of them.
#include <cmath>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[0];
}

void ones(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += 1;  // g forgotten
}

void minus(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] -= g[0];
}

void assign(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] = g[0];
}

KLGRAD_TEACHER(course::Teacher{"2.4", &reference, {
    {"ones", "factor", &ones},
    {"minus", "sign", &minus},
    {"assign", "assign", &assign}}});

}  // namespace
