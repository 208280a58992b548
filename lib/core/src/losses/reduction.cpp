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

}  // namespace klgrad
