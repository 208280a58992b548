// reference.hpp — the answer side of a check: the library's own op, run on
// its tape, gives y and dL/dx for a student's case (reference.cpp).
#pragma once

#include <string>
#include <vector>

#include "course.hpp"

namespace course {

std::vector<std::string> reference_ops();                       // the op names an exercise may name
Mat reference_forward(const std::string& op, const Mat& x);      // y = op(x)
Mat reference_backward(const std::string& op, const Mat& x, const Mat& g);  // dL/dx for dL/dy = g
// A seeded input inside the op's domain (log: x > 0), with the op's branch
// points among the entries when it has any (softplus: past its threshold).
Mat case_input(const std::string& op, std::size_t rows, std::size_t cols, unsigned seed);
Mat random_mat(std::size_t rows, std::size_t cols, unsigned seed);  // N(0, 1) entries
// Non-empty when x lies on the op's other branch (where the convention, not
// the smooth formula, decides the derivative): the sentence that says so.
std::string branch_note(const std::string& op, double x);

}  // namespace course
