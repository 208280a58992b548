// Exercise 2.4, sum backward: its one registration. The cases, the reference (the
// library's own `sum` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void sum_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx);
}

KLGRAD_EXERCISE(course::backward_exercise({"2.4", "sum backward", 5, "coursework/student/ex2_4_sum.cpp",
                                           "coursework/exercises/2.4-sum-backward"},
                                          "sum", &student::sum_backward));
