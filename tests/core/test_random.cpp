// Generator: determinism, the documented transforms, checkpoint/resume of the
// exact stream, statistics of the draws, and its errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "klgrad/error.hpp"
#include "klgrad/random.hpp"

using namespace klgrad;

namespace {

// Sample mean and (unbiased) variance.
template <class T>
std::pair<double, double> moments(const Array<T>& a) {
  double m = 0;
  for (T v : a) m += static_cast<double>(v);
  m /= static_cast<double>(a.size());
  double s = 0;
  for (T v : a) s += (static_cast<double>(v) - m) * (static_cast<double>(v) - m);
  return {m, s / static_cast<double>(a.size() - 1)};
}

// mean within 4 standard errors of mu, variance within 4 standard errors of var
// (SE of the sample variance: var sqrt(2 / n) for a normal; sqrt((m4 - var^2) / n) in general).
void check_moments(std::pair<double, double> got, double mu, double var, double m4, std::size_t n) {
  const double se_mean = std::sqrt(var / static_cast<double>(n));
  const double se_var = std::sqrt((m4 - var * var) / static_cast<double>(n));
  CHECK(std::abs(got.first - mu) < 4 * se_mean);
  CHECK(std::abs(got.second - var) < 4 * se_var);
}

}  // namespace

TEST_CASE("Generator: the same seed gives the same stream, another seed another") {
  Generator a(42), b(42), c(43);
  const Array<double> x = a.normal<double>({1000});
  CHECK(x == b.normal<double>({1000}));
  CHECK(x != c.normal<double>({1000}));
  CHECK(a.uniform<float>({10}) == b.uniform<float>({10}));
  a.seed(7);
  Generator d(7);
  CHECK(a == d);
}

TEST_CASE("Generator: draws are the documented transforms of raw mt19937_64 output") {
  Generator gen(123);
  std::mt19937_64 e(123);
  // uniform double: 53 high bits; uniform float: 24 high bits
  CHECK(gen.uniform<double>({1})(0) == static_cast<double>(e() >> 11) * 0x1.0p-53);
  CHECK(gen.uniform<float>({1})(0) == static_cast<float>(e() >> 40) * 0x1.0p-24f);
  // Box-Muller on one pair, u1 in (0, 1]
  const Array<double> z = gen.normal<double>({3});
  const double two_pi = 6.283185307179586476925286766559;
  double u1 = 1.0 - static_cast<double>(e() >> 11) * 0x1.0p-53, u2 = static_cast<double>(e() >> 11) * 0x1.0p-53;
  CHECK(z(0) == std::sqrt(-2 * std::log(u1)) * std::cos(two_pi * u2));
  CHECK(z(1) == std::sqrt(-2 * std::log(u1)) * std::sin(two_pi * u2));
  u1 = 1.0 - static_cast<double>(e() >> 11) * 0x1.0p-53;
  u2 = static_cast<double>(e() >> 11) * 0x1.0p-53;
  CHECK(z(2) == std::sqrt(-2 * std::log(u1)) * std::cos(two_pi * u2));
  // the odd element's partner was dropped, not cached: the engines are in step
  CHECK(gen.next_u64() == e());
}

TEST_CASE("Generator: set_state resumes exactly the uninterrupted stream") {
  Generator run(2024);
  run.normal<float>({7});  // odd count: a Box-Muller partner is dropped, nothing cached
  const std::string checkpoint = run.state();
  const Array<float> a = run.normal<float>({128, 20});
  const Array<double> b = run.uniform<double>({5});
  const Array<double> c = run.bernoulli(Array<double>{0.2, 0.7}, {3});

  Generator resumed(1);  // a different seed: set_state replaces everything
  resumed.set_state(checkpoint);
  CHECK(resumed.normal<float>({128, 20}) == a);
  CHECK(resumed.uniform<double>({5}) == b);
  CHECK(resumed.bernoulli(Array<double>{0.2, 0.7}, {3}) == c);
  CHECK(resumed == run);
  CHECK(resumed.state() == run.state());
}

TEST_CASE("Generator: an invalid state is an Error and leaves the generator unchanged") {
  Generator gen(5);
  const std::string good = gen.state();
  CHECK_THROWS_WITH_AS(gen.set_state("not a state"), doctest::Contains("Generator::set_state"), Error);
  CHECK_THROWS_WITH_AS(gen.set_state(good.substr(0, good.size() / 2)), doctest::Contains("Generator::state()"), Error);
  CHECK_THROWS_AS(gen.set_state(good + " 17"), Error);
  CHECK_THROWS_AS(gen.set_state(good.substr(0, 40) + "x" + good.substr(41)), Error);
  CHECK(gen.state() == good);
  Generator fresh(5);
  CHECK(gen.normal<double>({9}) == fresh.normal<double>({9}));
}

TEST_CASE("Generator::normal_ refills an existing buffer without reallocating") {
  Generator gen(1), ref(1);
  Array<float> eps = Array<float>::from_shape({128, 20});
  const float* data = eps.data();
  for (int step = 0; step < 3; ++step) {
    gen.normal_(eps);
    CHECK(eps.data() == data);
    CHECK(eps == ref.normal<float>({128, 20}));
  }
  gen.uniform_(eps);
  CHECK(eps.data() == data);
}

TEST_CASE("Generator: moments of 100k draws within 4 standard errors") {
  Generator gen(99);
  const std::size_t n = 100000;
  check_moments(moments(gen.normal<double>({n})), 0.0, 1.0, 3.0, n);
  check_moments(moments(gen.normal<float>({n})), 0.0, 1.0, 3.0, n);
  const Array<double> u = gen.uniform<double>({n});
  check_moments(moments(u), 0.5, 1.0 / 12, 1.0 / 80, n);
  const Array<float> uf = gen.uniform<float>({n});
  check_moments(moments(uf), 0.5, 1.0 / 12, 1.0 / 80, n);
  CHECK(std::all_of(uf.begin(), uf.end(), [](float v) { return v >= 0.0f && v < 1.0f; }));
  const double p = 0.3;
  const Array<double> b = gen.bernoulli(Array<double>(p), {n});
  CHECK(b.shape() == Shape{n});
  check_moments(moments(b), p, p * (1 - p), p * (1 - p) * (1 - 3 * p + 3 * p * p), n);
}

TEST_CASE("Generator::categorical: frequencies within 4 standard errors, zero weights never drawn") {
  Generator gen(3);
  const std::size_t n = 100000;
  const Array<double> w{2.0, 0.0, 3.0, 5.0};  // unnormalised: P = 0.2, 0, 0.3, 0.5
  const Array<double> draws = gen.categorical(w, {n});
  CHECK(draws.shape() == Shape{n});
  std::vector<double> count(4, 0);
  for (double d : draws) count.at(static_cast<std::size_t>(d)) += 1;
  CHECK(count[1] == 0);
  for (std::size_t k = 0; k < 4; ++k) {
    const double pk = w(k) / 10.0;
    CHECK(std::abs(count[k] / n - pk) <= 4 * std::sqrt(pk * (1 - pk) / n));
  }
  // rows of a batch are drawn independently: shape sample_shape + batch
  const Array<float> rows{{1.0f, 0.0f}, {0.0f, 1.0f}};
  const Array<float> r = gen.categorical(rows, {5});
  CHECK(r.shape() == Shape{5, 2});
  for (std::size_t s = 0; s < 5; ++s) CHECK((r(s, 0) == 0.0f && r(s, 1) == 1.0f));
}

TEST_CASE("Generator: bad probabilities and weights are Errors that say what to pass") {
  Generator gen;
  CHECK_THROWS_WITH_AS(gen.bernoulli(Array<double>{0.5, 1.5}), doctest::Contains("probs must lie in [0, 1], found 1.5"),
                       Error);
  CHECK_THROWS_WITH_AS(gen.categorical(Array<double>{0.5, -1.0}), doctest::Contains("not logits"), Error);
  CHECK_THROWS_WITH_AS(gen.categorical(Array<double>{{0.0, 0.0}}), doctest::Contains("sums to 0"), Error);
  CHECK_THROWS_WITH_AS(gen.categorical(Array<double>(1.0)), doctest::Contains("last axis"), Error);
}
