// Teacher-only (an export drops this file): the reference body of exercise 0.2
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 0.2` proves all of them.
#include "course.hpp"

namespace {

using course::Mat;
using course::MatFn;

void reference(const MatFn& f, Mat& x, double h, Mat& grad) {
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double old = x[k];
    x[k] = old + h;
    const double plus = f(x);
    x[k] = old - h;
    const double minus = f(x);
    x[k] = old;
    grad[k] = (plus - minus) / (2 * h);
  }
}

void not_restored(const MatFn& f, Mat& x, double h, Mat& grad) {
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double old = x[k];
    x[k] = old + h;
    const double plus = f(x);
    x[k] = old - h;
    grad[k] = (plus - f(x)) / (2 * h);
  }
}

void all_at_once(const MatFn& f, Mat& x, double h, Mat& grad) {
  Mat plus = x, minus = x;
  for (double& v : plus.data) v += h;
  for (double& v : minus.data) v -= h;
  const double slope = (f(plus) - f(minus)) / (2 * h);
  for (std::size_t k = 0; k < x.size(); ++k) grad[k] = slope;
}

void forward(const MatFn& f, Mat& x, double h, Mat& grad) {
  const double fx = f(x);
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double old = x[k];
    x[k] = old + h;
    grad[k] = (f(x) - fx) / h;
    x[k] = old;
  }
}

void into_a_copy(const MatFn& f, Mat& x, double h, Mat& grad) {
  Mat g = grad;
  reference(f, x, h, g);
}

KLGRAD_TEACHER(course::Teacher{"0.2", &reference, {
    {"not_restored", "restore", &not_restored},
    {"all_at_once", "all-at-once", &all_at_once},
    {"forward", "one-sided", &forward},
    {"into_a_copy", "never-written", &into_a_copy}}});

}  // namespace
