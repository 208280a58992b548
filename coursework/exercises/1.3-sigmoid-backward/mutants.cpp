// Teacher-only (an export drops this file): the reference body of exercise 1.3
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 1.3` proves all of them.
#include <cmath>
#include <vector>

#include <chrono>
#include <thread>

#include "course.hpp"

namespace {

using course::Mat;

void reference(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  (void)x;
  (void)y;
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] * y[k] * (1 - y[k]);
}

void flipped(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] += g[k] * y[k] * (y[k] - 1);
}

void nothing(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  (void)x;
  (void)y;
  (void)g;
  (void)dx;
}

void assign(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (std::size_t k = 0; k < dx.size(); ++k) dx[k] = g[k] * y[k] * (1 - y[k]);
}

// Code that never returns, and code that writes through a null pointer: each
// must be that exercise's result (timeout, crash), and the others still run.
void endless(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  for (volatile bool done = false; !done;) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

void null_write(const Mat& x, const Mat& y, const Mat& g, Mat& dx) {
  volatile double* volatile nowhere = nullptr;  // volatile: the writes must happen
  for (std::size_t k = 0; k < dx.size(); ++k) nowhere[k] = g[k];
}

KLGRAD_TEACHER(course::Teacher{"1.3", &reference, {
    {"endless", "timeout", &endless},
    {"null_write", "crash", &null_write},
    {"flipped", "sign", &flipped},
    {"nothing", "never-written", &nothing},
    {"assign", "assign", &assign}}});

}  // namespace
