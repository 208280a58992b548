// Teacher-only (an export drops this file): the reference body of exercise 2.3
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 2.3` proves all of them.
#include <cmath>
#include <vector>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  (void)x;
  (void)y;
  for (std::size_t i = 0; i < x.rows; ++i) {
    double s = 0;
    for (std::size_t k = 0; k < x.cols; ++k) s += g(i, k);
    for (std::size_t j = 0; j < x.cols; ++j) dx(i, j) += g(i, j) - std::exp(y(i, j)) * s;
  }
}

void diagonal_only(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] * (1 - std::exp(y[k]));
}

void flipped(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t i = 0; i < x.rows; ++i) {
    double s = 0;
    for (std::size_t k = 0; k < x.cols; ++k) s += g(i, k);
    for (std::size_t j = 0; j < x.cols; ++j) dx(i, j) -= g(i, j) - std::exp(y(i, j)) * s;
  }
}

void mean_over_rows(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t i = 0; i < x.rows; ++i) {
    double s = 0;
    for (std::size_t k = 0; k < x.cols; ++k) s += g(i, k);
    for (std::size_t j = 0; j < x.cols; ++j) dx(i, j) += (g(i, j) - std::exp(y(i, j)) * s) / static_cast<double>(x.rows);
  }
}

KLGRAD_TEACHER(course::Teacher{"2.3", &reference, {
    {"diagonal_only", "cross-terms", &diagonal_only},
    {"flipped", "sign", &flipped},
    {"mean_over_rows", "factor", &mean_over_rows}}});

}  // namespace
