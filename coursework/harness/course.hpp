// course.hpp — what an exercise file sees: the Mat type, KLGRAD_TODO, and the
// registration of an exercise (check.cpp) and of its teacher files (mutants.cpp).
// Deliberately free of xtensor: a student file is plain C++ and compiles in a
// blink; the harness compares it against the library (reference.cpp) or
// against closed-form math (oracle.cpp).
#pragma once

#include <any>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace course {

// A row-major matrix of doubles, rows x cols. Elementwise exercises loop over
// m.size() with m[k]; row-wise ones (log_softmax along dim 1) use m(i, j).
struct Mat {
  std::size_t rows = 0, cols = 0;
  std::vector<double> data;

  std::size_t size() const { return data.size(); }
  double& operator[](std::size_t k) { return data[k]; }
  double operator[](std::size_t k) const { return data[k]; }
  double& operator()(std::size_t i, std::size_t j) { return data[i * cols + j]; }
  double operator()(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
};

// The functions students write, one type per kind of exercise.
//
// Unit 0, the oracle: the derivative of f at x by central differences with
// step h, and the gradient of a scalar function of a matrix the same way
// (x is perturbed one entry at a time and must be restored).
using ScalarFn = std::function<double(double)>;
using MatFn = std::function<double(const Mat&)>;
using Derivative = double (*)(const ScalarFn& f, double x, double h);
using Gradient = void (*)(const MatFn& f, Mat& x, double h, Mat& grad);
// Units 1-2, backwards: given x, y = f(x) and g = dL/dy, ADD dL/dx into dx
// (+=). dx has x's shape; it holds zeros, or the gradient of another use of x.
using Backward = void (*)(const Mat& x, const Mat& y, const Mat& g, Mat& dx);

// A shipped stub throws this: the check reports "not started", never a pass.
struct NotStarted : std::runtime_error {
  using std::runtime_error::runtime_error;
};
#define KLGRAD_TODO(id) throw ::course::NotStarted(id)

enum class Status { passed, failed, not_started };

struct Result {
  Status status = Status::failed;
  std::string pattern;  // failed: the detector that fired (sign, factor, ...), or "unknown"
  std::string text;     // the report a student reads
  long calls = 0;       // how many times the function under test ran
};

// What every exercise has, whatever its kind.
struct Info {
  std::string id, title;
  int points = 0;
  std::string student_file;  // the one file the student edits, from the repository root
  std::string folder;        // coursework/exercises/<id>-<slug>/ (exercise.md, hints.md)
};

// One exercise: its student function, and the check that runs a function of
// the same type (the student's, the teacher's reference or a mutant) on the
// exercise's cases. An empty std::any stands for a stub that was never edited.
struct Exercise {
  Info info;
  std::any student;
  std::function<Result(const std::any& fn)> check;
};

// The kinds of exercise (backward.cpp, oracle.cpp): each makes the Exercise
// from its Info and the student's function.
Exercise backward_exercise(const Info& info, const std::string& library_op, Backward student);
Exercise derivative_exercise(const Info& info, Derivative student);
Exercise gradient_exercise(const Info& info, Gradient student);

// A wrong version of the exercise, and the pattern the check must report for it.
struct Mutant {
  std::string name, pattern;
  std::any fn;
};

// Teacher-only (mutants.cpp; an export drops it): the reference body and the mutants.
struct Teacher {
  std::string id;
  std::any solution;
  std::vector<Mutant> mutants;
};

bool add_exercise(const Exercise& e);
bool add_teacher(const Teacher& t);

}  // namespace course

#define KLGRAD_COURSE_CAT2(a, b) a##b
#define KLGRAD_COURSE_CAT(a, b) KLGRAD_COURSE_CAT2(a, b)
// KLGRAD_EXERCISE(course::backward_exercise(...)); at namespace scope registers it at start-up.
#define KLGRAD_EXERCISE(...) \
  static const bool KLGRAD_COURSE_CAT(klgrad_exercise_, __LINE__) = ::course::add_exercise(__VA_ARGS__)
#define KLGRAD_TEACHER(...) \
  static const bool KLGRAD_COURSE_CAT(klgrad_teacher_, __LINE__) = ::course::add_teacher(__VA_ARGS__)
