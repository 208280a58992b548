// Exercise 2.7, softmax backward: its one registration. The cases, the reference (the
// library's own `softmax` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void softmax_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx);
}

KLGRAD_EXERCISE(course::backward_exercise({"2.7", "softmax backward", 10, "coursework/student/ex2_7_softmax.cpp",
                                           "coursework/exercises/2.7-softmax-backward"},
                                          "softmax", &student::softmax_backward));
