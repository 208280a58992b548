// Exercise 4.2, kl_div backward: its one registration. The cases (every
// reduction, with and without log_target), the reference (the library's own
// kl_div and its backward) and the detectors are the harness's.
#include <string>

#include "course.hpp"

namespace student {
void kl_div_backward(const course::Mat& input, const course::Mat& target, const std::string& reduction, bool log_target,
                     const course::Mat& y, const course::Mat& g, course::Mat& dinput);
}

KLGRAD_EXERCISE(course::kl_backward_exercise({"4.2", "kl_div backward", 10, "coursework/student/ex4_2_kl_div_backward.cpp",
                                              "coursework/exercises/4.2-kl-div-backward"},
                                             &student::kl_div_backward));
