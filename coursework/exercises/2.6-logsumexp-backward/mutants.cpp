// Teacher-only (an export drops this file): the reference body of exercise 2.6
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 2.6` proves all of them.
#include <cmath>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t j = 0; j < x.cols; ++j) dx(i, j) += g(i, 0) * std::exp(x(i, j) - y(i, 0));
}

void naive(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t i = 0; i < x.rows; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < x.cols; ++j) s += std::exp(x(i, j));
    for (std::size_t j = 0; j < x.cols; ++j) dx(i, j) += g(i, 0) * std::exp(x(i, j)) / s;
  }
}

void minus(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t j = 0; j < x.cols; ++j) dx(i, j) -= g(i, 0) * std::exp(x(i, j) - y(i, 0));
}

void assign(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t j = 0; j < x.cols; ++j) dx(i, j) = g(i, 0) * std::exp(x(i, j) - y(i, 0));
}

KLGRAD_TEACHER(course::Teacher{"2.6", &reference, {
    {"naive", "nan", &naive},
    {"minus", "sign", &minus},
    {"assign", "assign", &assign}}});

}  // namespace
