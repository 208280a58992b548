// Exercise 2.7: softmax backward (10 points).
// The math and what "done" means: coursework/exercises/2.7-softmax-backward/exercise.md
// Check it:  build/bin/klgrad-course check 2.7      Stuck?  build/bin/klgrad-course hint 2.7
//
// Add dL/dx into dx (+=): dx has x's shape. y = softmax(x) along each row,
// the output of the forward; g = dL/dy.
#include <cmath>

#include "course.hpp"

namespace student {

void softmax_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx) {
  KLGRAD_TODO("2.7");  // delete this line, then write the loop
}

}  // namespace student
