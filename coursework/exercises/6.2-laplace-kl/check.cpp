// Exercise 6.2, KL(Laplace || Laplace) through the registry: its one
// registration. The check registers your pair with klgrad::register_kl and
// compares klgrad::kl_divergence with PyTorch (harness/pairs.cpp).
#include "pairs.hpp"

namespace student {
klgrad::Tensor<double> kl_laplace_laplace(const klgrad::Laplace<double>& p, const klgrad::Laplace<double>& q);
}

KLGRAD_EXERCISE(course::laplace_pair_exercise({"6.2", "KL(Laplace || Laplace)", 10, "coursework/student/ex6_2_laplace_kl.cpp",
                                               "coursework/exercises/6.2-laplace-kl"},
                                              &student::kl_laplace_laplace));
