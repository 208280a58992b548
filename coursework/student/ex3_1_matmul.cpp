// Exercise 3.1: matmul backward (15 points).
// The math and what "done" means: coursework/exercises/3.1-matmul-backward/exercise.md
// Check it:  build/bin/klgrad-course check 3.1      Stuck?  build/bin/klgrad-course hint 3.1
//
// Add dL/da into da and dL/db into db (+=). y = a b with a (N, K), b (K, M),
// y and g = dL/dy (N, M); da has a's shape, db b's.
#include <cmath>

#include "course.hpp"

namespace student {

void matmul_backward(const course::Mat& a, const course::Mat& b, const course::Mat& y, const course::Mat& g, course::Mat& da, course::Mat& db) {
  KLGRAD_TODO("3.1");  // delete this line, then write the loop
}

}  // namespace student
