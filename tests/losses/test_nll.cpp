// nll_loss against PyTorch 1.13 (fixtures from tests/golden/gen_losses.py), with
// ignore_index; its gradient against finite differences; its errors.
#include <doctest/doctest.h>

#include <cmath>

#include "klgrad/klgrad.hpp"
#include "klgrad/losses/nll.hpp"
#include "support/checks.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

// Fixture key prefix "nll/<dtype>/<case>/<reduction>/".
template <class T>
void check_case(const std::string& tag, const std::string& which, const std::string& red, double rtol, double atol) {
  const auto& g = golden::file("losses.txt");
  const std::string k = "nll/" + tag + "/" + which + "/" + red + "/";
  Tape<T> tape;
  auto x = tape.variable(g.get<T>(k + "input"));
  auto ignore = static_cast<std::int64_t>(g.scalar(k + "ignore_index"));
  auto y = nll_loss(x, golden::class_indices(g.get<double>(k + "target")), red, ignore);
  y.backward(g.get<T>(k + "seed"));
  golden::check_close(y.value(), g, k + "out", rtol, atol);
  golden::check_close(x.grad(), g, k + "grad_input", rtol, atol);
}

}  // namespace

TEST_CASE("nll_loss matches PyTorch: ignore_index -100 and 1, all ignored (mean is NaN), float64 and float32") {
  for (const char* which : {"default", "ignore1", "all_ignored"}) {
    for (const char* red : {"none", "sum", "mean"}) {
      check_case<double>("float64", which, red, 1e-10, 1e-14);
      check_case<float>("float32", which, red, 1e-5, 1e-6);
    }
  }
}

TEST_CASE("nll_loss mean divides by the targets that are not ignored") {
  Tape<double> tape;
  auto x = tape.constant(Array<double>{{-1.0, -2.0}, {-3.0, -4.0}, {-5.0, -6.0}});
  const double sum = nll_loss(x, {0, -100, 1}, "sum").item();
  CHECK(nll_loss(x, {0, -100, 1}, "mean").item() == doctest::Approx(sum / 2));
  CHECK(NLLLoss("mean", 0)(x, {0, 0, 1}).item() == nll_loss(x, {0, 0, 1}, "mean", 0).item());
  CHECK(std::isnan(nll_loss(x, {-100, -100, -100}).item()));
}

TEST_CASE("nll_loss gradcheck: every reduction, with an ignored target") {
  const Array<double> logp{{-0.3, -1.2, -2.5}, {-2.0, -0.1, -0.4}, {-1.1, -1.1, -1.1}, {-0.7, -0.9, -3.0}};
  const std::vector<std::int64_t> t{2, 0, -100, 1};
  for (const char* red : {"none", "sum", "mean"}) {
    INFO(red);
    auto r = gradcheck([&](std::vector<Tensor<double>>& v) { return nll_loss(v[0], t, red); }, {logp});
    CHECK_MESSAGE(r.ok, r.message);
  }
}

TEST_CASE("nll_loss: errors name the op, the index, the class count or the shapes, and the fix") {
  Tape<double> tape;
  auto x = tape.constant(Array<double>::from_shape(Shape{3, 4}));
  const std::size_t recorded = tape.size();
  CHECK_THROWS_WITH_AS(nll_loss(x, {0, 5, 1}),
                       doctest::Contains("nll_loss: target[1] = 5 is out of range for input (3, 4) with 4 classes"),
                       Error);
  CHECK_THROWS_WITH_AS(nll_loss(x, {0, -1, 1}), doctest::Contains("must be in [0, 4) or equal ignore_index (-100)"),
                       Error);
  CHECK_THROWS_WITH_AS(nll_loss(x, {0, 1}), doctest::Contains("input (3, 4) has 3 rows but target has 2 class indices"),
                       Error);
  auto flat = tape.constant(Array<double>::from_shape(Shape{4}));
  CHECK_THROWS_WITH_AS(nll_loss(flat, {0}), doctest::Contains("nll_loss: input (4,) must be (N, C)"), Error);
  CHECK_THROWS_WITH_AS(nll_loss(x, {0, 1, 2}, "batchmean"), doctest::Contains("'batchmean' is not a valid reduction"),
                       Error);
  CHECK(tape.size() == recorded + 1);  // only `flat`: failed calls record nothing
}
