// klgrad/losses/reduction.hpp — how a loss turns per-element terms into its result.
//
//   none      : the per-element terms, shape of the input
//   sum       : their sum
//   mean      : their sum / number of elements
//   batchmean : their sum / input.size(0) (the divergences: the true divergence
//               per sample; a 0-d input is not divided)
#pragma once

#include <cstring>
#include <string>
#include <type_traits>

#include "klgrad/tape.hpp"
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

// A loss node's arguments: its reduction and its options, a small struct such
// as KlDiv{log_target}. The node keeps them in its OpArgs as plain bytes;
// pack_args and loss_args are the only code that touches a loss's OpArgs.
template <class Options>
struct LossArgs {
  Reduction reduction;
  Options options;
};

template <class Options>
OpArgs pack_args(const LossArgs<Options>& a) {
  static_assert(std::is_trivially_copyable<LossArgs<Options>>::value && sizeof(a) <= sizeof(OpArgs::i),
                "a loss's options must be a few plain numbers");
  OpArgs o;
  std::memcpy(o.i.data(), &a, sizeof(a));
  o.n = static_cast<int>((sizeof(a) + sizeof(o.i[0]) - 1) / sizeof(o.i[0]));
  return o;
}

template <class Options, class T>
LossArgs<Options> loss_args(const Ctx<T>& c) {
  LossArgs<Options> a;
  std::memcpy(&a, c.args().i.data(), sizeof(a));
  return a;
}

}  // namespace klgrad
