// Exercise 1.1, exp backward: its one registration. The cases, the reference (the
// library's own `exp` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void exp_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx);
}

KLGRAD_EXERCISE(course::backward_exercise({"1.1", "exp backward", 5, "coursework/student/ex1_1_exp.cpp",
                                           "coursework/exercises/1.1-exp-backward"},
                                          "exp", &student::exp_backward));
