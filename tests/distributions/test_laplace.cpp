// Laplace and KL(Laplace || Laplace): against torch.distributions (fixtures from
// tests/golden/gen_extending.py), the closed-form KL against numerical
// integration and a Monte Carlo estimate, sampling statistics, gradchecks,
// the registration on first construction, and the argument checks.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "klgrad/distributions/laplace.hpp"
#include "klgrad/gradcheck.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

// Plain-double reference formulas, independent of the graph code.
double laplace_log_pdf(double x, double m, double b) { return -std::log(2 * b) - std::abs(x - m) / b; }

// Composite Simpson on [lo, hi] with n (even) intervals.
double simpson(const std::function<double(double)>& f, double lo, double hi, int n) {
  const double h = (hi - lo) / n;
  double s = f(lo) + f(hi);
  for (int i = 1; i < n; ++i) s += (i % 2 ? 4 : 2) * f(lo + i * h);
  return s * h / 3;
}

// KL(p || q) = int p (log p - log q), split at the two kinks so each piece is smooth;
// the integrand decays like e^(-|x - m1| / b1), so 60 b1 beyond the kinks it is below 1e-24.
double kl_by_integration(double m1, double b1, double m2, double b2) {
  auto f = [&](double x) {
    const double lp = laplace_log_pdf(x, m1, b1);
    return std::exp(lp) * (lp - laplace_log_pdf(x, m2, b2));
  };
  const double lo = std::min(m1, m2), hi = std::max(m1, m2), w = 60 * b1;
  return simpson(f, lo - w, lo, 20000) + (hi > lo ? simpson(f, lo, hi, 2000) : 0.0) + simpson(f, hi, hi + w, 20000);
}

double kl_closed(double m1, double b1, double m2, double b2) {
  Tape<double> tape;
  Laplace<double> p(tape.constant(m1), tape.constant(b1)), q(tape.constant(m2), tape.constant(b2));
  return kl_divergence(p, q).item();
}

template <class T>
void check_torch(const std::string& tag, double rtol, double atol) {
  const auto& g = golden::file("extending.txt");
  const std::string k = "laplace/" + tag + "/";
  auto cmp = [&](const Array<T>& got, const std::string& key) {
    INFO(k << key);
    const std::string diff = golden::compare(xt::cast<double>(got), g.get<double>(k + key), rtol, atol);
    CHECK_MESSAGE(diff.empty(), diff);
  };
  for (const char* what : {"log_prob", "entropy"}) {
    Tape<T> tape;
    auto loc = tape.variable(g.get<T>(k + "loc")), scale = tape.variable(g.get<T>(k + "scale"));
    Laplace<T> d(loc, scale);
    auto out = std::string(what) == "log_prob" ? d.log_prob(tape.constant(g.get<T>(k + "value"))) : d.entropy();
    out.backward(g.get<T>(k + what + "/seed"));
    cmp(out.value(), std::string(what) + "/out");
    cmp(loc.has_grad() ? loc.grad() : Array<T>(xt::zeros<T>(loc.shape())), std::string(what) + "/grad_loc");
    cmp(scale.grad(), std::string(what) + "/grad_scale");
  }
  Tape<T> tape;
  auto pl = tape.variable(g.get<T>(k + "loc")), ps = tape.variable(g.get<T>(k + "scale"));
  auto ql = tape.variable(g.get<T>(k + "q_loc")), qs = tape.variable(g.get<T>(k + "q_scale"));
  auto kl = kl_divergence(Laplace<T>(pl, ps), Laplace<T>(ql, qs));
  kl.backward(g.get<T>(k + "kl/seed"));
  cmp(kl.value(), "kl/out");
  cmp(pl.grad(), "kl/grad_p_loc");
  cmp(ps.grad(), "kl/grad_p_scale");
  cmp(ql.grad(), "kl/grad_q_loc");
  cmp(qs.grad(), "kl/grad_q_scale");
}

}  // namespace

TEST_CASE("Laplace matches torch.distributions: log_prob, entropy, kl_divergence and their gradients") {
  check_torch<double>("float64", 1e-10, 1e-13);
  check_torch<float>("float32", 1e-5, 1e-6);
}

TEST_CASE("KL(Laplace || Laplace): the closed form agrees with numerical integration") {
  const double cases[][4] = {{0, 1, 0, 1}, {0, 1, 0, 2}, {0, 1, 1, 1}, {0.5, 0.3, -1.0, 2.0}, {2.0, 3.0, 0.0, 0.5}};
  for (const auto& c : cases) {
    INFO("KL(L(" << c[0] << ", " << c[1] << ") || L(" << c[2] << ", " << c[3] << "))");
    CHECK(kl_closed(c[0], c[1], c[2], c[3]) ==
          doctest::Approx(kl_by_integration(c[0], c[1], c[2], c[3])).epsilon(1e-9));
  }
  CHECK(kl_closed(1.5, 0.7, 1.5, 0.7) == 0.0);
}

TEST_CASE("KL(Laplace || Laplace): the closed form agrees with a Monte Carlo estimate from sample()") {
  Generator gen(41);
  Tape<double> tape;
  const double m1 = 0.5, b1 = 0.8, m2 = -0.3, b2 = 1.6;
  Laplace<double> p(tape.constant(m1), tape.constant(b1));
  const Array<double> x = p.sample(gen, {400000}).value();
  double s = 0, s2 = 0;
  for (double v : x) {
    const double r = laplace_log_pdf(v, m1, b1) - laplace_log_pdf(v, m2, b2);
    s += r;
    s2 += r * r;
  }
  const double n = static_cast<double>(x.size()), mean = s / n, sd = std::sqrt(s2 / n - mean * mean);
  const double closed = kl_closed(m1, b1, m2, b2);
  INFO("Monte Carlo " << mean << " +- " << sd / std::sqrt(n) << ", closed form " << closed);
  CHECK(std::abs(mean - closed) <= 5 * sd / std::sqrt(n));
}

TEST_CASE("Laplace sampling: mean, variance 2 b^2, P(|X - m| > b) = 1/e, entropy = -E log p") {
  Generator gen(42);
  Tape<double> tape;
  const double m = -1.0, b = 2.0;
  Laplace<double> d(tape.constant(m), tape.constant(b));
  const Array<double> x = d.sample(gen, {400000}).value();
  const double n = static_cast<double>(x.size());
  double s = 0, s2 = 0, tail = 0, nll = 0;
  int non_finite = 0;
  for (double v : x) {
    s += v;
    s2 += (v - m) * (v - m);
    tail += std::abs(v - m) > b ? 1 : 0;
    nll -= laplace_log_pdf(v, m, b);
    non_finite += std::isfinite(v) ? 0 : 1;
  }
  CHECK(non_finite == 0);
  const double var = 2 * b * b;
  CHECK(std::abs(s / n - m) <= 5 * std::sqrt(var / n));
  CHECK(std::abs(s2 / n - var) <= 5 * std::sqrt(20 * b * b * b * b / n));  // Var((X - m)^2) = 24 b^4 - 4 b^4
  CHECK(std::abs(tail / n - std::exp(-1.0)) <= 5 * std::sqrt(0.25 / n));
  CHECK(nll / n == doctest::Approx(d.entropy().item()).epsilon(5e-3));
  // rsample: the same draws for the same stream, differentiable w.r.t. loc and scale
  Generator g1(7), g2(7);
  CHECK(xt::allclose(d.sample(g1, {5}).value(), d.rsample(g2, {5}).value()));
  // float draws are finite too, even at the ends of the uniform range
  Tape<float> tf;
  Generator gf(43);
  const Array<float> xf = Laplace<float>(tf.constant(0.0f), tf.constant(1.0f)).sample(gf, {100000}).value();
  CHECK(std::all_of(xf.begin(), xf.end(), [](float v) { return std::isfinite(v); }));
}

TEST_CASE("gradcheck: Laplace log_prob, entropy, rsample and KL w.r.t. every parameter, including delta = 0") {
  Generator gen(44);
  const Shape s{2, 3};
  const Array<double> loc = gen.normal<double>(s), scale = xt::exp(gen.normal<double>(s) * 0.5);
  const Array<double> value = gen.normal<double>({4, 2, 3}) * 2.0;
  auto r = gradcheck([](std::vector<Tensor<double>>& v) { return Laplace<double>(v[0], v[1]).log_prob(v[2]); },
                     {loc, scale, value});
  CHECK_MESSAGE(r.ok, r.message);
  r = gradcheck([](std::vector<Tensor<double>>& v) { return Laplace<double>(v[0], v[1]).entropy(); }, {loc, scale});
  CHECK_MESSAGE(r.ok, r.message);
  const Array<double> z = Laplace<double>::standard(gen, {5, 2, 3});
  r = gradcheck([&](std::vector<Tensor<double>>& v) { return Laplace<double>(v[0], v[1]).rsample(z); }, {loc, scale});
  CHECK_MESSAGE(r.ok, r.message);
  Array<double> q_loc = gen.normal<double>(s);
  q_loc(0, 0) = loc(0, 0);  // delta = 0: the |.| kink cancels in the KL
  const Array<double> q_scale = xt::exp(gen.normal<double>(s) * 0.5);
  r = gradcheck(
      [](std::vector<Tensor<double>>& v) {
        return kl_divergence(Laplace<double>(v[0], v[1]), Laplace<double>(v[2], v[3]));
      },
      {loc, scale, q_loc, q_scale});
  CHECK_MESSAGE(r.ok, r.message);
  // broadcasting: a (3,) q against a (2, 3) p
  r = gradcheck(
      [](std::vector<Tensor<double>>& v) {
        return kl_divergence(Laplace<double>(v[0], v[1]), Laplace<double>(v[2], v[3]));
      },
      {loc, scale, Array<double>{0.1, -0.2, 0.3}, Array<double>{0.5, 1.0, 2.0}});
  CHECK_MESSAGE(r.ok, r.message);
}

TEST_CASE("KL(Laplace || Laplace) is registered by constructing a Laplace, and only for that exact pair") {
  Tape<double> tape;
  Laplace<double> p(tape.constant(Array<double>{0.0, 1.0}), tape.constant(1.0));
  Laplace<double> q(tape.constant(0.5), tape.constant(Array<double>{1.0, 2.0}));
  auto kl = kl_divergence(p, q);
  CHECK(kl.shape() == Shape{2});
  for (double v : kl.value()) CHECK(v > 0.0);
  Normal<double> n(tape.constant(0.0), tape.constant(1.0));
  CHECK_THROWS_WITH_AS(kl_divergence(p, n), doctest::Contains("no KL registered for (Laplace, Normal)"), Error);
  // float has its own registration, made by its own first construction
  Tape<float> tf;
  Laplace<float> pf(tf.constant(0.0f), tf.constant(1.0f)), qf(tf.constant(1.0f), tf.constant(1.0f));
  CHECK(kl_divergence(pf, qf).item() == doctest::Approx(std::exp(-1.0)).epsilon(1e-6));  // 0 + 1 + e^-1 - 1
}

TEST_CASE("Laplace: errors name the distribution, the parameter, the element, and the fix") {
  Tape<double> tape;
  CHECK_THROWS_WITH_AS(Laplace<double>(tape.constant(0.0), tape.constant(Array<double>{1.0, 0.0})),
                       "Laplace: scale must be > 0, found 0.000000 at element 1 of scale (2,); keep it positive by "
                       "construction, e.g. exp(log_scale) or softplus(raw)",
                       Error);
  CHECK_THROWS_WITH_AS(Laplace<double>(tape.constant(std::nan("")), tape.constant(1.0)),
                       doctest::Contains("Laplace: loc must be a real number, found nan"), Error);
  CHECK_THROWS_WITH_AS(
      Laplace<double>(tape.constant(Array<double>{0.0, 1.0}), tape.constant(Array<double>{1.0, 1.0, 1.0})),
      doctest::Contains("Laplace: loc (2,) and scale (3,) are not broadcastable"), Error);
  Laplace<double> d(tape.constant(Array<double>{0.0, 1.0}), tape.constant(1.0));
  CHECK_THROWS_WITH_AS(d.rsample(Array<double>{1.0, 2.0, 3.0}), doctest::Contains("must end with the batch shape (2,)"),
                       Error);
}
