// Exercise 6.1, KL(Normal || Normal) through the registry: its one
// registration. The check registers your pair with klgrad::register_kl and
// compares klgrad::kl_divergence with PyTorch (harness/pairs.cpp).
#include "pairs.hpp"

namespace student {
klgrad::Tensor<double> kl_normal_normal(const klgrad::Normal<double>& p, const klgrad::Normal<double>& q);
}

KLGRAD_EXERCISE(course::normal_pair_exercise({"6.1", "KL(Normal || Normal)", 15, "coursework/student/ex6_1_normal_kl.cpp",
                                              "coursework/exercises/6.1-normal-kl"},
                                             &student::kl_normal_normal));
