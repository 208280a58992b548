// reference.hpp — the answer side of a check: the library's own op, run on
// its tape, gives y and the gradient of every input for a student's case
// (reference.cpp). An op takes one, two or three inputs (x; a, b; x, W, bias).
#pragma once

#include <string>
#include <vector>

#include "course.hpp"

namespace course {

std::vector<std::string> reference_ops();                          // the op names an exercise may name
const std::vector<std::string>& input_names(const std::string& op);  // {"x"}, {"a", "b"}, {"x", "W", "bias"}
// The op's seeded cases: case c's inputs, inside the op's domain (log: x > 0),
// with the op's branch points and overflow traps among the entries when it has
// any (softplus: past its threshold; logsumexp: an entry of 800).
std::size_t case_count(const std::string& op);
// round 0 is the check's; a teacher's grading inputs use another round (a fresh seed).
std::vector<Mat> case_inputs(const std::string& op, std::size_t c, unsigned round = 0);
unsigned case_seed(std::size_t c, unsigned round = 0);              // the seed case c is drawn with
// Inputs the forward broadcasts against y (b of add and mul, the bias of
// linear): there a mistake can be a sum over the broadcast axes left out.
bool broadcasts(const std::string& op, std::size_t input);
// Inputs that are data, not parameters (kl_div's target P): the exercise asks
// for no gradient of them, and the reference gives zeros.
bool is_data(const std::string& op, std::size_t input);
std::string call_text(const std::string& op);   // "add(a, b)", "kl_div(input, target, reduction=\"sum\", ...)"
// For "kl_div/<reduction>/log_target", the same op without log_target; else "".
std::string plain_twin(const std::string& op);

Mat reference_forward(const std::string& op, const std::vector<Mat>& in);  // y = op(in)
std::vector<Mat> reference_backward(const std::string& op, const std::vector<Mat>& in, const Mat& g);  // dL/d in_i for dL/dy = g

Mat random_mat(std::size_t rows, std::size_t cols, unsigned seed);  // N(0, 1) entries
// Non-empty when x lies on the op's other branch (where the convention, not
// the smooth formula, decides the derivative): the sentence that says so.
std::string branch_note(const std::string& op, double x);

}  // namespace course
