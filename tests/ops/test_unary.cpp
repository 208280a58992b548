// Elementwise unary ops: finite-difference gradchecks (away from kinks),
// PyTorch 1.13 parity (tests/golden/gen_ops.py, including the kinks), the
// conventions at kinks and poles, and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "klgrad/klgrad.hpp"
#include "ops/parity.hpp"
#include "support/golden.hpp"

using namespace klgrad;
using parity::away_from;
using parity::sample;
using V = std::vector<Tensor<double>>;
using A = Array<double>;

namespace {

template <class T>
struct UnaryCases {
  static parity::Cases<T> get() {
    using W = std::vector<Tensor<T>>;
    return {
        {"unary/neg", [](W& v) { return -v[0]; }},
        {"unary/exp", [](W& v) { return exp(v[0]); }},
        {"unary/log", [](W& v) { return log(v[0]); }},
        {"unary/sqrt", [](W& v) { return sqrt(v[0]); }},
        {"unary/abs", [](W& v) { return abs(v[0]); }},
        {"unary/pow_2", [](W& v) { return pow(v[0], T(2)); }},
        {"unary/pow_3", [](W& v) { return pow(v[0], T(3)); }},
        {"unary/pow_0", [](W& v) { return pow(v[0], T(0)); }},
        {"unary/pow_1", [](W& v) { return pow(v[0], T(1)); }},
        {"unary/pow_0.5", [](W& v) { return pow(v[0], T(0.5)); }},
        {"unary/pow_-1.5", [](W& v) { return pow(v[0], T(-1.5)); }},
        {"unary/pow_2.5_neg", [](W& v) { return pow(v[0], T(2.5)); }},
        {"unary/clamp", [](W& v) { return clamp(v[0], T(-0.5), T(0.75)); }},
        {"unary/clamp_lo_gt_hi", [](W& v) { return clamp(v[0], T(1), T(-1)); }},
        {"unary/relu", [](W& v) { return relu(v[0]); }},
        {"unary/sigmoid", [](W& v) { return sigmoid(v[0]); }},
        {"unary/tanh", [](W& v) { return tanh(v[0]); }},
        {"unary/softplus", [](W& v) { return softplus(v[0]); }},
        {"unary/softplus_beta2_th5", [](W& v) { return softplus(v[0], T(2), T(5)); }},
    };
  }
};

const A mixed = sample({3, 4}, 1);                            // in [-2, 2)
const A positive = sample({3, 4}, 2, 0.3, 2.0);               // log, sqrt, fractional powers
const A off_zero = away_from(sample({3, 4}, 3), {0.0}, 0.1);  // abs, relu

}  // namespace

TEST_CASE("unary ops match PyTorch 1.13 in float64 and float32, kinks included") {
  parity::check_group<UnaryCases>("unary");
}

TEST_CASE("gradcheck: neg, exp, log, sqrt, sigmoid, tanh") {
  CHECK_GRADCHECK([](V& v) { return -v[0]; }, {mixed});
  CHECK_GRADCHECK([](V& v) { return exp(v[0]); }, {mixed});
  CHECK_GRADCHECK([](V& v) { return log(v[0]); }, {positive});
  CHECK_GRADCHECK([](V& v) { return sqrt(v[0]); }, {positive});
  CHECK_GRADCHECK([](V& v) { return sigmoid(v[0]); }, {A(mixed * 3.0)});
  CHECK_GRADCHECK([](V& v) { return tanh(v[0]); }, {mixed});
}

TEST_CASE("gradcheck: abs and relu away from 0") {
  CHECK_GRADCHECK([](V& v) { return abs(v[0]); }, {off_zero});
  CHECK_GRADCHECK([](V& v) { return relu(v[0]); }, {off_zero});
}

TEST_CASE("gradcheck: pow for integer, fractional, negative and zero exponents") {
  for (double p : {2.0, 3.0, 1.0, 0.0, -1.0}) {
    INFO("p = " << p);
    CHECK_GRADCHECK([p](V& v) { return pow(v[0], p); }, {away_from(mixed, {0.0}, 0.2)});
  }
  for (double p : {0.5, -1.5, 2.5}) {
    INFO("p = " << p);
    CHECK_GRADCHECK([p](V& v) { return pow(v[0], p); }, {positive});
  }
}

TEST_CASE("gradcheck: clamp away from its bounds") {
  CHECK_GRADCHECK([](V& v) { return clamp(v[0], -0.5, 0.75); }, {away_from(mixed, {-0.5, 0.75}, 0.05)});
  CHECK_GRADCHECK([](V& v) { return clamp(v[0], -std::numeric_limits<double>::infinity(), 0.0); },
                  {away_from(mixed, {0.0}, 0.05)});
}

TEST_CASE("gradcheck: softplus on both sides of its threshold") {
  // beta x ranges over [-50, 50): both the log1p branch and the identity branch
  CHECK_GRADCHECK([](V& v) { return softplus(v[0]); }, {away_from(A(mixed * 25.0), {20.0}, 0.1)});
  CHECK_GRADCHECK([](V& v) { return softplus(v[0], 2.0, 5.0); }, {away_from(mixed, {2.5}, 0.05)});
  CHECK_GRADCHECK([](V& v) { return softplus(v[0], -1.5, 20.0); }, {mixed});
}

TEST_CASE("PyTorch's conventions at kinks: abs'(0) = relu'(0) = 0, clamp passes g at both bounds") {
  Tape<double> tape;
  auto x = tape.variable(A{-0.5, 0.0, 0.75, 1.0});
  auto y = abs(x) + relu(x) + clamp(x, -0.5, 0.75);
  y.backward(A{1.0, 1.0, 1.0, 1.0});
  // abs': -1, 0, 1, 1   relu': 0, 0, 1, 1   clamp': 1, 1, 1, 0
  CHECK(x.grad() == A{0.0, 1.0, 3.0, 2.0});
}

TEST_CASE("pow at 0: p < 1 gives an infinite gradient, p = 0 a zero one, as PyTorch") {
  Tape<double> tape;
  auto x = tape.variable(A{0.0});
  pow(x, 0.5).backward(A{1.0});
  CHECK(std::isinf(x.grad()(0)));
  tape.clear();
  x = tape.variable(A{0.0, -2.0});
  auto y = pow(x, 0.0);
  CHECK(y.value() == A{1.0, 1.0});
  y.backward(A{1.0, 1.0});
  CHECK(x.grad() == A{0.0, 0.0});
}

TEST_CASE("log(0) is -inf with no hidden epsilon, softplus is the identity past the threshold") {
  Tape<double> tape;
  CHECK(log(tape.constant(A{0.0})).value()(0) == -std::numeric_limits<double>::infinity());
  auto x = tape.variable(A{30.0, 1000.0});
  auto y = softplus(x);
  CHECK(y.value() == A{30.0, 1000.0});
  y.backward(A{1.0, 1.0});
  CHECK(x.grad() == A{1.0, 1.0});
}

TEST_CASE("sigmoid and tanh saturate without NaN in float32") {
  Tape<float> tape;
  auto x = tape.variable(Array<float>{-200.0f, 200.0f});
  auto y = sigmoid(x) + tanh(x);
  CHECK(y.value() == Array<float>{-1.0f, 2.0f});
  y.backward(Array<float>{1.0f, 1.0f});
  CHECK(x.grad() == Array<float>{0.0f, 0.0f});
}

TEST_CASE("unary ops: argument errors name the op, the value and the fix") {
  Tape<double> tape;
  auto x = tape.variable(A{1.0, 2.0});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH_AS(clamp(x, nan, 1.0), doctest::Contains("clamp: bounds (nan, 1) must not be NaN"), Error);
  CHECK_THROWS_WITH_AS(clamp(x, 0.0, nan), doctest::Contains("use -inf or inf"), Error);
  CHECK_THROWS_WITH_AS(softplus(x, 0.0), doctest::Contains("softplus: beta 0"), Error);
  CHECK_THROWS_WITH_AS(pow(x, nan), doctest::Contains("pow: the exponent is NaN"), Error);
  CHECK(tape.size() == 1);  // failed calls left no node behind
}
