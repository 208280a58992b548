// Exercise 2.2, mul backward: its one registration. The cases, the reference (the
// library's own `mul` and its backward) and the detectors are the harness's.
#include "course.hpp"

namespace student {
void mul_backward(const course::Mat& a, const course::Mat& b, const course::Mat& y, const course::Mat& g, course::Mat& da, course::Mat& db);
}

KLGRAD_EXERCISE(course::backward_exercise({"2.2", "mul backward", 10, "coursework/student/ex2_2_mul.cpp",
                                           "coursework/exercises/2.2-mul-backward"},
                                          "mul", &student::mul_backward));
