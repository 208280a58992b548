// klgrad/losses/reduction.hpp — how a loss turns per-element terms into its result.
//
//   none      : the per-element terms, shape of the input
//   sum       : their sum
//   mean      : their sum / number of elements
//   batchmean : their sum / input.size(0) (the divergences: the true divergence
//               per sample; a 0-d input is not divided)
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

// Which reductions a loss takes; check_reduction is the one check every loss makes.
//   per_element (mse, bce, nll, cross_entropy): none, sum, mean; batchmean is an Error.
//   divergence  (js_div, alpha_div): none, sum, batchmean; mean (divide by
//               batch x support) is an Error: it is not the divergence.
//   kl_div      : all four; mean, PyTorch's default, only warns.
enum class ReductionRule { per_element, divergence, kl_div };
void check_reduction(Reduction r, const char* op, ReductionRule rule);

// A loss node's named arguments (its Args): the reduction and the loss's own
// options, a small struct of plain numbers such as KlDiv{log_target}.
template <class Options>
struct LossArgs {
  Reduction reduction;
  Options options;
};

}  // namespace klgrad
