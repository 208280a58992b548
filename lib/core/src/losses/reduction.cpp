#include "klgrad/losses/reduction.hpp"

#include "klgrad/error.hpp"

namespace klgrad {

Reduction parse_reduction(const std::string& name, const char* op, bool allow_batchmean) {
  if (name == "none") return Reduction::none;
  if (name == "sum") return Reduction::sum;
  if (name == "mean") return Reduction::mean;
  if (name == "batchmean" && allow_batchmean) return Reduction::batchmean;
  throw Error(std::string(op) + ": '" + name + "' is not a valid reduction; use one of none, sum, mean" +
              (allow_batchmean ? ", batchmean" : ""));
}

const char* to_string(Reduction r) {
  switch (r) {
    case Reduction::none: return "none";
    case Reduction::sum: return "sum";
    case Reduction::mean: return "mean";
    case Reduction::batchmean: return "batchmean";
  }
  return "?";
}

double reduction_factor(Reduction r, const Shape& s) {
  switch (r) {
    case Reduction::mean: return 1.0 / static_cast<double>(numel(s));
    case Reduction::batchmean: return s.empty() ? 1.0 : 1.0 / static_cast<double>(s[0]);
    default: return 1.0;
  }
}

void check_reduction(Reduction r, const char* op, ReductionRule rule) {
  const std::string o = op;
  KLGRAD_CHECK(r != Reduction::batchmean || rule != ReductionRule::per_element,
               o + ": reduction 'batchmean' is only for kl_div and the divergences; use none, sum or mean");
  if (r != Reduction::mean || rule == ReductionRule::per_element) return;
  const std::string why = o + ": reduction 'mean' divides the summed loss by every element (batch x support), "
                              "which is not the divergence; use 'batchmean' (sum / batch size) for the divergence "
                              "per sample";
  KLGRAD_CHECK(rule == ReductionRule::kl_div, why + ", or 'sum'");
  warn(why);
}

}  // namespace klgrad
