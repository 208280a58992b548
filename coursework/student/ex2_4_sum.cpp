// Exercise 2.4: sum backward (5 points).
// The math and what "done" means: coursework/exercises/2.4-sum-backward/exercise.md
// Check it:  build/bin/klgrad-course check 2.4      Stuck?  build/bin/klgrad-course hint 2.4
//
// Add dL/dx into dx (+=): dx has x's shape. y = sum of all entries of x, a
// (1, 1) Mat, and g = dL/dy is (1, 1) too.
#include <cmath>

#include "course.hpp"

namespace student {

void sum_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx) {
  KLGRAD_TODO("2.4");  // delete this line, then write the loop
}

}  // namespace student
