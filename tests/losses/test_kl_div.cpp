// kl_div against PyTorch 1.13 (fixtures from tests/golden/gen_losses.py),
// its gradients against finite differences, and its errors.
#include <doctest/doctest.h>

#include <cmath>

#include "klgrad/klgrad.hpp"
#include "support/checks.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

template <class T>
void check_case(const std::string& tag, bool log_target, const std::string& red, double rtol, double atol) {
  const auto& g = golden::file("losses.txt");
  const std::string k = "kl_div/" + tag + "/" + (log_target ? "logt" : "prob") + "/" + red + "/";
  golden::check_loss_case<T>(
      g, k, [&](const Tensor<T>& x, const Tensor<T>& t) { return kl_div(x, t, red, log_target); }, rtol, atol);
}

}  // namespace

TEST_CASE("kl_div: the tutorial's numbers (0.0935 batchmean, KLDivLoss, none/sum/mean)") {
  const auto& g = golden::file("losses.txt");
  Tape<float> tape;
  auto x = log_softmax(tape.constant(Array<float>{{0.8f, 0.15f, 0.05f}}), 1);
  auto t = tape.constant(Array<float>{{0.7f, 0.2f, 0.1f}});
  CHECK(kl_div(x, t, "batchmean").item() == doctest::Approx(g.scalar("tutorial/batchmean")).epsilon(1e-6));
  CHECK(KLDivLoss("batchmean")(x, t).item() == doctest::Approx(g.scalar("tutorial/KLDivLoss")).epsilon(1e-6));
  CHECK(kl_div(x, t, "sum").item() == doctest::Approx(g.scalar("tutorial/sum")).epsilon(1e-6));
  CHECK(kl_div(x, t, "mean").item() == doctest::Approx(g.scalar("tutorial/mean")).epsilon(1e-6));
  auto none = kl_div(x, t, "none");
  const std::string diff = golden::compare(xt::cast<double>(none.value()), g.get<double>("tutorial/none"), 1e-5, 1e-7);
  CHECK_MESSAGE(diff.empty(), diff);
}

TEST_CASE("kl_div matches PyTorch: every reduction, both target modes, float64 and float32") {
  for (const char* red : {"none", "sum", "mean", "batchmean"}) {
    for (bool lt : {false, true}) {
      check_case<double>("float64", lt, red, 1e-10, 1e-14);
      check_case<float>("float32", lt, red, 1e-5, 1e-6);
    }
  }
}

TEST_CASE("kl_div gradcheck: both inputs, both target modes, every reduction") {
  const Array<double> logits{{0.3, -1.2, 0.5}, {2.0, 0.1, -0.4}};
  const Array<double> p{{0.2, 0.5, 0.3}, {0.6, 0.1, 0.3}};
  for (const char* red : {"none", "sum", "mean", "batchmean"}) {
    for (bool lt : {false, true}) {
      INFO(red << (lt ? " log_target" : ""));
      auto r = gradcheck([&](std::vector<Tensor<double>>& v) { return kl_div(log_softmax(v[0], 1), v[1], red, lt); },
                         {logits, lt ? Array<double>(xt::log(p)) : p});
      CHECK_MESSAGE(r.ok, r.message);
    }
  }
}

TEST_CASE("kl_div: a zero target contributes 0 (0 log 0 = 0), its target gradient is NaN as in PyTorch") {
  Tape<double> tape;
  auto x = tape.variable(Array<double>{{std::log(0.5), std::log(0.5)}});
  auto t = tape.variable(Array<double>{{0.0, 1.0}});
  auto y = kl_div(x, t, "sum");
  CHECK(y.item() == doctest::Approx(std::log(2.0)));  // KL(P || Q) = 1 log(1 / 0.5)
  y.backward();
  CHECK(std::isnan(t.grad()(0, 0)));
  CHECK(x.grad()(0, 0) == 0.0);
}

TEST_CASE("kl_div: errors name the op, the shapes or the value, and the fix") {
  Tape<double> tape;
  auto x = tape.constant(Array<double>::from_shape(Shape{2, 3}));
  auto t = tape.constant(Array<double>::from_shape(Shape{3, 2}));
  CHECK_THROWS_WITH_AS(kl_div(x, t, "sum"), "kl_div: input (2, 3) and target (3, 2) must have the same shape", Error);
  CHECK_THROWS_WITH_AS(kl_div(x, x, "average"), doctest::Contains("'average' is not a valid reduction"), Error);
  CHECK_THROWS_WITH_AS(KLDivLoss("avg"), doctest::Contains("batchmean"), Error);
}

TEST_CASE("kl_div: reduction 'mean' warns that it is not the KL divergence") {
  std::string seen;
  auto previous = set_warning_handler([&](const std::string& m) { seen = m; });
  Tape<double> tape;
  auto x = tape.constant(Array<double>{{-1.0, -1.0}});
  kl_div(x, x, "mean");
  set_warning_handler(previous);
  CHECK(seen.find("batchmean") != std::string::npos);
}

TEST_CASE("log_softmax of logits at +-1e4 stays finite, and its backward too") {
  Tape<float> tape;
  auto z = tape.variable(Array<float>{{1e4f, -1e4f, 0.0f}});
  auto y = log_softmax(z, 1);
  for (float v : y.value()) CHECK(std::isfinite(v));
  CHECK(y.value()(0, 0) == 0.0f);
  auto loss = kl_div(y, tape.constant(Array<float>{{0.2f, 0.3f, 0.5f}}), "batchmean");
  loss.backward();
  for (float v : z.grad()) CHECK(std::isfinite(v));
}
