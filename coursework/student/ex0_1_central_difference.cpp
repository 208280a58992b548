// Exercise 0.1: central difference (5 points).
// The math and what "done" means: coursework/exercises/0.1-central-difference/exercise.md
// Check it:  build/bin/klgrad-course check 0.1      Stuck?  build/bin/klgrad-course hint 0.1
//
// Return the slope of f at x estimated from f(x + h) and f(x - h).
#include "course.hpp"

namespace student {

double central_difference(const course::ScalarFn& f, double x, double h) {
  KLGRAD_TODO("0.1");  // delete this line, then return the estimate
}

}  // namespace student
