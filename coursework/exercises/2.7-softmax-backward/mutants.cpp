// Teacher-only (an export drops this file): the reference body of exercise 2.7
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 2.7` proves all of them.
#include <cmath>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t i = 0; i < x.rows; ++i) {
    double s = 0;
    for (std::size_t k = 0; k < x.cols; ++k) s += g(i, k) * y(i, k);
    for (std::size_t j = 0; j < x.cols; ++j) dx(i, j) += y(i, j) * (g(i, j) - s);
  }
}

void diagonal_only(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] * y[k] * (1 - y[k]);
}

void flipped(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t i = 0; i < x.rows; ++i) {
    double s = 0;
    for (std::size_t k = 0; k < x.cols; ++k) s += g(i, k) * y(i, k);
    for (std::size_t j = 0; j < x.cols; ++j) dx(i, j) += y(i, j) * (s - g(i, j));
  }
}

void assign(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t i = 0; i < x.rows; ++i) {
    double s = 0;
    for (std::size_t k = 0; k < x.cols; ++k) s += g(i, k) * y(i, k);
    for (std::size_t j = 0; j < x.cols; ++j) dx(i, j) = y(i, j) * (g(i, j) - s);
  }
}

KLGRAD_TEACHER(course::Teacher{"2.7", &reference, {
    {"diagonal_only", "cross-terms", &diagonal_only},
    {"flipped", "sign", &flipped},
    {"assign", "assign", &assign}}});

}  // namespace
