// Exercise 1.4, tanh backward: its one registration. The cases, the reference (the
// library's own `tanh` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void tanh_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx);
}

KLGRAD_EXERCISE(course::backward_exercise({"1.4", "tanh backward", 5, "coursework/student/ex1_4_tanh.cpp",
                                           "coursework/exercises/1.4-tanh-backward"},
                                          "tanh", &student::tanh_backward));
