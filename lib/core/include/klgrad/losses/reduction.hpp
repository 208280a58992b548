// klgrad/losses/reduction.hpp — how a loss turns per-element terms into its result.
//
//   none      : the per-element terms, shape of the input
//   sum       : their sum
//   mean      : their sum / number of elements
//   batchmean : their sum / input.size(0) (kl_div only: the true KL per sample;
//               a 0-d input is not divided)
#pragma once

#include <string>

#include "klgrad/xt.hpp"

namespace klgrad {

enum class Reduction { none, sum, mean, batchmean };

// "batchmean" -> Reduction::batchmean. An unknown name is an Error naming `op`
// and listing the valid names; batchmean is accepted only when allow_batchmean.
Reduction parse_reduction(const std::string& name, const char* op, bool allow_batchmean = false);
const char* to_string(Reduction r);

// The factor that scales the summed terms: 1 (none, sum), 1/numel (mean),
// 1/shape[0] (batchmean).
double reduction_factor(Reduction r, const Shape& input_shape);

}  // namespace klgrad
