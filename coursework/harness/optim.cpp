// optim.cpp — the checks of unit 5: a student's update rule replays PyTorch
// 1.13's own trajectories (tests/golden/optim.txt, written by
// tests/golden/gen_optim.py): the same gradients fed in, the parameters after
// every step compared. The rules are written out here a second time, plainly,
// only to name a mistake: each variant leaves out one detail, and the variant
// whose trajectory matches yours names what you left out.
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "check.hpp"
#include "json.hpp"
#include "reference.hpp"
#include "support/golden.hpp"

namespace course {

namespace {

using State = std::vector<Mat>;  // SGD: {momentum_buffer}; Adam: {exp_avg, exp_avg_sq, max_exp_avg_sq}
using Stepper = std::function<void(Mat& p, const Mat& g, State& state, long step)>;

enum class Kind { sgd, adam, adamw };

struct Trajectory {
  std::string name;  // the golden case, e.g. "adam_amsgrad"
  Mat init0, init1;
  std::vector<Mat> grad0, grad1, param0, param1;
  std::vector<bool> has_grad1;
  SgdOptions sgd;
  AdamOptions adam;
  std::string options;  // as a report prints them
};

Mat slice(const golden::Record& r, std::size_t t) {  // entry t of a stacked (steps, ...) record, as a Mat
  const std::size_t rows = r.shape.size() == 3 ? r.shape[1] : 1, cols = r.shape.back();
  const std::size_t n = rows * cols;
  return Mat{rows, cols, std::vector<double>(r.values.begin() + static_cast<long>(t * n), r.values.begin() + static_cast<long>((t + 1) * n))};
}

Mat whole(const golden::Record& r) {
  const std::size_t rows = r.shape.size() == 2 ? r.shape[0] : 1, cols = r.shape.back();
  return Mat{rows, cols, r.values};
}

const std::vector<Trajectory>& trajectories(Kind kind) {
  static std::map<Kind, std::vector<Trajectory>> cache;
  auto& list = cache[kind];
  if (!list.empty()) return list;
  const golden::File& f = golden::file("optim.txt");
  const char* prefix = kind == Kind::sgd ? "sgd" : kind == Kind::adam ? "adam_" : "adamw";
  for (const std::string& key : f.keys_with_prefix(prefix)) {
    const std::string tail = "/float64/init0";
    if (key.size() < tail.size() || key.compare(key.size() - tail.size(), tail.size(), tail) != 0) continue;
    Trajectory t;
    t.name = key.substr(0, key.size() - tail.size());
    const std::string k = t.name + "/float64/", o = t.name + "/opt/";
    t.init0 = whole(f.at(k + "init0"));
    t.init1 = whole(f.at(k + "init1"));
    const std::size_t steps = f.at(k + "grad0").shape[0];
    for (std::size_t s = 0; s < steps; ++s) {
      t.grad0.push_back(slice(f.at(k + "grad0"), s));
      t.grad1.push_back(slice(f.at(k + "grad1"), s));
      t.param0.push_back(slice(f.at(k + "param0"), s));
      t.param1.push_back(slice(f.at(k + "param1"), s));
      t.has_grad1.push_back(f.at(k + "has_grad1").values[s] != 0);
    }
    std::ostringstream opts;
    if (kind == Kind::sgd) {
      t.sgd = {f.scalar(o + "lr"), f.scalar(o + "momentum"), f.scalar(o + "dampening"), f.scalar(o + "weight_decay"),
               f.scalar(o + "nesterov") != 0, f.scalar(o + "maximize") != 0};
      opts << "SGD(lr=" << t.sgd.lr << ", momentum=" << t.sgd.momentum << ", dampening=" << t.sgd.dampening
           << ", weight_decay=" << t.sgd.weight_decay << ", nesterov=" << t.sgd.nesterov << ", maximize=" << t.sgd.maximize << ")";
    } else {
      t.adam = {f.scalar(o + "lr"), f.scalar(o + "beta1"), f.scalar(o + "beta2"), f.scalar(o + "eps"),
                f.scalar(o + "weight_decay"), f.scalar(o + "amsgrad") != 0, f.scalar(o + "maximize") != 0};
      opts << (kind == Kind::adam ? "Adam" : "AdamW") << "(lr=" << t.adam.lr << ", betas=(" << t.adam.beta1 << ", "
           << t.adam.beta2 << "), eps=" << t.adam.eps << ", weight_decay=" << t.adam.weight_decay
           << ", amsgrad=" << t.adam.amsgrad << ", maximize=" << t.adam.maximize << ")";
    }
    t.options = opts.str();
    // Adam's cases start with "adam_", AdamW's with "adamw": keep them apart.
    if (kind == Kind::adam && t.name.rfind("adamw", 0) == 0) continue;
    list.push_back(std::move(t));
  }
  // The plain case first, then one option at a time (gen_optim.py's order), so
  // that a first failure points at one detail.
  const std::vector<std::string> order = {"sgd_plain", "sgd_momentum_dampening", "sgd_nesterov", "sgd_weight_decay",
                                          "sgd_maximize", "adam_default", "adam_weight_decay", "adam_amsgrad",
                                          "adam_maximize", "adamw", "adamw_amsgrad_maximize"};
  const auto rank = [&](const Trajectory& t) {
    return static_cast<std::size_t>(std::find(order.begin(), order.end(), t.name) - order.begin());
  };
  std::stable_sort(list.begin(), list.end(), [&](const Trajectory& a, const Trajectory& b) { return rank(a) < rank(b); });
  return list;
}

// The mistakes the variants make, one at a time.
enum class Mistake { none, buffer_from_zero, no_nesterov, no_weight_decay, no_maximize, no_bias_correction, eps_inside_sqrt,
                     no_amsgrad, coupled_decay };

Stepper sgd_rule(const SgdOptions& o, Mistake m) {
  return [o, m](Mat& p, const Mat& g, State& s, long step) {
    Mat& buf = s[0];
    for (std::size_t k = 0; k < p.size(); ++k) {
      double d = o.maximize && m != Mistake::no_maximize ? -g[k] : g[k];
      if (o.weight_decay != 0 && m != Mistake::no_weight_decay) d += o.weight_decay * p[k];
      if (o.momentum != 0) {
        buf[k] = step == 1 && m != Mistake::buffer_from_zero ? d : o.momentum * buf[k] + (1 - o.dampening) * d;
        d = o.nesterov && m != Mistake::no_nesterov ? d + o.momentum * buf[k] : buf[k];
      }
      p[k] -= o.lr * d;
    }
  };
}

Stepper adam_rule(const AdamOptions& o, bool decoupled, Mistake m) {
  return [o, decoupled, m](Mat& p, const Mat& g, State& s, long step) {
    Mat &m1 = s[0], &v = s[1], &vmax = s[2];
    const double bc1 = m == Mistake::no_bias_correction ? 1 : 1 - std::pow(o.beta1, static_cast<double>(step));
    const double bc2 = m == Mistake::no_bias_correction ? 1 : 1 - std::pow(o.beta2, static_cast<double>(step));
    const bool couple = !decoupled || m == Mistake::coupled_decay;
    for (std::size_t k = 0; k < p.size(); ++k) {
      double d = o.maximize && m != Mistake::no_maximize ? -g[k] : g[k];
      if (o.weight_decay != 0 && m != Mistake::no_weight_decay) {
        if (couple) d += o.weight_decay * p[k];
        else p[k] *= 1 - o.lr * o.weight_decay;
      }
      m1[k] = o.beta1 * m1[k] + (1 - o.beta1) * d;
      v[k] = o.beta2 * v[k] + (1 - o.beta2) * d * d;
      double second = v[k];
      if (o.amsgrad && m != Mistake::no_amsgrad) second = vmax[k] = std::max(vmax[k], v[k]);
      const double denom = m == Mistake::eps_inside_sqrt ? std::sqrt(second / bc2 + o.eps) : std::sqrt(second) / std::sqrt(bc2) + o.eps;
      p[k] -= o.lr / bc1 * m1[k] / denom;
    }
  };
}

// Runs a rule along a trajectory. Returns the step (0-based) and parameter
// (0 or 1) of the first mismatch with PyTorch, or step == -1 when all agree;
// with upto >= 0, stops at that step and parameter instead. before and after
// hold the parameter around that step.
struct Replay {
  long step = -1;
  int param = 0;
  Mat before, after;
};

Replay replay(const Trajectory& t, const Stepper& rule, std::size_t state_count, long upto = -1, int upto_param = 0) {
  Mat p[2] = {t.init0, t.init1};
  State s[2] = {State(state_count, zeros_like(t.init0)), State(state_count, zeros_like(t.init1))};
  long steps[2] = {0, 0};
  Replay r;
  for (std::size_t i = 0; i < t.grad0.size(); ++i) {
    const bool has[2] = {true, t.has_grad1[i]};
    const Mat* g[2] = {&t.grad0[i], &t.grad1[i]};
    const Mat* want[2] = {&t.param0[i], &t.param1[i]};
    for (int j = 0; j < 2; ++j) {
      const Mat before = p[j];
      if (has[j]) rule(p[j], *g[j], s[j], ++steps[j]);
      const bool here = upto >= 0 ? static_cast<long>(i) == upto : !all_of_close(p[j], *want[j]);
      if (here && (upto < 0 || j == upto_param)) {
        r.step = static_cast<long>(i);
        r.param = j;
        r.before = before;
        r.after = p[j];
        return r;
      }
    }
  }
  return r;
}

std::string mistake_line(Mistake m) {
  switch (m) {
    case Mistake::buffer_from_zero:
      return "momentum-init|at a parameter's first update PyTorch's momentum buffer is a copy of the (decayed) "
             "gradient, not momentum * 0 + (1 - dampening) g: no dampening at step 1";
    case Mistake::no_nesterov: return "nesterov|with nesterov=true the step is g + momentum * buffer, not the buffer";
    case Mistake::no_weight_decay: return "weight-decay|weight_decay was left out: add weight_decay * param to the gradient first";
    case Mistake::no_maximize: return "maximize|maximize=true ascends: negate the gradient before anything else";
    case Mistake::no_bias_correction:
      return "bias-correction|no bias correction: the averages start at 0, so divide by 1 - beta1^step and "
             "1 - beta2^step (step counts this parameter's updates, from 1)";
    case Mistake::eps_inside_sqrt: return "eps|eps goes outside the square root: sqrt(v_hat) + eps, not sqrt(v_hat + eps)";
    case Mistake::no_amsgrad: return "amsgrad|amsgrad=true divides by the running maximum of exp_avg_sq, kept in max_exp_avg_sq";
    case Mistake::coupled_decay:
      return "coupled-decay|that is Adam's L2 decay (added to the gradient); AdamW shrinks the parameter itself first: "
             "param *= 1 - lr * weight_decay";
    case Mistake::none: break;
  }
  return "unknown|no known pattern: compare your update with exercise.md, line by line";
}

// The student's rule for one trajectory (its options bound in).
using MakeStepper = std::function<Stepper(const Trajectory&)>;

Result check_trajectories(Kind kind, const MakeStepper& student, const long& calls) {
  const std::size_t state_count = kind == Kind::sgd ? 1 : 3;
  std::size_t steps = 0;
  for (const Trajectory& t : trajectories(kind)) {
    const Replay r = replay(t, student(t), state_count);
    steps += t.grad0.size();
    if (r.step < 0) continue;
    const Mat& want = r.param == 0 ? t.param0[r.step] : t.param1[r.step];
    const std::size_t k = first_mismatch(r.after, want);
    const std::string name = "p" + std::to_string(r.param);
    std::string where = "  case   " + t.name + ": " + t.options + "\n         step " + std::to_string(r.step + 1) + " of " +
                        std::to_string(t.grad0.size()) + ", parameter " + name + " " + shape(want) + "  float64\n";
    Result res;
    res.calls = calls;
    if (r.after.size() != want.size() || r.after.rows != want.rows) {
      res.pattern = "shape";
      res.text = where + "  your " + name + " has shape " + shape(r.after) + "\n  pattern  update param in place, do not resize it\n";
      return res;
    }
    where += "  first  " + name + index(want, k) + " after the step: " + versus(r.after[k], "PyTorch", want[k]) +
             ", allowed |diff| <= " + num(allowed(want[k])) + "\n  pattern  ";
    bool unchanged = true, sign = true;
    for (std::size_t i = 0; i < want.size(); ++i) {
      unchanged = unchanged && r.after[i] == r.before[i];
      sign = sign && close(r.after[i] - r.before[i], -(want[i] - r.before[i]));
    }
    if (unchanged) {
      res.pattern = "never-written";
      res.text = where + "the parameter did not change: update param in place\n";
      return res;
    }
    if (sign) {
      res.pattern = "sign";
      res.text = where + "you stepped the other way: gradient descent subtracts lr * update\n";
      return res;
    }
    std::string line = mistake_line(Mistake::none);
    // coupled_decay before no_weight_decay: at AdamW's first step the two look alike (Adam's update is
    // about lr sign(g) there, whatever small term the gradient carries).
    for (Mistake m : {Mistake::buffer_from_zero, Mistake::no_nesterov, Mistake::coupled_decay, Mistake::no_weight_decay,
                      Mistake::no_maximize, Mistake::no_bias_correction, Mistake::eps_inside_sqrt, Mistake::no_amsgrad}) {
      const Stepper variant = kind == Kind::sgd ? sgd_rule(t.sgd, m) : adam_rule(t.adam, kind == Kind::adamw, m);
      const Replay v = replay(t, variant, state_count, r.step, r.param);
      // The variant changes something only when the option is on; then it must match yours.
      const Replay plain = replay(t, kind == Kind::sgd ? sgd_rule(t.sgd, Mistake::none) : adam_rule(t.adam, kind == Kind::adamw, Mistake::none),
                                  state_count, r.step, r.param);
      if (v.param == r.param && all_of_close(v.after, r.after) && !all_of_close(plain.after, r.after)) {
        line = mistake_line(m);
        break;
      }
    }
    const std::size_t bar = line.find('|');
    res.pattern = line.substr(0, bar);
    res.text = where + line.substr(bar + 1) + "\n";
    return res;
  }
  Result res;
  res.status = Status::passed;
  res.calls = calls;
  res.text = "  " + std::to_string(trajectories(kind).size()) + " PyTorch trajectories, " + std::to_string(steps) +
             " steps of 2 parameters, your update ran " + std::to_string(calls) + " times\n";
  return res;
}

Result guarded(const Info& info, Kind kind, const MakeStepper& student, const long& calls) {
  try {
    return check_trajectories(kind, student, calls);
  } catch (const NotStarted&) {
    return not_started(info, calls);
  }
}

// Grading inputs: for each PyTorch case's options, one parameter with a fresh
// start and 20 random gradients; the outputs are the parameter after each step.
std::string optim_inputs(Kind kind, unsigned seed) {
  Json cases = Json::array();
  unsigned n = 0;
  for (const Trajectory& t : trajectories(kind)) {
    Json grads = Json::array();
    for (unsigned s = 0; s < 20; ++s) grads.push_back(to_json(random_mat(2, 3, seed * 7919u + 100 * n + s)));
    cases.push_back({{"case", t.name}, {"init", to_json(random_mat(2, 3, seed * 7919u + 100 * n + 99))}, {"grads", grads}});
    ++n;
  }
  return Json{{"cases", cases}}.dump();
}

std::string optim_run(Kind kind, const MakeStepper& student, const std::string& text) {
  Json outputs = Json::array();
  const Json j = Json::parse(text);  // named: a range-for over a temporary's member would dangle
    for (const Json& c : j.at("cases")) {
    const std::string name = c.at("case").get<std::string>();
    const auto& list = trajectories(kind);
    const auto t = std::find_if(list.begin(), list.end(), [&](const Trajectory& x) { return x.name == name; });
    if (t == list.end()) throw std::invalid_argument("a case names the options '" + name + "'");
    const Stepper step = student(*t);
    Mat p = mat_from(c.at("init"));
    State state(kind == Kind::sgd ? 1 : 3, zeros_like(p));
    Json after = Json::array();
    long count = 0;
    for (const Json& g : c.at("grads")) {
      step(p, mat_from(g), state, ++count);
      after.push_back(to_json(p));
    }
    outputs.push_back(after);
  }
  return outputs.dump();
}

SgdStep sgd_of(const std::any& fn) {
  const auto stub = [](Mat&, const Mat&, Mat&, long, const SgdOptions&) { KLGRAD_TODO("stub"); };
  return function_of<SgdStep>(fn, +stub);
}

AdamStep adam_of(const std::any& fn) {
  const auto stub = [](Mat&, const Mat&, Mat&, Mat&, Mat&, long, const AdamOptions&) { KLGRAD_TODO("stub"); };
  return function_of<AdamStep>(fn, +stub);
}

MakeStepper sgd_stepper(SgdStep f, long* calls) {
  return [f, calls](const Trajectory& t) -> Stepper {
    return [f, o = t.sgd, calls](Mat& p, const Mat& g, State& st, long step) {
      ++*calls;
      f(p, g, st[0], step, o);
    };
  };
}

MakeStepper adam_stepper(AdamStep f, long* calls) {
  return [f, calls](const Trajectory& t) -> Stepper {
    return [f, o = t.adam, calls](Mat& p, const Mat& g, State& st, long step) {
      ++*calls;
      f(p, g, st[0], st[1], st[2], step, o);
    };
  };
}

}  // namespace

Exercise sgd_exercise(const Info& info, SgdStep student) {
  Exercise e{info, student, {}, {}, {}};
  e.check = [info](const std::any& fn) {
    long calls = 0;
    return guarded(info, Kind::sgd, sgd_stepper(sgd_of(fn), &calls), calls);
  };
  e.make_inputs = [](unsigned seed) { return optim_inputs(Kind::sgd, seed); };
  e.run = [](const std::any& fn, const std::string& text) {
    long calls = 0;
    return optim_run(Kind::sgd, sgd_stepper(sgd_of(fn), &calls), text);
  };
  return e;
}

Exercise adam_exercise(const Info& info, bool decoupled, AdamStep student) {
  const Kind kind = decoupled ? Kind::adamw : Kind::adam;
  Exercise e{info, student, {}, {}, {}};
  e.check = [info, kind](const std::any& fn) {
    long calls = 0;
    return guarded(info, kind, adam_stepper(adam_of(fn), &calls), calls);
  };
  e.make_inputs = [kind](unsigned seed) { return optim_inputs(kind, seed); };
  e.run = [kind](const std::any& fn, const std::string& text) {
    long calls = 0;
    return optim_run(kind, adam_stepper(adam_of(fn), &calls), text);
  };
  return e;
}

}  // namespace course
