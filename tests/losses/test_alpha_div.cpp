// alpha_div: what is specific to the alpha family. The registry harness
// (test_registry.cpp) already gradchecks "alpha" (alpha = 1/2) and checks the
// divergence invariants. Here: PyTorch-composed reference values for seven
// alphas, both KL limits, the closed form at 1/2, duality, fused == composite,
// gradchecks away from 1/2, zeros and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "klgrad/klgrad.hpp"
#include "klgrad/losses/alpha_div.hpp"
#include "support/checks.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

const double kAlphas[] = {-0.5, 0.0, 0.25, 0.5, 0.9, 1.0, 2.0};

// The fixture keys spell alpha as Python's repr does ("-0.5", "0.0", "2.0").
std::string alpha_key(double a) {
  std::ostringstream s;
  s << a;
  const std::string r = s.str();
  return r.find('.') == std::string::npos ? r + ".0" : r;
}

template <class T>
void check_reference(const std::string& tag, const std::string& red, double a, double rtol, double atol) {
  const auto& g = golden::file("extending.txt");
  const std::string k = "alpha/" + tag + "/" + red + "/" + alpha_key(a) + "/";
  golden::check_loss_case<T>(
      g, k, [&](const Tensor<T>& x, const Tensor<T>& t) { return alpha_div(x, t, a, red); }, rtol, atol);
}

double alpha_value(const Array<double>& log_q, const Array<double>& p, double a) {
  Tape<double> tape;
  return alpha_div(tape.constant(log_q), tape.constant(p), a, "batchmean").item();
}

}  // namespace

TEST_CASE("alpha_div matches the PyTorch-composed reference: seven alphas, every reduction, float64 and float32") {
  for (double a : kAlphas) {
    for (const char* red : {"none", "sum", "batchmean"}) {
      check_reference<double>("float64", red, a, 1e-9, 1e-13);
      check_reference<float>("float32", red, a, 2e-4, 1e-5);
    }
  }
}

TEST_CASE("alpha_div limits: alpha -> 1 is KL(P || Q) = kl_div(log Q, P), alpha -> 0 is KL(Q || P)") {
  Generator gen(31);
  const Array<double> q = golden::random_probs(gen, {4, 6}, 1.0), p = golden::random_probs(gen, {4, 6}, 1.0);
  const Array<double> log_q = xt::log(q), log_p = xt::log(p);
  Tape<double> tape;
  const double kl_pq = kl_div(tape.constant(log_q), tape.constant(p), "batchmean").item();
  const double kl_qp = kl_div(tape.constant(log_p), tape.constant(q), "batchmean").item();
  REQUIRE(std::abs(kl_pq - kl_qp) > 1e-3);  // the two limits are different numbers
  // Exactly at the ends, and approaching them from both sides: |D_a - KL| shrinks like |a - end|.
  CHECK(alpha_value(log_q, p, 1.0) == doctest::Approx(kl_pq).epsilon(1e-14));
  CHECK(alpha_value(log_q, p, 0.0) == doctest::Approx(kl_qp).epsilon(1e-14));
  for (double h : {1e-2, 1e-4, 1e-6, 1e-8}) {
    INFO("alpha = 1 -+ " << h << " and 0 +- " << h);
    for (double a : {1.0 - h, 1.0 + h}) CHECK(std::abs(alpha_value(log_q, p, a) - kl_pq) <= 10 * h * kl_pq);
    for (double a : {h, -h}) CHECK(std::abs(alpha_value(log_q, p, a) - kl_qp) <= 10 * h * kl_qp);
  }
  // The gradient w.r.t. the logits tends to kl_div's too (on the simplex the -p + q terms are constant).
  const Array<double> logits = gen.normal<double>({4, 6});
  auto z1 = tape.variable(logits), z2 = tape.variable(logits);
  kl_div(log_softmax(z1, 1), tape.constant(p), "batchmean").backward();
  alpha_div(log_softmax(z2, 1), tape.constant(p), 1.0 - 1e-7, "batchmean").backward();
  CHECK(xt::allclose(z1.grad(), z2.grad(), 1e-5, 1e-9));
}

TEST_CASE("alpha_div near alpha = 1 in float32 keeps its digits (the expm1 form, not the textbook quotient)") {
  Generator gen(32);
  const Array<double> q = golden::random_probs(gen, {4, 6}, 1.0), p = golden::random_probs(gen, {4, 6}, 1.0);
  const double want = alpha_value(xt::log(q), p, 1.0 - 1e-5);
  Tape<float> tape;
  const float got = alpha_div(tape.constant(Array<float>(xt::cast<float>(xt::log(q)))),
                              tape.constant(Array<float>(xt::cast<float>(p))), 1.0 - 1e-5, "batchmean")
                        .item();
  // The quotient (sum p^a q^(1-a) - 1) / (a (a - 1)) would lose ~1e-7 / 1e-5: a 1 % error.
  CHECK(got == doctest::Approx(want).epsilon(1e-5));
}

TEST_CASE("alpha_div at 1/2 is 4 (1 - sum sqrt(p q)) per row: symmetric, <= 4, 4 on disjoint supports") {
  Generator gen(33);
  const Array<double> q = golden::random_probs(gen, {5, 4}, 2.0), p = golden::random_probs(gen, {5, 4}, 2.0);
  Tape<double> tape;
  const double got = alpha_div(tape.constant(Array<double>(xt::log(q))), tape.constant(p), 0.5, "sum").item();
  const double closed = 4.0 * (5.0 - xt::sum(xt::sqrt(p * q))());
  CHECK(got == doctest::Approx(closed).epsilon(1e-13));
  CHECK(alpha_div(tape.constant(Array<double>(xt::log(p))), tape.constant(q), 0.5, "sum").item() ==
        doctest::Approx(got).epsilon(1e-13));
  const double inf = std::numeric_limits<double>::infinity();
  auto disjoint =
      alpha_div(tape.constant(Array<double>{{-inf, 0.0}}), tape.constant(Array<double>{{1.0, 0.0}}), 0.5, "sum");
  CHECK(disjoint.item() == doctest::Approx(4.0).epsilon(1e-15));
}

TEST_CASE("alpha_div duality: D_a(P || Q) = D_(1-a)(Q || P), and every 'none' term is >= 0") {
  Generator gen(34);
  const Array<double> q = golden::random_probs(gen, {3, 5}, 1.5), p = golden::random_probs(gen, {3, 5}, 1.5);
  for (double a : {-1.5, -0.5, 0.0, 0.3, 0.5, 0.8, 1.0, 1.7, 3.0}) {
    INFO("alpha " << a);
    CHECK(alpha_value(xt::log(q), p, a) == doctest::Approx(alpha_value(xt::log(p), q, 1.0 - a)).epsilon(1e-12));
    Tape<double> tape;
    for (double v : alpha_div(tape.constant(Array<double>(xt::log(q))), tape.constant(p), a, "none").value())
      CHECK(v >= 0.0);
  }
}

TEST_CASE("alpha_div gradcheck away from the registered 1/2: both branches and both exact limits") {
  Generator gen(35);
  const Array<double> log_q = xt::log(golden::random_probs(gen, {3, 4}, 1.0)),
                      p = golden::random_probs(gen, {3, 4}, 1.0);
  for (double a : {-1.0, 0.0, 1e-9, 0.3, 0.7, 1.0 - 1e-9, 1.0, 2.5}) {
    for (const char* red : {"none", "batchmean"}) {
      INFO("alpha " << a << " " << red);
      auto r = gradcheck([&](std::vector<Tensor<double>>& v) { return alpha_div(v[0], v[1], a, red); }, {log_q, p});
      CHECK_MESSAGE(r.ok, r.message);
    }
  }
}

TEST_CASE("alpha_div fused == composite from primitives: (e^(a log p + (1-a) x) - a p - (1-a) e^x) / (a (a-1))") {
  Generator gen(36);
  const Array<double> logits = gen.normal<double>({3, 4}), p0 = golden::random_probs(gen, {3, 4}, 1.0);
  const double a = 0.3;
  Tape<double> tape;
  auto z1 = tape.variable(logits), p1 = tape.variable(p0);
  auto fused = alpha_div(log_softmax(z1, 1), p1, a, "sum");
  fused.backward();
  auto z2 = tape.variable(logits), p2 = tape.variable(p0);
  auto x = log_softmax(z2, 1);
  auto composite = sum((exp(a * log(p2) + (1 - a) * x) - a * p2 - (1 - a) * exp(x)) / (a * (a - 1)));
  composite.backward();
  CHECK(fused.item() == doctest::Approx(composite.item()).epsilon(1e-12));
  CHECK(xt::allclose(z1.grad(), z2.grad(), 1e-9, 1e-12));
  CHECK(xt::allclose(p1.grad(), p2.grad(), 1e-9, 1e-12));
}

TEST_CASE("alpha_div with zeros in the target: p^a = 0 for a > 0, values as PyTorch, finite input gradient") {
  const auto& g = golden::file("extending.txt");
  for (double a : {0.25, 0.5, 2.0}) {
    INFO("alpha " << a);
    Tape<double> tape;
    auto x = tape.variable(g.get<double>("zeros/input"));
    auto y = alpha_div(x, tape.constant(g.get<double>("zeros/target")), a, "none");
    const std::string diff = golden::compare(y.value(), g.get<double>("zeros/alpha/" + alpha_key(a)), 1e-12, 1e-15);
    CHECK_MESSAGE(diff.empty(), diff);
    sum(y).backward();
    for (double v : x.grad()) CHECK(std::isfinite(v));
  }
  Tape<double> tape;  // a <= 0 puts p^a = inf in the numerator: the divergence is +inf
  auto y =
      alpha_div(tape.constant(g.get<double>("zeros/input")), tape.constant(g.get<double>("zeros/target")), -0.5, "sum");
  CHECK(y.item() == std::numeric_limits<double>::infinity());
}

TEST_CASE("alpha_div: errors name the op, the shapes or the value, and the fix") {
  Tape<double> tape;
  auto a = tape.constant(Array<double>::from_shape(Shape{2, 3}));
  auto b = tape.constant(Array<double>::from_shape(Shape{3, 2}));
  CHECK_THROWS_WITH_AS(alpha_div(a, b, 0.5),
                       doctest::Contains("alpha_div: input (2, 3) and target (3, 2) must have the same shape"), Error);
  CHECK_THROWS_WITH_AS(alpha_div(a, a, std::nan("")), doctest::Contains("alpha_div: alpha must be a finite number"),
                       Error);
  CHECK_THROWS_WITH_AS(alpha_div(a, a, 0.5, "mean"), doctest::Contains("use 'batchmean'"), Error);
}
