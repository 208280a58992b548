// Exercise 5.3, AdamW step: its one registration. The cases (PyTorch 1.13's own
// trajectories, tests/golden/optim.txt) and the detectors are the harness's
// (harness/optim.cpp).
#include "course.hpp"

namespace student {
void adamw_step(course::Mat& param, const course::Mat& grad, course::Mat& exp_avg, course::Mat& exp_avg_sq, course::Mat& max_exp_avg_sq, long step, const course::AdamOptions& o);
}

KLGRAD_EXERCISE(course::adam_exercise({"5.3", "AdamW step", 5, "coursework/student/ex5_3_adamw.cpp",
                                 "coursework/exercises/5.3-adamw-step"}, true, &student::adamw_step));
