#include "klgrad/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace klgrad {

namespace {

struct Run {
  std::string op;
  Array<double> out;
};

// Evaluates f on `inputs` (variables where `wrt`, else constants) on a fresh step.
Tensor<double> build(Tape<double>& tape, const GradcheckFn& f, const std::vector<Array<double>>& inputs,
                     const std::vector<bool>& wrt, std::vector<Tensor<double>>& vars) {
  tape.clear();
  vars.clear();
  for (std::size_t i = 0; i < inputs.size(); ++i)
    vars.push_back(wrt[i] ? tape.variable(inputs[i]) : tape.constant(inputs[i]));
  return f(vars);
}

// J[i] has shape (numel(out), numel(input i)).
std::vector<std::vector<double>> analytic(const GradcheckFn& f, const std::vector<Array<double>>& inputs,
                                          const std::vector<bool>& wrt, std::size_t m) {
  Tape<double> tape;
  std::vector<Tensor<double>> vars;
  std::vector<std::vector<double>> J(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) J[i].assign(m * inputs[i].size(), 0.0);
  for (std::size_t k = 0; k < m; ++k) {
    Tensor<double> out = build(tape, f, inputs, wrt, vars);
    if (!out.requires_grad()) return J;  // f ignores every input: the Jacobian is 0
    Array<double> seed = xt::zeros<double>(out.shape());
    seed.flat(k) = 1.0;
    out.backward(seed);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (!wrt[i] || !vars[i].has_grad()) continue;
      const Array<double>& g = vars[i].grad();
      KLGRAD_CHECK(g.shape() == inputs[i].shape(), "gradcheck: op '" + std::string(out.op_name()) + "' gave input " +
                                                     std::to_string(i) + " a gradient of shape " + shape_str(g.shape()) +
                                                     ", not its shape " + shape_str(inputs[i].shape()));
      for (std::size_t j = 0; j < g.size(); ++j) J[i][k * g.size() + j] = g.flat(j);
    }
  }
  return J;
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFn& f, const std::vector<Array<double>>& inputs,
                          const GradcheckOptions& o) {
  std::vector<bool> wrt = o.wrt.empty() ? std::vector<bool>(inputs.size(), true) : o.wrt;
  KLGRAD_CHECK(wrt.size() == inputs.size(), "gradcheck: options.wrt has " + std::to_string(wrt.size()) +
                                         " entries for " + std::to_string(inputs.size()) + " inputs");
  GradcheckResult r;
  std::string op;
  std::size_t m = 0;
  {
    Tape<double> tape;
    std::vector<Tensor<double>> vars;
    Tensor<double> out = build(tape, f, inputs, wrt, vars);
    op = out.op_name();
    m = out.numel();
  }
  const auto J1 = analytic(f, inputs, wrt, m);
  const auto J2 = analytic(f, inputs, wrt, m);

  std::vector<Array<double>> x = inputs;
  Tape<double> tape;
  std::vector<Tensor<double>> vars;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!wrt[i]) continue;
    const std::size_t n = inputs[i].size();
    for (std::size_t j = 0; j < n; ++j) {
      const double x0 = x[i].flat(j);
      Array<double> plus, minus;
      {
        NoGrad ng;
        x[i].flat(j) = x0 + o.eps;
        plus = build(tape, f, x, wrt, vars).value();
        x[i].flat(j) = x0 - o.eps;
        minus = build(tape, f, x, wrt, vars).value();
        x[i].flat(j) = x0;
      }
      for (std::size_t k = 0; k < m; ++k) {
        const double numeric = (plus.flat(k) - minus.flat(k)) / (2 * o.eps);
        const double a1 = J1[i][k * n + j], a2 = J2[i][k * n + j];
        const bool close = std::abs(a1 - numeric) <= o.atol + o.rtol * std::abs(numeric);
        const bool same = a1 == a2 || (std::isnan(a1) && std::isnan(a2));
        ++r.compared;
        r.max_abs_diff = std::max(r.max_abs_diff, std::abs(a1 - numeric));
        if (!close || !same || std::isnan(a1)) {
          std::ostringstream s;
          s.precision(10);
          s << "gradcheck: op '" << op << "', input " << i << " element " << j << ", output element " << k
            << ": analytic " << a1 << " vs numeric " << numeric;
          if (!same) s << " (a second backward gave " << a2 << ")";
          s << "; allowed |diff| <= " << o.atol + o.rtol * std::abs(numeric);
          r.ok = false;
          r.message = s.str();
          return r;
        }
      }
    }
  }
  return r;
}

}  // namespace klgrad
