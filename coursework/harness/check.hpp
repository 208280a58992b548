// check.hpp — what the kinds of exercise share (check.cpp): the tolerance,
// how numbers and positions are printed, and running a student function
// whose type the exercise fixes.
#pragma once

#include <any>
#include <string>
#include <utility>
#include <vector>

#include "course.hpp"

namespace course {

constexpr double kAtol = 1e-12, kRtol = 1e-10;  // float64; a right formula differs from the reference by rounding only

bool close(double yours, double reference);  // |yours - reference| <= kAtol + kRtol |reference|; NaN and inf must match
double allowed(double reference);            // the |diff| close() allows
std::string num(double v);                   // 10 significant digits
// "yours <a>, <name> <b>", with as many digits (10 to 17) as it takes to tell them apart.
std::string versus(double yours, const std::string& name, double reference);
std::string shape(const Mat& m);             // "(2, 3)"
std::string index(const Mat& m, std::size_t k);  // "[i, j]" of entry k
std::size_t first_mismatch(const Mat& yours, const Mat& reference);  // or std::string::npos
Mat zeros_like(const Mat& m);
bool all_of_close(const Mat& yours, const Mat& reference);  // same shape, every entry close()

// The function an exercise's check runs: the std::any's pointer, or for an
// empty one (a stub) a function that throws NotStarted.
template <class Fn, class Stub>
Fn function_of(const std::any& fn, Stub stub) {
  if (!fn.has_value()) return stub;
  if (const Fn* f = std::any_cast<Fn>(&fn)) return *f;
  throw std::invalid_argument("this function's type is not the one the exercise asks for (see its stub in coursework/student/)");
}

// Unit 4's library ops ("kl_div/<reduction>" and ".../log_target"), and the
// options one of them stands for.
const std::vector<std::string>& kl_ops();
std::pair<std::string, bool> kl_options(const std::string& op);

// The function of exercise `id` a capstone runs, for the capstone's spec
// (course.hpp, CapstoneParts): the student's, the reference body, or for
// "ID:MUTANT" that mutant where id is ID and the reference body elsewhere.
// An empty std::any for a stub.
std::any capstone_part(const std::string& spec, const std::string& id);

// A failed result: the detector that fired, the report, the calls so far.
Result fail(const std::string& pattern, const std::string& text, long calls);

// The result of a check whose student function never returned a value
// because it still holds KLGRAD_TODO.
Result not_started(const Info& info, long calls);

}  // namespace course
