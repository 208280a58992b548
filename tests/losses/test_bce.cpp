// binary_cross_entropy and binary_cross_entropy_with_logits against PyTorch 1.13
// (fixtures from tests/golden/gen_losses.py), their gradients against finite
// differences, and their errors.
#include <doctest/doctest.h>

#include <cmath>

#include "klgrad/klgrad.hpp"
#include "klgrad/losses/bce.hpp"
#include "support/checks.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

// Fixture key prefix "<loss>/<dtype>/<reduction>/": input, target, seed, out, grad_input, grad_target.
template <class T>
void check_case(const std::string& loss, const std::string& tag, const std::string& red, double rtol, double atol) {
  const auto& g = golden::file("losses.txt");
  const std::string k = loss + "/" + tag + "/" + red + "/";
  golden::check_loss_case<T>(
      g, k,
      [&](const Tensor<T>& x, const Tensor<T>& t) {
        return loss == "bce" ? binary_cross_entropy(x, t, red) : binary_cross_entropy_with_logits(x, t, red);
      },
      rtol, atol);
}

}  // namespace

TEST_CASE("binary_cross_entropy matches PyTorch, with x = 0 and 1 exactly (the -100 log clamp)") {
  for (const char* red : {"none", "sum", "mean"}) {
    check_case<double>("bce", "float64", red, 1e-10, 1e-14);
    check_case<float>("bce", "float32", red, 1e-5, 1e-6);
  }
}

TEST_CASE("binary_cross_entropy_with_logits matches PyTorch, with logits at +-100 and +-1e4") {
  for (const char* red : {"none", "sum", "mean"}) {
    check_case<double>("bce_logits", "float64", red, 1e-10, 1e-14);
    check_case<float>("bce_logits", "float32", red, 1e-5, 1e-6);
  }
}

TEST_CASE("binary_cross_entropy at the edges: finite loss, huge input gradient, infinite target gradient") {
  Tape<double> tape;
  auto x = tape.variable(Array<double>{0.0, 1.0});
  auto t = tape.variable(Array<double>{1.0, 0.0});
  auto y = binary_cross_entropy(x, t, "none");
  y.backward(Array<double>{1.0, 1.0});
  CHECK(y.value()(0) == 100.0);  // -max(log 0, -100): PyTorch's documented clamp
  CHECK(y.value()(1) == 100.0);
  CHECK(std::isfinite(x.grad()(0)));
  CHECK(x.grad()(0) < -1e11);  // (x - t) / 1e-12
  CHECK(x.grad()(1) > 1e11);
  CHECK(t.grad()(0) == INFINITY);  // -logit(0)
  CHECK(t.grad()(1) == -INFINITY);
}

TEST_CASE("binary_cross_entropy gradcheck: input and target, every reduction") {
  const Array<double> x{{0.1, 0.5, 0.93}, {0.3, 0.77, 0.05}};
  const Array<double> t{{0.0, 0.25, 1.0}, {0.6, 0.1, 0.9}};
  for (const char* red : {"none", "sum", "mean"}) {
    INFO(red);
    auto r = gradcheck([&](std::vector<Tensor<double>>& v) { return binary_cross_entropy(v[0], v[1], red); }, {x, t});
    CHECK_MESSAGE(r.ok, r.message);
  }
}

TEST_CASE("binary_cross_entropy_with_logits gradcheck: logits and target, every reduction") {
  // 19 elements: the SIMD body (8 doubles per AVX-512 batch) and the scalar tail.
  Array<double> z = xt::linspace<double>(-6.0, 5.0, 19);
  Array<double> t = xt::linspace<double>(0.0, 1.0, 19);
  for (const char* red : {"none", "sum", "mean"}) {
    INFO(red);
    auto r = gradcheck(
        [&](std::vector<Tensor<double>>& v) { return binary_cross_entropy_with_logits(v[0], v[1], red); }, {z, t});
    CHECK_MESSAGE(r.ok, r.message);
  }
}

TEST_CASE("binary_cross_entropy_with_logits equals binary_cross_entropy of sigmoid where sigmoid is not saturated") {
  const Array<double> z{{-3.0, -0.5, 0.0}, {0.7, 2.0, 4.5}};
  const Array<double> t{{0.0, 0.2, 0.5}, {1.0, 0.9, 0.3}};
  Tape<double> tape;
  auto zv = tape.variable(z);
  auto tv = tape.constant(t);
  const Array<double> p = 1.0 / (1.0 + xt::exp(-z));
  const double a = binary_cross_entropy_with_logits(zv, tv, "sum").item();
  const double b = binary_cross_entropy(tape.constant(p), tv, "sum").item();
  CHECK(a == doctest::Approx(b).epsilon(1e-12));
}

TEST_CASE("binary_cross_entropy_with_logits: float32 sum over 128 x 784 agrees with float64") {
  Array<double> z = Array<double>::from_shape(Shape{128, 784}), t = Array<double>::from_shape(Shape{128, 784});
  for (std::size_t i = 0; i < z.size(); ++i) {
    z.flat(i) = static_cast<float>(8.0 * std::sin(0.37 * static_cast<double>(i)));
    t.flat(i) = static_cast<float>(0.5 + 0.5 * std::cos(0.11 * static_cast<double>(i)));
  }
  Tape<double> t64;
  Tape<float> t32;
  const double ref = binary_cross_entropy_with_logits(t64.constant(z), t64.constant(t), "sum").item();
  const Array<float> zf = xt::cast<float>(z), tf = xt::cast<float>(t);
  const double got = binary_cross_entropy_with_logits(t32.constant(zf), t32.constant(tf), "sum").item();
  CHECK(got == doctest::Approx(ref).epsilon(1e-6));
}

TEST_CASE("BCELoss and BCEWithLogitsLoss are the functions with their reduction") {
  Tape<double> tape;
  auto x = tape.constant(Array<double>{{0.2, 0.9}});
  auto t = tape.constant(Array<double>{{0.0, 1.0}});
  CHECK(BCELoss("sum")(x, t).item() == binary_cross_entropy(x, t, "sum").item());
  CHECK(BCELoss()(x, t).item() == binary_cross_entropy(x, t).item());
  CHECK(BCEWithLogitsLoss(Reduction::sum)(x, t).item() == binary_cross_entropy_with_logits(x, t, "sum").item());
  CHECK(BCEWithLogitsLoss()(x, t).item() == binary_cross_entropy_with_logits(x, t, "mean").item());
}

TEST_CASE("binary_cross_entropy: errors name the op, the shapes or the value, and the fix") {
  Tape<double> tape;
  auto x = tape.constant(Array<double>{{0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}});
  auto t = tape.constant(Array<double>{0.5, 0.5, 0.5});
  const std::size_t recorded = tape.size();
  CHECK_THROWS_WITH_AS(binary_cross_entropy(x, t),
                       "binary_cross_entropy: input (2, 3) and target (3,) must have the same shape", Error);
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(x, t),
                       "binary_cross_entropy_with_logits: logits (2, 3) and target (3,) must have the same shape",
                       Error);
  auto logits = tape.constant(Array<double>{0.5, 1.5, -2.0});
  CHECK_THROWS_WITH_AS(binary_cross_entropy(logits, t), doctest::Contains("input element 1 is 1.5, outside [0, 1]"),
                       Error);
  CHECK_THROWS_WITH_AS(binary_cross_entropy(logits, t), doctest::Contains("binary_cross_entropy_with_logits"), Error);
  auto nan = tape.constant(Array<double>{0.5, NAN, 0.5});
  CHECK_THROWS_WITH_AS(binary_cross_entropy(nan, t), doctest::Contains("input element 1 is nan"), Error);
  CHECK_THROWS_WITH_AS(binary_cross_entropy(t, t, "batchmean"),
                       doctest::Contains("'batchmean' is not a valid reduction"), Error);
  CHECK_THROWS_WITH_AS(binary_cross_entropy(t, t, Reduction::batchmean), doctest::Contains("only for kl_div"), Error);
  CHECK_THROWS_WITH_AS(BCELoss("avg"), doctest::Contains("BCELoss: 'avg' is not a valid reduction"), Error);
  CHECK(tape.size() == recorded + 2);  // the two constants above: no failed call recorded a node
}
