// Exercise 2.1, add backward: its one registration. The cases, the reference (the
// library's own `add` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void add_backward(const course::Mat& a, const course::Mat& b, const course::Mat& y, const course::Mat& g, course::Mat& da, course::Mat& db);
}

KLGRAD_EXERCISE(course::backward_exercise({"2.1", "add backward", 10, "coursework/student/ex2_1_add.cpp",
                                           "coursework/exercises/2.1-add-backward"},
                                          "add", &student::add_backward));
