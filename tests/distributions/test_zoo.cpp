// The distribution zoo's first slice (issue 14): lgamma and digamma as
// primitives; Exponential, Gamma, Beta, Uniform; and the 16 KL pairs PyTorch 1.13
// registers among them. Against PyTorch (fixtures from tests/golden/gen_zoo.py,
// float64: 1e-10 relative on values, 1e-8 on gradients, inf where PyTorch has
// inf), gradcheck of every finite KL w.r.t. every parameter, sampling moments
// (10^5 draws within 5 standard errors), and one test per invalid parameter.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "klgrad/distributions/kl_zoo.hpp"
#include "klgrad/distributions/special.hpp"
#include "klgrad/gradcheck.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

const golden::File& fixtures() { return golden::file("zoo.txt"); }

const std::map<std::string, std::vector<std::string>> family_params = {
    {"exponential", {"rate"}},
    {"gamma", {"concentration", "rate"}},
    {"beta", {"concentration1", "concentration0"}},
    {"uniform", {"low", "high"}}};

// The 16 pairs of torch.distributions.kl._KL_REGISTRY among the four families.
const std::vector<std::pair<std::string, std::string>> registered_pairs = {
    {"beta", "beta"},           {"beta", "exponential"},        {"beta", "gamma"},
    {"beta", "uniform"},        {"exponential", "beta"},        {"exponential", "exponential"},
    {"exponential", "gamma"},   {"exponential", "uniform"},     {"gamma", "beta"},
    {"gamma", "exponential"},   {"gamma", "gamma"},             {"gamma", "uniform"},
    {"uniform", "beta"},        {"uniform", "exponential"},     {"uniform", "gamma"},
    {"uniform", "uniform"}};

// f(the family `fam` built on v), for any f taking a distribution.
template <class T, class F>
Tensor<T> with_family(const std::string& fam, const std::vector<Tensor<T>>& v, F f) {
  if (fam == "exponential") return f(Exponential<T>(v.at(0)));
  if (fam == "gamma") return f(Gamma<T>(v.at(0), v.at(1)));
  if (fam == "beta") return f(Beta<T>(v.at(0), v.at(1)));
  REQUIRE(fam == "uniform");
  return f(Uniform<T>(v.at(0), v.at(1)));
}

template <class T>
Tensor<T> kl_of(const std::string& pf, const std::vector<Tensor<T>>& pv, const std::string& qf,
                const std::vector<Tensor<T>>& qv) {
  return with_family<T>(pf, pv, [&](const auto& p) {
    return with_family<T>(qf, qv, [&](const auto& q) { return kl_divergence(p, q); });
  });
}

void compare(const Array<double>& got, const std::string& key, double rtol, double atol) {
  INFO(key);
  const std::string diff = golden::compare(got, fixtures().get<double>(key), rtol, atol);
  CHECK_MESSAGE(diff.empty(), diff);
}

// PyTorch's gradient is NaN at the inf elements of Uniform || Gamma and Uniform || Beta
// whose formula takes the log of a negative number (0 * NaN through its masked
// assignment); klgrad evaluates those elements on stand-ins and gives 0 there.
// Everywhere else the gradients must agree: 1e-8 relative, plus 1e-10 absolute because
// PyTorch's trigamma (the backward of digamma) is accurate to ~5e-10 relative only, and
// a gradient that is a difference of O(1) trigamma terms (e.g. Beta || Exponential's
// d/d concentration0, about -0.0018) inherits that error absolutely.
int nan_gradients = 0;
void compare_grad(const Array<double>& got, const std::string& key) {
  Array<double> want = fixtures().get<double>(key);
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (!std::isnan(want.flat(i))) continue;
    ++nan_gradients;
    INFO(key << " element " << i << ": PyTorch NaN");
    CHECK(got.flat(i) == 0.0);
    want.flat(i) = 0.0;
  }
  INFO(key);
  const std::string diff = golden::compare(got, want, 1e-8, 1e-10);
  CHECK_MESSAGE(diff.empty(), diff);
}

// y = f(variables holding the fixture's parameters): y against <key>/out, then
// d(sum(y * seed))/d param against <key>/grad_<name>.
void check_parity(const std::string& key, const std::vector<std::pair<std::string, std::string>>& params,
                  const std::function<Tensor<double>(std::vector<Tensor<double>>&)>& f) {
  Tape<double> tape;
  std::vector<Tensor<double>> vars;
  for (const auto& p : params) vars.push_back(tape.variable(fixtures().get<double>(p.second)));
  const Tensor<double> y = f(vars);
  compare(y.value(), key + "/out", 1e-10, 1e-13);
  if (!y.requires_grad()) FAIL_CHECK(key << ": the result is cut from the parameters");
  y.backward(fixtures().get<double>(key + "/seed"));
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Array<double> g = vars[i].has_grad() ? vars[i].grad() : Array<double>(xt::zeros<double>(vars[i].shape()));
    compare_grad(g, key + "/grad_" + params[i].first);
  }
}

double sq(double x) { return x * x; }

// Mean and variance of column j of (n, k) draws within 5 standard errors of mu and
// var; the SE of the variance from the draws' own 4th central moment.
void check_moments(const Array<double>& x, std::size_t j, double mu, double var) {
  const std::size_t n = x.shape(0), k = x.shape(1);
  double m = 0;
  for (std::size_t i = 0; i < n; ++i) m += x.data()[i * k + j];
  m /= static_cast<double>(n);
  double m2 = 0, m4 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d2 = sq(x.data()[i * k + j] - m);
    m2 += d2;
    m4 += d2 * d2;
  }
  const double nd = static_cast<double>(n);
  m2 /= nd - 1;
  m4 /= nd;
  INFO("column " << j << ": mean " << m << " vs " << mu << ", variance " << m2 << " vs " << var);
  CHECK(std::abs(m - mu) <= 5 * std::sqrt(var / nd));
  CHECK(std::abs(m2 - var) <= 5 * std::sqrt((m4 - m2 * m2) / nd));
}

}  // namespace

TEST_CASE("lgamma, digamma and their derivatives match PyTorch and closed forms") {
  const auto& g = fixtures();
  const Array<double> x = g.get<double>("special/x");
  Array<double> lg = x, dg = x, tg = x;
  for (std::size_t i = 0; i < x.size(); ++i) {
    lg.flat(i) = special::lgamma(x.flat(i));
    dg.flat(i) = special::digamma(x.flat(i));
    tg.flat(i) = special::trigamma(x.flat(i));
  }
  compare(lg, "special/lgamma", 1e-12, 1e-14);
  compare(dg, "special/digamma", 1e-12, 1e-14);
  compare(tg, "special/trigamma_mpmath", 1e-14, 1e-16);
  compare(tg, "special/trigamma", 1e-9, 1e-14);  // PyTorch's own trigamma: ~5e-10 relative
  // closed forms: Gamma(5) = 24, psi(1) = -gamma_e, psi(1/2) = -gamma_e - 2 log 2, psi'(1) = pi^2 / 6
  const double euler = 0.57721566490153286060, pi = 3.14159265358979323846;
  CHECK(special::lgamma(5.0) == doctest::Approx(std::log(24.0)).epsilon(1e-15));
  CHECK(special::digamma(1.0) == doctest::Approx(-euler).epsilon(1e-15));
  CHECK(special::digamma(0.5) == doctest::Approx(-euler - 2 * std::log(2.0)).epsilon(1e-15));
  CHECK(special::trigamma(1.0) == doctest::Approx(pi * pi / 6).epsilon(1e-15));
  CHECK(special::lgamma(2.5f) == doctest::Approx(std::lgamma(2.5)).epsilon(1e-6));
  // poles, as PyTorch: lgamma +inf at 0, -1, ...; digamma -inf at 0, NaN at -1, -2, ...
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(special::lgamma(0.0) == inf);
  CHECK(special::lgamma(-3.0) == inf);
  CHECK(special::digamma(0.0) == -inf);
  CHECK(std::isnan(special::digamma(-2.0)));
  // the primitives' backward: gradcheck of lgamma (digamma) and digamma (trigamma)
  const Array<double> pts{0.3, 1.0, 2.5, 7.0, -0.5, -2.7};
  auto r = gradcheck([](std::vector<Tensor<double>>& v) { return lgamma(v[0]); }, {pts});
  CHECK_MESSAGE(r.ok, r.message);
  r = gradcheck([](std::vector<Tensor<double>>& v) { return digamma(v[0]); }, {pts});
  CHECK_MESSAGE(r.ok, r.message);
}

TEST_CASE("Exponential, Gamma, Beta, Uniform match PyTorch: log_prob, entropy, mean, variance, gradients") {
  for (const auto& [fam, names] : family_params) {
    INFO(fam);
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& n : names) params.push_back({n, fam + "/" + n});
    const Array<double> value = fixtures().get<double>(fam + "/value");
    check_parity(fam + "/log_prob", params, [&](std::vector<Tensor<double>>& v) {
      return with_family<double>(fam, v, [&](const auto& d) {
        CHECK(d.batch_shape() == Shape{2, 3});
        return d.log_prob(v[0].tape().constant(value));
      });
    });
    check_parity(fam + "/entropy", params, [&](std::vector<Tensor<double>>& v) {
      return with_family<double>(fam, v, [](const auto& d) { return d.entropy(); });
    });
    check_parity(fam + "/mean", params, [&](std::vector<Tensor<double>>& v) {
      return with_family<double>(fam, v, [](const auto& d) { return d.mean(); });
    });
    check_parity(fam + "/variance", params, [&](std::vector<Tensor<double>>& v) {
      return with_family<double>(fam, v, [](const auto& d) { return d.variance(); });
    });
  }
}

TEST_CASE("kl_divergence among the four families matches PyTorch: all 16 registered pairs, inf and gradients") {
  CHECK(fixtures().scalar("kl/count") == static_cast<double>(registered_pairs.size()));
  int infinite = 0, finite = 0;
  for (const auto& [pf, qf] : registered_pairs) {
    const std::string k = "kl/" + pf + "_" + qf;
    INFO(k);
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& n : family_params.at(pf)) params.push_back({"p_" + n, k + "/p_" + n});
    for (const auto& n : family_params.at(qf)) params.push_back({"q_" + n, k + "/q_" + n});
    const std::size_t np = family_params.at(pf).size();
    check_parity(k + "/kl", params, [&](std::vector<Tensor<double>>& v) {
      return kl_of<double>(pf, {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(np)}, qf,
                           {v.begin() + static_cast<std::ptrdiff_t>(np), v.end()});
    });
    for (double x : fixtures().get<double>(k + "/kl/out")) (std::isinf(x) ? infinite : finite) += 1;
  }
  // the fixtures exercise both sides of every support condition
  CHECK(infinite > 0);
  CHECK(finite > 0);
  CHECK(nan_gradients == 9);  // 3 in Uniform || Beta, 6 in Uniform || Gamma
}

TEST_CASE("KL at the ends of the support: 0 log 0 = 0 where PyTorch's formula gives NaN") {
  const auto& g = fixtures();
  Tape<double> tape;
  // U(0, h) || Gamma(1, r) is U(0, h) || Exp(r), which PyTorch computes without 0 log 0
  const Array<double> h = g.get<double>("edge/uniform0_gamma1/high"), r = g.get<double>("edge/uniform0_gamma1/rate");
  auto kl = kl_divergence(Uniform<double>(tape.constant(0.0), tape.constant(h)),
                          Gamma<double>(tape.constant(1.0), tape.constant(r)));
  compare(kl.value(), "edge/uniform0_gamma1/kl", 1e-12, 1e-14);
  // U(0, 1) || Beta(a, b) = (a - 1) + (b - 1) + log B(a, b), evaluated by PyTorch
  auto a = tape.variable(g.get<double>("edge/uniform01_beta/a")), b = tape.variable(g.get<double>("edge/uniform01_beta/b"));
  kl = kl_divergence(Uniform<double>(tape.constant(0.0), tape.constant(1.0)), Beta<double>(a, b));
  compare(kl.value(), "edge/uniform01_beta/kl", 1e-12, 1e-14);
  // what PyTorch 1.13 itself returns there (documented in kl_zoo.hpp)
  for (const char* key : {"edge/uniform0_gamma1/torch", "edge/uniform01_beta/torch"})
    for (double x : g.get<double>(key)) CHECK(std::isnan(x));
  // and the gradient at the edge is finite: d/da = 1 + psi(a) - psi(a + b)
  sum(kl).backward();
  for (std::size_t i = 0; i < 3; ++i) {
    const double ai = a.value().flat(i), bi = b.value().flat(i);
    CHECK(a.grad().flat(i) == doctest::Approx(1 + special::digamma(ai) - special::digamma(ai + bi)).epsilon(1e-12));
  }
}

TEST_CASE("gradcheck: every finite KL pair w.r.t. every parameter, with broadcasting") {
  Generator gen(140);
  auto pos = [&](const Shape& s) { return Array<double>(xt::exp(gen.normal<double>(s) * 0.5)); };
  auto in = [&](const Shape& s, double lo, double hi) { return Array<double>(lo + gen.uniform<double>(s) * (hi - lo)); };
  // parameters inside each pair's support condition, p (2, 3) and q (3,)
  auto params = [&](const std::string& fam, bool is_p, const std::string& other) -> std::vector<Array<double>> {
    const Shape s = is_p ? Shape{2, 3} : Shape{3};
    if (fam == "exponential") return {pos(s)};
    if (fam == "gamma" || fam == "beta") return {pos(s), pos(s)};
    if (is_p && other == "beta") return {in(s, 0.05, 0.4), in(s, 0.5, 0.95)};
    if (is_p && other == "uniform") return {in(s, -0.5, 0.0), in(s, 0.5, 1.0)};
    if (is_p) return {in(s, 0.1, 1.0), in(s, 1.5, 3.0)};
    return other == "uniform" ? std::vector<Array<double>>{in(s, -2.0, -1.0), in(s, 3.5, 5.0)}
                              : std::vector<Array<double>>{in(s, -1.0, -0.05), in(s, 1.05, 2.0)};
  };
  int checked = 0;
  for (const auto& [pf, qf] : registered_pairs) {
    const bool all_inf = (pf == "exponential" || pf == "gamma") && (qf == "beta" || qf == "uniform");
    if (all_inf) continue;  // inf everywhere: no derivative to check (the parity test shows the zero gradient)
    INFO("KL(" << pf << " || " << qf << ")");
    std::vector<Array<double>> inputs = params(pf, true, qf);
    const std::size_t np = inputs.size();
    for (auto& a : params(qf, false, pf)) inputs.push_back(a);
    auto r = gradcheck(
        [&](std::vector<Tensor<double>>& v) {
          return kl_of<double>(pf, {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(np)}, qf,
                               {v.begin() + static_cast<std::ptrdiff_t>(np), v.end()});
        },
        inputs);
    CHECK_MESSAGE(r.ok, r.message);
    ++checked;
  }
  CHECK(checked == 12);
}

TEST_CASE("gradcheck: log_prob and entropy of each family, rsample of Exponential and Uniform") {
  Generator gen(141);
  const Array<double> a{0.4, 1.0, 3.5}, b{2.0, 0.7, 1.3};
  const Array<double> x01{0.2, 0.55, 0.9}, xpos{0.3, 1.7, 4.0};
  auto check = [](const GradcheckResult& r) { CHECK_MESSAGE(r.ok, r.message); };
  for (const std::string fam : {"exponential", "gamma", "beta", "uniform"}) {
    INFO(fam);
    const bool two = fam != "exponential";
    std::vector<Array<double>> in = two ? std::vector<Array<double>>{a, b} : std::vector<Array<double>>{a};
    if (fam == "uniform") in = {Array<double>{-1.0, 0.0, 0.1}, Array<double>{1.0, 2.0, 1.5}};
    const Array<double> x = fam == "beta" ? x01 : (fam == "uniform" ? Array<double>{0.5, 1.2, 0.3} : xpos);
    check(gradcheck([&](std::vector<Tensor<double>>& v) {
      return with_family<double>(fam, v, [&](const auto& d) { return d.log_prob(v[0].tape().constant(x)); });
    }, in));
    check(gradcheck([&](std::vector<Tensor<double>>& v) {
      return with_family<double>(fam, v, [](const auto& d) { return d.entropy(); });
    }, in));
  }
  check(gradcheck([](std::vector<Tensor<double>>& v) {
    Generator g(5);  // the same draws on every evaluation
    return Exponential<double>(v[0]).rsample(g, {4});
  }, {a}));
  check(gradcheck([](std::vector<Tensor<double>>& v) {
    Generator g(6);
    return Uniform<double>(v[0], v[1]).rsample(g, {4});
  }, {Array<double>{-1.0, 0.0, 0.1}, Array<double>{1.0, 2.0, 1.5}}));
  (void)gen;
}

TEST_CASE("Sampling: mean and variance of 10^5 draws within 5 standard errors, for every family") {
  constexpr std::size_t n = 100000;
  Tape<double> tape;
  Generator gen(142);
  auto check_family = [&](const auto& d) {
    INFO(d.name());
    const Tensor<double> x = d.sample(gen, {n});
    REQUIRE(x.shape() == Shape{n, 3});
    CHECK_FALSE(x.requires_grad());
    const Array<double> mu = d.mean().value(), var = d.variance().value();
    for (std::size_t j = 0; j < 3; ++j) check_moments(x.value(), j, mu(j), var(j));
  };
  check_family(Exponential<double>(tape.constant(Array<double>{0.5, 1.0, 4.0})));
  // alpha < 1 (the boost), alpha = 1, alpha > 1
  check_family(Gamma<double>(tape.constant(Array<double>{0.3, 1.0, 4.5}), tape.constant(Array<double>{1.0, 2.0, 0.5})));
  check_family(Beta<double>(tape.constant(Array<double>{0.5, 2.0, 0.3}), tape.constant(Array<double>{0.5, 5.0, 3.0})));
  check_family(Uniform<double>(tape.constant(Array<double>{-1.0, 0.0, 2.0}), tape.constant(Array<double>{1.0, 0.1, 5.0})));
  // rsample draws the same way and carries the gradient
  Exponential<double> e(tape.variable(Array<double>{0.5, 1.0, 4.0}));
  Uniform<double> u(tape.variable(Array<double>{-1.0, 0.0, 2.0}), tape.variable(Array<double>{1.0, 0.1, 5.0}));
  for (const Distribution<double>* d : {static_cast<const Distribution<double>*>(&e), static_cast<const Distribution<double>*>(&u)}) {
    Generator g1(7), g2(7);
    CHECK(d->has_rsample());
    auto r = d->rsample(g1, {5});
    CHECK(r.requires_grad());
    CHECK(xt::allclose(d->sample(g2, {5}).value(), r.value()));
  }
  // draws lie in the support, in float too (tiny concentrations clamp to the smallest normal float)
  Tape<float> tf;
  Generator gf(143);
  const Array<float> gx = Gamma<float>(tf.constant(0.01f), tf.constant(1.0f)).sample(gf, {20000}).value();
  const Array<float> bx = Beta<float>(tf.constant(0.01f), tf.constant(0.01f)).sample(gf, {20000}).value();
  for (float v : gx) REQUIRE((v > 0.0f && std::isfinite(v)));
  for (float v : bx) REQUIRE((v >= 0.0f && v <= 1.0f));
}

TEST_CASE("float: the zoo's KL pairs agree with double") {
  Tape<float> tf;
  Tape<double> td;
  const float kf = kl_divergence(Gamma<float>(tf.constant(2.0f), tf.constant(3.0f)), Beta<float>(tf.constant(1.5f), tf.constant(0.5f))).item();
  CHECK(std::isinf(kf));
  const float bf = kl_divergence(Beta<float>(tf.constant(2.0f), tf.constant(3.0f)), Gamma<float>(tf.constant(1.5f), tf.constant(0.5f))).item();
  const double bd = kl_divergence(Beta<double>(td.constant(2.0), td.constant(3.0)), Gamma<double>(td.constant(1.5), td.constant(0.5))).item();
  CHECK(bf == doctest::Approx(bd).epsilon(1e-5));
}

TEST_CASE("Zoo: every invalid parameter is an Error naming the distribution, the parameter, the element, the fix") {
  Tape<double> tape;
  auto c = [&](std::initializer_list<double> v) { return tape.constant(Array<double>(v)); };
  CHECK_THROWS_WITH_AS(Exponential<double>(c({1.0, -1.0})),
                       "Exponential: rate must be > 0, found -1 at element 1 of rate (2,); keep it positive by "
                       "construction, e.g. exp(log_rate) or softplus(raw)",
                       Error);
  CHECK_THROWS_WITH_AS(Gamma<double>(c({1.0, 2.0, 3.0, -1.0}), c({1.0})),
                       doctest::Contains("Gamma: concentration must be > 0, found -1 at element 3 of concentration (4,)"),
                       Error);
  CHECK_THROWS_WITH_AS(Gamma<double>(c({1.0}), c({0.0})),
                       doctest::Contains("Gamma: rate must be > 0, found 0 at element 0 of rate (1,)"), Error);
  CHECK_THROWS_WITH_AS(Beta<double>(c({std::nan("")}), c({1.0})),
                       doctest::Contains("Beta: concentration1 must be > 0, found nan at element 0"), Error);
  CHECK_THROWS_WITH_AS(Beta<double>(c({1.0}), c({2.0, -0.5})),
                       doctest::Contains("Beta: concentration0 must be > 0, found -0.5 at element 1"), Error);
  CHECK_THROWS_WITH_AS(Uniform<double>(c({0.0, 2.0}), c({1.0, 2.0})),
                       doctest::Contains("Uniform: low must be < high, found low 2 and high 2 at element 1 of the batch (2,)"),
                       Error);
  CHECK_THROWS_WITH_AS(Uniform<double>(c({std::nan("")}), c({1.0})),
                       doctest::Contains("Uniform: low must be < high, found low nan"), Error);
  CHECK_THROWS_WITH_AS(Gamma<double>(c({1.0, 2.0}), c({1.0, 2.0, 3.0})),
                       doctest::Contains("Gamma: concentration (2,) and rate (3,) are not broadcastable"), Error);
  Tape<double> other;
  CHECK_THROWS_WITH_AS(Beta<double>(c({1.0}), other.constant(1.0)),
                       doctest::Contains("Beta: concentration1 and concentration0 live on different tapes"), Error);
  Generator gen(1);
  CHECK_THROWS_WITH_AS(Gamma<double>(c({1.0}), c({1.0})).rsample(gen),
                       doctest::Contains("Gamma: rsample is not available yet"), Error);
  CHECK_THROWS_WITH_AS(Beta<double>(c({1.0}), c({1.0})).rsample(gen),
                       doctest::Contains("Beta: rsample is not available yet"), Error);
  CHECK_FALSE(Gamma<double>(c({1.0}), c({1.0})).has_rsample());
  CHECK_THROWS_WITH_AS(kl_divergence(Gamma<double>(c({1.0, 2.0}), c({1.0})), Gamma<double>(c({1.0, 2.0, 3.0}), c({1.0}))),
                       doctest::Contains("batch shapes (2,) and (3,) do not broadcast"), Error);
}
