// Exercise 5.1: SGD step (15 points).
// The math and what "done" means: coursework/exercises/5.1-sgd-step/exercise.md
// Check it:  build/bin/klgrad-course check 5.1      Stuck?  build/bin/klgrad-course hint 5.1
//
// One update of one parameter, in place, by PyTorch 1.13's torch.optim.SGD.
// step is this parameter's update count, this one included (1 at the first);
// momentum_buffer has param's shape, starts at zeros, and is yours to keep.
#include <cmath>

#include "course.hpp"

namespace student {

void sgd_step(course::Mat& param, const course::Mat& grad, course::Mat& momentum_buffer, long step,
              const course::SgdOptions& o) {
  KLGRAD_TODO("5.1");  // delete this line, then write the update
}

}  // namespace student
