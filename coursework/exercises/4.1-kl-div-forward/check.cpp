// Exercise 4.1, kl_div forward: its one registration. The cases (every
// reduction, with and without log_target), the reference (the library's own
// kl_div) and the detectors are the harness's (harness/forward.cpp).
#include <string>

#include "course.hpp"

namespace student {
void kl_div_forward(const course::Mat& input, const course::Mat& target, const std::string& reduction, bool log_target,
                    course::Mat& out);
}

KLGRAD_EXERCISE(course::kl_forward_exercise({"4.1", "kl_div forward", 15, "coursework/student/ex4_1_kl_div_forward.cpp",
                                             "coursework/exercises/4.1-kl-div-forward"},
                                            &student::kl_div_forward));
