// Exercise 2.5: mean backward (5 points).
// The math and what "done" means: coursework/exercises/2.5-mean-backward/exercise.md
// Check it:  build/bin/klgrad-course check 2.5      Stuck?  build/bin/klgrad-course hint 2.5
//
// Add dL/dx into dx (+=): dx has x's shape. y = the mean of all entries of x,
// a (1, 1) Mat, and g = dL/dy is (1, 1) too.
#include <cmath>

#include "course.hpp"

namespace student {

void mean_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx) {
  KLGRAD_TODO("2.5");  // delete this line, then write the loop
}

}  // namespace student
