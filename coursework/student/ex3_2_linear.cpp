// Exercise 3.2: linear backward (15 points).
// The math and what "done" means: coursework/exercises/3.2-linear-backward/exercise.md
// Check it:  build/bin/klgrad-course check 3.2      Stuck?  build/bin/klgrad-course hint 3.2
//
// Add the gradients into dx, dW and dbias (+=). y = x W^T + bias (nn.Linear):
// x (N, K), W (M, K), bias (1, M) broadcast down the N rows; y and g = dL/dy (N, M).
#include <cmath>

#include "course.hpp"

namespace student {

void linear_backward(const course::Mat& x, const course::Mat& W, const course::Mat& bias, const course::Mat& y, const course::Mat& g,
                     course::Mat& dx, course::Mat& dW, course::Mat& dbias) {
  KLGRAD_TODO("3.2");  // delete this line, then write the loop
}

}  // namespace student
