// Exercise 0.1, central difference: its one registration. The cases, the
// reference (the formula, and the true derivative beside it) and the
// detectors are the harness's (harness/oracle.cpp).
#include "course.hpp"

namespace student {
double central_difference(const course::ScalarFn& f, double x, double h);
}

KLGRAD_EXERCISE(course::derivative_exercise({"0.1", "central difference", 5, "coursework/student/ex0_1_central_difference.cpp",
                                             "coursework/exercises/0.1-central-difference"},
                                            &student::central_difference));
