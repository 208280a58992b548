// Teacher-only (an export drops this file): the reference body of exercise 0.1
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 0.1` proves all of them.
#include "course.hpp"

namespace {

using course::ScalarFn;

double reference(const ScalarFn& f, double x, double h) { return (f(x + h) - f(x - h)) / (2 * h); }

double forward(const ScalarFn& f, double x, double h) { return (f(x + h) - f(x)) / h; }

double no_two(const ScalarFn& f, double x, double h) { return (f(x + h) - f(x - h)) / h; }

double swapped(const ScalarFn& f, double x, double h) { return (f(x - h) - f(x + h)) / (2 * h); }

double fixed_step(const ScalarFn& f, double x, double) {
  const double h = 1e-5;
  return (f(x + h) - f(x - h)) / (2 * h);
}

KLGRAD_TEACHER(course::Teacher{"0.1", &reference, {
    {"forward", "one-sided", &forward},
    {"no_two", "factor", &no_two},
    {"swapped", "sign", &swapped},
    {"fixed_step", "ignores-h", &fixed_step}}});

}  // namespace
