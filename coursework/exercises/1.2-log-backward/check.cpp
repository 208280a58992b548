// Exercise 1.2, log backward: its one registration. The cases, the reference (the
// library's own `log` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void log_backward(const course::Mat& x, const course::Mat& y, const course::Mat& g, course::Mat& dx);
}

KLGRAD_EXERCISE(course::backward_exercise({"1.2", "log backward", 5, "coursework/student/ex1_2_log.cpp",
                                           "coursework/exercises/1.2-log-backward"},
                                          "log", &student::log_backward));
