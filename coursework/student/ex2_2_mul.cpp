// Exercise 2.2: mul backward (10 points).
// The math and what "done" means: coursework/exercises/2.2-mul-backward/exercise.md
// Check it:  build/bin/klgrad-course check 2.2      Stuck?  build/bin/klgrad-course hint 2.2
//
// Add dL/da into da and dL/db into db (+=). y = a * b elementwise, b broadcast
// against a (b may have one row or one column); da has a's shape, db b's.
#include <cmath>

#include "course.hpp"

namespace student {

void mul_backward(const course::Mat& a, const course::Mat& b, const course::Mat& y, const course::Mat& g, course::Mat& da, course::Mat& db) {
  KLGRAD_TODO("2.2");  // delete this line, then write the loop
}

}  // namespace student
