// Exercise 4.1: kl_div forward (15 points).
// The math and what "done" means: coursework/exercises/4.1-kl-div-forward/exercise.md
// Check it:  build/bin/klgrad-course check 4.1      Stuck?  build/bin/klgrad-course hint 4.1
//
// Write kl_div(input = log Q, target = P) into out: the model's
// log-probabilities come first, the data second. reduction is "none" (out has
// input's shape, one term per entry), "sum", "mean" or "batchmean" (out is
// (1, 1)); with log_target the target holds log P instead of P.
#include <cmath>
#include <string>

#include "course.hpp"

namespace student {

void kl_div_forward(const course::Mat& input, const course::Mat& target, const std::string& reduction, bool log_target,
                    course::Mat& out) {
  KLGRAD_TODO("4.1");  // delete this line, then write the terms and the reduction
}

}  // namespace student
