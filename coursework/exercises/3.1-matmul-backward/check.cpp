// Exercise 3.1, matmul backward: its one registration. The cases, the reference (the
// library's own `matmul` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void matmul_backward(const course::Mat& a, const course::Mat& b, const course::Mat& y, const course::Mat& g, course::Mat& da, course::Mat& db);
}

KLGRAD_EXERCISE(course::backward_exercise({"3.1", "matmul backward", 15, "coursework/student/ex3_1_matmul.cpp",
                                           "coursework/exercises/3.1-matmul-backward"},
                                          "matmul", &student::matmul_backward));
