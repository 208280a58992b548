// Exercise 2.3: log_softmax backward (15 points).
// The math and what "done" means: coursework/exercises/2.3-log-softmax-backward/exercise.md
// Check it:  build/bin/klgrad-course check 2.3      Stuck?  build/bin/klgrad-course hint 2.3
//
// Add dL/dx into dx (+=): dx has x's shape and holds zeros, or the gradient of
// another use of x. y = log_softmax(x) is the output of the forward, g = dL/dy.
#include <cmath>

#include "course.hpp"

namespace student {

void log_softmax_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx) {
  KLGRAD_TODO("2.3");  // delete this line, then write the loop
}

}  // namespace student
