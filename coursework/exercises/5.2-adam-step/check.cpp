// Exercise 5.2, Adam step: its one registration. The cases (PyTorch 1.13's own
// trajectories, tests/golden/optim.txt) and the detectors are the harness's
// (harness/optim.cpp).
#include "course.hpp"

namespace student {
void adam_step(course::Mat& param, const course::Mat& grad, course::Mat& exp_avg, course::Mat& exp_avg_sq, course::Mat& max_exp_avg_sq, long step, const course::AdamOptions& o);
}

KLGRAD_EXERCISE(course::adam_exercise({"5.2", "Adam step", 15, "coursework/student/ex5_2_adam.cpp",
                                 "coursework/exercises/5.2-adam-step"}, false, &student::adam_step));
