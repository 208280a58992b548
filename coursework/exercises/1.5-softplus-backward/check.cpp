// Exercise 1.5, softplus backward: its one registration. The cases, the reference (the
// library's own `softplus` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void softplus_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx);
}

KLGRAD_EXERCISE(course::backward_exercise({"1.5", "softplus backward", 10, "coursework/student/ex1_5_softplus.cpp",
                                           "coursework/exercises/1.5-softplus-backward"},
                                          "softplus", &student::softplus_backward));
