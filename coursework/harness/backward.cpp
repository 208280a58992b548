// backward.cpp — the check of a backward exercise (units 1-2): seeded cases,
// the library's own backward as the reference, and detectors that turn "wrong
// number" into a likely mistake.
#include <cmath>
#include <functional>
#include <sstream>

#include "check.hpp"

#include "reference.hpp"

namespace course {

namespace {

struct Case {
  std::size_t rows, cols;
  unsigned seed;
};
const Case kCases[] = {{2, 3, 1}, {4, 5, 2}, {1, 7, 3}, {3, 1, 4}};

// Counts every call, so a report can say the student's code really ran.
struct Counted {
  Backward fn;
  long calls = 0;
  Mat operator()(const Mat& x, const Mat& y, const Mat& g, Mat dx) {
    ++calls;
    fn(x, y, g, dx);
    return dx;
  }
};

// The Jacobian J[k][j] = d y_k / d x_j as seen by a backward: one one-hot g per k.
std::vector<double> jacobian(const std::function<Mat(const Mat&)>& backward_of_g, const Mat& x) {
  const std::size_t n = x.size();
  std::vector<double> J(n * n);
  for (std::size_t k = 0; k < n; ++k) {
    Mat g{x.rows, x.cols, std::vector<double>(n, 0.0)};
    g[k] = 1;
    const Mat dx = backward_of_g(g);
    for (std::size_t j = 0; j < n && j < dx.size(); ++j) J[k * n + j] = dx[j];
  }
  return J;
}

struct Diagnosis {
  std::string pattern, line;
  std::size_t at = std::string::npos;  // the entry to show, when not the first mismatch
};

// Which known mistake explains yours (S) against the reference (R)?
Diagnosis diagnose(const std::string& op, Counted& fn, const Mat& x, const Mat& y, const Mat& S, const Mat& R) {
  const std::size_t n = R.size();
  bool nan = false, all_zero = true, sign = true, ratio_ok = true, only_branch = true;
  double ratio = 0, branch_x = 0;
  std::size_t nan_at = std::string::npos;
  for (std::size_t k = 0; k < n; ++k) {
    if (!std::isfinite(S[k]) && std::isfinite(R[k]) && !nan) nan = true, nan_at = k;
    if (S[k] != 0) all_zero = false;
    if (!close(-S[k], R[k])) sign = false;
    if (std::abs(R[k]) > 1e-8) {
      const double r = S[k] / R[k];
      if (ratio == 0) ratio = r;
      else if (std::abs(r - ratio) > 1e-8 * std::abs(ratio)) ratio_ok = false;
    }
    if (!close(S[k], R[k])) {
      if (branch_note(op, x[k]).empty()) only_branch = false;
      else branch_x = x[k];
    }
  }
  if (nan)
    return {"nan", "your gradient has NaN or inf where the reference is finite: a log or a division at 0, or an "
                   "exp that overflows (e^750 = inf, inf / inf = NaN); rewrite it in a form that stays finite", nan_at};
  if (all_zero)
    return {"never-written", "your gradient is 0 everywhere: dx was never written (check that you add into dx, "
                             "and into the right entries)"};
  if (sign) return {"sign", "yours is exactly minus the reference: a sign error"};
  if (only_branch)
    return {"branch", "you differ only where x is on the op's other branch: " + branch_note(op, branch_x) +
                          " (the convention, not the smooth formula)"};
  if (ratio_ok && ratio != 0 && std::abs(ratio - 1) > 1e-8)
    return {"factor", "yours is " + num(ratio) + " times the reference everywhere (N = " + std::to_string(x.rows) +
                          " rows, K = " + std::to_string(x.cols) + " columns): a factor missing or applied twice"};
  if (n <= 64) {  // only the cross terms d y_k / d x_j, j != k, differ?
    const auto yours = jacobian([&](const Mat& g) { return fn(x, y, g, Mat{x.rows, x.cols, std::vector<double>(n, 0.0)}); }, x);
    const auto ref = jacobian([&](const Mat& g) { return reference_backward(op, x, g); }, x);
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

Result run_check(const Info& info, const std::string& op, Backward f) {
  Counted fn{f};
  Result r;
  std::ostringstream out;
  double max_diff = 0;
  int done = 0;
  const auto fail = [&](const std::string& pattern, const std::string& text) {
    r.status = Status::failed;
    r.pattern = pattern;
    r.calls = fn.calls;
    r.text = text;
    return r;
  };
  try {
    for (const Case& c : kCases) {
      const Mat x = case_input(op, c.rows, c.cols, c.seed);
      const Mat y = reference_forward(op, x);
      const Mat g = random_mat(c.rows, c.cols, c.seed + 100);
      const Mat R = reference_backward(op, x, g);
      const std::string where = "  case   " + op + "(x)  x: " + shape(x) + " float64  seed " + std::to_string(c.seed) + "\n";
      const Mat S = fn(x, y, g, Mat{c.rows, c.cols, std::vector<double>(x.size(), 0.0)});
      // The same call again must give the same answer.
      const Mat again = fn(x, y, g, Mat{c.rows, c.cols, std::vector<double>(x.size(), 0.0)});
      const std::size_t s = again.size() == S.size() ? first_mismatch(again, S) : std::string::npos;
      if (s != std::string::npos && S.size() == x.size())
        return fail("state", where + "  the same call twice gave " + num(S[s]) + ", then " + num(again[s]) + " at " +
                                 index(x, s) + "\n  pattern  state kept between backward calls (a static variable, or "
                                               "something computed once and reused): a backward must depend only on "
                                               "its arguments\n");
      if (S.rows != x.rows || S.cols != x.cols || S.size() != x.size())
        return fail("shape", where + "  your dx has shape " + shape(S) + " with " + std::to_string(S.size()) +
                                 " entries; it must keep x's shape " + shape(x) + ": write into dx, do not resize it\n");
      std::size_t k = first_mismatch(S, R);
      if (k != std::string::npos) {
        const Diagnosis d = diagnose(op, fn, x, y, S, R);
        if (d.at != std::string::npos) k = d.at;
        return fail(d.pattern, where + "  first  dL/dx" + index(x, k) + " at x = " + num(x[k]) + ": yours " + num(S[k]) +
                                   ", reference " + num(R[k]) + ", allowed |diff| <= " +
                                   num(allowed(R[k])) + "\n  pattern  " + d.line + "\n");
      }
      // x used twice: dx already holds the other use's gradient R; yours must add to it.
      const Mat twice = fn(x, y, g, R);
      const std::size_t t = first_mismatch(twice, Mat{R.rows, R.cols, [&] {
                                             std::vector<double> v(R.data);
                                             for (double& e2 : v) e2 *= 2;
                                             return v;
                                           }()});
      if (t != std::string::npos) {
        const bool assigned = first_mismatch(twice, R) == std::string::npos;
        return fail(assigned ? "assign" : "unknown",
                    where + "  x used twice: dx arrived holding the other use's gradient " + num(R[t]) + " at " +
                        index(x, t) + "; afterwards it holds " + num(twice[t]) + ", expected " + num(2 * R[t]) +
                        "\n  pattern  " +
                        (assigned ? "you overwrote dx (=) where you must add to it (+=): a value used twice gets both "
                                    "contributions"
                                  : "dx was changed in some other way than by adding your gradient") + "\n");
      }
      for (std::size_t i = 0; i < R.size(); ++i) max_diff = std::max(max_diff, std::abs(S[i] - R[i]));
      ++done;
    }
  } catch (const NotStarted&) {
    return not_started(info, fn.calls);
  }
  r.status = Status::passed;
  r.calls = fn.calls;
  out << "  " << done << " cases, your backward ran " << fn.calls << " times, max |yours - reference| = "
      << num(max_diff) << "\n";
  r.text = out.str();
  return r;
}

}  // namespace

Exercise backward_exercise(const Info& info, const std::string& library_op, Backward student) {
  return Exercise{info, student, [info, library_op](const std::any& fn) {
                    const auto stub = [](const Mat&, const Mat&, const Mat&, Mat&) { KLGRAD_TODO("stub"); };
                    return run_check(info, library_op, function_of<Backward>(fn, +stub));
                  }};
}

}  // namespace course
