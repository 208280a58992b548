// Shared by tests/ops/test_*.cpp: an op case table and its check against the
// PyTorch fixtures of tests/golden/gen_ops.py (tests/golden/ops.txt).
//
// A case is a name ("unary/exp") and a function of the input tensors. For each
// dtype the check reads the case's inputs, runs the function, compares the
// output, then backpropagates the fixture's seed gradient and compares the
// gradient of every input.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "klgrad/klgrad.hpp"
#include "support/golden.hpp"

namespace parity {

template <class T>
using Fn = std::function<klgrad::Tensor<T>(std::vector<klgrad::Tensor<T>>&)>;

template <class T>
using Cases = std::vector<std::pair<std::string, Fn<T>>>;

template <class T>
void check_case(const std::string& name, const Fn<T>& f, const std::string& dtype, double rtol, double atol) {
  const golden::File& g = golden::file("ops.txt");
  const std::string k = name + "/" + dtype + "/";
  INFO(k);
  klgrad::Tape<T> tape;
  std::vector<klgrad::Tensor<T>> v;
  for (int i = 0; g.has(k + "in" + std::to_string(i)); ++i)
    v.push_back(tape.variable(g.get<T>(k + "in" + std::to_string(i))));
  REQUIRE_FALSE(v.empty());
  klgrad::Tensor<T> y = f(v);
  auto cmp = [&](const klgrad::Array<T>& got, const std::string& key) {
    const std::string diff = golden::compare(xt::cast<double>(got), g.get<double>(k + key), rtol, atol);
    CHECK_MESSAGE(diff.empty(), k << key << ": " << diff);
  };
  cmp(y.value(), "out");
  y.backward(g.get<T>(k + "seed"));
  for (std::size_t i = 0; i < v.size(); ++i) {
    // An input the op never sends a gradient to has PyTorch gradient 0.
    if (v[i].has_grad())
      cmp(v[i].grad(), "grad" + std::to_string(i));
    else
      cmp(xt::zeros<T>(v[i].shape()), "grad" + std::to_string(i));
  }
}

// Runs every case in float64 (rtol 1e-10) and float32 (rtol 1e-5), and checks
// that the fixture holds exactly the cases of the table under `group/`.
template <template <class> class Table>
void check_group(const std::string& group) {
  const Cases<double> c64 = Table<double>::get();
  const Cases<float> c32 = Table<float>::get();
  REQUIRE(c64.size() == c32.size());
  for (std::size_t n = 0; n < c64.size(); ++n) {
    check_case<double>(c64[n].first, c64[n].second, "float64", 1e-10, 1e-14);
    check_case<float>(c32[n].first, c32[n].second, "float32", 1e-5, 1e-6);
  }
  std::size_t in_fixture = 0;
  for (const std::string& key : golden::file("ops.txt").keys_with_prefix(group + "/"))
    if (key.size() > 13 && key.compare(key.size() - 13, 13, "/float64/seed") == 0) ++in_fixture;
  CHECK_MESSAGE(in_fixture == c64.size(), "ops.txt has " << in_fixture << " '" << group << "' cases, the C++ table "
                                                         << c64.size() << ": keep gen_ops.py and the tests in step");
}

// Deterministic test values in [lo, hi): a fixed LCG, the same on every platform.
inline klgrad::Array<double> sample(const klgrad::Shape& s, std::uint64_t seed, double lo = -2, double hi = 2) {
  klgrad::Array<double> a = klgrad::Array<double>::from_shape(s);
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (double& v : a) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    v = lo + (hi - lo) * static_cast<double>(state >> 11) / 9007199254740992.0;  // 2^53
  }
  return a;
}

// `a` with every value at least `margin` away from each kink (values closer are
// pushed out to kink +- margin): finite differences must not straddle a kink.
inline klgrad::Array<double> away_from(klgrad::Array<double> a, const std::vector<double>& kinks, double margin) {
  for (double& v : a)
    for (double k : kinks)
      if (std::abs(v - k) < margin) v = k + (v >= k ? margin : -margin);
  return a;
}

// A column vector (n, 1) of `values`. (A{{1.0}, {2.0}} is ambiguous for xarray.)
inline klgrad::Array<double> column(std::initializer_list<double> values) {
  klgrad::Array<double> a = klgrad::Array<double>::from_shape(klgrad::Shape{values.size(), 1});
  std::copy(values.begin(), values.end(), a.begin());
  return a;
}

// Runs gradcheck and reports its message on failure.
#define CHECK_GRADCHECK(...)                                \
  do {                                                      \
    const auto gc_result_ = klgrad::gradcheck(__VA_ARGS__); \
    CHECK_MESSAGE(gc_result_.ok, gc_result_.message);       \
  } while (0)

}  // namespace parity
