// kl_grad — look inside one backward pass.
//
// For fixed data P (the target) and a learnable model Q = softmax(z), one row,
// batchmean, the forward KL is
//   L(z) = KL(P || Q) = sum_i p_i (log p_i - log q_i),   log q = log_softmax(z)
// and, because d log q_i / dz_j = δ_ij - q_j and sum_i p_i = 1,
//   dL/dz_j = -sum_i p_i (δ_ij - q_j) = q_j - p_j        i.e.  dL/dz = softmax(z) - p.
// `kl_grad` prints, per entry, klgrad's gradient from backward next to that closed
// form and their difference. `kl_grad --gradcheck` prints a table: every primitive
// and loss checked against central differences (klgrad/gradcheck.hpp).
// Output is a whitespace-separated table with a header row; lines starting with
// '#' are comments. Errors: one line on stderr, exit code 2.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include <CLI/CLI.hpp>

#include "cli.hpp"

#include "klgrad/gradcheck.hpp"
#include "klgrad/klgrad.hpp"
#include "klgrad/random.hpp"
#include "klgrad/util/parse.hpp"

using namespace klgrad;

namespace {

using V = std::vector<Tensor<double>>;
using A = Array<double>;

int show_gradient(const std::vector<double>& z, const std::vector<double>& p) {
  const std::size_t n = z.size();
  A logits = A::from_shape(Shape{1, n}), target = A::from_shape(Shape{1, n});
  for (std::size_t i = 0; i < n; ++i) logits.flat(i) = z[i], target.flat(i) = p[i];
  Tape<double> tape;
  Tensor<double> x = tape.variable(logits);
  Tensor<double> log_q = log_softmax(x, 1);
  Tensor<double> loss = kl_div(log_q, tape.constant(target), Reduction::batchmean);
  loss.backward();
  std::printf("# loss KL(P || softmax(z)) = %.17g\n", loss.item());
  std::printf("i z p q grad_backward q_minus_p diff\n");
  double worst = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double q = std::exp(log_q.value().flat(i)), g = x.grad().flat(i), closed = q - p[i];
    worst = std::max(worst, std::abs(g - closed));
    std::printf("%zu %.17g %.17g %.17g %.17g %.17g %.3g\n", i + 1, z[i], p[i], q, g, closed, g - closed);
  }
  std::printf("# max |backward - (softmax(z) - p)| = %.3g\n", worst);
  return 0;
}

struct Check {
  const char* name;  // one word: the table is split at white space
  GradcheckFn f;
  std::vector<A> inputs;
};

// Every primitive and loss on small random inputs (float64, PyTorch's tolerances).
int gradcheck_table(std::uint64_t seed) {
  Generator g(seed);
  auto normal = [&](Shape s) { return g.normal<double>(s); };
  auto positive = [&](Shape s) { return A(0.5 + g.uniform<double>(s)); };
  auto probs = [&](Shape s) {  // rows that sum to 1
    A e = xt::exp(g.normal<double>(s));
    for (std::size_t i = 0; i < s[0]; ++i) {
      double total = 0;
      for (std::size_t j = 0; j < s[1]; ++j) total += e(i, j);
      for (std::size_t j = 0; j < s[1]; ++j) e(i, j) /= total;
    }
    return e;
  };
  const Shape r{2, 3};
  const std::vector<Check> checks = {
      {"add_broadcast", [](V& v) { return v[0] + v[1]; }, {normal(r), normal({3})}},
      {"mul", [](V& v) { return v[0] * v[1]; }, {normal(r), normal(r)}},
      {"div", [](V& v) { return v[0] / v[1]; }, {normal(r), positive(r)}},
      {"exp", [](V& v) { return exp(v[0]); }, {normal(r)}},
      {"log", [](V& v) { return log(v[0]); }, {positive(r)}},
      {"sqrt", [](V& v) { return sqrt(v[0]); }, {positive(r)}},
      {"pow_2.5", [](V& v) { return pow(v[0], 2.5); }, {positive(r)}},
      {"sigmoid", [](V& v) { return sigmoid(v[0]); }, {normal(r)}},
      {"tanh", [](V& v) { return tanh(v[0]); }, {normal(r)}},
      {"softplus", [](V& v) { return softplus(v[0]); }, {normal(r)}},
      {"sum_dim1", [](V& v) { return sum(v[0], {1}); }, {normal(r)}},
      {"mean", [](V& v) { return mean(v[0]); }, {normal(r)}},
      {"max_dim1", [](V& v) { return max(v[0], 1); }, {normal(r)}},
      {"logsumexp", [](V& v) { return logsumexp(v[0], 1); }, {normal(r)}},
      {"reshape", [](V& v) { return reshape(v[0], {3, 2}) * v[1]; }, {normal(r), normal({3, 2})}},
      {"transpose", [](V& v) { return transpose(v[0], 0, 1) * v[1]; }, {normal(r), normal({3, 2})}},
      {"matmul", [](V& v) { return matmul(v[0], v[1]); }, {normal(r), normal({3, 4})}},
      {"linear", [](V& v) { return linear(v[0], v[1], v[2]); }, {normal(r), normal({4, 3}), normal({4})}},
      {"softmax", [](V& v) { return softmax(v[0], 1); }, {normal(r)}},
      {"log_softmax", [](V& v) { return log_softmax(v[0], 1); }, {normal(r)}},
      {"kl_div_batchmean", [](V& v) { return kl_div(log_softmax(v[0], 1), v[1], Reduction::batchmean); },
       {normal(r), probs(r)}},
      {"kl_div_log_target", [](V& v) { return kl_div(log_softmax(v[0], 1), log_softmax(v[1], 1), Reduction::sum, true); },
       {normal(r), normal(r)}},
      {"js_div", [](V& v) { return js_div(log_softmax(v[0], 1), v[1]); }, {normal(r), probs(r)}},
      {"alpha_div_0.5", [](V& v) { return alpha_div(log_softmax(v[0], 1), v[1], 0.5); }, {normal(r), probs(r)}},
      {"binary_cross_entropy", [](V& v) { return binary_cross_entropy(sigmoid(v[0]), v[1]); },
       {normal(r), A(g.uniform<double>(r))}},
      {"mse_loss", [](V& v) { return mse_loss(v[0], v[1]); }, {normal(r), normal(r)}},
      {"cross_entropy", [](V& v) { return cross_entropy(v[0], {2, 0}); }, {normal(r)}},
  };
  std::printf("# gradcheck: float64, eps 1e-6, pass when |analytic - numeric| <= 1e-5 + 1e-3 |numeric|\n");
  std::printf("op inputs entries max_abs_diff result\n");
  int failed = 0;
  for (const Check& c : checks) {
    const GradcheckResult res = gradcheck(c.f, c.inputs);
    std::string shapes;
    for (const A& a : c.inputs) shapes += (shapes.empty() ? "" : "+") + shape_str(a.shape());
    shapes.erase(std::remove(shapes.begin(), shapes.end(), ' '), shapes.end());
    std::printf("%s %s %zu %.2e %s\n", c.name, shapes.c_str(), res.compared, res.max_abs_diff,
                res.ok ? "pass" : "FAIL");
    if (!res.ok) {
      std::fprintf(stderr, "%s\n", res.message.c_str());
      ++failed;
    }
  }
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kl_grad: klgrad's gradient of KL(P || softmax(z)) next to the closed form softmax(z) - p,\n"
               "or (--gradcheck) a table of every op's backward checked against central differences."};
  std::string logits = "1,2,0.5", target = "0.7,0.2,0.1";
  bool table = false;
  long long seed = 0;
  app.add_option("--logits", logits, "Logits z, comma-separated")->capture_default_str();
  app.add_option("--target", target, "Target (data) distribution P: finite, >= 0, summing to 1")->capture_default_str();
  app.add_flag("--gradcheck", table, "Print the gradcheck table instead");
  app.add_option("--seed", seed, "Seed of the random gradcheck inputs")->capture_default_str();
  if (const int code = klgrad_cli::parse(app, argc, argv, "kl_grad"); code >= 0) return code;
  return klgrad_cli::run("kl_grad", [&] {
    KLGRAD_CHECK(seed >= 0, "--seed must be >= 0, got " + std::to_string(seed));
    if (table) return gradcheck_table(static_cast<std::uint64_t>(seed));
    const auto z = parse_number_list(logits, "--logits");
    const auto p = parse_number_list(target, "--target");
    KLGRAD_CHECK(z.size() == p.size(), "--logits has " + std::to_string(z.size()) + " entries and --target " +
                                           std::to_string(p.size()) + "; give one logit per target entry");
    check_distribution(p, "--target");
    return show_gradient(z, p);
  });
}
