// Exercise 1.2: log backward (5 points).
// The math and what "done" means: coursework/exercises/1.2-log-backward/exercise.md
// Check it:  build/bin/klgrad-course check 1.2      Stuck?  build/bin/klgrad-course hint 1.2
//
// Add dL/dx into dx (+=): dx has x's shape and holds zeros, or the gradient of
// another use of x. y = log(x) is the output of the forward, g = dL/dy.
#include <cmath>

#include "course.hpp"

namespace student {

void log_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx) {
  KLGRAD_TODO("1.2");  // delete this line, then write the loop
}

}  // namespace student
