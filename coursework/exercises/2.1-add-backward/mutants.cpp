// Teacher-only (an export drops this file): the reference body of exercise 2.1
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 2.1` proves all of them.
#include <cmath>

#include "course.hpp"

namespace {

using course::Mat;

// b's entry that a's (i, j) meets: b may have one row or one column (broadcast).
double& at(Mat& b, std::size_t i, std::size_t j) { return b(b.rows == 1 ? 0 : i, b.cols == 1 ? 0 : j); }

void reference(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) {
      da(i, j) += g(i, j);
      at(db, i, j) += g(i, j);
    }
}

void first_row_only(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) {
      da(i, j) += g(i, j);
      if ((b.rows == 1 && i > 0) || (b.cols == 1 && j > 0)) continue;  // only the first row (column) of g
      at(db, i, j) += g(i, j);
    }
}

void assign(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) da(i, j) = g(i, j);
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) at(db, i, j) += g(i, j);
}

void db_minus(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) {
      da(i, j) += g(i, j);
      at(db, i, j) -= g(i, j);
    }
}

void db_is_g(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t k = 0; k < da.size(); ++k) da[k] += g[k];
  db = g;  // g's shape, not b's
}

KLGRAD_TEACHER(course::Teacher{"2.1", &reference, {
    {"first_row_only", "broadcast", &first_row_only},
    {"assign", "assign", &assign},
    {"db_minus", "sign", &db_minus},
    {"db_is_g", "broadcast", &db_is_g}}});

}  // namespace
