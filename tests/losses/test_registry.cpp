// The generic harness: what every registered divergence gets from its one
// registration line in lib/losses/src/losses/registry.cpp. For each loss:
//   * gradcheck (float64) w.r.t. input and target, shapes (1, 3), (4, 5), (2, 7),
//     every supported reduction, and with input and target each used twice;
//   * D(P, P) = 0 up to rounding, D >= 0 on random distributions (batchmean);
//   * the reductions agree (sum = sum of none, batchmean = sum / N), float
//     agrees with double, the reductions list is truthful, shape errors name the op.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <set>

#include "klgrad/klgrad.hpp"
#include "klgrad/losses/registry.hpp"

using namespace klgrad;

namespace {

const Shape kShapes[] = {{1, 3}, {4, 5}, {2, 7}};
const Reduction kAll[] = {Reduction::none, Reduction::sum, Reduction::mean, Reduction::batchmean};

// Rows of a random distribution with full support: softmax of N(0, spread^2) logits.
Array<double> random_probs(Generator& gen, const Shape& s, double spread = 1.0) {
  Array<double> z = gen.normal<double>(s) * spread;
  for (std::size_t r = 0; r < s[0]; ++r) {
    double total = 0;
    for (std::size_t k = 0; k < s[1]; ++k) total += (z(r, k) = std::exp(z(r, k)));
    for (std::size_t k = 0; k < s[1]; ++k) z(r, k) /= total;
  }
  return z;
}

// Silences kl_div's warning about 'mean' while the harness sweeps every reduction.
struct QuietWarnings {
  WarningHandler previous = set_warning_handler([](const std::string&) {});
  ~QuietWarnings() { set_warning_handler(previous); }
};

template <class T>
T evaluate(const LossInfo& loss, const Array<double>& log_q, const Array<double>& p, Reduction r) {
  Tape<T> tape;
  return loss(tape.constant(Array<T>(xt::cast<T>(log_q))), tape.constant(Array<T>(xt::cast<T>(p))), r).item();
}

}  // namespace

TEST_CASE("registry: names are unique, every entry is complete, kl is kl_div") {
  std::set<std::string> names;
  for (const LossInfo& l : loss_registry()) {
    INFO(l.name);
    CHECK(names.insert(l.name).second);
    CHECK(std::string(l.summary).size() > 10);
    CHECK(!l.reductions.empty());
    CHECK(static_cast<bool>(l.f32));
    CHECK(static_cast<bool>(l.f64));
  }
  CHECK(names.count("kl") == 1);
  CHECK(std::string(find_loss("kl").name) == "kl");
  CHECK(find_loss("kl").reduction_names() == "none, sum, mean, batchmean");

  Tape<double> tape;
  auto x = log_softmax(tape.constant(Array<double>{{0.8, 0.15, 0.05}}), 1);
  auto t = tape.constant(Array<double>{{0.7, 0.2, 0.1}});
  CHECK(find_loss("kl")(x, t, Reduction::batchmean).item() == kl_div(x, t, Reduction::batchmean).item());
}

TEST_CASE("registry: an unknown name is an Error that lists the registered losses") {
  CHECK_THROWS_WITH_AS(find_loss("jsd"), doctest::Contains("no loss named 'jsd'"), Error);
  const std::string names = loss_names();
  CHECK_THROWS_WITH_AS(find_loss("jsd"), doctest::Contains(names.c_str()), Error);
  CHECK(loss_names().rfind("kl", 0) == 0);
}

TEST_CASE("every registered loss: gradcheck w.r.t. input and target, three shapes, every supported reduction") {
  QuietWarnings quiet;
  Generator gen(11);
  for (const LossInfo& l : loss_registry()) {
    for (const Shape& s : kShapes) {
      const Array<double> log_q = xt::log(random_probs(gen, s));
      const Array<double> p = random_probs(gen, s);
      for (Reduction r : l.reductions) {
        INFO(l.name << " " << shape_str(s) << " " << to_string(r));
        auto res = gradcheck([&](std::vector<Tensor<double>>& v) { return l(v[0], v[1], r); }, {log_q, p});
        CHECK_MESSAGE(res.ok, res.message);
      }
    }
  }
}

TEST_CASE("every registered loss: gradcheck with input and target each used twice (catches = instead of +=)") {
  Generator gen(15);
  const Shape s{4, 5};
  const Array<double> x1 = xt::log(random_probs(gen, s)), x2 = xt::log(random_probs(gen, s));
  const Array<double> p1 = random_probs(gen, s), p2 = random_probs(gen, s);
  for (const LossInfo& l : loss_registry()) {
    const Reduction r = l.reductions.back();
    INFO(l.name << " " << to_string(r));
    // D(x1, p1) + D(x1, p2) + D(x2, p1): x1 and p1 each feed two nodes.
    auto res = gradcheck(
        [&](std::vector<Tensor<double>>& v) { return l(v[0], v[2], r) + l(v[0], v[3], r) + l(v[1], v[2], r); },
        {x1, x2, p1, p2});
    CHECK_MESSAGE(res.ok, res.message);
  }
}

TEST_CASE("every registered loss: D(P, P) = 0 up to rounding, in both precisions") {
  QuietWarnings quiet;
  Generator gen(12);
  for (const LossInfo& l : loss_registry()) {
    for (const Shape& s : kShapes) {
      const Array<double> p = random_probs(gen, s, 2.0);
      const Array<double> log_p = xt::log(p);
      for (Reduction r : l.reductions) {
        if (r == Reduction::none) continue;
        INFO(l.name << " " << shape_str(s) << " " << to_string(r));
        CHECK(std::abs(evaluate<double>(l, log_p, p, r)) <= 1e-14);
        CHECK(std::abs(evaluate<float>(l, log_p, p, r)) <= 1e-6f);
      }
    }
  }
}

TEST_CASE("every registered loss: D >= 0 on random distributions (batchmean), float agrees with double") {
  Generator gen(13);
  for (const LossInfo& l : loss_registry()) {
    if (!l.supports(Reduction::batchmean)) continue;
    for (int trial = 0; trial < 20; ++trial) {
      const Shape s{static_cast<std::size_t>(1 + trial % 4), static_cast<std::size_t>(2 + trial % 7)};
      const double spread = 0.5 + 0.25 * trial;  // from near-uniform to peaked rows
      const Array<double> log_q = xt::log(random_probs(gen, s, spread));
      const Array<double> p = random_probs(gen, s, spread);
      INFO(l.name << " trial " << trial << " " << shape_str(s));
      const double d = evaluate<double>(l, log_q, p, Reduction::batchmean);
      CHECK(d >= 0.0);
      CHECK(std::isfinite(d));
      CHECK(evaluate<float>(l, log_q, p, Reduction::batchmean) == doctest::Approx(d).epsilon(1e-4));
    }
  }
}

TEST_CASE("every registered loss: sum = sum of none, batchmean = sum / N, mean = sum / numel") {
  Generator gen(14);
  for (const LossInfo& l : loss_registry()) {
    const Shape s{4, 5};
    const Array<double> log_q = xt::log(random_probs(gen, s));
    const Array<double> p = random_probs(gen, s);
    INFO(l.name);
    Tape<double> tape;
    auto x = tape.constant(log_q), t = tape.constant(p);
    double total = 0;
    if (l.supports(Reduction::none)) {
      const Array<double> terms = l(x, t, Reduction::none).value();
      CHECK(terms.shape() == s);
      total = xt::sum(terms)();
    }
    const double sum = l(x, t, Reduction::sum).item();
    if (l.supports(Reduction::none)) CHECK(sum == doctest::Approx(total).epsilon(1e-12));
    if (l.supports(Reduction::batchmean))
      CHECK(l(x, t, Reduction::batchmean).item() == doctest::Approx(sum / 4).epsilon(1e-12));
    if (l.supports(Reduction::mean)) {
      QuietWarnings quiet;
      CHECK(l(x, t, Reduction::mean).item() == doctest::Approx(sum / 20).epsilon(1e-12));
    }
  }
}

TEST_CASE("every registered loss: its reductions list is truthful, shape errors name the op and both shapes") {
  QuietWarnings quiet;
  for (const LossInfo& l : loss_registry()) {
    INFO(l.name);
    Tape<double> tape;
    auto x = tape.constant(Array<double>{{-1.0, -0.5}});
    for (Reduction r : kAll) {
      INFO(to_string(r));
      if (l.supports(r))
        CHECK_NOTHROW(l(x, x, r));
      else
        CHECK_THROWS_WITH_AS(l(x, x, r), doctest::Contains(to_string(r)), Error);
    }
    auto a = tape.constant(Array<double>::from_shape(Shape{2, 3}));
    auto b = tape.constant(Array<double>::from_shape(Shape{3, 2}));
    CHECK_THROWS_WITH_AS(l(a, b, l.reductions.back()), doctest::Contains("input (2, 3) and target (3, 2)"), Error);
  }
}

// ---- the shared pointwise node: SIMD body == scalar tail ---------------------
//
// The pointwise node (klgrad/losses/pointwise.hpp) runs a loss's formulas on SIMD
// batches for the body of a tensor and one element at a time for the rest; a
// one-element tensor takes the scalar path only. So each element of a longer
// tensor must agree, up to a few roundings (xsimd's exp and log are not libm's),
// with the same element computed alone: the term and both gradients, for sizes
// around a SIMD batch (8 or 16 lanes), in float and double.

namespace {

// a == b, both NaN, or |a - b| <= tol (1 + |a|).
template <class T> bool agrees(T a, T b, double tol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::abs(double(a) - double(b)) <= tol * (1 + std::abs(double(a)));
}

// loss(x, t, reduction); x drawn from [x_lo, x_hi], t from [0, 1] with some t = 0.
template <class T, class F> void check_simd_matches_scalar(const char* name, F loss, double x_lo, double x_hi) {
  INFO(name);
  const double tol = 64 * double(std::numeric_limits<T>::epsilon());
  Generator gen(11);
  for (std::size_t n : {1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 35, 100}) {
    INFO("n = " << n);
    Array<T> xs = xt::cast<T>(x_lo + (x_hi - x_lo) * gen.uniform<double>(Shape{n}));
    Array<T> ts = xt::cast<T>(gen.uniform<double>(Shape{n}));
    for (std::size_t i = 5; i < n; i += 11) ts(i) = T(0);
    Tape<T> tape;
    auto x = tape.variable(xs), t = tape.variable(ts);
    const Array<T> terms = loss(x, t, Reduction::none).value();
    loss(x, t, Reduction::sum).backward();
    for (std::size_t i = 0; i < n; ++i) {
      Tape<T> one;
      auto xi = one.variable(Array<T>{xs(i)}), ti = one.variable(Array<T>{ts(i)});
      auto yi = loss(xi, ti, Reduction::sum);
      yi.backward();
      INFO("i = " << i << ", x = " << xs(i) << ", t = " << ts(i));
      CHECK(agrees(terms(i), yi.item(), tol));
      CHECK(agrees(x.grad()(i), xi.grad()(0), tol));
      CHECK(agrees(t.grad()(i), ti.grad()(0), tol));
    }
  }
}

template <class T> void check_every_pointwise_loss() {
  QuietWarnings quiet;
  for (const LossInfo& l : loss_registry())
    check_simd_matches_scalar<T>(l.name, [&](const auto& x, const auto& t, Reduction r) { return l(x, t, r); }, -6, 0);
  check_simd_matches_scalar<T>(
      "kl_div, log_target", [](const auto& x, const auto& t, Reduction r) { return kl_div(x, t, r, true); }, -6, 0);
  check_simd_matches_scalar<T>(
      "mse_loss", [](const auto& x, const auto& t, Reduction r) { return mse_loss(x, t, r); }, -3, 3);
  check_simd_matches_scalar<T>(
      "binary_cross_entropy", [](const auto& x, const auto& t, Reduction r) { return binary_cross_entropy(x, t, r); },
      0.01, 0.99);
  check_simd_matches_scalar<T>(
      "binary_cross_entropy_with_logits",
      [](const auto& x, const auto& t, Reduction r) { return binary_cross_entropy_with_logits(x, t, r); }, -20, 20);
}

}  // namespace

TEST_CASE("every pointwise loss: the SIMD body agrees with the scalar path, values and both gradients") {
  check_every_pointwise_loss<float>();
  check_every_pointwise_loss<double>();
}
