// pairs.hpp — unit 6, a kl_divergence pair through klgrad's registry. Unlike
// the other units, here you write klgrad code: a function of two
// distributions returning a Tensor built from klgrad ops (ops.hpp), which the
// check registers with klgrad::register_kl, so that klgrad::kl_divergence,
// and Independent's KL on top of it, run your code. Its gradient comes from
// the engine.
#pragma once

#include "course.hpp"
#include "klgrad/core.hpp"
#include "klgrad/distributions.hpp"

namespace course {

using NormalPair = klgrad::Tensor<double> (*)(const klgrad::Normal<double>& p, const klgrad::Normal<double>& q);

Exercise normal_pair_exercise(const Info& info, NormalPair student);  // pairs.cpp

}  // namespace course
