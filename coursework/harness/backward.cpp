// backward.cpp — the check of a backward exercise (units 1-3): seeded cases,
// the library's own backward as the reference, and detectors that turn "wrong
// number" into a likely mistake. One check serves ops of one, two and three
// inputs: a student's function is adapted to "inputs in, one gradient per
// input added to" at the bottom of this file.
#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>

#include "check.hpp"
#include "json.hpp"
#include "reference.hpp"

namespace course {

namespace {

using Grads = std::vector<Mat>;  // one gradient per input, each of its input's shape
using AnyBackward = std::function<void(const std::vector<Mat>& in, const Mat& y, const Mat& g, Grads& d)>;

// Counts every call, so a report can say the student's code really ran.
struct Counted {
  AnyBackward fn;
  long calls = 0;
  Grads operator()(const std::vector<Mat>& in, const Mat& y, const Mat& g, Grads d) {
    ++calls;
    fn(in, y, g, d);
    return d;
  }
};

Grads zeros_for(const std::vector<Mat>& in) {
  Grads d;
  for (const Mat& m : in) d.push_back(zeros_like(m));
  return d;
}

bool same_shape(const Mat& a, const Mat& b) { return a.rows == b.rows && a.cols == b.cols && a.size() == b.size(); }
bool all_close(const Mat& a, const Mat& b) { return same_shape(a, b) && all_of_close(a, b); }

// The Jacobian J[k][j] = d y_k / d x_j of a one-input op as seen by a backward: one one-hot g per k.
std::vector<double> jacobian(const std::function<Mat(const Mat&)>& backward_of_g, const Mat& x, const Mat& y) {
  const std::size_t n = x.size();
  std::vector<double> J(y.size() * n);
  for (std::size_t k = 0; k < y.size(); ++k) {
    Mat g = zeros_like(y);
    g[k] = 1;
    const Mat dx = backward_of_g(g);
    for (std::size_t j = 0; j < n && j < dx.size(); ++j) J[k * n + j] = dx[j];
  }
  return J;
}

// g kept only at the first (or last) index of every axis along which input i
// was broadcast: the reference for that slice alone is what a backward that
// forgot to sum over the broadcast gives.
Mat one_slice(const std::string& op, const std::vector<Mat>& in, const Mat& g, std::size_t i, bool last) {
  Mat masked = g;
  for (std::size_t r = 0; r < g.rows; ++r)
    for (std::size_t c = 0; c < g.cols; ++c) {
      const bool row_ok = in[i].rows != 1 || g.rows == 1 || r == (last ? g.rows - 1 : 0);
      const bool col_ok = in[i].cols != 1 || g.cols == 1 || c == (last ? g.cols - 1 : 0);
      if (!row_ok || !col_ok) masked(r, c) = 0;
    }
  return reference_backward(op, in, masked)[i];
}

struct Diagnosis {
  std::string pattern, line;
  std::size_t at = std::string::npos;  // the entry to show, when not the first mismatch
};

// Which known mistake explains your gradient of input i (S[i]) against the reference (R[i])?
Diagnosis diagnose(const std::string& op, Counted& fn, const std::vector<Mat>& in, const Mat& y, const Mat& g,
                   const Grads& S, const Grads& R, std::size_t i) {
  const auto& names = input_names(op);
  const std::string d = "d" + names[i];
  const Mat &s = S[i], &r = R[i];
  const std::size_t n = r.size();
  bool nan = false, all_zero = true, sign = true, ratio_ok = true, only_branch = in.size() == 1;
  double ratio = 0, branch_x = 0;
  std::size_t nan_at = std::string::npos;
  for (std::size_t k = 0; k < n; ++k) {
    if (!std::isfinite(s[k]) && std::isfinite(r[k]) && !nan) nan = true, nan_at = k;
    if (s[k] != 0) all_zero = false;
    if (!close(-s[k], r[k])) sign = false;
    if (std::abs(r[k]) > 1e-8) {
      const double q = s[k] / r[k];
      if (ratio == 0) ratio = q;
      else if (std::abs(q - ratio) > 1e-8 * std::abs(ratio)) ratio_ok = false;
    } else if (std::abs(s[k]) > 1e-8) {
      ratio_ok = false;
    }
    if (only_branch && !close(s[k], r[k])) {
      if (branch_note(op, in[0][k]).empty()) only_branch = false;
      else branch_x = in[0][k];
    }
  }
  if (nan)
    return {"nan", "your gradient has NaN or inf where the reference is finite: a log or a division at 0, or an "
                   "exp that overflows (e^750 is inf in double, and inf / inf is NaN); rewrite it in a form that stays finite", nan_at};
  if (all_zero)
    return {"never-written", "your " + d + " is 0 everywhere: it was never written (check that you add into " + d +
                                 ", and into the right entries)"};
  if (sign) return {"sign", "yours is exactly minus the reference: a sign error"};
  for (std::size_t j = 0; j < R.size(); ++j)
    if (j != i && all_close(s, R[j]) && !all_close(r, R[j]))
      return {"swapped", "your " + d + " is what d" + names[j] + " should be: the roles of " + names[i] + " and " +
                             names[j] + " are swapped (for y = a b, dy/da = b)"};
  const std::string twin = plain_twin(op);
  if (!twin.empty() && all_close(s, reference_backward(twin, in, g)[i]))
    return {"log-target", "yours is the gradient for log_target=false: with log_target=true the target holds log p, "
                          "so p is exp(target)"};
  if (only_branch)
    return {"branch", "you differ only where x is on the op's other branch: " + branch_note(op, branch_x) +
                          " (the convention, not the smooth formula)"};
  if (broadcasts(op, i) && !same_shape(in[i], y) &&
      (all_close(s, one_slice(op, in, g, i, false)) || all_close(s, one_slice(op, in, g, i, true))))
    return {"broadcast", names[i] + " " + shape(in[i]) + " was broadcast to y's shape " + shape(y) +
                             ", so it got g from every row (column) it was repeated to; yours holds one of them: sum g over the "
                             "broadcast axes"};
  if (ratio_ok && ratio != 0 && std::abs(ratio - 1) > 1e-8)
    return {"factor", "yours is " + num(ratio) + " times the reference everywhere in " + d + " (" + names[i] + ": " +
                          shape(in[i]) + ", y: " + shape(y) + "): a factor missing or applied twice (1/N? N?)"};
  if (in.size() == 1 && y.size() == n && n <= 64) {  // only the cross terms d y_k / d x_j, j != k, differ?
    const auto backward_of = [&](const std::function<Mat(const Mat&)>& b) { return jacobian(b, in[0], y); };
    const auto yours = backward_of([&](const Mat& gk) { return fn(in, y, gk, zeros_for(in))[0]; });
    const auto ref = backward_of([&](const Mat& gk) { return reference_backward(op, in, gk)[0]; });
    bool diag = true, off = false;
    for (std::size_t k = 0; k < n; ++k)
      for (std::size_t j = 0; j < n; ++j) {
        const bool same = close(yours[k * n + j], ref[k * n + j]);
        if (k == j && !same) diag = false;
        if (k != j && !same) off = true;
      }
    if (diag && off)
      return {"cross-terms", "only the cross terms d y_k / d x_j with j != k differ: each output depends on every x "
                             "of its row, so dx_j needs a sum over all k, not just k = j"};
  }
  return {"unknown", "no known pattern: compare your formula with the math in exercise.md, term by term"};
}

Result run_check(const Info& info, const std::string& op, std::size_t arity, const AnyBackward& f) {
  const auto& names = input_names(op);
  if (names.size() != arity)
    throw std::logic_error("exercise " + info.id + ": the library op '" + op + "' takes " + std::to_string(names.size()) +
                           " inputs, the exercise's function " + std::to_string(arity));
  Counted fn{f};
  Result r;
  double max_diff = 0;
  std::size_t done = 0;
  const auto fail = [&](const std::string& pattern, const std::string& text) {
    r.status = Status::failed;
    r.pattern = pattern;
    r.calls = fn.calls;
    r.text = text;
    return r;
  };
  try {
    for (std::size_t c = 0; c < case_count(op); ++c) {
      const std::vector<Mat> in = case_inputs(op, c);
      const Mat y = reference_forward(op, in);
      const Mat g = random_mat(y.rows, y.cols, case_seed(c) + 100);
      const Grads R = reference_backward(op, in, g);
      std::string shapes;
      for (std::size_t i = 0; i < in.size(); ++i) shapes += "  " + names[i] + ": " + shape(in[i]);
      const std::string where =
          "  case   " + call_text(op) + shapes + "  y: " + shape(y) + "  float64  seed " + std::to_string(case_seed(c)) + "\n";
      const Grads S = fn(in, y, g, zeros_for(in));
      // The same call again must give the same answer.
      const Grads again = fn(in, y, g, zeros_for(in));
      for (std::size_t i = 0; i < in.size(); ++i) {
        const std::size_t s = same_shape(again[i], S[i]) && same_shape(S[i], in[i]) ? first_mismatch(again[i], S[i]) : std::string::npos;
        if (s != std::string::npos)
          return fail("state", where + "  the same call twice gave d" + names[i] + index(in[i], s) + " = " + num(S[i][s]) +
                                   ", then " + num(again[i][s]) + "\n  pattern  state kept between backward calls (a static "
                                   "variable, or something computed once and reused): a backward must depend only on its arguments\n");
      }
      for (std::size_t i = 0; i < in.size(); ++i) {
        if (same_shape(S[i], in[i])) continue;
        const bool unreduced = broadcasts(op, i) && same_shape(S[i], y);
        return fail(unreduced ? "broadcast" : "shape",
                    where + "  your d" + names[i] + " has shape " + shape(S[i]) + " with " + std::to_string(S[i].size()) +
                        " entries; it must keep " + names[i] + "'s shape " + shape(in[i]) + "\n  pattern  " +
                        (unreduced ? names[i] + " was broadcast to y's shape: its gradient is g summed over the broadcast "
                                                "axes, in " + names[i] + "'s own shape"
                                   : "write into d" + names[i] + ", do not resize it") + "\n");
      }
      for (std::size_t i = 0; i < in.size(); ++i) {
        if (is_data(op, i)) continue;  // no gradient asked for
        std::size_t k = first_mismatch(S[i], R[i]);
        if (k == std::string::npos) continue;
        const Diagnosis d = diagnose(op, fn, in, y, g, S, R, i);
        if (d.at != std::string::npos) k = d.at;
        const std::string at = in.size() == 1 && y.size() == in[0].size() ? " at x = " + num(in[0][k]) : "";
        return fail(d.pattern, where + "  first  dL/d" + names[i] + index(in[i], k) + at + ": " + versus(S[i][k], "reference", R[i][k]) + ", allowed |diff| <= " + num(allowed(R[i][k])) +
                                   "\n  pattern  " + d.line + "\n");
      }
      // An input used twice: each gradient already holds the other use's R; yours must add to it.
      const Grads twice = fn(in, y, g, R);
      for (std::size_t i = 0; i < in.size(); ++i) {
        Mat doubled = R[i];
        for (double& v : doubled.data) v *= 2;
        const std::size_t t = same_shape(twice[i], R[i]) ? first_mismatch(twice[i], doubled) : 0;
        if (t == std::string::npos) continue;
        const bool assigned = all_close(twice[i], R[i]);
        const std::string d = "d" + names[i];
        return fail(assigned ? "assign" : "unknown",
                    where + "  " + names[i] + " used twice: " + d + " arrived holding the other use's gradient " + num(R[i][t]) +
                        " at " + index(in[i], t) + "; afterwards it holds " + num(twice[i][t]) + ", expected " +
                        num(2 * R[i][t]) + "\n  pattern  " +
                        (assigned ? "you overwrote " + d + " (=) where you must add to it (+=): a value used twice gets both "
                                    "contributions"
                                  : d + " was changed in some other way than by adding your gradient") + "\n");
      }
      for (std::size_t i = 0; i < in.size(); ++i)
        for (std::size_t k = 0; k < R[i].size(); ++k) max_diff = std::max(max_diff, std::abs(S[i][k] - R[i][k]));
      ++done;
    }
  } catch (const NotStarted&) {
    return not_started(info, fn.calls);
  }
  std::ostringstream out;
  out << "  " << done << " cases, your backward ran " << fn.calls << " times, max |yours - reference| = " << num(max_diff) << "\n";
  r.status = Status::passed;
  r.calls = fn.calls;
  r.text = out.str();
  return r;
}

// One backward exercise over one or more library ops. adapt turns the
// function in a std::any (the student's, the reference, a mutant; empty for
// a stub) into the check's form, for one op.
using Adapt = std::function<AnyBackward(const std::any& fn, const std::string& op)>;

Exercise make_backward(const Info& info, std::any student, const std::vector<std::string>& ops, std::size_t arity,
                       const Adapt& adapt) {
  Exercise e{info, std::move(student), {}, {}, {}};
  e.check = [info, ops, arity, adapt](const std::any& fn) {
    long calls = 0;
    Result last;
    for (const std::string& op : ops) {
      last = run_check(info, op, arity, adapt(fn, op));
      calls += last.calls;
      if (last.status != Status::passed) return last;
    }
    if (ops.size() == 1) return last;
    last.calls = calls;
    last.text = "  " + std::to_string(ops.size()) + " reductions x log_target, 4 cases each, your backward ran " +
                std::to_string(calls) + " times\n";
    return last;
  };
  e.make_inputs = [ops](unsigned seed) {
    Json cases = Json::array();
    for (const std::string& op : ops)
      for (std::size_t c = 0; c < case_count(op); ++c) {
        const std::vector<Mat> in = case_inputs(op, c, seed);
        const Mat y = reference_forward(op, in);
        Json inputs = Json::array();
        for (const Mat& m : in) inputs.push_back(to_json(m));
        cases.push_back({{"op", op}, {"inputs", inputs}, {"y", to_json(y)},
                         {"g", to_json(random_mat(y.rows, y.cols, case_seed(c, seed) + 100))}});
      }
    return Json{{"cases", cases}}.dump();
  };
  e.run = [ops, adapt](const std::any& fn, const std::string& text) {
    const Json j = Json::parse(text);
    Json outputs = Json::array();
    for (const Json& c : j.at("cases")) {
      const std::string op = c.at("op").get<std::string>();
      if (std::find(ops.begin(), ops.end(), op) == ops.end()) throw std::invalid_argument("a case names the op '" + op + "'");
      std::vector<Mat> in;
      for (const Json& m : c.at("inputs")) in.push_back(mat_from(m));
      if (in.size() != input_names(op).size()) throw std::invalid_argument("a case of " + op + " has the wrong number of inputs");
      Grads d = zeros_for(in);
      adapt(fn, op)(in, mat_from(c.at("y")), mat_from(c.at("g")), d);
      Json grads = Json::array();
      for (std::size_t i = 0; i < d.size(); ++i)
        if (!is_data(op, i)) grads.push_back(to_json(d[i]));
      outputs.push_back(grads);
    }
    return outputs.dump();
  };
  return e;
}

}  // namespace

// The library ops of unit 4, in the order a check walks them: each reduction,
// then each again with log_target.
const std::vector<std::string>& kl_ops() {
  static const std::vector<std::string> ops = {"kl_div/none", "kl_div/sum", "kl_div/mean", "kl_div/batchmean",
                                               "kl_div/none/log_target", "kl_div/sum/log_target",
                                               "kl_div/mean/log_target", "kl_div/batchmean/log_target"};
  return ops;
}

// "kl_div/mean/log_target" -> reduction "mean", log_target true.
std::pair<std::string, bool> kl_options(const std::string& op) {
  const std::string rest = op.substr(std::string("kl_div/").size());
  const std::size_t slash = rest.find('/');
  return {rest.substr(0, slash), slash != std::string::npos};
}

Exercise kl_backward_exercise(const Info& info, KlBackward student) {
  return make_backward(info, student, kl_ops(), 2, [](const std::any& fn, const std::string& op) -> AnyBackward {
    const auto stub = [](const Mat&, const Mat&, const std::string&, bool, const Mat&, const Mat&, Mat&) { KLGRAD_TODO("stub"); };
    const KlBackward f = function_of<KlBackward>(fn, +stub);
    const auto [reduction, log_target] = kl_options(op);
    return [f, reduction = reduction, log_target = log_target](const std::vector<Mat>& in, const Mat& y, const Mat& g, Grads& d) {
      f(in[0], in[1], reduction, log_target, y, g, d[0]);
    };
  });
}

Exercise backward_exercise(const Info& info, const std::string& library_op, Backward student) {
  return make_backward(info, student, {library_op}, 1, [](const std::any& fn, const std::string&) -> AnyBackward {
    const auto stub = [](const Mat&, const Mat&, const Mat&, Mat&) { KLGRAD_TODO("stub"); };
    const Backward f = function_of<Backward>(fn, +stub);
    return [f](const std::vector<Mat>& in, const Mat& y, const Mat& g, Grads& d) { f(in[0], y, g, d[0]); };
  });
}

Exercise backward_exercise(const Info& info, const std::string& library_op, Backward2 student) {
  return make_backward(info, student, {library_op}, 2, [](const std::any& fn, const std::string&) -> AnyBackward {
    const auto stub = [](const Mat&, const Mat&, const Mat&, const Mat&, Mat&, Mat&) { KLGRAD_TODO("stub"); };
    const Backward2 f = function_of<Backward2>(fn, +stub);
    return [f](const std::vector<Mat>& in, const Mat& y, const Mat& g, Grads& d) { f(in[0], in[1], y, g, d[0], d[1]); };
  });
}

Exercise backward_exercise(const Info& info, const std::string& library_op, Backward3 student) {
  return make_backward(info, student, {library_op}, 3, [](const std::any& fn, const std::string&) -> AnyBackward {
    const auto stub = [](const Mat&, const Mat&, const Mat&, const Mat&, const Mat&, Mat&, Mat&, Mat&) { KLGRAD_TODO("stub"); };
    const Backward3 f = function_of<Backward3>(fn, +stub);
    return [f](const std::vector<Mat>& in, const Mat& y, const Mat& g, Grads& d) {
      f(in[0], in[1], in[2], y, g, d[0], d[1], d[2]);
    };
  });
}

}  // namespace course
