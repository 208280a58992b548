// Teacher-only (an export drops this file): the reference body of exercise 2.2
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 2.2` proves all of them.
#include <cmath>

#include "course.hpp"

namespace {

using course::Mat;

// b's entry that a's (i, j) meets: b may have one row or one column (broadcast).
double at(const Mat& b, std::size_t i, std::size_t j) { return b(b.rows == 1 ? 0 : i, b.cols == 1 ? 0 : j); }
double& at(Mat& b, std::size_t i, std::size_t j) { return b(b.rows == 1 ? 0 : i, b.cols == 1 ? 0 : j); }

void reference(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) {
      da(i, j) += g(i, j) * at(b, i, j);
      at(db, i, j) += g(i, j) * a(i, j);
    }
}

void swapped(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) {
      da(i, j) += g(i, j) * a(i, j);
      at(db, i, j) += g(i, j) * at(b, i, j);
    }
}

void first_row_only(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) {
      da(i, j) += g(i, j) * at(b, i, j);
      if ((b.rows == 1 && i > 0) || (b.cols == 1 && j > 0)) continue;
      at(db, i, j) += g(i, j) * a(i, j);
    }
}

void mean_not_sum(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db) {
  const double repeats = static_cast<double>(a.size() / b.size());
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) {
      da(i, j) += g(i, j) * at(b, i, j);
      at(db, i, j) += g(i, j) * a(i, j) / repeats;  // a mean over the broadcast, not a sum
    }
}

KLGRAD_TEACHER(course::Teacher{"2.2", &reference, {
    {"swapped", "swapped", &swapped},
    {"first_row_only", "broadcast", &first_row_only},
    {"mean_not_sum", "factor", &mean_not_sum}}});

}  // namespace
