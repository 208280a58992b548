// Exercise 5.2: Adam step (15 points).
// The math and what "done" means: coursework/exercises/5.2-adam-step/exercise.md
// Check it:  build/bin/klgrad-course check 5.2      Stuck?  build/bin/klgrad-course hint 5.2
//
// One update of one parameter, in place, by PyTorch 1.13's torch.optim.Adam.
// step is this parameter's update count, this one included (1 at the first);
// exp_avg, exp_avg_sq and max_exp_avg_sq have param's shape, start at zeros,
// and are yours to keep (max_exp_avg_sq is used only with amsgrad).
#include <algorithm>
#include <cmath>

#include "course.hpp"

namespace student {

void adam_step(course::Mat& param, const course::Mat& grad, course::Mat& exp_avg, course::Mat& exp_avg_sq,
               course::Mat& max_exp_avg_sq, long step, const course::AdamOptions& o) {
  KLGRAD_TODO("5.2");  // delete this line, then write the update
}

}  // namespace student
