// pairs.cpp — the checks of unit 6: the student's KL pair is registered in
// klgrad's KL registry (in the check's own process), and klgrad::kl_divergence
// is compared with PyTorch 1.13.
//   6.1 Normal || Normal (tests/golden/distributions.txt): the tutorial's
//       KL(N(0, 1) || N(1, 1.5)) = 0.3499 both ways, a (3, 4) batch with the
//       gradients of all four parameters, and Independent(Normal, 1), whose KL
//       sums the registered pair.
//   6.2 Laplace || Laplace (tests/golden/extending.txt, the docs/EXTENDING.md
//       example): a (3, 4) batch whose first row has equal locations (the kink
//       of |mu_p - mu_q|), with all four gradients.
// Both families are location-scale (loc(), scale()), so one check serves both.
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
using Laplace = klgrad::Laplace<double>;

template <class D>
using Pair = Tensor (*)(const D& p, const D& q);

template <class D>
Pair<D> pair_of(const std::any& fn) {
  const auto stub = [](const D&, const D&) -> Tensor { KLGRAD_TODO("stub"); };
  return function_of<Pair<D>>(fn, +stub);
}

// Registers f for (D, D), counting its calls. The library registers its own
// pair of a family on the family's first construction (laplace.cpp), which
// would replace f: so one D is built, and one KL taken, first.
template <class D>
void register_pair(Pair<D> f, long* calls) {
  {
    klgrad::Tape<double> tape;
    const D warm(tape.constant(0.0), tape.constant(1.0));
    (void)klgrad::kl_divergence(warm, warm);
  }
  klgrad::register_kl<D, D>([f, calls](const D& p, const D& q) {
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

struct Case {
  std::string name;
  Array p_loc, p_scale, q_loc, q_scale;
  Array out;                      // PyTorch's KL
  Array seed;                     // dL/dKL for the backward (with grads only)
  std::vector<Array> grads;       // p_loc, p_scale, q_loc, q_scale
  bool independent = false;       // Independent(D, 1) on both sides
};

// A likely mistake of one family: the KL on doubles with that one thing
// changed, and what the report says when the student's values equal it.
struct Variant {
  std::string name, pattern, why;
};

struct Family {
  std::string name;  // "Normal"
  std::vector<Case> cases;
  // KL(D(mp, sp) || D(mq, sq)) on doubles; variant "" is the right one.
  double (*closed_form)(double mp, double sp, double mq, double sq, const std::string& variant);
  std::vector<Variant> variants;
  std::string passed;  // what a pass says about the cases
};

// ---- Normal || Normal (6.1) ----
double normal_kl(double mp, double sp, double mq, double sq, const std::string& variant) {
  if (variant == "direction") return normal_kl(mq, sq, mp, sp, "");
  if (variant == "variance") {  // the scales read as variances
    const double r = sp / sq, t = (mp - mq) * (mp - mq) / sq;
    return 0.5 * (r + t - 1 - std::log(r));
  }
  const double r = (sp / sq) * (sp / sq), t = ((mp - mq) / sq) * ((mp - mq) / sq);
  return 0.5 * (r + t - 1 - std::log(r));
}

const Family& normal_family() {
  static const Family family = [] {
    const golden::File& f = golden::file("distributions.txt");
    const auto scalar = [](double v) { return Array(v); };
    Family fam{"Normal", {}, &normal_kl,
               {{"direction", "direction", "yours is KL(q || p): the first argument is the distribution the expectation is over"},
                {"variance", "variance", "you used the scale where its square belongs: scale is the standard deviation "
                                         "sigma, the formula has sigma^2"}},
               "4 cases (the tutorial's 0.3499 both ways, a batch with all four gradients, Independent on top)"};
    fam.cases.push_back({"tutorial KL(N(0, 1) || N(1, 1.5))", scalar(0), scalar(1), scalar(1), scalar(1.5),
                         f.get<double>("tutorial/float64/kl_pq"), {}, {}, false});
    fam.cases.push_back({"tutorial KL(N(1, 1.5) || N(0, 1))", scalar(1), scalar(1.5), scalar(0), scalar(1),
                         f.get<double>("tutorial/float64/kl_qp"), {}, {}, false});
    const std::string k = "float64/normal_kl/";
    Case batch{"a (3, 4) batch", f.get<double>(k + "p_loc"), f.get<double>(k + "p_scale"), f.get<double>(k + "q_loc"),
               f.get<double>(k + "q_scale"), f.get<double>(k + "kl/out"), f.get<double>(k + "kl/seed"), {}, false};
    for (const char* g : {"grad_p_loc", "grad_p_scale", "grad_q_loc", "grad_q_scale"}) batch.grads.push_back(f.get<double>(k + "kl/" + g));
    fam.cases.push_back(batch);
    Case ind = batch;
    ind.name = "Independent(Normal, 1) of that batch: the registry sums your pair over the last axis";
    ind.independent = true;
    ind.out = f.get<double>("float64/independent/kl/out");
    ind.seed = f.get<double>("float64/independent/kl/seed");
    ind.grads.clear();
    for (const char* g : {"grad_p_loc", "grad_p_scale", "grad_q_loc", "grad_q_scale"})
      ind.grads.push_back(f.get<double>(std::string("float64/independent/kl/") + g));
    fam.cases.push_back(ind);
    return fam;
  }();
  return family;
}

// ---- Laplace || Laplace (6.2) ----
double laplace_kl(double mp, double bp, double mq, double bq, const std::string& variant) {
  if (variant == "direction") return laplace_kl(mq, bq, mp, bp, "");
  const double delta = variant == "abs" ? mp - mq : std::abs(mp - mq);  // "abs": the signed difference
  const double decay = variant == "decay" ? bq : bp;                     // "decay": e^(-delta / b_q)
  return std::log(bq / bp) + delta / bq + (bp / bq) * std::exp(-delta / decay) - 1;
}

const Family& laplace_family() {
  static const Family family = [] {
    const golden::File& f = golden::file("extending.txt");
    const std::string k = "laplace/float64/";
    Family fam{"Laplace", {}, &laplace_kl,
               {{"direction", "direction", "yours is KL(q || p): the first argument is the distribution the expectation is over"},
                {"abs", "abs", "yours is right where mu_p >= mu_q and wrong where mu_p < mu_q: delta is the distance "
                               "|mu_p - mu_q| (klgrad::abs), not the difference"},
                {"decay", "decay", "your exponential decays with q's scale: it is e^(-delta / b_p), p's scale (the "
                                   "expectation is over p)"}},
               "a (3, 4) batch with equal locations in its first row, and all four gradients"};
    Case batch{"a (3, 4) batch, row 0 with mu_p = mu_q", f.get<double>(k + "loc"), f.get<double>(k + "scale"),
               f.get<double>(k + "q_loc"), f.get<double>(k + "q_scale"), f.get<double>(k + "kl/out"),
               f.get<double>(k + "kl/seed"), {}, false};
    for (const char* g : {"grad_p_loc", "grad_p_scale", "grad_q_loc", "grad_q_scale"}) batch.grads.push_back(f.get<double>(k + "kl/" + g));
    fam.cases.push_back(batch);
    return fam;
  }();
  return family;
}

// The first wrong KL value, with the pattern that explains it.
template <class D>
Result wrong_values(const Family& fam, const Case& c, const std::vector<double>& yours, const std::vector<double>& want,
                    std::size_t bad, long calls) {
  const std::string where = "  case   " + c.name + "  float64\n";
  const std::vector<double> mp = values(c.p_loc), sp = values(c.p_scale), mq = values(c.q_loc), sq = values(c.q_scale);
  const auto matches = [&](const std::string& variant) {
    if (c.independent) return false;
    for (std::size_t i = 0; i < want.size(); ++i)
      if (!close(yours[i], fam.closed_form(mp[i], sp[i], mq[i], sq[i], variant))) return false;
    return true;
  };
  bool sign = true, ratio_ok = true, offset_ok = true;
  double ratio = 0;
  const double offset = yours[0] - want[0];
  for (std::size_t i = 0; i < want.size(); ++i) {
    sign = sign && close(-yours[i], want[i]);
    const double r = want[i] != 0 ? yours[i] / want[i] : 0;
    if (ratio == 0) ratio = r;
    else if (std::abs(r - ratio) > 1e-8 * std::abs(ratio)) ratio_ok = false;
    offset_ok = offset_ok && close(yours[i] - offset, want[i]);
  }
  std::string pattern = "unknown", why = "no known pattern: compare your formula with exercise.md, term by term";
  const Variant* v = nullptr;
  for (const Variant& candidate : fam.variants)
    if (!v && matches(candidate.name)) v = &candidate;
  if (sign) pattern = "sign", why = "yours is exactly minus PyTorch's: KL is never negative";
  else if (v) pattern = v->pattern, why = v->why;
  else if (ratio_ok && ratio != 0 && std::abs(ratio - 1) > 1e-8)
    pattern = "factor", why = "yours is " + num(ratio) + " times PyTorch's everywhere: a factor in front (the 1/2?)";
  else if (offset_ok && want.size() > 1)
    pattern = "offset", why = "yours is PyTorch's " + std::string(offset > 0 ? "+ " : "- ") + num(std::abs(offset)) +
                              " everywhere: a constant term (the -1?) is missing or doubled";
  return fail(pattern, where + "  first  KL" + where_in(c.out.shape(), bad) + ": " + versus(yours[bad], "PyTorch", want[bad]) +
                           ", allowed |diff| <= " + num(allowed(want[bad])) + "\n  pattern  " + why + "\n", calls);
}

template <class D>
Result check_pair(const Info& info, const Family& fam, Pair<D> f) {
  long calls = 0;
  register_pair<D>(f, &calls);
  try {
    for (const Case& c : fam.cases) {
      klgrad::Tape<double> tape;
      const Tensor pl = tape.variable(c.p_loc), ps = tape.variable(c.p_scale), ql = tape.variable(c.q_loc),
                   qs = tape.variable(c.q_scale);
      const D p(pl, ps), q(ql, qs);
      const Tensor kl = c.independent ? klgrad::kl_divergence(klgrad::Independent<double>(p, 1), klgrad::Independent<double>(q, 1))
                                      : klgrad::kl_divergence(p, q);
      const std::string where = "  case   " + c.name + "  float64\n";
      const std::vector<double> yours = values(kl.value()), want = values(c.out);
      if (yours.size() != want.size())
        return fail("shape", where + "  your KL has " + std::to_string(yours.size()) + " entries, PyTorch's " +
                                 std::to_string(want.size()) + "\n  pattern  return one KL per batch entry: compose it "
                                 "elementwise from p.loc(), p.scale(), q.loc(), q.scale()\n", calls);
      for (std::size_t i = 0; i < want.size(); ++i)
        if (!close(yours[i], want[i])) return wrong_values<D>(fam, c, yours, want, i, calls);
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
  r.text = "  " + fam.passed + ", through klgrad::kl_divergence: your pair ran " + std::to_string(calls) + " times\n";
  return r;
}

template <class D>
Exercise pair_exercise(const Info& info, Pair<D> student, const Family& (*family)()) {
  Exercise e{info, student, {}, {}, {}};
  e.check = [info, family](const std::any& fn) { return check_pair<D>(info, family(), pair_of<D>(fn)); };
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
    register_pair<D>(pair_of<D>(fn), &calls);
    const Json j = Json::parse(text);
    klgrad::Tape<double> tape;
    std::vector<Tensor> leaves;
    for (const char* n : {"p_loc", "p_scale", "q_loc", "q_scale"}) {
      const Mat m = mat_from(j.at(n));
      Array a = Array::from_shape({m.rows, m.cols});
      std::copy(m.data.begin(), m.data.end(), a.begin());
      leaves.push_back(tape.variable(a));
    }
    const Tensor kl = klgrad::kl_divergence(D(leaves[0], leaves[1]), D(leaves[2], leaves[3]));
    klgrad::sum(kl).backward();
    Json out = Json::array();
    out.push_back(values(kl.value()));
    for (const Tensor& t : leaves) out.push_back(t.has_grad() ? values(t.grad()) : std::vector<double>());
    return out.dump();
  };
  return e;
}

}  // namespace

Exercise normal_pair_exercise(const Info& info, NormalPair student) { return pair_exercise<Normal>(info, student, &normal_family); }
Exercise laplace_pair_exercise(const Info& info, LaplacePair student) { return pair_exercise<Laplace>(info, student, &laplace_family); }

}  // namespace course
