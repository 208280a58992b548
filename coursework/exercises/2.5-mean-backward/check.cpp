// Exercise 2.5, mean backward: its one registration. The cases, the reference (the
// library's own `mean` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void mean_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx);
}

KLGRAD_EXERCISE(course::backward_exercise({"2.5", "mean backward", 5, "coursework/student/ex2_5_mean.cpp",
                                           "coursework/exercises/2.5-mean-backward"},
                                          "mean", &student::mean_backward));
