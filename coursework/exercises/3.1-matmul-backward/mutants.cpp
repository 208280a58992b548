// Teacher-only (an export drops this file): the reference body of exercise 3.1
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 3.1` proves all of them.
#include <cmath>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t n = 0; n < a.rows; ++n)
    for (std::size_t k = 0; k < a.cols; ++k)
      for (std::size_t m = 0; m < b.cols; ++m) {
        da(n, k) += g(n, m) * b(k, m);  // da = g b^T
        db(k, m) += a(n, k) * g(n, m);  // db = a^T g
      }
}

void no_db(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t n = 0; n < a.rows; ++n)
    for (std::size_t k = 0; k < a.cols; ++k)
      for (std::size_t m = 0; m < b.cols; ++m) da(n, k) += g(n, m) * b(k, m);
}

void minus(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t n = 0; n < a.rows; ++n)
    for (std::size_t k = 0; k < a.cols; ++k)
      for (std::size_t m = 0; m < b.cols; ++m) {
        da(n, k) -= g(n, m) * b(k, m);
        db(k, m) += a(n, k) * g(n, m);
      }
}

void assign(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t n = 0; n < a.rows; ++n)
    for (std::size_t k = 0; k < a.cols; ++k) {
      double s = 0;
      for (std::size_t m = 0; m < b.cols; ++m) s += g(n, m) * b(k, m);
      da(n, k) = s;
    }
  for (std::size_t n = 0; n < a.rows; ++n)
    for (std::size_t k = 0; k < a.cols; ++k)
      for (std::size_t m = 0; m < b.cols; ++m) db(k, m) += a(n, k) * g(n, m);
}

KLGRAD_TEACHER(course::Teacher{"3.1", &reference, {
    {"no_db", "never-written", &no_db},
    {"minus", "sign", &minus},
    {"assign", "assign", &assign}}});

}  // namespace
