// check.cpp — what every kind of exercise shares: the float64 tolerance and
// how a report prints numbers and positions.
#include "check.hpp"

#include <cmath>
#include <cstdio>

namespace course {

bool close(double yours, double reference) {
  if (std::isnan(reference)) return std::isnan(yours);
  if (std::isinf(reference)) return yours == reference;
  return std::abs(yours - reference) <= allowed(reference);
}

double allowed(double reference) { return kAtol + kRtol * std::abs(reference); }

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string versus(double yours, const std::string& name, double reference) {
  std::string a = num(yours), b = num(reference);
  for (int digits = 11; a == b && digits <= 17; ++digits) {
    char x[40], y[40];
    std::snprintf(x, sizeof x, "%.*g", digits, yours);
    std::snprintf(y, sizeof y, "%.*g", digits, reference);
    a = x;
    b = y;
  }
  return "yours " + a + ", " + name + " " + b;
}

std::string shape(const Mat& m) { return "(" + std::to_string(m.rows) + ", " + std::to_string(m.cols) + ")"; }

std::string index(const Mat& m, std::size_t k) {
  return "[" + std::to_string(k / m.cols) + ", " + std::to_string(k % m.cols) + "]";
}

std::size_t first_mismatch(const Mat& yours, const Mat& reference) {
  for (std::size_t k = 0; k < reference.size(); ++k)
    if (k >= yours.size() || !close(yours[k], reference[k])) return k;
  return std::string::npos;
}

bool all_of_close(const Mat& yours, const Mat& reference) {
  return yours.rows == reference.rows && yours.cols == reference.cols && first_mismatch(yours, reference) == std::string::npos;
}

Mat zeros_like(const Mat& m) { return Mat{m.rows, m.cols, std::vector<double>(m.size(), 0.0)}; }

Result fail(const std::string& pattern, const std::string& text, long calls) {
  Result r;
  r.pattern = pattern;
  r.text = text;
  r.calls = calls;
  return r;
}

Result not_started(const Info& info, long calls) {
  Result r;
  r.status = Status::not_started;
  r.calls = calls;
  r.text = "  the KLGRAD_TODO line is still in " + info.student_file + ": delete it and write the function "
           "(klgrad-course hint " + info.id + " for a start)\n";
  return r;
}

}  // namespace course
