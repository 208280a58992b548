// Exercise 0.2, numerical gradient: its one registration. The cases, the
// reference (the formula, and the true gradient beside it) and the detectors
// are the harness's (harness/oracle.cpp).
#include "course.hpp"

namespace student {
void numerical_gradient(const course::MatFn& f, course::Mat& x, double h, course::Mat& grad);
}

KLGRAD_EXERCISE(course::gradient_exercise({"0.2", "numerical gradient", 10, "coursework/student/ex0_2_numerical_gradient.cpp",
                                           "coursework/exercises/0.2-numerical-gradient"},
                                          &student::numerical_gradient));
