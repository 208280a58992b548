// kl_divergence: the VAE identity, finite-difference gradient checks of every KL
// pair and every log_prob/entropy, the registry (a user-defined pair, the
// unregistered-pair error) and the argument checks.
#include <doctest/doctest.h>

#include <cmath>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "klgrad/distributions.hpp"
#include "klgrad/gradcheck.hpp"
#include "klgrad/ops.hpp"

using namespace klgrad;

namespace {

Array<double> randn(Generator& gen, const Shape& s, double scale = 1.0) { return gen.normal<double>(s) * scale; }
Array<double> rand_pos(Generator& gen, const Shape& s) { return xt::exp(gen.normal<double>(s) * 0.5); }
Array<double> rand_probs(Generator& gen, const Shape& s) { return gen.uniform<double>(s) * 0.8 + 0.1; }

// A user-defined distribution: Exponential(rate), density rate e^(-rate x), x >= 0.
struct Exponential : Distribution<double> {
  Tensor<double> rate;
  explicit Exponential(const Tensor<double>& r) : Distribution<double>(r.tape(), r.shape(), {}), rate(r) {}
  std::string name() const override { return "Exponential"; }
  Tensor<double> log_prob(const Tensor<double>& x) const override { return log(rate) - rate * x; }
  Tensor<double> entropy() const override { return 1.0 - log(rate); }
  Tensor<double> sample(Generator& gen, const Shape& sample_shape) const override {
    Array<double> u = gen.uniform<double>(extended_shape(sample_shape));
    return rate.tape().constant(Array<double>(-xt::log(1.0 - u) / rate.value()));
  }
};

// KL(Exp(a) || Exp(b)) = log(a / b) + b / a - 1
Tensor<double> kl_exponential(const Exponential& p, const Exponential& q) {
  return log(p.rate / q.rate) + q.rate / p.rate - 1.0;
}

}  // namespace

TEST_CASE("VAE identity: -0.5 sum(1 + logvar - mu^2 - exp(logvar)) == sum KL(N(mu, exp(logvar / 2)) || N(0, 1))") {
  Generator gen(0);
  const Array<double> mu = randn(gen, {128, 20}), logvar = randn(gen, {128, 20}, 0.7);
  double closed = 0;
  for (std::size_t i = 0; i < mu.size(); ++i)
    closed += -0.5 * (1 + logvar.flat(i) - mu.flat(i) * mu.flat(i) - std::exp(logvar.flat(i)));

  Tape<double> tape;
  auto m = tape.variable(mu), lv = tape.variable(logvar);
  Normal<double> q(m, exp(lv * 0.5));
  Normal<double> prior(tape.constant(0.0), tape.constant(1.0));
  auto kl = sum(kl_divergence(q, prior));
  CHECK(kl.item() == doctest::Approx(closed).epsilon(1e-12));
  // and the gradients of the closed form: d/dmu = mu, d/dlogvar = (exp(logvar) - 1) / 2
  kl.backward();
  CHECK(xt::allclose(m.grad(), mu, 1e-10, 1e-12));
  CHECK(xt::allclose(lv.grad(), Array<double>(0.5 * (xt::exp(logvar) - 1.0)), 1e-10, 1e-12));

  // float32, the training precision
  Tape<float> tf;
  Normal<float> qf(tf.constant(Array<float>(xt::cast<float>(mu))),
                   exp(tf.constant(Array<float>(xt::cast<float>(logvar))) * 0.5f));
  Normal<float> pf(tf.constant(0.0f), tf.constant(1.0f));
  CHECK(sum(kl_divergence(qf, pf)).item() == doctest::Approx(closed).epsilon(1e-5));
}

TEST_CASE("gradcheck: kl_divergence of every registered pair w.r.t. both distributions' parameters") {
  Generator gen(1);
  const Shape s{2, 3};
  auto normal = gradcheck(
      [](std::vector<Tensor<double>>& v) { return kl_divergence(Normal<double>(v[0], v[1]), Normal<double>(v[2], v[3])); },
      {randn(gen, s), rand_pos(gen, s), randn(gen, s), rand_pos(gen, s)});
  CHECK_MESSAGE(normal.ok, normal.message);
  // broadcasting q against p: a (3,) prior against a (2, 3) batch
  auto bcast = gradcheck(
      [](std::vector<Tensor<double>>& v) { return kl_divergence(Normal<double>(v[0], v[1]), Normal<double>(v[2], v[3])); },
      {randn(gen, s), rand_pos(gen, s), randn(gen, {3}), rand_pos(gen, {3})});
  CHECK_MESSAGE(bcast.ok, bcast.message);
  auto independent = gradcheck(
      [](std::vector<Tensor<double>>& v) {
        return kl_divergence(Independent(Normal<double>(v[0], v[1]), 1), Independent(Normal<double>(v[2], v[3]), 1));
      },
      {randn(gen, s), rand_pos(gen, s), randn(gen, s), rand_pos(gen, s)});
  CHECK_MESSAGE(independent.ok, independent.message);
  for (bool lp : {false, true}) {
    for (bool lq : {false, true}) {
      INFO("p from " << (lp ? "logits" : "probs") << ", q from " << (lq ? "logits" : "probs"));
      auto cat = [lp, lq](std::vector<Tensor<double>>& v) {
        auto make = [](bool logits, const Tensor<double>& x) {
          return logits ? Categorical<double>::from_logits(x) : Categorical<double>::from_probs(x);
        };
        return kl_divergence(make(lp, v[0]), make(lq, v[1]));
      };
      auto c = gradcheck(cat, {lp ? randn(gen, {2, 4}) : rand_probs(gen, {2, 4}),
                               lq ? randn(gen, {2, 4}) : rand_probs(gen, {2, 4})});
      CHECK_MESSAGE(c.ok, c.message);
      auto bern = [lp, lq](std::vector<Tensor<double>>& v) {
        auto make = [](bool logits, const Tensor<double>& x) {
          return logits ? Bernoulli<double>::from_logits(x) : Bernoulli<double>::from_probs(x);
        };
        return kl_divergence(make(lp, v[0]), make(lq, v[1]));
      };
      auto b = gradcheck(bern, {lp ? randn(gen, s, 2.0) : rand_probs(gen, s), lq ? randn(gen, s, 2.0) : rand_probs(gen, s)});
      CHECK_MESSAGE(b.ok, b.message);
    }
  }
}

TEST_CASE("gradcheck: log_prob, entropy and rsample w.r.t. the parameters") {
  Generator gen(2);
  const Shape s{2, 3};
  const Array<double> x = randn(gen, {4, 2, 3});
  auto r = gradcheck(
      [&](std::vector<Tensor<double>>& v) { return Normal<double>(v[0], v[1]).log_prob(v[0].tape().constant(x)); },
      {randn(gen, s), rand_pos(gen, s)});
  CHECK_MESSAGE(r.ok, r.message);
  // log_prob w.r.t. the value too (a Normal density is differentiable in x)
  r = gradcheck([](std::vector<Tensor<double>>& v) { return Normal<double>(v[0], v[1]).log_prob(v[2]); },
                {randn(gen, s), rand_pos(gen, s), x});
  CHECK_MESSAGE(r.ok, r.message);
  r = gradcheck([](std::vector<Tensor<double>>& v) { return Normal<double>(v[0], v[1]).entropy(); },
                {randn(gen, s), rand_pos(gen, s)});
  CHECK_MESSAGE(r.ok, r.message);
  const Array<double> eps = randn(gen, {5, 2, 3});
  r = gradcheck([&](std::vector<Tensor<double>>& v) { return Normal<double>(v[0], v[1]).rsample(eps); },
                {randn(gen, s), rand_pos(gen, s)});
  CHECK_MESSAGE(r.ok, r.message);
  r = gradcheck(
      [&](std::vector<Tensor<double>>& v) {
        return Independent(Normal<double>(v[0], v[1]), 2).log_prob(v[0].tape().constant(x));
      },
      {randn(gen, s), rand_pos(gen, s)});
  CHECK_MESSAGE(r.ok, r.message);

  const Array<double> classes{{0, 3}, {2, 1}, {3, 3}};  // (3, 2) indices against a batch of 2
  for (bool logits : {false, true}) {
    INFO((logits ? "from_logits" : "from_probs"));
    auto cat = [logits](const Tensor<double>& t) {
      return logits ? Categorical<double>::from_logits(t) : Categorical<double>::from_probs(t);
    };
    const Array<double> param = logits ? randn(gen, {2, 4}) : rand_probs(gen, {2, 4});
    r = gradcheck([&](std::vector<Tensor<double>>& v) { return cat(v[0]).log_prob(v[0].tape().constant(classes)); },
                  {param});
    CHECK_MESSAGE(r.ok, r.message);
    r = gradcheck([&](std::vector<Tensor<double>>& v) { return cat(v[0]).entropy(); }, {param});
    CHECK_MESSAGE(r.ok, r.message);

    auto bern = [logits](const Tensor<double>& t) {
      return logits ? Bernoulli<double>::from_logits(t) : Bernoulli<double>::from_probs(t);
    };
    const Array<double> bparam = logits ? randn(gen, s, 3.0) : rand_probs(gen, s);
    Array<double> half = Array<double>::from_shape(s);
    half.fill(0.5);
    const Array<double> y = gen.bernoulli(half, {2});
    r = gradcheck([&](std::vector<Tensor<double>>& v) { return bern(v[0]).log_prob(v[0].tape().constant(y)); },
                  {bparam});
    CHECK_MESSAGE(r.ok, r.message);
    r = gradcheck([&](std::vector<Tensor<double>>& v) { return bern(v[0]).entropy(); }, {bparam});
    CHECK_MESSAGE(r.ok, r.message);
  }
}

TEST_CASE("kl_divergence: an unregistered pair names both types and how to register it") {
  Tape<double> tape;
  Normal<double> n(tape.constant(0.0), tape.constant(1.0));
  auto b = Bernoulli<double>::from_probs(tape.constant(0.5));
  CHECK_THROWS_WITH_AS(kl_divergence(n, b),
                       "kl_divergence: no KL registered for (Normal, Bernoulli); "
                       "register one with register_kl<Normal<double>, Bernoulli<double>>(fn)",
                       Error);
  Tape<float> tf;
  auto c = Categorical<float>::from_logits(tf.constant(Array<float>{0.0f, 1.0f}));
  Normal<float> nf(tf.constant(0.0f), tf.constant(1.0f));
  CHECK_THROWS_WITH_AS(kl_divergence(c, nf), doctest::Contains("register_kl<Categorical<float>, Normal<float>>(fn)"),
                       Error);
}

TEST_CASE("register_kl: a user-defined distribution pair joins the registry, also inside Independent") {
  Tape<double> tape;
  Exponential p(tape.variable(Array<double>{0.5, 2.0})), q(tape.variable(Array<double>{1.5, 1.0}));
  CHECK_THROWS_WITH_AS(kl_divergence(p, q), doctest::Contains("(Exponential, Exponential)"), Error);

  register_kl<Exponential, Exponential>(&kl_exponential);
  auto kl = kl_divergence(p, q);
  for (std::size_t i = 0; i < 2; ++i) {
    const double a = p.rate.value()(i), b = q.rate.value()(i);
    CHECK(kl.value()(i) == doctest::Approx(std::log(a / b) + b / a - 1));
  }
  // Independent || Independent is built in and dispatches to the user's pair
  auto kli = kl_divergence(Independent(p, 1), Independent(q, 1));
  CHECK(kli.item() == doctest::Approx(kl.value()(0) + kl.value()(1)));
  // Monte Carlo cross-check: E_p[log p - log q] over 100k draws, within 4 standard errors
  Generator gen(4);
  auto x = p.sample(gen, {100000});
  const Array<double> d = (p.log_prob(x) - q.log_prob(x)).value();
  for (std::size_t i = 0; i < 2; ++i) {
    const Array<double> col = xt::view(d, xt::all(), i);
    const double m = xt::mean(col)(), sd = xt::stddev(col)();
    CHECK(std::abs(m - kl.value()(i)) < 4 * sd / std::sqrt(100000.0));
  }
  // a later registration replaces the earlier one
  register_kl<Exponential, Exponential>([](const Exponential& a, const Exponential&) { return a.rate * 0.0; });
  CHECK(kl_divergence(p, q).value()(0) == 0.0);
}

TEST_CASE("kl_divergence: mismatched shapes, categories and reinterpreted dims are Errors that say why") {
  Tape<double> tape;
  Normal<double> a(tape.constant(Array<double>{0.0, 1.0}), tape.constant(1.0));
  Normal<double> b(tape.constant(Array<double>{0.0, 1.0, 2.0}), tape.constant(1.0));
  CHECK_THROWS_WITH_AS(kl_divergence(a, b), doctest::Contains("kl_divergence(Normal, Normal): batch shapes (2,) and (3,)"),
                       Error);
  auto c3 = Categorical<double>::from_logits(tape.constant(Array<double>{0.0, 1.0, 2.0}));
  auto c4 = Categorical<double>::from_logits(tape.constant(Array<double>{0.0, 1.0, 2.0, 3.0}));
  CHECK_THROWS_WITH_AS(kl_divergence(c3, c4), doctest::Contains("p has 3 categories and q has 4"), Error);
  Normal<double> m(tape.constant(Array<double>{{0.0, 1.0}}), tape.constant(1.0));
  CHECK_THROWS_WITH_AS(kl_divergence(Independent(m, 1), Independent(m, 2)),
                       doctest::Contains("p reinterprets 1 batch dims and q 2"), Error);
}

TEST_CASE("kl_divergence: Categorical and Bernoulli edge terms (inf where q = 0 < p, 0 where p = 0)") {
  Tape<double> tape;
  auto p = Categorical<double>::from_probs(tape.constant(Array<double>{{0.5, 0.5, 0.0}, {0.0, 0.5, 0.5}}));
  auto q = Categorical<double>::from_probs(tape.constant(Array<double>{{0.5, 0.0, 0.5}, {0.5, 0.5, 0.0}}));
  const Array<double> kl = kl_divergence(p, q).value();
  CHECK(std::isinf(kl(0)));
  CHECK(std::isinf(kl(1)));
  CHECK(kl_divergence(p, p).value() == Array<double>{0.0, 0.0});
  auto bp = Bernoulli<double>::from_probs(tape.constant(Array<double>{0.0, 1.0, 0.3, 0.0}));
  auto bq = Bernoulli<double>::from_probs(tape.constant(Array<double>{0.0, 1.0, 1.0, 0.4}));
  const Array<double> bkl = kl_divergence(bp, bq).value();
  CHECK(bkl(0) == 0.0);
  CHECK(bkl(1) == 0.0);
  CHECK(std::isinf(bkl(2)));
  CHECK(bkl(3) == doctest::Approx(-std::log(0.6)));
}
