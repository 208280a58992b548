// js_div: what is specific to Jensen-Shannon. The registry harness
// (test_registry.cpp) already gradchecks it and checks D(P, P) = 0 and D >= 0.
// Here: PyTorch-composed reference values (tests/golden/gen_extending.py),
// closed forms, symmetry, the log 2 bound, fused == composite, zeros and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "klgrad/klgrad.hpp"
#include "klgrad/losses/js_div.hpp"
#include "support/checks.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

const double kLog2 = std::log(2.0);

template <class T>
void check_reference(const std::string& tag, const std::string& red, double rtol, double atol) {
  const auto& g = golden::file("extending.txt");
  const std::string k = "js/" + tag + "/" + red + "/";
  golden::check_loss_case<T>(
      g, k, [&](const Tensor<T>& x, const Tensor<T>& t) { return js_div(x, t, red); }, rtol, atol);
}

double entropy_row(const Array<double>& p, std::size_t r) {
  double h = 0;
  for (std::size_t k = 0; k < p.shape()[1]; ++k)
    if (p(r, k) > 0) h -= p(r, k) * std::log(p(r, k));
  return h;
}

}  // namespace

TEST_CASE("js_div matches the PyTorch-composed reference: every reduction, float64 and float32") {
  for (const char* red : {"none", "sum", "batchmean"}) {
    check_reference<double>("float64", red, 1e-10, 1e-14);
    check_reference<float>("float32", red, 1e-4, 1e-6);
  }
}

TEST_CASE("js_div closed forms: disjoint supports give log 2, P = (1, 0) vs Q = (1/2, 1/2) gives 3/4 log(4/3)") {
  Tape<double> tape;
  const double inf = std::numeric_limits<double>::infinity();
  auto disjoint = js_div(tape.constant(Array<double>{{-inf, 0.0}}), tape.constant(Array<double>{{1.0, 0.0}}), "sum");
  CHECK(disjoint.item() == doctest::Approx(kLog2).epsilon(1e-15));
  auto half = js_div(tape.constant(Array<double>{{std::log(0.5), std::log(0.5)}}),
                     tape.constant(Array<double>{{1.0, 0.0}}), "sum");
  CHECK(half.item() == doctest::Approx(0.75 * std::log(4.0 / 3.0)).epsilon(1e-14));
}

TEST_CASE("js_div = H(M) - (H(P) + H(Q)) / 2 per row, on random distributions") {
  Generator gen(21);
  const Array<double> p = golden::random_probs(gen, {6, 5}, 1.5), q = golden::random_probs(gen, {6, 5}, 1.5);
  const Array<double> m = (p + q) / 2.0;
  Tape<double> tape;
  const Array<double> terms = js_div(tape.constant(Array<double>(xt::log(q))), tape.constant(p), "none").value();
  for (std::size_t r = 0; r < 6; ++r) {
    double row = 0;
    for (std::size_t k = 0; k < 5; ++k) row += terms(r, k);
    CHECK(row == doctest::Approx(entropy_row(m, r) - 0.5 * (entropy_row(p, r) + entropy_row(q, r))).epsilon(1e-12));
  }
}

TEST_CASE("js_div is symmetric and bounded: JS(P, Q) = JS(Q, P), 0 <= JS <= log 2") {
  Generator gen(22);
  for (double spread : {0.5, 2.0, 8.0}) {
    const Array<double> p = golden::random_probs(gen, {8, 6}, spread), q = golden::random_probs(gen, {8, 6}, spread);
    Tape<double> tape;
    const double pq = js_div(tape.constant(Array<double>(xt::log(q))), tape.constant(p), "batchmean").item();
    const double qp = js_div(tape.constant(Array<double>(xt::log(p))), tape.constant(q), "batchmean").item();
    INFO("spread " << spread);
    CHECK(pq == doctest::Approx(qp).epsilon(1e-13));
    CHECK(pq >= 0.0);
    CHECK(pq <= kLog2);
  }
}

TEST_CASE("js_div fused == composite from kl_div: 1/2 kl_div(log M, P) + 1/2 kl_div(log M, Q), values and gradients") {
  Generator gen(23);
  const Array<double> logits = gen.normal<double>({3, 4}) * 1.5;
  const Array<double> p0 = golden::random_probs(gen, {3, 4}, 1.0);
  Tape<double> tape;
  auto z1 = tape.variable(logits), p1 = tape.variable(p0);
  auto fused = js_div(log_softmax(z1, 1), p1, "batchmean");
  fused.backward();
  auto z2 = tape.variable(logits), p2 = tape.variable(p0);
  auto q = softmax(z2, 1);
  auto log_m = log((p2 + q) * 0.5);
  auto composite = 0.5 * kl_div(log_m, p2, "batchmean") + 0.5 * kl_div(log_m, q, "batchmean");
  composite.backward();
  CHECK(fused.item() == doctest::Approx(composite.item()).epsilon(1e-13));
  CHECK(xt::allclose(z1.grad(), z2.grad(), 1e-10, 1e-13));
  CHECK(xt::allclose(p1.grad(), p2.grad(), 1e-10, 1e-13));
}

TEST_CASE("js_div with zeros in the target (one-hot data): finite values as PyTorch, finite input gradient") {
  const auto& g = golden::file("extending.txt");
  Tape<double> tape;
  auto x = tape.variable(g.get<double>("zeros/input"));
  auto p = tape.variable(g.get<double>("zeros/target"));
  auto y = js_div(x, p, "none");
  const std::string diff = golden::compare(y.value(), g.get<double>("zeros/js"), 1e-12, 1e-15);
  CHECK_MESSAGE(diff.empty(), diff);
  sum(y).backward();
  for (double v : x.grad()) CHECK(std::isfinite(v));
  CHECK(p.grad()(0, 0) == -std::numeric_limits<double>::infinity());  // the slope of p log p at 0
}

TEST_CASE("js_div of log_softmax at logits +-1e4 (float32): q underflows to 0, value and gradient stay finite") {
  Tape<float> tape;
  auto z = tape.variable(Array<float>{{1e4f, -1e4f, 0.0f}});
  auto y = js_div(log_softmax(z, 1), tape.constant(Array<float>{{0.2f, 0.3f, 0.5f}}), "batchmean");
  CHECK(std::isfinite(y.item()));
  CHECK(y.item() <= static_cast<float>(kLog2));
  y.backward();
  for (float v : z.grad()) CHECK(std::isfinite(v));
}

TEST_CASE("js_div: errors name the op, the shapes, and the fix") {
  Tape<double> tape;
  auto a = tape.constant(Array<double>::from_shape(Shape{2, 3}));
  auto b = tape.constant(Array<double>::from_shape(Shape{3, 2}));
  CHECK_THROWS_WITH_AS(js_div(a, b),
                       doctest::Contains("js_div: input (2, 3) and target (3, 2) must have the same shape"), Error);
  CHECK_THROWS_WITH_AS(js_div(a, a, "mean"), doctest::Contains("use 'batchmean'"), Error);
  CHECK_THROWS_WITH_AS(js_div(a, a, "average"), doctest::Contains("js_div: 'average' is not a valid reduction"), Error);
}
