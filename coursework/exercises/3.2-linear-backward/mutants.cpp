// Teacher-only (an export drops this file): the reference body of exercise 3.2
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 3.2` proves all of them.
#include <cmath>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& W, const Mat& bias, const Mat& y, const Mat& g, Mat& dx, Mat& dW, Mat& dbias) {
  for (std::size_t n = 0; n < x.rows; ++n)
    for (std::size_t m = 0; m < W.rows; ++m) {
      for (std::size_t k = 0; k < x.cols; ++k) {
        dx(n, k) += g(n, m) * W(m, k);  // dx = g W
        dW(m, k) += g(n, m) * x(n, k);  // dW = g^T x
      }
      dbias(0, m) += g(n, m);           // the sum of g over the batch
    }
}

void bias_first_row(const Mat& x, const Mat& W, const Mat& bias, const Mat& y, const Mat& g, Mat& dx, Mat& dW, Mat& dbias) {
  for (std::size_t n = 0; n < x.rows; ++n)
    for (std::size_t m = 0; m < W.rows; ++m) {
      for (std::size_t k = 0; k < x.cols; ++k) {
        dx(n, k) += g(n, m) * W(m, k);
        dW(m, k) += g(n, m) * x(n, k);
      }
      if (n == 0) dbias(0, m) += g(n, m);
    }
}

void no_dW(const Mat& x, const Mat& W, const Mat& bias, const Mat& y, const Mat& g, Mat& dx, Mat& dW, Mat& dbias) {
  for (std::size_t n = 0; n < x.rows; ++n)
    for (std::size_t m = 0; m < W.rows; ++m) {
      for (std::size_t k = 0; k < x.cols; ++k) dx(n, k) += g(n, m) * W(m, k);
      dbias(0, m) += g(n, m);
    }
}

void assign_bias(const Mat& x, const Mat& W, const Mat& bias, const Mat& y, const Mat& g, Mat& dx, Mat& dW, Mat& dbias) {
  for (std::size_t m = 0; m < W.rows; ++m) {
    double s = 0;
    for (std::size_t n = 0; n < x.rows; ++n) s += g(n, m);
    dbias(0, m) = s;
  }
  for (std::size_t n = 0; n < x.rows; ++n)
    for (std::size_t m = 0; m < W.rows; ++m)
      for (std::size_t k = 0; k < x.cols; ++k) {
        dx(n, k) += g(n, m) * W(m, k);
        dW(m, k) += g(n, m) * x(n, k);
      }
}

KLGRAD_TEACHER(course::Teacher{"3.2", &reference, {
    {"bias_first_row", "broadcast", &bias_first_row},
    {"no_dW", "never-written", &no_dW},
    {"assign_bias", "assign", &assign_bias}}});

}  // namespace
