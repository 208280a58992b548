// Exercise 5.1, SGD step: its one registration. The cases (PyTorch 1.13's own
// trajectories, tests/golden/optim.txt) and the detectors are the harness's
// (harness/optim.cpp).
#include "course.hpp"

namespace student {
void sgd_step(course::Mat& param, const course::Mat& grad, course::Mat& momentum_buffer, long step, const course::SgdOptions& o);
}

KLGRAD_EXERCISE(course::sgd_exercise({"5.1", "SGD step", 15, "coursework/student/ex5_1_sgd.cpp",
                                 "coursework/exercises/5.1-sgd-step"}, &student::sgd_step));
