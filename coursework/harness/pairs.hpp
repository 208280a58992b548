// pairs.hpp — unit 6, kl_divergence pairs through klgrad's registry. Unlike
// the other units, here you write klgrad code: a function of two
// distributions returning a Tensor built from klgrad ops (ops.hpp), which the
// check registers with klgrad::register_kl, so that klgrad::kl_divergence
// (and, for Normal, Independent's KL on top of it) runs your code. Its
// gradient comes from the engine.
#pragma once

#include "course.hpp"
#include "klgrad/core.hpp"
#include "klgrad/distributions.hpp"
#include "klgrad/distributions/laplace.hpp"

namespace course {

using NormalPair = klgrad::Tensor<double> (*)(const klgrad::Normal<double>& p, const klgrad::Normal<double>& q);
using LaplacePair = klgrad::Tensor<double> (*)(const klgrad::Laplace<double>& p, const klgrad::Laplace<double>& q);

Exercise normal_pair_exercise(const Info& info, NormalPair student);    // 6.1 (pairs.cpp)
Exercise laplace_pair_exercise(const Info& info, LaplacePair student);  // 6.2

}  // namespace course
