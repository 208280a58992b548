// Exercise 3.2, linear backward: its one registration. The cases, the reference (the
// library's own `linear` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void linear_backward(const course::Mat& x, const course::Mat& W, const course::Mat& bias, const course::Mat& y, const course::Mat& g,
    course::Mat& dx, course::Mat& dW, course::Mat& dbias);
}

KLGRAD_EXERCISE(course::backward_exercise({"3.2", "linear backward", 15, "coursework/student/ex3_2_linear.cpp",
                                           "coursework/exercises/3.2-linear-backward"},
                                          "linear", &student::linear_backward));
