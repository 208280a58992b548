// mse_loss against PyTorch 1.13 (fixtures from tests/golden/gen_losses.py), its
// gradients against finite differences, and its errors.
#include <doctest/doctest.h>

#include "klgrad/klgrad.hpp"
#include "klgrad/losses/mse.hpp"
#include "support/checks.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

template <class T>
void check_case(const std::string& tag, const std::string& red, double rtol, double atol) {
  const auto& g = golden::file("losses.txt");
  const std::string k = "mse/" + tag + "/" + red + "/";
  golden::check_loss_case<T>(
      g, k, [&](const Tensor<T>& x, const Tensor<T>& t) { return mse_loss(x, t, red); }, rtol, atol);
}

}  // namespace

TEST_CASE("mse_loss matches PyTorch: every reduction, float64 and float32") {
  for (const char* red : {"none", "sum", "mean"}) {
    check_case<double>("float64", red, 1e-10, 1e-14);
    check_case<float>("float32", red, 1e-5, 1e-6);
  }
}

TEST_CASE("mse_loss gradcheck: input and target, every reduction") {
  const Array<double> x{{0.3, -1.2, 0.5}, {2.0, 0.1, -0.4}};
  const Array<double> t{{1.0, -1.0, 0.0}, {0.5, 0.5, 0.5}};
  for (const char* red : {"none", "sum", "mean"}) {
    INFO(red);
    auto r = gradcheck([&](std::vector<Tensor<double>>& v) { return mse_loss(v[0], v[1], red); }, {x, t});
    CHECK_MESSAGE(r.ok, r.message);
  }
}

TEST_CASE("MSELoss is mse_loss with its reduction") {
  Tape<double> tape;
  auto x = tape.constant(Array<double>{{0.2, 0.9}});
  auto t = tape.constant(Array<double>{{0.0, 1.0}});
  CHECK(MSELoss("sum")(x, t).item() == mse_loss(x, t, "sum").item());
  CHECK(MSELoss()(x, t).item() == mse_loss(x, t).item());
}

TEST_CASE("mse_loss: errors name the op, the shapes and the fix") {
  Tape<double> tape;
  auto x = tape.constant(Array<double>::from_shape(Shape{2, 3}));
  auto t = tape.constant(Array<double>::from_shape(Shape{3}));
  CHECK_THROWS_WITH_AS(mse_loss(x, t), "mse_loss: input (2, 3) and target (3,) must have the same shape", Error);
  CHECK_THROWS_WITH_AS(mse_loss(x, x, "average"), doctest::Contains("'average' is not a valid reduction"), Error);
  CHECK_THROWS_WITH_AS(MSELoss("batchmean"), doctest::Contains("use one of none, sum, mean"), Error);
}
