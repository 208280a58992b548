// Exercise 1.3, sigmoid backward: its one registration. The cases, the reference (the
// library's own `sigmoid` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void sigmoid_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx);
}

KLGRAD_EXERCISE(course::backward_exercise({"1.3", "sigmoid backward", 5, "coursework/student/ex1_3_sigmoid.cpp",
                                           "coursework/exercises/1.3-sigmoid-backward"},
                                          "sigmoid", &student::sigmoid_backward));
