// MultivariateNormal (issue 14) and the linear algebra under it: cholesky,
// solve_triangular, flip_matrices. Against PyTorch 1.13 (fixtures from
// tests/golden/gen_mvn.py, float64: 1e-10 relative on values, 1e-8 on
// gradients) for each parameterisation (scale_tril, covariance_matrix,
// precision_matrix) and each of the 9 KL combinations; gradcheck of the
// primitives, log_prob, entropy and KL; sampling moments (10^5 draws, 5
// standard errors); one test per invalid parameter.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "klgrad/distributions/linalg.hpp"
#include "klgrad/distributions/multivariate_normal.hpp"
#include "klgrad/gradcheck.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

using MVN = MultivariateNormal<double>;

const golden::File& fixtures() { return golden::file("mvn.txt"); }

const std::vector<std::string> kinds = {"scale_tril", "covariance_matrix", "precision_matrix"};
const std::vector<std::string> whats = {"log_prob", "entropy", "mean", "variance", "covariance_matrix",
                                        "precision_matrix"};

template <class T>
MultivariateNormal<T> make(const std::string& kind, const Tensor<T>& loc, const Tensor<T>& m) {
  if (kind == "scale_tril") return MultivariateNormal<T>::from_scale_tril(loc, m);
  if (kind == "covariance_matrix") return MultivariateNormal<T>::from_covariance(loc, m);
  REQUIRE(kind == "precision_matrix");
  return MultivariateNormal<T>::from_precision(loc, m);
}

Tensor<double> output(const MVN& d, const std::string& what, const Tensor<double>& value) {
  if (what == "log_prob") return d.log_prob(value);
  if (what == "entropy") return d.entropy();
  if (what == "mean") return d.mean();
  if (what == "variance") return d.variance();
  if (what == "covariance_matrix") return d.covariance_matrix();
  REQUIRE(what == "precision_matrix");
  return d.precision_matrix();
}

// A A^T + I, inside the graph.
Tensor<double> spd_from(const Tensor<double>& A) { return matmul_nt(A, A) + eye_like(A, A.shape().back()); }

// (G + G^T) / 2 over the last two axes.
Array<double> symmetrised(const Array<double>& g) {
  const std::size_t n = g.shape().back(), nn = n * n;
  Array<double> s = g;
  for (std::size_t b = 0; b < g.size() / nn; ++b)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) s.data()[b * nn + i * n + j] = 0.5 * (g.data()[b * nn + i * n + j] + g.data()[b * nn + j * n + i]);
  return s;
}

// g with its strict upper triangle set to 0.
Array<double> lower_part(const Array<double>& g) {
  const std::size_t n = g.shape().back(), nn = n * n;
  Array<double> s = g;
  for (std::size_t b = 0; b < g.size() / nn; ++b)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) s.data()[b * nn + i * n + j] = 0.0;
  return s;
}

void compare(const Array<double>& got, const Array<double>& want, const std::string& key, double rtol, double atol) {
  INFO(key);
  const std::string diff = golden::compare(got, want, rtol, atol);
  CHECK_MESSAGE(diff.empty(), diff);
}

Array<double> grad_or_zero(const Tensor<double>& v) {
  return v.has_grad() ? v.grad() : Array<double>(xt::zeros<double>(v.shape()));
}

// y = f(variables) against <key>/out; d(sum(y * seed))/d each variable against
// <key>/grad_<name>, transformed by `view` (symmetrised, lower part or as is).
using View = std::function<Array<double>(const Array<double>&)>;
const View as_is = [](const Array<double>& g) { return g; };

void check_parity(const std::string& key, const std::vector<std::pair<std::string, std::string>>& params,
                  const std::vector<View>& views,
                  const std::function<Tensor<double>(std::vector<Tensor<double>>&)>& f) {
  Tape<double> tape;
  std::vector<Tensor<double>> vars;
  for (const auto& p : params) vars.push_back(tape.variable(fixtures().get<double>(p.second)));
  const Tensor<double> y = f(vars);
  compare(y.value(), fixtures().get<double>(key + "/out"), key + "/out", 1e-10, 1e-13);
  REQUIRE_MESSAGE(y.requires_grad(), key << ": the result is cut from the parameters");
  y.backward(fixtures().get<double>(key + "/seed"));
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::string gk = key + "/grad_" + params[i].first;
    compare(views[i](grad_or_zero(vars[i])), views[i](fixtures().get<double>(gk)), gk, 1e-8, 1e-12);
  }
}

// The view of a matrix gradient: symmetric for covariance and precision matrices
// (the symmetric part is what PyTorch and klgrad define), as is for scale_tril.
View matrix_view(const std::string& kind) {
  return kind == "scale_tril" ? as_is : View(symmetrised);
}

}  // namespace

TEST_CASE("MultivariateNormal: log_prob, entropy, moments and matrices match PyTorch for each parameterisation") {
  for (const std::string& kind : kinds) {
    const std::string k = "mvn/" + kind;
    const Array<double> value = fixtures().get<double>(k + "/value");
    for (const std::string& what : whats) {
      // PyTorch's precision_matrix is cholesky_inverse(L), whose backward treats L as a
      // full matrix; klgrad's L^-T L^-1 reads only L's lower triangle (solve_triangular),
      // so w.r.t. scale_tril only the lower triangles agree (docs/DISTRIBUTIONS.md).
      const View mv = kind == "scale_tril" && what == "precision_matrix" ? View(lower_part) : matrix_view(kind);
      {
        INFO(kind << " " << what);
        check_parity(k + "/" + what, {{"loc", k + "/loc"}, {"matrix", k + "/matrix"}}, {as_is, mv},
                     [&](std::vector<Tensor<double>>& v) {
                       return output(make(kind, v[0], v[1]), what, v[0].tape().constant(value));
                     });
        if (kind == "scale_tril") continue;
        check_parity(k + "/via_A/" + what, {{"loc", k + "/loc"}, {"A", k + "/A"}}, {as_is, as_is},
                     [&](std::vector<Tensor<double>>& v) {
                       return output(make(kind, v[0], spd_from(v[1])), what, v[0].tape().constant(value));
                     });
      }
    }
  }
}

TEST_CASE("MultivariateNormal: batch_shape broadcasts loc against the matrix batch; event_shape is (n)") {
  Tape<double> tape;
  const MVN d = MVN::from_scale_tril(tape.constant(fixtures().get<double>("mvn/scale_tril/loc")),
                                     tape.constant(fixtures().get<double>("mvn/scale_tril/matrix")));
  CHECK(d.batch_shape() == Shape{3, 2});
  CHECK(d.event_shape() == Shape{3});
  CHECK(d.loc().shape() == Shape{3, 2, 3});
  CHECK(d.scale_tril().shape() == Shape{2, 3, 3});  // unbroadcasted, as PyTorch's _unbroadcasted_scale_tril
  Generator gen(1);
  CHECK(d.sample(gen, {5}).shape() == Shape{5, 3, 2, 3});
  CHECK(d.log_prob(d.sample(gen, {5})).shape() == Shape{5, 3, 2});
  CHECK(d.entropy().shape() == Shape{3, 2});
}

TEST_CASE("KL(MultivariateNormal || MultivariateNormal) matches PyTorch for the 9 parameterisation pairs") {
  CHECK(fixtures().scalar("kl/count") == 1);  // PyTorch registers the pair once
  for (const std::string& pk : kinds)
    for (const std::string& qk : kinds) {
      const std::string k = "kl/" + pk + "_" + qk;
      {
        INFO(k);
        check_parity(k + "/kl",
                     {{"p_loc", k + "/p_loc"}, {"p_matrix", k + "/p_matrix"}, {"q_loc", k + "/q_loc"},
                      {"q_matrix", k + "/q_matrix"}},
                     {as_is, matrix_view(pk), as_is, matrix_view(qk)}, [&](std::vector<Tensor<double>>& v) {
                       const Tensor<double> kl = kl_divergence(make(pk, v[0], v[1]), make(qk, v[2], v[3]));
                       CHECK(kl.shape() == Shape{4, 2});
                       return kl;
                     });
      }
    }
  check_parity("kl_via_A/kl",
               {{"p_loc", "kl_via_A/p_loc"}, {"p_A", "kl_via_A/p_A"}, {"q_loc", "kl_via_A/q_loc"},
                {"q_A", "kl_via_A/q_A"}},
               {as_is, as_is, as_is, as_is}, [](std::vector<Tensor<double>>& v) {
                 return kl_divergence(MVN::from_covariance(v[0], spd_from(v[1])),
                                      MVN::from_precision(v[2], spd_from(v[3])));
               });
}

TEST_CASE("cholesky and solve_triangular: values by their defining identities, float and double") {
  Tape<double> tape;
  const Array<double> A0 = fixtures().get<double>("mvn/covariance_matrix/A");  // (2, 3, 3)
  const Tensor<double> A = spd_from(tape.constant(A0));
  const Tensor<double> L = cholesky(A);
  const Array<double> LLt = matmul_nt(L, L).value();
  compare(LLt, A.value(), "L L^T = A", 1e-13, 1e-13);
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(L.value()(b, i, i) > 0);
      for (std::size_t j = i + 1; j < 3; ++j) CHECK(L.value()(b, i, j) == 0.0);
    }
  // L X = B, with B broadcast over L's batch
  const Tensor<double> B = tape.constant(Array<double>{{1.0, -2.0}, {0.5, 3.0}, {-1.0, 0.25}});
  const Tensor<double> X = solve_triangular(L, B);
  CHECK(X.shape() == Shape{2, 3, 2});
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t k = 0; k < 2; ++k) {
        double s = 0;
        for (std::size_t j = 0; j < 3; ++j) s += L.value()(b, i, j) * X.value()(b, j, k);
        CHECK(s == doctest::Approx(B.value()(i, k)).epsilon(1e-13));
      }
  // float: the same factor to float precision
  Tape<float> tf;
  const Tensor<float> Lf = cholesky(tf.constant(Array<float>(xt::cast<float>(A.value()))));
  for (std::size_t i = 0; i < L.value().size(); ++i)
    CHECK(Lf.value().flat(i) == doctest::Approx(L.value().flat(i)).epsilon(1e-5).scale(1.0));
}

TEST_CASE("gradcheck: cholesky, solve_triangular, flip_matrices") {
  auto check = [](const GradcheckResult& r) { CHECK_MESSAGE(r.ok, r.message); };
  const Array<double> A0 = fixtures().get<double>("mvn/covariance_matrix/A");
  const Array<double> S = fixtures().get<double>("mvn/covariance_matrix/matrix");  // symmetric positive-definite
  // cholesky reads the lower triangle; its gradient is the symmetric one, so it is
  // checked through a symmetrisation (X + X^T) / 2 (perturbing X_ij moves A_ij and A_ji)
  check(gradcheck([](std::vector<Tensor<double>>& v) { return cholesky((v[0] + transpose(v[0], -2, -1)) * 0.5); },
                  {S}));
  check(gradcheck([](std::vector<Tensor<double>>& v) { return cholesky(spd_from(v[0])); }, {A0}));
  // solve_triangular: L with garbage above the diagonal (never read: gradient 0 there),
  // B broadcast against L's batch
  Array<double> L = S;
  for (std::size_t b = 0; b < 2; ++b) L(b, 0, 0) += 2.0;
  const Array<double> B = xt::view(A0, 0, xt::all(), xt::range(0, 2));
  check(gradcheck([](std::vector<Tensor<double>>& v) { return solve_triangular(v[0], v[1]); }, {L, B}));
  check(gradcheck([](std::vector<Tensor<double>>& v) { return flip_matrices(v[0]); }, {A0}));
  // one tensor as both operands: both backward contributions must accumulate (+=)
  check(gradcheck([](std::vector<Tensor<double>>& v) { return solve_triangular(v[0], v[0]); }, {L}));
  check(gradcheck([](std::vector<Tensor<double>>& v) { return solve_triangular(cholesky(spd_from(v[0])), v[0]); },
                  {A0}));
}

TEST_CASE("MultivariateNormal with n = 1 is Normal(loc, sqrt(covariance))") {
  Tape<double> tape;
  auto shaped = [](Array<double> a, const Shape& s) {
    a.reshape(s);
    return a;
  };
  const Array<double> mu = shaped({0.3, -1.2}, {2, 1});
  const Array<double> var = shaped({2.5, 0.4}, {2, 1, 1});
  const Array<double> x = shaped({1.0, 0.1}, {2, 1});
  const MVN d = MVN::from_covariance(tape.constant(mu), tape.constant(var));
  const Normal<double> normal(tape.constant(Array<double>{0.3, -1.2}), tape.constant(Array<double>{std::sqrt(2.5), std::sqrt(0.4)}));
  compare(d.log_prob(tape.constant(x)).value(), normal.log_prob(tape.constant(Array<double>{1.0, 0.1})).value(),
          "log_prob", 1e-14, 1e-14);
  compare(d.entropy().value(), normal.entropy().value(), "entropy", 1e-14, 1e-14);
  const MVN q = MVN::from_precision(tape.constant(x), tape.constant(Array<double>(1.0 / var)));
  const Normal<double> nq(tape.constant(Array<double>{1.0, 0.1}), tape.constant(Array<double>{std::sqrt(2.5), std::sqrt(0.4)}));
  compare(kl_divergence(d, q).value(), kl_divergence(normal, nq).value(), "KL", 1e-13, 1e-14);
}

namespace {

// tril(R) with a positive diagonal from R: L_ij = R_ij (i > j), L_ii = exp(R_ii).
Tensor<double> tril_from(const Tensor<double>& R) {
  const std::size_t n = R.shape().back();
  Array<double> strict = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j) strict(i, j) = 1.0;
  const Tensor<double> I = eye_like(R, n);
  return R * R.tape().constant(strict) + exp(R) * I;
}

}  // namespace

TEST_CASE("gradcheck: log_prob, entropy, rsample and KL w.r.t. loc and each parameterisation") {
  auto check = [](const GradcheckResult& r) { CHECK_MESSAGE(r.ok, r.message); };
  const Array<double> loc = fixtures().get<double>("mvn/scale_tril/loc");  // (3, 1, 3)
  const Array<double> A = fixtures().get<double>("mvn/covariance_matrix/A");  // (2, 3, 3)
  const Array<double> R = 0.3 * A;
  const Array<double> x = xt::view(fixtures().get<double>("mvn/scale_tril/value"), 0);  // (3, 2, 3)
  const std::function<MVN(std::vector<Tensor<double>>&)> builds[] = {
      [](std::vector<Tensor<double>>& v) { return MVN::from_scale_tril(v[0], tril_from(v[1])); },
      [](std::vector<Tensor<double>>& v) { return MVN::from_covariance(v[0], spd_from(v[1])); },
      [](std::vector<Tensor<double>>& v) { return MVN::from_precision(v[0], spd_from(v[1])); }};
  for (const auto& build : builds) {
    check(gradcheck([&](std::vector<Tensor<double>>& v) { return build(v).log_prob(v[2]); }, {loc, R, x}));
    check(gradcheck([&](std::vector<Tensor<double>>& v) { return build(v).entropy(); }, {loc, R}));
    const Array<double> eps = xt::view(fixtures().get<double>("mvn/covariance_matrix/value"), xt::range(0, 2));
    check(gradcheck([&](std::vector<Tensor<double>>& v) { return build(v).rsample(eps); }, {loc, R}));
  }
  const Array<double> p_loc = fixtures().get<double>("kl_via_A/p_loc");  // (3,)
  const Array<double> q_loc = fixtures().get<double>("kl_via_A/q_loc");  // (4, 1, 3)
  const Array<double> q_A = 0.5 * fixtures().get<double>("kl_via_A/q_A");  // (3, 3)
  for (std::size_t pi = 0; pi < 3; ++pi)
    for (std::size_t qi = 0; qi < 3; ++qi) {
      INFO("p parameterisation " << pi << ", q " << qi);
      check(gradcheck(
          [&](std::vector<Tensor<double>>& v) {
            std::vector<Tensor<double>> pv{v[0], v[1]}, qv{v[2], v[3]};
            return kl_divergence(builds[pi](pv), builds[qi](qv));
          },
          {p_loc, R, q_loc, q_A}));
    }
}

namespace {

// Mean and covariance of draws x (N, n) of one batch element against mu (n) and
// Sigma (n, n): each within 5 standard errors, the SE of a covariance entry from the
// draws' own spread of (x_i - m_i)(x_j - m_j).
void check_moments(const Array<double>& x, const Array<double>& mu, const Array<double>& sigma) {
  const std::size_t N = x.shape(0), n = x.shape(1);
  const double Nd = static_cast<double>(N);
  std::vector<double> m(n, 0.0);
  for (std::size_t s = 0; s < N; ++s)
    for (std::size_t i = 0; i < n; ++i) m[i] += x(s, i) / Nd;
  for (std::size_t i = 0; i < n; ++i) {
    INFO("mean " << i << ": " << m[i] << " vs " << mu(i));
    CHECK(std::abs(m[i] - mu(i)) <= 5 * std::sqrt(sigma(i, i) / Nd));
    for (std::size_t j = 0; j <= i; ++j) {
      double c = 0, c2 = 0;
      for (std::size_t s = 0; s < N; ++s) {
        const double p = (x(s, i) - m[i]) * (x(s, j) - m[j]);
        c += p;
        c2 += p * p;
      }
      c /= Nd;
      const double se = std::sqrt((c2 / Nd - c * c) / Nd);
      INFO("covariance (" << i << ", " << j << "): " << c << " vs " << sigma(i, j) << ", SE " << se);
      CHECK(std::abs(c - sigma(i, j)) <= 5 * se);
    }
  }
}

}  // namespace

TEST_CASE("MultivariateNormal sampling: mean and covariance of 10^5 draws within 5 standard errors") {
  Tape<double> tape;
  Generator gen(14);
  const Array<double> loc = xt::view(fixtures().get<double>("mvn/covariance_matrix/loc"), xt::range(0, 2), 0);  // (2, 3)
  const Array<double> cov = fixtures().get<double>("mvn/covariance_matrix/matrix");                            // (2, 3, 3)
  const Array<double> tril = fixtures().get<double>("mvn/scale_tril/matrix");                                  // (2, 3, 3)
  Array<double> tril_cov = xt::zeros<double>({2, 3, 3});  // L L^T by hand
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < 3; ++j)
        for (std::size_t k = 0; k < 3; ++k) tril_cov(b, i, j) += tril(b, i, k) * tril(b, j, k);
  const MVN by_cov = MVN::from_covariance(tape.constant(loc), tape.constant(cov));
  const MVN by_tril = MVN::from_scale_tril(tape.constant(loc), tape.constant(tril));
  const std::size_t N = 100000;
  for (int r = 0; r < 2; ++r) {
    const Array<double> x = (r == 0 ? by_cov.sample(gen, {N}) : by_tril.rsample(gen, {N})).value();  // (N, 2, 3)
    for (std::size_t b = 0; b < 2; ++b) {
      INFO((r == 0 ? "sample, covariance_matrix" : "rsample, scale_tril") << ", batch element " << b);
      check_moments(Array<double>(xt::view(x, xt::all(), b, xt::all())), Array<double>(xt::view(loc, b)),
                    Array<double>(xt::view(r == 0 ? cov : tril_cov, b)));
    }
  }
}

TEST_CASE("MultivariateNormal in float agrees with PyTorch's float64 values to float precision") {
  Tape<float> tape;
  const std::string k = "mvn/precision_matrix";
  const MultivariateNormal<float> d = MultivariateNormal<float>::from_precision(
      tape.constant(fixtures().get<float>(k + "/loc")), tape.constant(fixtures().get<float>(k + "/matrix")));
  const Array<double> lp = xt::cast<double>(d.log_prob(tape.constant(fixtures().get<float>(k + "/value"))).value());
  compare(lp, fixtures().get<double>(k + "/log_prob/out"), "float log_prob", 1e-4, 1e-4);
  const Array<double> kl = xt::cast<double>(kl_divergence(d, d).value());
  compare(kl, Array<double>(xt::zeros<double>(kl.shape())), "float KL(p || p)", 0, 1e-5);
}

TEST_CASE("MultivariateNormal: every invalid parameter is an Error naming the parameter and the fix") {
  Tape<double> tape;
  auto c = [&](const Array<double>& a) { return tape.constant(a); };
  const Tensor<double> loc = c(Array<double>{0.0, 1.0});
  const Tensor<double> I = c(Array<double>{{1.0, 0.0}, {0.0, 1.0}});
  CHECK_THROWS_WITH_AS(MVN::from_covariance(c(Array<double>(1.0)), I),
                       doctest::Contains("MultivariateNormal: loc must be at least one-dimensional"), Error);
  CHECK_THROWS_WITH_AS(MVN::from_covariance(loc, c(Array<double>{1.0, 1.0})),
                       doctest::Contains("covariance_matrix must be a batch of square matrices (..., n, n), got shape (2,)"),
                       Error);
  CHECK_THROWS_WITH_AS(MVN::from_scale_tril(loc, c(xt::ones<double>({2, 3}))),
                       doctest::Contains("scale_tril must be a batch of square matrices"), Error);
  CHECK_THROWS_WITH_AS(MVN::from_covariance(c(Array<double>{0.0, 1.0, 2.0}), I),
                       doctest::Contains("loc (3,) and covariance_matrix (2, 2) disagree on the event size n"), Error);
  CHECK_THROWS_WITH_AS(MVN::from_scale_tril(c(xt::zeros<double>({3, 2})), c(xt::ones<double>({2, 2, 2}) * I.value())),
                       doctest::Contains("the batch dims of loc (3, 2) and scale_tril (2, 2, 2) are not broadcastable"),
                       Error);
  CHECK_THROWS_WITH_AS(MVN::from_covariance(c(Array<double>{0.0, std::nan("")}), I),
                       doctest::Contains("loc must be a real vector, found nan at element 1"), Error);
  CHECK_THROWS_WITH_AS(MVN::from_covariance(loc, c(Array<double>{{2.0, 0.5}, {0.4, 2.0}})),
                       doctest::Contains("MultivariateNormal: covariance_matrix is not symmetric: element (1, 0) of matrix 0"),
                       Error);
  CHECK_THROWS_WITH_AS(
      MVN::from_covariance(loc, c(Array<double>{{1.0, 2.0}, {2.0, 1.0}})),
      doctest::Contains("MultivariateNormal: covariance_matrix is not positive-definite (matrix 0 of covariance_matrix (2, 2): "
                        "its leading minor of order 2 is not positive)"),
      Error);
  CHECK_THROWS_WITH_AS(MVN::from_covariance(c(xt::zeros<double>({2, 2})),
                                            c(Array<double>{{{1.0, 0.0}, {0.0, 1.0}}, {{-1.0, 0.0}, {0.0, 1.0}}})),
                       doctest::Contains("covariance_matrix is not positive-definite (matrix 1 of covariance_matrix "
                                         "(2, 2, 2): its leading minor of order 1"),
                       Error);
  CHECK_THROWS_WITH_AS(MVN::from_precision(loc, c(Array<double>{{1.0, 0.0}, {0.0, 0.0}})),
                       doctest::Contains("MultivariateNormal: precision_matrix is not positive-definite"), Error);
  CHECK_THROWS_WITH_AS(MVN::from_precision(loc, c(Array<double>{{1.0, 1e-3}, {0.0, 1.0}})),
                       doctest::Contains("MultivariateNormal: precision_matrix is not symmetric"), Error);
  CHECK_THROWS_WITH_AS(MVN::from_scale_tril(loc, c(Array<double>{{1.0, 0.5}, {0.0, 1.0}})),
                       doctest::Contains("scale_tril must be lower triangular, found 0.5 above the diagonal at (0, 1) "
                                         "of matrix 0 of scale_tril (2, 2)"),
                       Error);
  CHECK_THROWS_WITH_AS(MVN::from_scale_tril(loc, c(Array<double>{{1.0, 0.0}, {0.5, -2.0}})),
                       doctest::Contains("scale_tril's diagonal must be > 0, found -2 at (1, 1) of matrix 0"), Error);
  CHECK_THROWS_WITH_AS(MVN::from_scale_tril(loc, c(Array<double>{{1.0, 0.0}, {std::nan(""), 1.0}})),
                       doctest::Contains("scale_tril must be real, found nan at element (1, 0) of matrix 0"), Error);
  CHECK_THROWS_WITH_AS(MVN::from_covariance(loc, c(Array<double>{{std::nan(""), 0.0}, {0.0, 1.0}})),
                       doctest::Contains("covariance_matrix must be real, found nan at element (0, 0) of matrix 0"), Error);
  CHECK_THROWS_WITH_AS(MVN::from_precision(loc, c(Array<double>{{1.0, 0.0}, {0.0, std::nan("")}})),
                       doctest::Contains("precision_matrix must be real, found nan at element (1, 1)"), Error);
  Tape<double> other;
  CHECK_THROWS_WITH_AS(MVN::from_scale_tril(loc, other.constant(I.value())),
                       doctest::Contains("loc and scale_tril live on different tapes"), Error);
  const MVN d2 = MVN::from_scale_tril(loc, I);
  const MVN d3 = MVN::from_scale_tril(c(xt::zeros<double>({3})), c(xt::eye<double>(3)));
  CHECK_THROWS_WITH_AS(kl_divergence(d2, d3), doctest::Contains("p's event size 2 and q's 3 differ"), Error);
  CHECK_THROWS_WITH_AS(d2.log_prob(c(xt::zeros<double>({4, 3}))),
                       doctest::Contains("MultivariateNormal::log_prob: value (4, 3) must end with the event size n = 2"),
                       Error);
  CHECK_THROWS_WITH_AS(d2.rsample(Array<double>(xt::zeros<double>({4, 3}))),
                       doctest::Contains("eps (4, 3) must end with batch_shape + (n) = (2,)"), Error);
  // the primitives themselves
  CHECK_THROWS_WITH_AS(cholesky(c(Array<double>{{1.0, 2.0}, {2.0, 1.0}})),
                       doctest::Contains("cholesky: the input is not positive-definite (matrix 0 of A (2, 2)"), Error);
  CHECK_THROWS_WITH_AS(cholesky(c(xt::ones<double>({2, 3}))), doctest::Contains("cholesky: A (2, 3) must be a batch of square"),
                       Error);
  CHECK_THROWS_WITH_AS(solve_triangular(I, c(xt::ones<double>({3, 1}))),
                       doctest::Contains("solve_triangular: B (3, 1) must be (..., n, k) with n = 2 rows"), Error);
  CHECK_THROWS_WITH_AS(solve_triangular(c(xt::ones<double>({2, 2, 2})), c(xt::ones<double>({3, 2, 1}))),
                       doctest::Contains("solve_triangular: the batch dims of L (2, 2, 2) and B (3, 2, 1) do not broadcast"),
                       Error);
}
