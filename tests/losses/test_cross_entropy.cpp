// cross_entropy against PyTorch 1.13 (fixtures from tests/golden/gen_losses.py),
// with label smoothing and ignore_index; fused == composite nll_loss(log_softmax);
// gradients against finite differences; errors.
#include <doctest/doctest.h>

#include <cmath>

#include "klgrad/klgrad.hpp"
#include "klgrad/losses/cross_entropy.hpp"
#include "klgrad/losses/nll.hpp"
#include "support/checks.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

// Fixture key prefix "cross_entropy/<dtype>/<case>/<reduction>/".
template <class T>
void check_case(const std::string& tag, const std::string& which, const std::string& red, double rtol, double atol) {
  const auto& g = golden::file("losses.txt");
  const std::string k = "cross_entropy/" + tag + "/" + which + "/" + red + "/";
  Tape<T> tape;
  auto z = tape.variable(g.get<T>(k + "input"));
  auto y = cross_entropy(z, golden::class_indices(g.get<double>(k + "target")), red, g.scalar(k + "label_smoothing"),
                         static_cast<std::int64_t>(g.scalar(k + "ignore_index")));
  y.backward(g.get<T>(k + "seed"));
  golden::check_close(y.value(), g, k + "out", rtol, atol);
  golden::check_close(z.grad(), g, k + "grad_input", rtol, atol);
}

template <class T> void check_fused_equals_composite(double rtol) {
  const Array<T> z0{{0.3, -1.2, 0.5, 2.0}, {2.0, 0.1, -0.4, 0.0}, {1e4, -1e4, 0.0, 5e3}, {-0.7, 0.9, 3.0, 0.2}};
  const std::vector<std::int64_t> t{3, 0, 1, -100};
  for (const char* red : {"none", "sum", "mean"}) {
    INFO(red);
    Tape<T> tape;
    auto z1 = tape.variable(z0);
    auto z2 = tape.variable(z0);
    auto fused = cross_entropy(z1, t, red);
    auto composite = nll_loss(log_softmax(z2, 1), t, red);
    const Array<T> seed = red == std::string("none") ? Array<T>{0.5, -1.0, 2.0, 3.0} : Array<T>(1.5);
    fused.backward(seed);
    composite.backward(seed);
    std::string diff =
        golden::compare(xt::cast<double>(fused.value()), xt::cast<double>(composite.value()), rtol, 1e-12);
    CHECK_MESSAGE(diff.empty(), diff);
    diff = golden::compare(xt::cast<double>(z1.grad()), xt::cast<double>(z2.grad()), rtol, 1e-12);
    CHECK_MESSAGE(diff.empty(), diff);
  }
}

}  // namespace

TEST_CASE("cross_entropy matches PyTorch: label smoothing, ignore_index, logits at +-1e4, float64 and float32") {
  for (const char* which : {"plain", "smooth", "smooth_ignore1", "all_ignored"}) {
    for (const char* red : {"none", "sum", "mean"}) {
      check_case<double>("float64", which, red, 1e-10, 1e-14);
      check_case<float>("float32", which, red, 1e-5, 1e-6);
    }
  }
}

TEST_CASE("cross_entropy (fused) equals nll_loss(log_softmax) in values and gradients") {
  check_fused_equals_composite<double>(1e-12);
  check_fused_equals_composite<float>(1e-6);
}

TEST_CASE("cross_entropy gradcheck: every reduction, with and without label smoothing, an ignored target") {
  const Array<double> z{{0.3, -1.2, 0.5}, {2.0, 0.1, -0.4}, {1.1, 1.1, -1.1}, {-0.7, 0.9, 3.0}};
  const std::vector<std::int64_t> t{2, 0, -100, 1};
  for (const char* red : {"none", "sum", "mean"}) {
    for (double eps : {0.0, 0.2}) {
      INFO(red << " label_smoothing " << eps);
      auto r = gradcheck([&](std::vector<Tensor<double>>& v) { return cross_entropy(v[0], t, red, eps); }, {z});
      CHECK_MESSAGE(r.ok, r.message);
    }
  }
}

TEST_CASE("CrossEntropyLoss is cross_entropy with its options") {
  Tape<double> tape;
  auto z = tape.constant(Array<double>{{0.2, 0.9, -1.0}, {1.0, 0.0, 0.5}});
  CHECK(CrossEntropyLoss()(z, {1, 2}).item() == cross_entropy(z, {1, 2}).item());
  CHECK(CrossEntropyLoss("sum", 0.1)(z, {1, 2}).item() == cross_entropy(z, {1, 2}, "sum", 0.1).item());
  CHECK(CrossEntropyLoss(Reduction::mean, 0.0, 2)(z, {1, 2}).item() == cross_entropy(z, {1, 2}, "mean", 0.0, 2).item());
}

TEST_CASE("cross_entropy: errors name the op, the index, the class count or the value, and the fix") {
  Tape<double> tape;
  auto z = tape.constant(Array<double>::from_shape(Shape{2, 3}));
  const std::size_t recorded = tape.size();
  CHECK_THROWS_WITH_AS(
      cross_entropy(z, {0, 3}),
      doctest::Contains("cross_entropy: target[1] = 3 is out of range for input (2, 3) with 3 classes"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(z, {0, 1, 2}),
                       doctest::Contains("cross_entropy: input (2, 3) has 2 rows but target has 3"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(z, {0, 1}, "mean", 1.5),
                       "cross_entropy: label_smoothing must be in [0, 1] (0 = no smoothing), got 1.5", Error);
  CHECK_THROWS_WITH_AS(CrossEntropyLoss("batchmean"),
                       doctest::Contains("CrossEntropyLoss: 'batchmean' is not a valid reduction"), Error);
  CHECK(tape.size() == recorded);
}
