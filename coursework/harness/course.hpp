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
// Units 1-3, backwards: given the inputs, y = f(inputs) and g = dL/dy, ADD
// the gradient of every input into its d (+=). Each d has its input's shape;
// it holds zeros, or the gradient of another use of that input.
using Backward = void (*)(const Mat& x, const Mat& y, const Mat& g, Mat& dx);
using Backward2 = void (*)(const Mat& a, const Mat& b, const Mat& y, const Mat& g, Mat& da, Mat& db);
using Backward3 = void (*)(const Mat& x, const Mat& W, const Mat& bias, const Mat& y, const Mat& g, Mat& dx, Mat& dW,
                           Mat& dbias);

// Unit 4, the KL node: kl_div(input = log Q, target = P) with a reduction
// ("none", "sum", "mean", "batchmean") and log_target (target holds log P).
// The forward writes the loss into out: input's shape for "none", else (1, 1).
// The backward ADDS dL/dinput into dinput; the target is data, no gradient.
using KlForward = void (*)(const Mat& input, const Mat& target, const std::string& reduction, bool log_target, Mat& out);
using KlBackward = void (*)(const Mat& input, const Mat& target, const std::string& reduction, bool log_target,
                            const Mat& y, const Mat& g, Mat& dinput);

// Unit 5, the optimizers: one update of one parameter, PyTorch 1.13's rules.
// step counts this parameter's updates, this one included (1 at the first);
// the state Mats (momentum buffer; Adam's averages) have the parameter's
// shape, start at zeros, and are yours to keep between calls.
struct SgdOptions {
  double lr = 0, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false, maximize = false;
};
struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool amsgrad = false, maximize = false;
};
using SgdStep = void (*)(Mat& param, const Mat& grad, Mat& momentum_buffer, long step, const SgdOptions& o);
using AdamStep = void (*)(Mat& param, const Mat& grad, Mat& exp_avg, Mat& exp_avg_sq, Mat& max_exp_avg_sq, long step,
                          const AdamOptions& o);

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
  std::vector<std::string> needs = {};  // exercises whose functions this one runs (the capstone's)
};

// One exercise: its student function, and the check that runs a function of
// the same type (the student's, the teacher's reference or a mutant) on the
// exercise's cases. An empty std::any stands for a stub that was never edited.
struct Exercise {
  Info info;
  std::any student;
  std::function<Result(const std::any& fn)> check;
  // Grading without a server (grading.cpp): fresh cases drawn from a seed, as
  // JSON text with no answers in it, and what a function outputs on them.
  std::function<std::string(unsigned seed)> make_inputs;
  std::function<std::string(const std::any& fn, const std::string& inputs)> run;
};

// The kinds of exercise (backward.cpp, oracle.cpp): each makes the Exercise
// from its Info and the student's function.
Exercise backward_exercise(const Info& info, const std::string& library_op, Backward student);
Exercise backward_exercise(const Info& info, const std::string& library_op, Backward2 student);
Exercise backward_exercise(const Info& info, const std::string& library_op, Backward3 student);
Exercise kl_forward_exercise(const Info& info, KlForward student);   // forward.cpp
Exercise kl_backward_exercise(const Info& info, KlBackward student);
Exercise derivative_exercise(const Info& info, Derivative student);
Exercise sgd_exercise(const Info& info, SgdStep student);  // optim.cpp
// decoupled: AdamW (the weight decay shrinks the parameter, not the gradient)
Exercise adam_exercise(const Info& info, bool decoupled, AdamStep student);
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
// The registered ones, by id (nullptr if none): the capstone runs other exercises' functions.
const Exercise* exercise_by_id(const std::string& id);
const Teacher* teacher_by_id(const std::string& id);

// The capstone (capstone.cpp) runs the functions of the exercises it needs:
// spec "student" (yours), "reference" (the teacher's bodies), or "ID:MUTANT"
// (the reference bodies with one mutant swapped in).
struct CapstoneParts {
  std::string spec;
};
Exercise capstone_exercise(const Info& info);      // 7.1, kl_fit (capstone.cpp)
Exercise capstone_vae_exercise(const Info& info);  // 7.2, tiny_vae (capstone_vae.cpp)

}  // namespace course

#define KLGRAD_COURSE_CAT2(a, b) a##b
#define KLGRAD_COURSE_CAT(a, b) KLGRAD_COURSE_CAT2(a, b)
// KLGRAD_EXERCISE(course::backward_exercise(...)); at namespace scope registers it at start-up.
#define KLGRAD_EXERCISE(...) \
  static const bool KLGRAD_COURSE_CAT(klgrad_exercise_, __LINE__) = ::course::add_exercise(__VA_ARGS__)
#define KLGRAD_TEACHER(...) \
  static const bool KLGRAD_COURSE_CAT(klgrad_teacher_, __LINE__) = ::course::add_teacher(__VA_ARGS__)
