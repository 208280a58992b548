// kl_divergence_mc (klgrad/distributions/monte_carlo.hpp): on closed-form pairs
// k1 and k3 land within 4 standard errors of kl_divergence (fixed seeds); k2,
// biased by design, is within 20% on close pairs and has the smaller error; k3 is
// non-negative per sample, the reported standard error matches the spread of
// 50 repeated estimates within 20%, the gradient flows through rsample, and a
// pair with no registered closed form (Normal || Laplace) matches its value
// from the integral.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "klgrad/distributions/gamma.hpp"
#include "klgrad/distributions/exponential.hpp"
#include "klgrad/distributions/laplace.hpp"
#include "klgrad/distributions/monte_carlo.hpp"

using namespace klgrad;

namespace {

using Make = std::function<std::pair<std::shared_ptr<Distribution<double>>, std::shared_ptr<Distribution<double>>>(Tape<double>&)>;

struct PairCase {
  std::string name;
  Make make;
  bool close_pair;  // near enough for k2
};

std::vector<PairCase> pair_cases() {
  using D = std::shared_ptr<Distribution<double>>;
  return {
      {"Normal(0, 1) || Normal(0.2, 1.1)", [](Tape<double>& t) {
         return std::pair<D, D>(std::make_shared<Normal<double>>(t.constant(0.0), t.constant(1.0)),
                                std::make_shared<Normal<double>>(t.constant(0.2), t.constant(1.1)));
       }, true},
      {"Normal(0, 1) || Normal(2, 0.5)", [](Tape<double>& t) {
         return std::pair<D, D>(std::make_shared<Normal<double>>(t.constant(0.0), t.constant(1.0)),
                                std::make_shared<Normal<double>>(t.constant(2.0), t.constant(0.5)));
       }, false},
      {"Exponential(1) || Exponential(1.2)", [](Tape<double>& t) {
         return std::pair<D, D>(std::make_shared<Exponential<double>>(t.constant(1.0)),
                                std::make_shared<Exponential<double>>(t.constant(1.2)));
       }, true},
      {"Gamma(3, 2) || Gamma(2.5, 1.8) (no rsample: sample)", [](Tape<double>& t) {
         return std::pair<D, D>(std::make_shared<Gamma<double>>(t.constant(3.0), t.constant(2.0)),
                                std::make_shared<Gamma<double>>(t.constant(2.5), t.constant(1.8)));
       }, true},
      {"Laplace(0, 1) || Laplace(1, 2)", [](Tape<double>& t) {
         return std::pair<D, D>(std::make_shared<Laplace<double>>(t.constant(0.0), t.constant(1.0)),
                                std::make_shared<Laplace<double>>(t.constant(1.0), t.constant(2.0)));
       }, false},
  };
}

}  // namespace

TEST_CASE("kl_divergence_mc: k1 and k3 are within 4 standard errors of the closed form; k3 >= 0 per sample; k2 is biased") {
  unsigned seed = 10;
  for (const PairCase& c : pair_cases()) {
    std::map<std::string, std::pair<double, double>> by;  // estimate, standard error (the tape ends with each draw)
    double exact = 0;
    for (KlEstimator e : {KlEstimator::k1, KlEstimator::k2, KlEstimator::k3}) {
      Tape<double> tape;
      const auto [p, q] = c.make(tape);
      Generator gen(seed++);
      exact = kl_divergence(*p, *q).item();
      const KlEstimate<double> est = kl_divergence_mc(*p, *q, 20000, gen, e);
      const std::string name = kl_estimator_name(e);
      INFO(c.name << " " << name << ": estimate " << est.value.item() << " +- " << est.stderr_() << ", exact " << exact);
      CHECK(est.stderr_() > 0);
      CHECK(est.samples.size() == 20000);
      if (e != KlEstimator::k2) CHECK(std::abs(est.value.item() - exact) < 4 * est.stderr_());
      if (e == KlEstimator::k3)
        for (double k : est.samples) CHECK(k >= 0);
      by.emplace(name, std::make_pair(est.value.item(), est.stderr_()));
    }
    // k2 = E[r^2] / 2 is not the KL: its bias is of third order in r, so small for close pairs
    // (within 20% of the KL here) but many standard errors at n = 20000. Where p and q are
    // close, k2 and k3 buy a smaller standard error than k1's; far apart they need not
    // (N(0, 1) || N(2, 0.5): k2 0.9 against k1 0.06).
    INFO(c.name << ": k2 " << by.at("k2").first << ", exact " << exact);
    if (!c.close_pair) continue;
    CHECK(std::abs(by.at("k2").first - exact) < 0.2 * exact);
    CHECK(by.at("k2").second < by.at("k1").second);
    CHECK(by.at("k3").second < by.at("k1").second);
  }
}

TEST_CASE("kl_divergence_mc: the standard error matches the spread of 50 repeated estimates within 20%") {
  for (KlEstimator e : {KlEstimator::k1, KlEstimator::k3}) {
    Generator gen(77);
    std::vector<double> estimates;
    double reported = 0;
    for (int rep = 0; rep < 50; ++rep) {
      Tape<double> tape;
      const Normal<double> p(tape.constant(0.0), tape.constant(1.0)), q(tape.constant(0.5), tape.constant(1.3));
      const KlEstimate<double> est = kl_divergence_mc(p, q, 2000, gen, e);
      estimates.push_back(est.value.item());
      reported += est.stderr_() / 50;
    }
    double m = 0, v = 0;
    for (double x : estimates) m += x / 50;
    for (double x : estimates) v += (x - m) * (x - m) / 49;
    INFO(std::string(kl_estimator_name(e)) << ": spread " << std::sqrt(v) << ", mean reported standard error " << reported);
    CHECK(std::abs(std::sqrt(v) / reported - 1) < 0.2);
  }
}

TEST_CASE("kl_divergence_mc: differentiable through rsample, a batch at a time") {
  // KL(N(mp, 1) || N(mq, 1)) = (mp - mq)^2 / 2: d/dmq = mq - mp, d/dmp = mp - mq.
  Tape<double> tape;
  const Tensor<double> mp = tape.variable(Array<double>{0.0, 1.0}), mq = tape.variable(Array<double>{0.5, -1.0});
  const Normal<double> p(mp, tape.constant(1.0)), q(mq, tape.constant(1.0));
  Generator gen(5);
  const KlEstimate<double> est = kl_divergence_mc(p, q, 40000, gen, KlEstimator::k1);
  REQUIRE(est.value.shape() == Shape{2});
  sum(est.value).backward();
  for (std::size_t i = 0; i < 2; ++i) {
    const double d = mp.value()(i) - mq.value()(i);
    INFO("entry " << i);
    CHECK(std::abs(est.value.value()(i) - d * d / 2) < 4 * est.stderr_(i));
    CHECK(mp.grad()(i) == doctest::Approx(d).epsilon(0.05));
    CHECK(mq.grad()(i) == doctest::Approx(-d).epsilon(0.05));
  }
}

TEST_CASE("kl_divergence_mc: a pair with no closed form in the registry (Normal || Laplace) against its integral") {
  // KL(N(0, 1) || Laplace(0, 1)) = E[-x^2/2 - log sqrt(2 pi)] - E[-|x| - log 2]
  //                              = -1/2 - log(2 pi)/2 + sqrt(2/pi) + log 2
  const double pi = 3.14159265358979323846;
  const double exact = -0.5 - 0.5 * std::log(2 * pi) + std::sqrt(2 / pi) + std::log(2.0);
  Tape<double> tape;
  const Normal<double> p(tape.constant(0.0), tape.constant(1.0));
  const Laplace<double> q(tape.constant(0.0), tape.constant(1.0));
  CHECK_THROWS_WITH_AS(kl_divergence(p, q), doctest::Contains("no KL registered"), Error);
  Generator gen(11);
  for (KlEstimator e : {KlEstimator::k1, KlEstimator::k3}) {
    const KlEstimate<double> est = kl_divergence_mc(p, q, 50000, gen, e);
    INFO(std::string(kl_estimator_name(e)) << ": " << est.value.item() << " +- " << est.stderr_() << ", exact " << exact);
    CHECK(std::abs(est.value.item() - exact) < 4 * est.stderr_());
  }
}

TEST_CASE("kl_divergence_mc: errors name the problem") {
  Tape<double> tape, other;
  const Normal<double> p(tape.constant(0.0), tape.constant(1.0)), q(tape.constant(1.0), tape.constant(1.0));
  const Normal<double> elsewhere(other.constant(0.0), other.constant(1.0));
  Generator gen(1);
  CHECK_THROWS_WITH_AS(kl_divergence_mc(p, q, 1, gen), doctest::Contains("n must be >= 2"), Error);
  CHECK_THROWS_WITH_AS(kl_divergence_mc(p, elsewhere, 10, gen), doctest::Contains("different tapes"), Error);
  const Independent<double> vec(Normal<double>(tape.constant(Array<double>{0.0, 0.0}), tape.constant(1.0)), 1);
  CHECK_THROWS_WITH_AS(kl_divergence_mc(p, vec, 10, gen), doctest::Contains("event shape"), Error);
  CHECK_THROWS_WITH_AS(parse_kl_estimator("k4"), doctest::Contains("use k1, k2 or k3"), Error);
}
