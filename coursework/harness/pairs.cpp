// pairs.cpp — the check of unit 6: the student's KL(Normal || Normal) is
// registered in klgrad's KL registry (in the check's own process), and
// klgrad::kl_divergence is compared with PyTorch 1.13 (tests/golden/
// distributions.txt): the tutorial's KL(N(0, 1) || N(1, 1.5)) = 0.3499 both
// ways, a (3, 4) batch with the gradients of all four parameters, and
// Independent(Normal, 1), whose KL sums the registered pair.
#include "pairs.hpp"

#include <cmath>

#include "check.hpp"
#include "json.hpp"
#include "reference.hpp"
#include "support/golden.hpp"

namespace course {

namespace {

using Tensor = klgrad::Tensor<double>;
using Array = klgrad::Array<double>;
using Normal = klgrad::Normal<double>;

NormalPair normal_pair_of(const std::any& fn) {
  const auto stub = [](const Normal&, const Normal&) -> Tensor { KLGRAD_TODO("stub"); };
  return function_of<NormalPair>(fn, +stub);
}

// Registers f for (Normal, Normal), counting its calls.
void register_pair(NormalPair f, long* calls) {
  klgrad::register_kl<Normal, Normal>([f, calls](const Normal& p, const Normal& q) {
    ++*calls;
    return f(p, q);
  });
}

std::vector<double> values(const Array& a) { return std::vector<double>(a.begin(), a.end()); }

std::string where_in(const klgrad::Shape& s, std::size_t k) {
  std::string out;
  for (std::size_t d = s.size(); d-- > 0;) {
    out = (d ? ", " : "") + std::to_string(k % s[d]) + out;
    k /= s[d];
  }
  return "[" + out + "]";
}

// KL(N(mp, sp) || N(mq, sq)) on doubles, with one thing changed, to name a mistake.
double closed_form(double mp, double sp, double mq, double sq, const std::string& variant) {
  if (variant == "direction") return closed_form(mq, sq, mp, sp, "");
  if (variant == "variance") {  // the scales read as variances
    const double r = sp / sq, t = (mp - mq) * (mp - mq) / sq;
    return 0.5 * (r + t - 1 - std::log(r));
  }
  const double r = (sp / sq) * (sp / sq), t = ((mp - mq) / sq) * ((mp - mq) / sq);
  return 0.5 * (r + t - 1 - std::log(r));
}

struct Case {
  std::string name;
  Array p_loc, p_scale, q_loc, q_scale;
  Array out;                      // PyTorch's KL
  Array seed;                     // dL/dKL for the backward (with grads only)
  std::vector<Array> grads;       // p_loc, p_scale, q_loc, q_scale
  bool independent = false;       // Independent(Normal, 1) on both sides
};

std::vector<Case> cases() {
  const golden::File& f = golden::file("distributions.txt");
  const auto scalar = [](double v) { return Array(v); };
  std::vector<Case> list;
  list.push_back({"tutorial KL(N(0, 1) || N(1, 1.5))", scalar(0), scalar(1), scalar(1), scalar(1.5),
                  f.get<double>("tutorial/float64/kl_pq"), {}, {}, false});
  list.push_back({"tutorial KL(N(1, 1.5) || N(0, 1))", scalar(1), scalar(1.5), scalar(0), scalar(1),
                  f.get<double>("tutorial/float64/kl_qp"), {}, {}, false});
  const std::string k = "float64/normal_kl/";
  Case batch{"a (3, 4) batch", f.get<double>(k + "p_loc"), f.get<double>(k + "p_scale"), f.get<double>(k + "q_loc"),
             f.get<double>(k + "q_scale"), f.get<double>(k + "kl/out"), f.get<double>(k + "kl/seed"), {}, false};
  for (const char* g : {"grad_p_loc", "grad_p_scale", "grad_q_loc", "grad_q_scale"}) batch.grads.push_back(f.get<double>(k + "kl/" + g));
  list.push_back(batch);
  Case ind = batch;
  ind.name = "Independent(Normal, 1) of that batch: the registry sums your pair over the last axis";
  ind.independent = true;
  ind.out = f.get<double>("float64/independent/kl/out");
  ind.seed = f.get<double>("float64/independent/kl/seed");
  ind.grads.clear();
  for (const char* g : {"grad_p_loc", "grad_p_scale", "grad_q_loc", "grad_q_scale"})
    ind.grads.push_back(f.get<double>(std::string("float64/independent/kl/") + g));
  list.push_back(ind);
  return list;
}

Result check_normal_pair(const Info& info, NormalPair f) {
  long calls = 0;
  register_pair(f, &calls);
  try {
    for (const Case& c : cases()) {
      klgrad::Tape<double> tape;
      const Tensor pl = tape.variable(c.p_loc), ps = tape.variable(c.p_scale), ql = tape.variable(c.q_loc),
                   qs = tape.variable(c.q_scale);
      const Normal p(pl, ps), q(ql, qs);
      const Tensor kl = c.independent ? klgrad::kl_divergence(klgrad::Independent<double>(p, 1), klgrad::Independent<double>(q, 1))
                                      : klgrad::kl_divergence(p, q);
      const std::string where = "  case   " + c.name + "  float64\n";
      const std::vector<double> yours = values(kl.value()), want = values(c.out);
      if (yours.size() != want.size())
        return fail("shape", where + "  your KL has " + std::to_string(yours.size()) + " entries, PyTorch's " +
                                 std::to_string(want.size()) + "\n  pattern  return one KL per batch entry: compose it "
                                 "elementwise from p.loc(), p.scale(), q.loc(), q.scale()\n", calls);
      std::size_t bad = std::string::npos;
      for (std::size_t i = 0; i < want.size() && bad == std::string::npos; ++i)
        if (!close(yours[i], want[i])) bad = i;
      if (bad != std::string::npos) {
        const std::vector<double> mp = values(c.p_loc), sp = values(c.p_scale), mq = values(c.q_loc), sq = values(c.q_scale);
        const auto matches = [&](const std::string& variant) {
          if (c.independent) return false;
          for (std::size_t i = 0; i < want.size(); ++i)
            if (!close(yours[i], closed_form(mp[i], sp[i], mq[i], sq[i], variant))) return false;
          return true;
        };
        bool sign = true, ratio_ok = true;
        double ratio = 0;
        for (std::size_t i = 0; i < want.size(); ++i) {
          sign = sign && close(-yours[i], want[i]);
          const double r = want[i] != 0 ? yours[i] / want[i] : 0;
          if (ratio == 0) ratio = r;
          else if (std::abs(r - ratio) > 1e-8 * std::abs(ratio)) ratio_ok = false;
        }
        std::string pattern = "unknown", why = "no known pattern: compare your formula with exercise.md, term by term";
        if (sign) pattern = "sign", why = "yours is exactly minus PyTorch's: KL is never negative";
        else if (matches("direction"))
          pattern = "direction", why = "yours is KL(q || p): the first argument is the distribution the expectation is over";
        else if (matches("variance"))
          pattern = "variance", why = "you used the scale where its square belongs: scale is the standard deviation sigma, "
                                      "the formula has sigma^2";
        else if (ratio_ok && ratio != 0 && std::abs(ratio - 1) > 1e-8)
          pattern = "factor", why = "yours is " + num(ratio) + " times PyTorch's everywhere: the 1/2 in front?";
        return fail(pattern, where + "  first  KL" + where_in(c.out.shape(), bad) + ": " + versus(yours[bad], "PyTorch", want[bad]) +
                                 ", allowed |diff| <= " + num(allowed(want[bad])) + "\n  pattern  " + why + "\n", calls);
      }
      if (c.grads.empty()) continue;  // the tutorial cases: values only
      kl.backward(c.seed);
      const char* names[] = {"p.loc", "p.scale", "q.loc", "q.scale"};
      const Tensor* leaves[] = {&pl, &ps, &ql, &qs};
      for (int j = 0; j < 4; ++j) {
        const std::vector<double> g = leaves[j]->has_grad() ? values(leaves[j]->grad()) : std::vector<double>(),
                                  w = values(c.grads[j]);
        for (std::size_t i = 0; i < w.size(); ++i)
          if (i >= g.size() || !close(g[i], w[i]))
            return fail("detached", where + "  your KL is right, its gradient is not: dL/d" + names[j] + where_in(c.out.shape(), i) +
                                        ": " + (i < g.size() ? versus(g[i], "PyTorch", w[i]) : "no gradient reached it, PyTorch " + num(w[i])) +
                                        "\n  pattern  part of your KL was computed outside the graph (from .value(), plain "
                                        "doubles or a constant): compose all of it from klgrad ops on the Tensors\n", calls);
      }
    }
  } catch (const NotStarted&) {
    return not_started(info, calls);
  }
  Result r;
  r.status = Status::passed;
  r.calls = calls;
  r.text = "  4 cases (the tutorial's 0.3499 both ways, a batch with all four gradients, Independent on top), "
           "through klgrad::kl_divergence: your pair ran " + std::to_string(calls) + " times\n";
  return r;
}

}  // namespace

Exercise normal_pair_exercise(const Info& info, NormalPair student) {
  Exercise e{info, student, {}, {}, {}};
  e.check = [info](const std::any& fn) { return check_normal_pair(info, normal_pair_of(fn)); };
  // Grading: a fresh (3, 4) batch; the outputs are the KL and its four gradients for dL/dKL = 1.
  e.make_inputs = [](unsigned seed) {
    Mat loc_p = random_mat(3, 4, seed * 7919u + 1), loc_q = random_mat(3, 4, seed * 7919u + 2);
    Mat sp = random_mat(3, 4, seed * 7919u + 3), sq = random_mat(3, 4, seed * 7919u + 4);
    for (double& v : sp.data) v = std::exp(0.5 * v);
    for (double& v : sq.data) v = std::exp(0.5 * v);
    return Json{{"p_loc", to_json(loc_p)}, {"p_scale", to_json(sp)}, {"q_loc", to_json(loc_q)}, {"q_scale", to_json(sq)}}.dump();
  };
  e.run = [](const std::any& fn, const std::string& text) {
    long calls = 0;
    register_pair(normal_pair_of(fn), &calls);
    const Json j = Json::parse(text);
    klgrad::Tape<double> tape;
    std::vector<Tensor> leaves;
    for (const char* n : {"p_loc", "p_scale", "q_loc", "q_scale"}) {
      const Mat m = mat_from(j.at(n));
      Array a = Array::from_shape({m.rows, m.cols});
      std::copy(m.data.begin(), m.data.end(), a.begin());
      leaves.push_back(tape.variable(a));
    }
    const Tensor kl = klgrad::kl_divergence(Normal(leaves[0], leaves[1]), Normal(leaves[2], leaves[3]));
    klgrad::sum(kl).backward();
    Json out = Json::array();
    out.push_back(values(kl.value()));
    for (const Tensor& t : leaves) out.push_back(t.has_grad() ? values(t.grad()) : std::vector<double>());
    return out.dump();
  };
  return e;
}

}  // namespace course
