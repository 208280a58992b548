// Checks shared by the test files: comparisons against PyTorch fixtures and
// random test inputs.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "klgrad/random.hpp"
#include "klgrad/tape.hpp"
#include "support/golden.hpp"

namespace golden {

// CHECK that `got` equals record `key` of `f` within rtol/atol (NaN == NaN).
template <class T>
void check_close(const klgrad::Array<T>& got, const File& f, const std::string& key, double rtol, double atol) {
  const std::string diff = compare(xt::cast<double>(got), f.get<double>(key), rtol, atol);
  CHECK_MESSAGE(diff.empty(), key << ": " << diff);
}

// A loss of (input, target) against PyTorch: reads <prefix>{input,target,seed},
// runs loss(input, target), backpropagates the seed and checks
// <prefix>{out,grad_input,grad_target}.
template <class T, class Loss>
void check_loss_case(const File& f, const std::string& prefix, Loss loss, double rtol, double atol) {
  klgrad::Tape<T> tape;
  auto x = tape.variable(f.get<T>(prefix + "input"));
  auto t = tape.variable(f.get<T>(prefix + "target"));
  auto y = loss(x, t);
  y.backward(f.get<T>(prefix + "seed"));
  check_close(y.value(), f, prefix + "out", rtol, atol);
  check_close(x.grad(), f, prefix + "grad_input", rtol, atol);
  check_close(t.grad(), f, prefix + "grad_target", rtol, atol);
}

// Class indices stored as doubles in a fixture, as the int64 targets nll_loss takes.
inline std::vector<std::int64_t> class_indices(const klgrad::Array<double>& a) {
  std::vector<std::int64_t> v;
  for (double x : a) v.push_back(static_cast<std::int64_t>(x));
  return v;
}

// Rows of probabilities (shape (N, K)): softmax of N(0, spread^2) logits.
inline klgrad::Array<double> random_probs(klgrad::Generator& gen, const klgrad::Shape& s, double spread) {
  klgrad::Array<double> z = xt::exp(gen.normal<double>(s) * spread);
  for (std::size_t r = 0; r < s[0]; ++r) {
    double total = 0;
    for (std::size_t k = 0; k < s[1]; ++k) total += z(r, k);
    for (std::size_t k = 0; k < s[1]; ++k) z(r, k) /= total;
  }
  return z;
}

}  // namespace golden
