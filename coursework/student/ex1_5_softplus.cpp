// Exercise 1.5: softplus backward (10 points).
// The math and what "done" means: coursework/exercises/1.5-softplus-backward/exercise.md
// Check it:  build/bin/klgrad-course check 1.5      Stuck?  build/bin/klgrad-course hint 1.5
//
// Add dL/dx into dx (+=): dx has x's shape and holds zeros, or the gradient of
// another use of x. y = softplus(x) is the output of the forward, g = dL/dy.
#include <cmath>

#include "course.hpp"

namespace student {

void softplus_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx) {
  KLGRAD_TODO("1.5");  // delete this line, then write the loop
}

}  // namespace student
