// LowRankMultivariateNormal (issue 14) and its three KL pairs with
// MultivariateNormal. Against PyTorch 1.13 (fixtures from tests/golden/gen_mvn.py,
// float64: 1e-10 relative on values, 1e-8 on gradients), gradcheck of log_prob,
// entropy, rsample and the pairs, sampling moments (10^5 draws, 5 standard
// errors), one test per invalid parameter.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "klgrad/distributions/linalg.hpp"
#include "klgrad/distributions/low_rank_multivariate_normal.hpp"
#include "klgrad/gradcheck.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

using MVN = MultivariateNormal<double>;
using LowRank = LowRankMultivariateNormal<double>;

const golden::File& fixtures() { return golden::file("mvn.txt"); }

const std::vector<std::string> kinds = {"scale_tril", "covariance_matrix", "precision_matrix"};
const std::vector<std::string> lr_params = {"loc", "cov_factor", "cov_diag"};

MVN make_mvn(const std::string& kind, const Tensor<double>& loc, const Tensor<double>& m) {
  if (kind == "scale_tril") return MVN::from_scale_tril(loc, m);
  if (kind == "covariance_matrix") return MVN::from_covariance(loc, m);
  REQUIRE(kind == "precision_matrix");
  return MVN::from_precision(loc, m);
}

Tensor<double> output(const LowRank& d, const std::string& what, const Tensor<double>& value) {
  if (what == "log_prob") return d.log_prob(value);
  if (what == "entropy") return d.entropy();
  if (what == "mean") return d.mean();
  if (what == "variance") return d.variance();
  if (what == "covariance_matrix") return d.covariance_matrix();
  if (what == "precision_matrix") return d.precision_matrix();
  REQUIRE(what == "scale_tril");
  return d.scale_tril();
}

// (G + G^T) / 2 over the last two axes: the gradient w.r.t. a symmetric matrix.
Array<double> symmetrised(const Array<double>& g) {
  const std::size_t n = g.shape().back(), nn = n * n;
  Array<double> s = g;
  for (std::size_t b = 0; b < g.size() / nn; ++b)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        s.data()[b * nn + i * n + j] = 0.5 * (g.data()[b * nn + i * n + j] + g.data()[b * nn + j * n + i]);
  return s;
}

void compare(const Array<double>& got, const Array<double>& want, const std::string& key, double rtol, double atol) {
  INFO(key);
  const std::string diff = golden::compare(got, want, rtol, atol);
  CHECK_MESSAGE(diff.empty(), diff);
}

// y = f(variables named params, read from <prefix><name>) against <key>/out, and
// d(sum(y * seed))/d each against <key>/grad_<name> (symmetrised for the names in `symmetric`).
void check_parity(const std::string& prefix, const std::string& key, const std::vector<std::string>& params,
                  const std::vector<std::string>& symmetric,
                  const std::function<Tensor<double>(std::vector<Tensor<double>>&)>& f) {
  Tape<double> tape;
  std::vector<Tensor<double>> vars;
  for (const auto& p : params) vars.push_back(tape.variable(fixtures().get<double>(prefix + p)));
  const Tensor<double> y = f(vars);
  compare(y.value(), fixtures().get<double>(key + "/out"), key + "/out", 1e-10, 1e-13);
  REQUIRE_MESSAGE(y.requires_grad(), key << ": the result is cut from the parameters");
  y.backward(fixtures().get<double>(key + "/seed"));
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::string gk = key + "/grad_" + params[i];
    Array<double> got = vars[i].has_grad() ? vars[i].grad() : Array<double>(xt::zeros<double>(vars[i].shape()));
    Array<double> want = fixtures().get<double>(gk);
    if (std::find(symmetric.begin(), symmetric.end(), params[i]) != symmetric.end()) {
      got = symmetrised(got);
      want = symmetrised(want);
    }
    compare(got, want, gk, 1e-8, 1e-12);
  }
}

}  // namespace

TEST_CASE("LowRankMultivariateNormal: log_prob, entropy, moments and matrices match PyTorch") {
  const Array<double> value = fixtures().get<double>("lowrank/value");
  for (const std::string what :
       {"log_prob", "entropy", "mean", "variance", "covariance_matrix", "precision_matrix", "scale_tril"}) {
    INFO(what);
    check_parity("lowrank/", "lowrank/" + what, lr_params, {}, [&](std::vector<Tensor<double>>& v) {
      const LowRank d(v[0], v[1], v[2]);
      CHECK(d.batch_shape() == Shape{2, 2});
      CHECK(d.event_shape() == Shape{3});
      return output(d, what, v[0].tape().constant(value));
    });
  }
}

TEST_CASE("KL pairs of LowRankMultivariateNormal match PyTorch: LowRank || LowRank, MVN || LowRank, LowRank || MVN") {
  CHECK(fixtures().scalar("kl/lowrank_count") == 3);  // the pairs PyTorch registers with a LowRank side
  const std::vector<std::string> p_lr = {"p_loc", "p_cov_factor", "p_cov_diag"};
  const std::vector<std::string> q_lr = {"q_loc", "q_cov_factor", "q_cov_diag"};
  {
    const std::string k = "kl/lowrank_lowrank";
    std::vector<std::string> names = p_lr;
    names.insert(names.end(), q_lr.begin(), q_lr.end());
    check_parity(k + "/", k + "/kl", names, {}, [](std::vector<Tensor<double>>& v) {
      return kl_divergence(LowRank(v[0], v[1], v[2]), LowRank(v[3], v[4], v[5]));
    });
  }
  for (const std::string& kind : kinds) {
    const std::vector<std::string> sym = kind == "scale_tril" ? std::vector<std::string>{}
                                                              : std::vector<std::string>{"p_matrix", "q_matrix"};
    {
      const std::string k = "kl/" + kind + "_lowrank";
      check_parity(k + "/", k + "/kl", {"p_loc", "p_matrix", "q_loc", "q_cov_factor", "q_cov_diag"}, sym,
                   [&](std::vector<Tensor<double>>& v) {
                     const Tensor<double> kl = kl_divergence(make_mvn(kind, v[0], v[1]), LowRank(v[2], v[3], v[4]));
                     CHECK(kl.shape() == Shape{4, 2});
                     return kl;
                   });
    }
    {
      const std::string k = "kl/lowrank_" + kind;
      check_parity(k + "/", k + "/kl", {"p_loc", "p_cov_factor", "p_cov_diag", "q_loc", "q_matrix"}, sym,
                   [&](std::vector<Tensor<double>>& v) {
                     return kl_divergence(LowRank(v[0], v[1], v[2]), make_mvn(kind, v[3], v[4]));
                   });
    }
  }
}

TEST_CASE("LowRank || MVN with cov_diag batched wider than cov_factor: PyTorch raises, klgrad broadcasts") {
  CHECK(fixtures().scalar("surprise/lowrank_mvn_diag_batch_fails") == 1);
  Tape<double> tape;
  const MVN q = MVN::from_scale_tril(tape.constant(xt::zeros<double>({3})), tape.constant(xt::eye<double>(3)));
  // cov_factor (3, 1), cov_diag (2, 3): the same distributions as PyTorch's valid
  // cov_factor (2, 3, 1) case, whose KL is the reference
  const LowRank p(tape.constant(xt::zeros<double>({3})), tape.constant(xt::ones<double>({3, 1})),
                  tape.constant(xt::ones<double>({2, 3})));
  compare(kl_divergence(p, q).value(), fixtures().get<double>("surprise/lowrank_mvn_diag_batch_kl"), "broadcast KL",
          1e-12, 1e-14);
}

TEST_CASE("gradcheck: LowRankMultivariateNormal log_prob, entropy, rsample and its KL pairs") {
  auto check = [](const GradcheckResult& r) { CHECK_MESSAGE(r.ok, r.message); };
  const Array<double> loc = fixtures().get<double>("lowrank/loc");          // (2, 3)
  const Array<double> W = fixtures().get<double>("lowrank/cov_factor");     // (3, 2)
  const Array<double> d = fixtures().get<double>("lowrank/cov_diag");       // (2, 1, 3)
  const Array<double> x = xt::view(fixtures().get<double>("lowrank/value"), 0);  // (2, 2, 3)
  check(gradcheck([](std::vector<Tensor<double>>& v) { return LowRank(v[0], v[1], v[2]).log_prob(v[3]); },
                  {loc, W, d, x}));
  check(gradcheck([](std::vector<Tensor<double>>& v) { return LowRank(v[0], v[1], v[2]).entropy(); }, {loc, W, d}));
  check(gradcheck([](std::vector<Tensor<double>>& v) { return LowRank(v[0], v[1], v[2]).scale_tril(); }, {loc, W, d}));
  const Array<double> eps_W = xt::view(fixtures().get<double>("lowrank/value"), xt::range(0, 2), xt::all(), xt::all(),
                                       xt::range(0, 2));  // (2, 2, 2, 2)
  const Array<double> eps_D = xt::view(fixtures().get<double>("lowrank/value"), xt::range(2, 4));  // (2, 2, 2, 3)
  check(gradcheck([&](std::vector<Tensor<double>>& v) { return LowRank(v[0], v[1], v[2]).rsample(eps_W, eps_D); },
                  {loc, W, d}));
  const std::string k = "kl/lowrank_lowrank/";
  const std::vector<Array<double>> p = {fixtures().get<double>(k + "p_loc"), fixtures().get<double>(k + "p_cov_factor"),
                                        fixtures().get<double>(k + "p_cov_diag")};
  const std::vector<Array<double>> q = {fixtures().get<double>(k + "q_loc"), fixtures().get<double>(k + "q_cov_factor"),
                                        fixtures().get<double>(k + "q_cov_diag")};
  check(gradcheck(
      [](std::vector<Tensor<double>>& v) { return kl_divergence(LowRank(v[0], v[1], v[2]), LowRank(v[3], v[4], v[5])); },
      {p[0], p[1], p[2], q[0], q[1], q[2]}));
  // the MVN side as scale_tril = strictly-lower(R) + exp(diag R), so every entry is free
  auto tril_from = [](const Tensor<double>& R) {
    Array<double> strict = xt::zeros<double>({3, 3});
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < i; ++j) strict(i, j) = 1.0;
    return R * R.tape().constant(strict) + exp(R) * eye_like(R, 3);
  };
  const Array<double> R = 0.3 * fixtures().get<double>("mvn/covariance_matrix/A");  // (2, 3, 3)
  const Array<double> mvn_loc = xt::zeros<double>({3});
  check(gradcheck(
      [&](std::vector<Tensor<double>>& v) {
        return kl_divergence(MVN::from_scale_tril(v[0], tril_from(v[1])), LowRank(v[2], v[3], v[4]));
      },
      {mvn_loc, R, q[0], q[1], q[2]}));
  check(gradcheck(
      [&](std::vector<Tensor<double>>& v) {
        return kl_divergence(LowRank(v[0], v[1], v[2]), MVN::from_scale_tril(v[3], tril_from(v[4])));
      },
      {p[0], p[1], p[2], mvn_loc, R}));
}

TEST_CASE("LowRankMultivariateNormal sampling: mean and covariance of 10^5 draws within 5 standard errors") {
  Tape<double> tape;
  Generator gen(15);
  const Array<double> loc = fixtures().get<double>("lowrank/loc");       // (2, 3)
  const Array<double> W = fixtures().get<double>("lowrank/cov_factor");  // (3, 2)
  const Array<double> d = xt::view(fixtures().get<double>("lowrank/cov_diag"), 0);  // (1, 3) -> batch (2,)
  const LowRank dist(tape.constant(loc), tape.constant(W), tape.constant(d));
  REQUIRE(dist.batch_shape() == Shape{2});
  const std::size_t N = 100000;
  const Array<double> x = dist.sample(gen, {N}).value();  // (N, 2, 3)
  const double Nd = static_cast<double>(N);
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t i = 0; i < 3; ++i) {
      double m_i = 0;
      for (std::size_t s = 0; s < N; ++s) m_i += x(s, b, i) / Nd;
      // Sigma = W W^T + diag(d), by hand
      auto sigma = [&](std::size_t r, std::size_t c) {
        return W(r, 0) * W(c, 0) + W(r, 1) * W(c, 1) + (r == c ? d(0, r) : 0.0);
      };
      INFO("batch " << b << ", mean " << i << ": " << m_i << " vs " << loc(b, i));
      CHECK(std::abs(m_i - loc(b, i)) <= 5 * std::sqrt(sigma(i, i) / Nd));
      for (std::size_t j = 0; j <= i; ++j) {
        double m_j = 0;
        for (std::size_t s = 0; s < N; ++s) m_j += x(s, b, j) / Nd;
        double c = 0, c2 = 0;
        for (std::size_t s = 0; s < N; ++s) {
          const double pr = (x(s, b, i) - m_i) * (x(s, b, j) - m_j);
          c += pr;
          c2 += pr * pr;
        }
        c /= Nd;
        const double se = std::sqrt((c2 / Nd - c * c) / Nd);
        INFO("covariance (" << i << ", " << j << "): " << c << " vs " << sigma(i, j) << ", SE " << se);
        CHECK(std::abs(c - sigma(i, j)) <= 5 * se);
      }
    }
}

TEST_CASE("The four Gaussian KL pairs agree with a Monte Carlo estimate E_p[log p - log q] (10^5 draws, 5 SE)") {
  Tape<double> tape;
  Generator gen(16);
  auto c = [&](const Array<double>& a) { return tape.constant(a); };
  const std::string k = "kl/lowrank_lowrank/";
  const LowRank lp(c(fixtures().get<double>(k + "p_loc")), c(xt::view(fixtures().get<double>(k + "p_cov_factor"), 0)),
                   c(fixtures().get<double>(k + "p_cov_diag")));
  const LowRank lq(c(xt::view(fixtures().get<double>(k + "q_loc"), 0, 0)), c(fixtures().get<double>(k + "q_cov_factor")),
                   c(xt::view(fixtures().get<double>(k + "q_cov_diag"), 0, 0)));
  const MVN mp = MVN::from_covariance(c(fixtures().get<double>("kl/covariance_matrix_scale_tril/p_loc")),
                                      c(xt::view(fixtures().get<double>("kl/covariance_matrix_scale_tril/p_matrix"), 0)));
  const MVN mq = MVN::from_scale_tril(c(xt::view(fixtures().get<double>("kl/covariance_matrix_scale_tril/q_loc"), 0, 0)),
                                      c(fixtures().get<double>("kl/covariance_matrix_scale_tril/q_matrix")));
  const std::size_t N = 100000;
  auto check_mc = [&](const Distribution<double>& p, const Distribution<double>& q, const char* pair) {
    const Tensor<double> x = p.sample(gen, {N});
    const Array<double> r = p.log_prob(x).value() - q.log_prob(x).value();  // (N,)
    double m = 0, m2 = 0;
    for (double v : r) m += v / static_cast<double>(N);
    for (double v : r) m2 += (v - m) * (v - m) / static_cast<double>(N - 1);
    const double kl = kl_divergence(p, q).item(), se = std::sqrt(m2 / static_cast<double>(N));
    INFO(pair << ": closed form " << kl << ", Monte Carlo " << m << " +- " << se);
    CHECK(std::abs(kl - m) <= 5 * se);
  };
  check_mc(lp, lq, "LowRank || LowRank");
  check_mc(mp, lq, "MVN || LowRank");
  check_mc(lp, mq, "LowRank || MVN");
  check_mc(mp, mq, "MVN || MVN");
}

TEST_CASE("LowRankMultivariateNormal in float agrees with PyTorch's float64 values to float precision") {
  Tape<float> tape;
  const LowRankMultivariateNormal<float> d(tape.constant(fixtures().get<float>("lowrank/loc")),
                                           tape.constant(fixtures().get<float>("lowrank/cov_factor")),
                                           tape.constant(fixtures().get<float>("lowrank/cov_diag")));
  const Array<double> lp = xt::cast<double>(d.log_prob(tape.constant(fixtures().get<float>("lowrank/value"))).value());
  compare(lp, fixtures().get<double>("lowrank/log_prob/out"), "float log_prob", 1e-4, 1e-4);
  const Array<double> kl = xt::cast<double>(kl_divergence(d, d).value());
  compare(kl, Array<double>(xt::zeros<double>(kl.shape())), "float KL(p || p)", 0, 1e-5);
}

TEST_CASE("LowRankMultivariateNormal: every invalid parameter is an Error naming the parameter") {
  Tape<double> tape;
  auto c = [&](const Array<double>& a) { return tape.constant(a); };
  const Tensor<double> loc = c(xt::zeros<double>({3}));
  const Tensor<double> W = c(xt::ones<double>({3, 2}));
  const Tensor<double> d = c(xt::ones<double>({3}));
  CHECK_THROWS_WITH_AS(LowRank(c(Array<double>(0.0)), W, d),
                       doctest::Contains("LowRankMultivariateNormal: loc must be at least one-dimensional"), Error);
  CHECK_THROWS_WITH_AS(LowRank(loc, c(xt::ones<double>({3})), d),
                       doctest::Contains("cov_factor must be at least two-dimensional (..., n, m), got shape (3,)"), Error);
  CHECK_THROWS_WITH_AS(LowRank(loc, c(xt::ones<double>({2, 2})), d),
                       doctest::Contains("cov_factor (2, 2) must be a batch of n x m matrices with n = 3"), Error);
  CHECK_THROWS_WITH_AS(LowRank(loc, W, c(xt::ones<double>({2}))),
                       doctest::Contains("cov_diag (2,) must be a batch of vectors of size n = 3"), Error);
  CHECK_THROWS_WITH_AS(LowRank(c(xt::zeros<double>({2, 3})), c(xt::ones<double>({3, 3, 2})), d),
                       doctest::Contains("incompatible batch shapes: loc (2, 3), cov_factor (3, 3, 2), cov_diag (3,)"),
                       Error);
  CHECK_THROWS_WITH_AS(LowRank(c(Array<double>{0.0, std::nan(""), 0.0}), W, d),
                       doctest::Contains("loc must be a real vector, found nan at element 1"), Error);
  Array<double> w_nan = xt::ones<double>({3, 2});
  w_nan(2, 1) = std::nan("");
  CHECK_THROWS_WITH_AS(LowRank(loc, c(w_nan), d), doctest::Contains("cov_factor must be real, found nan at element 5"),
                       Error);
  CHECK_THROWS_WITH_AS(LowRank(loc, W, c(Array<double>{1.0, 0.0, 2.0})),
                       doctest::Contains("cov_diag must be > 0, found 0 at element 1 of cov_diag (3,)"), Error);
  Tape<double> other;
  CHECK_THROWS_WITH_AS(LowRank(loc, W, other.constant(d.value())), doctest::Contains("live on different tapes"), Error);
  const LowRank p(loc, W, d);
  const LowRank q2(c(xt::zeros<double>({2})), c(xt::ones<double>({2, 1})), c(xt::ones<double>({2})));
  const MVN m2 = MVN::from_scale_tril(c(xt::zeros<double>({2})), c(xt::eye<double>(2)));
  CHECK_THROWS_WITH_AS(kl_divergence(p, q2), doctest::Contains("p's event size 3 and q's 2 differ"), Error);
  CHECK_THROWS_WITH_AS(kl_divergence(m2, p), doctest::Contains("p's event size 2 and q's 3 differ"), Error);
  CHECK_THROWS_WITH_AS(kl_divergence(p, m2), doctest::Contains("p's event size 3 and q's 2 differ"), Error);
  CHECK_THROWS_WITH_AS(p.log_prob(c(xt::zeros<double>({2}))), doctest::Contains("must end with the event size n = 3"),
                       Error);
  CHECK_THROWS_WITH_AS(p.rsample(Array<double>(xt::zeros<double>({4, 3})), Array<double>(xt::zeros<double>({4, 3}))),
                       doctest::Contains("eps_W (4, 3) must be eps_D's shape with the rank m last: (4, 2)"), Error);
}
