// Reductions: gradchecks with and without keepdim and with negative dims,
// PyTorch 1.13 parity (ties included), tie rules of max, buffer reuse across
// steps, and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <xtensor/xmath.hpp>

#include "klgrad/klgrad.hpp"
#include "ops/parity.hpp"
#include "support/golden.hpp"

using namespace klgrad;
using parity::sample;
using V = std::vector<Tensor<double>>;
using A = Array<double>;

namespace {

template <class T>
struct ReduceCases {
  static parity::Cases<T> get() {
    using W = std::vector<Tensor<T>>;
    return {
        {"reduce/sum_all", [](W& v) { return sum(v[0]); }},
        {"reduce/sum_d1", [](W& v) { return sum(v[0], {1}); }},
        {"reduce/sum_d0", [](W& v) { return sum(v[0], {0}); }},
        {"reduce/sum_d02_keep",
         [](W& v) {
           return sum(v[0], {0, 2}, true);
         }},
        {"reduce/sum_dneg1", [](W& v) { return sum(v[0], {-1}); }},
        {"reduce/sum_dneg3_neg1",
         [](W& v) {
           return sum(v[0], {-3, -1});
         }},
        {"reduce/sum_nodims_keep", [](W& v) { return sum(v[0], {}, true); }},
        {"reduce/mean_all", [](W& v) { return mean(v[0]); }},
        {"reduce/mean_d1_keep", [](W& v) { return mean(v[0], {1}, true); }},
        {"reduce/mean_d01",
         [](W& v) {
           return mean(v[0], {0, 1});
         }},
        {"reduce/mean_dneg1", [](W& v) { return mean(v[0], {-1}); }},
        {"reduce/max_all", [](W& v) { return max(v[0]); }},
        {"reduce/max_all_ties", [](W& v) { return max(v[0]); }},
        {"reduce/max_d1_ties", [](W& v) { return max(v[0], 1); }},
        {"reduce/max_d0_keep_ties", [](W& v) { return max(v[0], 0, true); }},
        {"reduce/max_dneg1", [](W& v) { return max(v[0], -1); }},
        {"reduce/max_d1", [](W& v) { return max(v[0], 1); }},
        {"reduce/logsumexp_d0", [](W& v) { return logsumexp(v[0], 0); }},
        {"reduce/logsumexp_d1_keep", [](W& v) { return logsumexp(v[0], 1, true); }},
        {"reduce/logsumexp_dneg1", [](W& v) { return logsumexp(v[0], -1); }},
    };
  }
};

const A x3 = sample({2, 3, 4}, 11);  // continuous values: no ties for max

}  // namespace

TEST_CASE("reductions match PyTorch 1.13 in float64 and float32, ties of max included") {
  parity::check_group<ReduceCases>("reduce");
}

TEST_CASE("gradcheck: sum and mean over everything, over dims, keepdim, negative dims") {
  for (bool keep : {false, true}) {
    for (const std::vector<int>& dims :
         std::vector<std::vector<int>>{{}, {0}, {1}, {2}, {-1}, {0, 2}, {-3, -2}, {2, 0, 1}}) {
      INFO("dims of size " << dims.size() << ", keepdim " << keep);
      CHECK_GRADCHECK([&](V& v) { return sum(v[0], dims, keep); }, {x3});
      CHECK_GRADCHECK([&](V& v) { return mean(v[0], dims, keep); }, {x3});
    }
  }
  CHECK_GRADCHECK([](V& v) { return sum(v[0]); }, {x3});
  CHECK_GRADCHECK([](V& v) { return mean(v[0]); }, {x3});
}

TEST_CASE("gradcheck: max over everything and along each dim, logsumexp along each dim") {
  CHECK_GRADCHECK([](V& v) { return max(v[0]); }, {x3});
  for (bool keep : {false, true}) {
    for (int d : {0, 1, 2, -1, -3}) {
      INFO("dim " << d << ", keepdim " << keep);
      CHECK_GRADCHECK([&](V& v) { return max(v[0], d, keep); }, {x3});
      CHECK_GRADCHECK([&](V& v) { return logsumexp(v[0], d, keep); }, {x3});
    }
  }
}

TEST_CASE("0-d and 1-d inputs: every reduction is defined, shapes follow PyTorch") {
  Tape<double> tape;
  auto s = tape.variable(A(3.0));
  CHECK(sum(s, {0}).shape() == Shape{});
  CHECK(sum(s, {-1}, true).shape() == Shape{});
  CHECK(max(s, 0).item() == 3.0);
  CHECK(logsumexp(s, 0).item() == 3.0);
  auto r = tape.variable(A{1.0, 2.0, 3.0});
  CHECK(sum(r, {0}, true).shape() == Shape{1});
  CHECK(mean(r).item() == 2.0);
  CHECK_GRADCHECK([](V& v) { return sum(v[0], {0}); }, {A(3.0)});
  CHECK_GRADCHECK([](V& v) { return logsumexp(v[0], 0, true); }, {A{0.5, -1.0, 2.0}});
}

TEST_CASE("max(): the gradient is split evenly among tied maxima") {
  Tape<double> tape;
  auto x = tape.variable(A{{1.0, 3.0, 3.0}, {2.0, 3.0, 0.0}});
  auto y = max(x);
  CHECK(y.item() == 3.0);
  y.backward(A(1.5));
  CHECK(x.grad() == A{{0.0, 0.5, 0.5}, {0.0, 0.5, 0.0}});
}

TEST_CASE("max(dim): the gradient goes to the first maximum of each slice") {
  Tape<double> tape;
  auto x = tape.variable(A{{1.0, 3.0, 3.0}, {2.0, 2.0, 1.0}});
  auto y = max(x, 1, true);
  CHECK(y.value() == parity::column({3.0, 2.0}));
  y.backward(parity::column({1.0, 1.0}));
  CHECK(x.grad() == A{{0.0, 1.0, 0.0}, {1.0, 0.0, 0.0}});
}

TEST_CASE("a NaN wins max, as in PyTorch") {
  Tape<double> tape;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto x = tape.variable(A{{1.0, nan, 5.0}});
  CHECK(std::isnan(max(x).item()));
  CHECK(std::isnan(max(x, 1).item()));
}

TEST_CASE("logsumexp is stable for large logits and -inf") {
  Tape<double> tape;
  const double inf = std::numeric_limits<double>::infinity();
  auto x = tape.variable(A{{1000.0, 1000.0}, {-inf, 0.0}, {-inf, -inf}});
  auto y = logsumexp(x, 1);
  CHECK(y.value()(0) == doctest::Approx(1000.0 + std::log(2.0)));
  CHECK(y.value()(1) == 0.0);
  CHECK(y.value()(2) == -inf);
}

TEST_CASE("reductions reuse their buffers across steps without stale values") {
  Tape<double> tape;
  A a = sample({2, 3}, 5), b = sample({4, 3}, 6);
  for (int step = 0; step < 2; ++step) {
    tape.clear();
    const A& x = step == 0 ? a : b;
    auto t = tape.variable(x);
    auto y = sum(t, {0}) + sum(max(t, 1)) + sum(mean(t, {1})) + logsumexp(t, 0);
    const A col_sums = xt::sum(x, {0});
    const double row_max_sum = A(xt::sum(xt::amax(x, {1})))();
    const double row_mean_sum = A(xt::sum(xt::mean(x, {1})))();
    const A col_lse = xt::log(xt::sum(xt::exp(x), {0}));
    const A want = col_sums + (row_max_sum + row_mean_sum) + col_lse;
    const std::string diff = golden::compare(y.value(), want, 1e-12, 1e-12);
    CHECK_MESSAGE(diff.empty(), diff);
  }
}

TEST_CASE("reductions: errors name the op, the dims and the shape") {
  Tape<double> tape;
  auto x = tape.variable(A::from_shape(Shape{2, 3}));
  CHECK_THROWS_WITH_AS(sum(x, {2}), doctest::Contains("sum: dim 2 is out of range for a tensor of rank 2"), Error);
  CHECK_THROWS_WITH_AS(
      mean(x, {1, -1}),
      "mean: dim 1 appears more than once in dims {1, -1} for a tensor of shape (2, 3); list each dim once", Error);
  CHECK_THROWS_WITH_AS(max(x, -3), doctest::Contains("max: dim -3 is out of range"), Error);
  CHECK_THROWS_WITH_AS(logsumexp(x, 5), doctest::Contains("logsumexp: dim 5"), Error);
  auto empty = tape.variable(A::from_shape(Shape{0, 3}));
  CHECK_THROWS_WITH_AS(max(empty), doctest::Contains("max: the tensor of shape (0, 3) has no elements"), Error);
  CHECK_THROWS_WITH_AS(max(empty, 0), doctest::Contains("dim 0 of the tensor of shape (0, 3) has size 0"), Error);
  CHECK(max(empty, 1).shape() == Shape{0});
  CHECK(std::isnan(mean(empty).item()));  // 0 / 0, as PyTorch
}
