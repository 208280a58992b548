// Exercise 4.2: kl_div backward (10 points).
// The math and what "done" means: coursework/exercises/4.2-kl-div-backward/exercise.md
// Check it:  build/bin/klgrad-course check 4.2      Stuck?  build/bin/klgrad-course hint 4.2
//
// Add dL/dinput into dinput (+=): dinput has input's shape and holds zeros, or
// the gradient of another use. y = kl_div(input, target, reduction,
// log_target) is the forward's output and g = dL/dy has y's shape: input's
// for "none", else (1, 1). The target is data: no gradient for it.
#include <cmath>
#include <string>

#include "course.hpp"

namespace student {

void kl_div_backward(const course::Mat& input, const course::Mat& target, const std::string& reduction, bool log_target,
                     const course::Mat& y, const course::Mat& g, course::Mat& dinput) {
  KLGRAD_TODO("4.2");  // delete this line, then write the loop
}

}  // namespace student
