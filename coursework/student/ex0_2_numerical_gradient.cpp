// Exercise 0.2: numerical gradient (10 points).
// The math and what "done" means: coursework/exercises/0.2-numerical-gradient/exercise.md
// Check it:  build/bin/klgrad-course check 0.2      Stuck?  build/bin/klgrad-course hint 0.2
//
// Write d f / d x_k into grad[k] for every entry k of x, by central
// differences with step h. You may change x while you work, but every entry
// must hold its old value again when you return.
#include "course.hpp"

namespace student {

void numerical_gradient(const course::MatFn& f, course::Mat& x, double h, course::Mat& grad) {
  KLGRAD_TODO("0.2");  // delete this line, then write the loop
}

}  // namespace student
