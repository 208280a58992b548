// Exercise 2.3, log_softmax backward: its one registration. The cases, the reference (the
// library's own `log_softmax` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void log_softmax_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx);
}

KLGRAD_EXERCISE(course::backward_exercise({"2.3", "log_softmax backward", 15, "coursework/student/ex2_3_log_softmax.cpp",
                                           "coursework/exercises/2.3-log-softmax-backward"},
                                          "log_softmax", &student::log_softmax_backward));
