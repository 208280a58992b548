// sample / rsample: shapes, statistics of 100k draws (within 4 standard errors),
// reparameterised gradients, determinism; and the argument checks of every
// distribution (the error names the distribution, the parameter and the fix).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <xtensor/xmath.hpp>

#include "klgrad/distributions.hpp"
#include "klgrad/ops.hpp"

using namespace klgrad;

namespace {

constexpr std::size_t n_draws = 100000;

// Mean and unbiased variance of column j of (n, k) draws (plain loops: xtensor
// reducers over strided views trip a g++ 12 false -Wuninitialized with AVX-512).
std::pair<double, double> column_moments(const Array<double>& draws, std::size_t j) {
  const std::size_t n = draws.shape(0), k = draws.shape(1);
  double m = 0, s = 0;
  for (std::size_t i = 0; i < n; ++i) m += draws.data()[i * k + j];
  m /= static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) s += (draws.data()[i * k + j] - m) * (draws.data()[i * k + j] - m);
  return {m, s / static_cast<double>(n - 1)};
}

// Column j: mean within 4 SE of mu, variance within 4 SE of var
// (SE of the sample variance sqrt((m4 - var^2) / n), m4 the 4th central moment).
void check_column(const Array<double>& draws, std::size_t j, double mu, double var, double m4) {
  const double n = static_cast<double>(draws.shape(0));
  const auto [m, v] = column_moments(draws, j);
  CHECK(std::abs(m - mu) < 4 * std::sqrt(var / n));
  CHECK(std::abs(v - var) < 4 * std::sqrt((m4 - var * var) / n));
}

}  // namespace

TEST_CASE("Normal: sample and rsample have shape sample + batch, mean and variance within 4 standard errors") {
  Tape<double> tape;
  const Array<double> mu{-1.0, 0.5, 3.0}, sigma{0.5, 1.0, 2.0};
  Normal<double> d(tape.variable(mu), tape.variable(sigma));
  Generator gen(10);
  for (bool reparam : {false, true}) {
    auto x = reparam ? d.rsample(gen, {n_draws}) : d.sample(gen, {n_draws});
    CHECK(x.shape() == Shape{n_draws, 3});
    CHECK(x.requires_grad() == reparam);
    for (std::size_t j = 0; j < 3; ++j) {
      const double v = sigma(j) * sigma(j);
      check_column(x.value(), j, mu(j), v, 3 * v * v);
    }
  }
  CHECK(d.mean().value() == mu);
  CHECK(d.stddev().value() == sigma);
  CHECK(xt::allclose(d.variance().value(), Array<double>(sigma * sigma)));
}

TEST_CASE("Normal::rsample: eps is drawn once, the gradient is d loc = 1, d scale = eps") {
  Tape<float> tape;
  auto loc = tape.variable(Array<float>{{0.5f, -0.5f}});
  auto scale = tape.variable(Array<float>{{1.0f, 2.0f}});
  Normal<float> d(loc, scale);
  Generator gen(3), same(3);
  auto z = d.rsample(gen, {4});  // (4, 1, 2)
  CHECK(z.shape() == Shape{4, 1, 2});
  const Array<float> eps = same.normal<float>({4, 1, 2});
  CHECK(xt::allclose(z.value(), Array<float>(loc.value() + eps * scale.value())));
  sum(z).backward();
  CHECK(loc.grad() == Array<float>{{4.0f, 4.0f}});
  CHECK(xt::allclose(scale.grad(), Array<float>(xt::sum(eps, {0}))));

  // the hot-loop form: a caller-owned eps buffer, refilled in place
  Array<float> buf = Array<float>::from_shape({128, 1, 2});
  gen.normal_(buf);
  auto z2 = d.rsample(buf);
  CHECK(xt::allclose(z2.value(), Array<float>(loc.value() + buf * scale.value())));
  CHECK_THROWS_WITH_AS(d.rsample(Array<float>::from_shape({3, 2, 1})), doctest::Contains("must end with the batch shape (1, 2)"),
                       Error);
}

TEST_CASE("Bernoulli and Categorical: sample frequencies within 4 standard errors") {
  Tape<double> tape;
  Generator gen(11);
  const Array<double> p{0.1, 0.5, 0.97};
  for (bool logits : {false, true}) {
    auto b = logits ? Bernoulli<double>::from_logits(tape.constant(Array<double>(xt::log(p / (1.0 - p)))))
                    : Bernoulli<double>::from_probs(tape.constant(p));
    auto x = b.sample(gen, {n_draws});
    CHECK(x.shape() == Shape{n_draws, 3});
    CHECK_FALSE(x.requires_grad());
    for (std::size_t j = 0; j < 3; ++j) {
      // (a 0/1 column's variance is a function of its mean: checking the mean suffices)
      CHECK(std::abs(column_moments(x.value(), j).first - p(j)) < 4 * std::sqrt(p(j) * (1 - p(j)) / n_draws));
    }
    CHECK(xt::allclose(b.mean().value(), p));
    CHECK(xt::allclose(b.variance().value(), Array<double>(p * (1.0 - p))));
  }

  const Array<double> w{{1.0, 3.0, 0.0, 4.0}};  // unnormalised; class 2 impossible
  for (bool logits : {false, true}) {
    auto c = logits ? Categorical<double>::from_logits(tape.constant(Array<double>(xt::log(w))))
                    : Categorical<double>::from_probs(tape.constant(w));
    CHECK(xt::allclose(c.probs().value(), Array<double>(w / 8.0)));
    auto x = c.sample(gen, {n_draws});
    CHECK(x.shape() == Shape{n_draws, 1});
    std::vector<double> count(4, 0);
    for (double k : x.value()) count.at(static_cast<std::size_t>(k)) += 1;
    CHECK(count[2] == 0);
    for (std::size_t k = 0; k < 4; ++k) {
      const double pk = w(0, k) / 8.0;
      CHECK(std::abs(count[k] / n_draws - pk) <= 4 * std::sqrt(pk * (1 - pk) / n_draws));
    }
    CHECK_THROWS_WITH_AS(c.rsample(gen), doctest::Contains("Categorical: rsample is not available"), Error);
  }
}

TEST_CASE("Independent: shapes, sampling through the base, rsample only when the base has it") {
  Tape<double> tape;
  Normal<double> base(tape.variable(xt::zeros<double>({2, 3, 4})), tape.constant(1.0));
  Independent<double> d(base, 2);
  CHECK(d.batch_shape() == Shape{2});
  CHECK(d.event_shape() == Shape{3, 4});
  CHECK(d.name() == "Independent");
  CHECK(d.base().name() == "Normal");
  Generator gen(5);
  CHECK(d.sample(gen, {7}).shape() == Shape{7, 2, 3, 4});
  CHECK(d.has_rsample());
  auto z = d.rsample(gen, {7});
  CHECK(z.requires_grad());
  CHECK(d.log_prob(z).shape() == Shape{7, 2});
  CHECK(d.entropy().shape() == Shape{2});
  CHECK(d.entropy().value()(0) == doctest::Approx(12 * (0.5 + 0.5 * std::log(2 * 3.14159265358979323846))));
  Independent<double> nested(d, 1);  // an Independent of an Independent
  CHECK(nested.batch_shape() == Shape{});
  CHECK(nested.event_shape() == Shape{2, 3, 4});
  auto b = Bernoulli<double>::from_probs(tape.constant(Array<double>{0.5, 0.5}));
  Independent db(b, 1);
  CHECK_FALSE(db.has_rsample());
  CHECK_THROWS_WITH_AS(db.rsample(gen), doctest::Contains("Bernoulli: rsample is not available"), Error);
}

TEST_CASE("sampling is deterministic for a seed and resumes from a Generator checkpoint") {
  Tape<float> tape;
  Normal<float> d(tape.constant(Array<float>{0.0f, 1.0f}), tape.constant(2.0f));
  auto c = Categorical<float>::from_logits(tape.constant(Array<float>{0.1f, 0.2f, 0.3f}));
  Generator a(77);
  a.normal<float>({3});
  const std::string s = a.state();
  const Array<float> x1 = d.sample(a, {5}).value(), k1 = c.sample(a, {9}).value();
  Generator b;
  b.set_state(s);
  CHECK(d.sample(b, {5}).value() == x1);
  CHECK(c.sample(b, {9}).value() == k1);
}

TEST_CASE("distribution arguments are validated: the error names the distribution, the parameter and the fix") {
  Tape<double> tape;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH_AS(Normal<double>(tape.constant(0.0), tape.constant(Array<double>{1.0, -0.5})),
                       "Normal: scale must be > 0, found -0.500000 at element 1 of scale (2,); keep it positive by "
                       "construction, e.g. exp(log_scale) or softplus(raw)",
                       Error);
  CHECK_THROWS_WITH_AS(Normal<double>(tape.constant(0.0), tape.constant(0.0)), doctest::Contains("scale must be > 0"), Error);
  CHECK_THROWS_WITH_AS(Normal<double>(tape.constant(nan), tape.constant(1.0)), doctest::Contains("Normal: loc must be a real"),
                       Error);
  CHECK_THROWS_WITH_AS(Normal<double>(tape.constant(Array<double>{0.0, 1.0}), tape.constant(Array<double>{1.0, 1.0, 1.0})),
                       doctest::Contains("Normal: loc (2,) and scale (3,) are not broadcastable"), Error);

  CHECK_THROWS_WITH_AS(Bernoulli<double>::from_probs(tape.constant(Array<double>{0.5, 1.2})),
                       doctest::Contains("Bernoulli: probs must lie in [0, 1], found 1.2"), Error);
  CHECK_THROWS_WITH_AS(Bernoulli<double>::from_logits(tape.constant(nan)), doctest::Contains("Bernoulli: logits"), Error);
  auto b = Bernoulli<double>::from_probs(tape.constant(Array<double>{0.5, 0.5}));
  CHECK_THROWS_WITH_AS(b.log_prob(tape.constant(0.5)), doctest::Contains("is not 0 or 1"), Error);
  CHECK_THROWS_WITH_AS(b.log_prob(tape.constant(Array<double>{1.0, 0.0, 1.0})), doctest::Contains("does not broadcast"), Error);

  CHECK_THROWS_WITH_AS(Categorical<double>::from_probs(tape.constant(Array<double>{0.5, -0.1, 0.6})),
                       doctest::Contains("Categorical: probs must be finite and >= 0, found -0.1"), Error);
  CHECK_THROWS_WITH_AS(Categorical<double>::from_probs(tape.constant(Array<double>{{0.5, 0.5}, {0.0, 0.0}})),
                       doctest::Contains("row 1 of probs (2, 2) sums to 0"), Error);
  CHECK_THROWS_WITH_AS(Categorical<double>::from_logits(tape.constant(1.0)), doctest::Contains("needs a last axis of categories"),
                       Error);
  auto c = Categorical<double>::from_logits(tape.constant(Array<double>{{0.0, 1.0, 2.0}, {2.0, 1.0, 0.0}}));
  CHECK_THROWS_WITH_AS(c.log_prob(tape.constant(Array<double>{0.0, 3.0})),
                       doctest::Contains("value 3.000000 at element 1 is not a class index in [0, 3)"), Error);
  CHECK_THROWS_WITH_AS(c.log_prob(tape.constant(Array<double>{0.0, 1.0, 2.0})), doctest::Contains("does not broadcast"), Error);

  Normal<double> n(tape.constant(Array<double>{0.0, 1.0}), tape.constant(1.0));
  CHECK_THROWS_WITH_AS(Independent<double>(n, 2),
                       doctest::Contains("Independent: reinterpreted_batch_ndims 2 exceeds the batch rank 1 of the base Normal"),
                       Error);
}

TEST_CASE("Categorical and Bernoulli from probs: a zero probability has log_prob log(eps), as PyTorch's clamp_probs") {
  Tape<double> tape;
  auto c = Categorical<double>::from_probs(tape.constant(Array<double>{0.5, 0.5, 0.0}));
  CHECK(c.log_prob(tape.constant(2.0)).item() == doctest::Approx(std::log(probs_eps<double>)));
  CHECK(c.entropy().item() == doctest::Approx(std::log(2.0)));
  auto cl = Categorical<double>::from_logits(tape.constant(Array<double>{0.0, 0.0, -std::numeric_limits<double>::infinity()}));
  CHECK(std::isinf(cl.log_prob(tape.constant(2.0)).item()));
  CHECK(cl.entropy().item() == doctest::Approx(std::log(2.0)));  // 0 * -inf counted as 0
  auto b = Bernoulli<double>::from_probs(tape.constant(0.0));
  CHECK(b.log_prob(tape.constant(1.0)).item() == doctest::Approx(std::log(probs_eps<double>)).epsilon(1e-12));
  CHECK(b.log_prob(tape.constant(0.0)).item() == doctest::Approx(0.0));
}
