// Exercise 2.6, logsumexp backward: its one registration. The cases, the reference (the
// library's own `logsumexp` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void logsumexp_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx);
}

KLGRAD_EXERCISE(course::backward_exercise({"2.6", "logsumexp backward", 10, "coursework/student/ex2_6_logsumexp.cpp",
                                           "coursework/exercises/2.6-logsumexp-backward"},
                                          "logsumexp", &student::logsumexp_backward));
