// Distributions against PyTorch 1.13 (fixtures from tests/golden/gen_distributions.py):
// log_prob, entropy and kl_divergence values, and their gradients w.r.t. every
// parameter, in float64 (rtol 1e-10) and float32 (rtol 1e-5).
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "klgrad/distributions.hpp"
#include "klgrad/ops.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

const golden::File& fixtures() { return golden::file("distributions.txt"); }

template <class T>
using Fn = std::function<Tensor<T>(std::vector<Tensor<T>>&)>;

struct Tol {
  double rtol, atol;
};
template <class T> Tol tol();
template <> Tol tol<double>() { return {1e-10, 1e-12}; }
template <> Tol tol<float>() { return {1e-5, 1e-5}; }

// Builds f on variables holding the fixture arrays `params` (name, key), compares
// its value with `out`/out, then runs backward with the fixture's seed and
// compares d(sum(y * seed))/d param with `out`/grad_<name>.
template <class T>
void check_parity(const std::string& out, const std::vector<std::pair<std::string, std::string>>& params,
                  const Fn<T>& f) {
  const auto& g = fixtures();
  const Tol t = tol<T>();
  Tape<T> tape;
  std::vector<Tensor<T>> vars;
  for (const auto& p : params) vars.push_back(tape.variable(g.get<T>(p.second)));
  const Tensor<T> y = f(vars);
  auto cmp = [&](const Array<T>& got, const std::string& k) {
    INFO(k);
    const std::string diff = golden::compare(xt::cast<double>(got), g.get<double>(k), t.rtol, t.atol);
    CHECK_MESSAGE(diff.empty(), diff);
  };
  cmp(y.value(), out + "/out");
  y.backward(g.get<T>(out + "/seed"));
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Array<T> grad = vars[i].has_grad() ? vars[i].grad() : Array<T>(xt::zeros<T>(vars[i].shape()));
    cmp(grad, out + "/grad_" + params[i].first);
  }
}

template <class T>
Array<T> fixture(const std::string& key) { return fixtures().get<T>(key); }

template <class T>
void normal_parity(const std::string& tag) {
  const std::string k = tag + "/normal";
  const Array<T> value = fixture<T>(k + "/value");
  check_parity<T>(k + "/log_prob", {{"loc", k + "/loc"}, {"scale", k + "/scale"}}, [&](std::vector<Tensor<T>>& v) {
    return Normal<T>(v[0], v[1]).log_prob(v[0].tape().constant(value));
  });
  check_parity<T>(k + "/entropy", {{"loc", k + "/loc"}, {"scale", k + "/scale"}},
                  [&](std::vector<Tensor<T>>& v) { return Normal<T>(v[0], v[1]).entropy(); });
  // loc (3, 1) and scale (4,) broadcast to the batch shape (3, 4)
  const std::string kb = tag + "/normal_bcast";
  check_parity<T>(kb + "/log_prob", {{"loc", kb + "/loc"}, {"scale", kb + "/scale"}}, [&](std::vector<Tensor<T>>& v) {
    Normal<T> d(v[0], v[1]);
    CHECK(d.batch_shape() == Shape{3, 4});
    return d.log_prob(v[0].tape().constant(value));
  });
  const std::string kk = tag + "/normal_kl";
  std::vector<std::pair<std::string, std::string>> ps;
  for (const char* n : {"p_loc", "p_scale", "q_loc", "q_scale"}) ps.push_back({n, kk + "/" + n});
  check_parity<T>(kk + "/kl", ps, [](std::vector<Tensor<T>>& v) {
    return kl_divergence(Normal<T>(v[0], v[1]), Normal<T>(v[2], v[3]));
  });
  // Independent(Normal, 1) over the same parameters: log_prob (2, 3), entropy (3,), KL (3,)
  const std::string ki = tag + "/independent";
  const std::vector<std::pair<std::string, std::string>> p2(ps.begin(), ps.begin() + 2);
  check_parity<T>(ki + "/log_prob", p2, [&](std::vector<Tensor<T>>& v) {
    Independent d(Normal<T>(v[0], v[1]), 1);
    CHECK(d.batch_shape() == Shape{3});
    CHECK(d.event_shape() == Shape{4});
    return d.log_prob(v[0].tape().constant(value));
  });
  check_parity<T>(ki + "/entropy", p2, [](std::vector<Tensor<T>>& v) {
    return Independent(Normal<T>(v[0], v[1]), 1).entropy();
  });
  check_parity<T>(ki + "/kl", ps, [](std::vector<Tensor<T>>& v) {
    return kl_divergence(Independent(Normal<T>(v[0], v[1]), 1), Independent(Normal<T>(v[2], v[3]), 1));
  });
}

template <class D, class T>
D make(const std::string& kind, const Tensor<T>& x) {
  return kind == "probs" ? D::from_probs(x) : D::from_logits(x);
}

// Categorical (name "categorical") or Bernoulli (name "bernoulli"), from probs and from logits.
template <class D, class T>
void discrete_parity(const std::string& tag, const std::string& name) {
  for (const std::string kind : {"probs", "logits"}) {
    const std::string k = tag + "/" + name + "_" + kind;
    const Array<T> value = fixture<T>(k + "/value");
    check_parity<T>(k + "/log_prob", {{"param", k + "/param"}}, [&](std::vector<Tensor<T>>& v) {
      return make<D>(kind, v[0]).log_prob(v[0].tape().constant(value));
    });
    check_parity<T>(k + "/entropy", {{"param", k + "/param"}},
                    [&](std::vector<Tensor<T>>& v) { return make<D>(kind, v[0]).entropy(); });
  }
  // KL for every parameterisation pair; the fixtures include the inf and 0 edge terms
  for (const std::string pk : {"probs", "logits"}) {
    for (const std::string qk : {"probs", "logits"}) {
      const std::string k = tag + "/" + name + "_kl/" + pk + "_" + qk;
      check_parity<T>(k + "/kl", {{"p", k + "/p"}, {"q", k + "/q"}}, [&](std::vector<Tensor<T>>& v) {
        return kl_divergence(make<D>(pk, v[0]), make<D>(qk, v[1]));
      });
    }
  }
}

}  // namespace

TEST_CASE("kl_divergence: the tutorial's KL(N(0, 1) || N(1, 1.5)) = 0.3499, and the reverse direction") {
  const auto& g = fixtures();
  CHECK(g.scalar("tutorial/float64/kl_pq") == doctest::Approx(0.3499).epsilon(1e-4));
  for (bool reverse : {false, true}) {
    Tape<double> td;
    Normal<double> a(td.constant(0.0), td.constant(1.0)), b(td.constant(1.0), td.constant(1.5));
    const double kl = (reverse ? kl_divergence(b, a) : kl_divergence(a, b)).item();
    const std::string key = std::string("tutorial/float64/") + (reverse ? "kl_qp" : "kl_pq");
    CHECK(std::abs(kl - g.scalar(key)) <= 1e-12 * std::abs(g.scalar(key)));

    Tape<float> tf;
    Normal<float> af(tf.constant(0.0f), tf.constant(1.0f)), bf(tf.constant(1.0f), tf.constant(1.5f));
    const float klf = (reverse ? kl_divergence(bf, af) : kl_divergence(af, bf)).item();
    const std::string keyf = std::string("tutorial/float32/") + (reverse ? "kl_qp" : "kl_pq");
    CHECK(std::abs(klf - g.scalar(keyf)) <= 1e-6 * std::abs(g.scalar(keyf)));
  }
}

TEST_CASE("Normal and Independent match PyTorch: log_prob, entropy, KL and their gradients, float64 and float32") {
  normal_parity<double>("float64");
  normal_parity<float>("float32");
}

TEST_CASE("Categorical matches PyTorch: probs and logits, log_prob, entropy, KL with inf and 0 terms, gradients") {
  discrete_parity<Categorical<double>, double>("float64", "categorical");
  discrete_parity<Categorical<float>, float>("float32", "categorical");
}

TEST_CASE("Bernoulli matches PyTorch: probs with 0 and 1, logits, log_prob, entropy, KL edge cases, gradients") {
  discrete_parity<Bernoulli<double>, double>("float64", "bernoulli");
  discrete_parity<Bernoulli<float>, float>("float32", "bernoulli");
}
