// A tensor seen along one dim: (outer, len, inner). Element (o, k, i) sits at
// o*len*inner + k*inner + i, so each (o, i) is one slice of `len` values with
// stride `inner` (inner = 1: a contiguous row). Shared by the ops that work
// along a dim (softmax family, max, logsumexp). Internal to lib/core/src/ops.
#pragma once

#include <cstddef>

#include "klgrad/xt.hpp"

namespace klgrad {
namespace detail {

struct Slices {
  std::size_t outer = 1, len = 1, inner = 1;
};

inline Slices slices(const Shape& s, std::size_t d) {
  Slices v;
  if (s.empty()) return v;  // a 0-d tensor is one slice of length 1
  for (std::size_t k = 0; k < d; ++k) v.outer *= s[k];
  v.len = s[d];
  for (std::size_t k = d + 1; k < s.size(); ++k) v.inner *= s[k];
  return v;
}

}  // namespace detail
}  // namespace klgrad
