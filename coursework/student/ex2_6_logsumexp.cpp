// Exercise 2.6: logsumexp backward (10 points).
// The math and what "done" means: coursework/exercises/2.6-logsumexp-backward/exercise.md
// Check it:  build/bin/klgrad-course check 2.6      Stuck?  build/bin/klgrad-course hint 2.6
//
// Add dL/dx into dx (+=): dx has x's shape (N, K). y(i, 0) = log sum_j exp(x(i, j)),
// one per row, so y and g = dL/dy are (N, 1).
#include <cmath>

#include "course.hpp"

namespace student {

void logsumexp_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx) {
  KLGRAD_TODO("2.6");  // delete this line, then write the loop
}

}  // namespace student
