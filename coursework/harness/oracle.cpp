// oracle.cpp — the checks of unit 0, where the student writes the oracle every
// later gradient is checked against: central differences. The reference is
// the formula itself, evaluated here, and the true derivative (closed form)
// shows how far from the truth the formula is for the case's step h.
#include <cmath>
#include <sstream>

#include <random>

#include "check.hpp"
#include "json.hpp"
#include "reference.hpp"

namespace course {

namespace {

// A function of one variable with its true derivative.
struct Scalar {
  std::string name;
  std::function<double(double)> f, df;
  double x, h;
};

const std::vector<Scalar>& scalar_cases() {
  static const std::vector<Scalar> cases = {
      {"sin(x)", [](double x) { return std::sin(x); }, [](double x) { return std::cos(x); }, 0.7, 1e-4},
      {"exp(x)", [](double x) { return std::exp(x); }, [](double x) { return std::exp(x); }, -1.3, 1e-3},
      {"x^3 - 2x", [](double x) { return x * x * x - 2 * x; }, [](double x) { return 3 * x * x - 2; }, 2.0, 0.1},
      {"|x|", [](double x) { return std::abs(x); }, [](double) { return 0.0; }, 0.0, 1e-3},
  };
  return cases;
}

double central(const ScalarFn& f, double x, double h) { return (f(x + h) - f(x - h)) / (2 * h); }

std::string where_scalar(const Scalar& c) {
  return "  case   f(x) = " + c.name + " at x = " + num(c.x) + ", h = " + num(c.h) + "  float64\n";
}

Result check_derivative(const Info& info, Derivative student) {
  long calls = 0;
  double worst_truth = 0;
  try {
    for (const Scalar& c : scalar_cases()) {
      long evals = 0;
      const ScalarFn f = [&](double x) { ++evals; return c.f(x); };
      ++calls;
      const double yours = student(f, c.x, c.h);
      const double ref = central(c.f, c.x, c.h);
      if (close(yours, ref)) {
        worst_truth = std::max(worst_truth, std::abs(yours - c.df(c.x)));
        continue;
      }
      const std::string first = where_scalar(c) + "  first  " + versus(yours, "reference (f(x+h) - f(x-h)) / 2h =", ref) + ", allowed |diff| <= " + num(allowed(ref)) + "\n  pattern  ";
      const double fx = c.f(c.x), forward = (c.f(c.x + c.h) - fx) / c.h, backward = (fx - c.f(c.x - c.h)) / c.h;
      if (!std::isfinite(yours))
        return fail("nan", first + "NaN or inf: is h used as a divisor where it could be 0?\n", calls);
      if (evals == 0)
        return fail("never-called", first + "f was never called: the estimate must come from values of f near x\n", calls);
      if (close(yours, forward) || close(yours, backward))
        return fail("one-sided", first + "a one-sided difference, (f(x+h) - f(x)) / h or (f(x) - f(x-h)) / h: its error "
                                         "is O(h), central's O(h^2); step to both sides, x+h and x-h\n", calls);
      if (close(-yours, ref)) return fail("sign", first + "yours is exactly minus the reference: f(x-h) - f(x+h)?\n", calls);
      if (ref != 0 && (close(yours, 2 * ref) || close(yours, ref / 2)))
        return fail("factor", first + "yours is " + num(yours / ref) + " times the reference: x+h and x-h are 2h apart, "
                                      "so divide by 2h\n", calls);
      // The same case with another step: a formula that ignores h gives the same number.
      ++calls;
      if (yours == student(f, c.x, 2 * c.h) && central(c.f, c.x, 2 * c.h) != ref)
        return fail("ignores-h", first + "your value does not change with h: use the step you are given\n", calls);
      return fail("unknown", first + "no known pattern: compare your formula with exercise.md\n", calls);
    }
  } catch (const NotStarted&) {
    return not_started(info, calls);
  }
  Result r;
  r.status = Status::passed;
  r.calls = calls;
  r.text = "  " + std::to_string(scalar_cases().size()) + " cases, your function ran " + std::to_string(calls) +
           " times; largest distance from the true derivative " + num(worst_truth) + " (the O(h^2) of the formula)\n";
  return r;
}

// A scalar function of a matrix, with its true gradient.
struct Field {
  std::string name;
  std::function<double(const Mat&)> f;
  std::function<Mat(const Mat&)> grad;
  std::size_t rows, cols;
  unsigned seed;
  double h;
};

const std::vector<Field>& field_cases() {
  static const std::vector<Field> cases = {
      {"sum_k sin(x_k) + (sum_k x_k)^2 / 2",
       [](const Mat& x) {
         double s = 0, t = 0;
         for (double v : x.data) s += std::sin(v), t += v;
         return s + t * t / 2;
       },
       [](const Mat& x) {
         double t = 0;
         for (double v : x.data) t += v;
         Mat g = zeros_like(x);
         for (std::size_t k = 0; k < x.size(); ++k) g[k] = std::cos(x[k]) + t;
         return g;
       },
       2, 3, 1, 1e-5},
      {"log sum_k exp(x_k)",
       [](const Mat& x) {
         double s = 0;
         for (double v : x.data) s += std::exp(v);
         return std::log(s);
       },
       [](const Mat& x) {
         double s = 0;
         for (double v : x.data) s += std::exp(v);
         Mat g = zeros_like(x);
         for (std::size_t k = 0; k < x.size(); ++k) g[k] = std::exp(x[k]) / s;
         return g;
       },
       3, 2, 2, 1e-4},
      {"x_00^2", [](const Mat& x) { return x[0] * x[0]; },
       [](const Mat& x) {
         Mat g = zeros_like(x);
         g[0] = 2 * x[0];
         return g;
       },
       1, 1, 3, 1e-3},
  };
  return cases;
}

// The reference: perturb one entry of a copy at a time.
Mat central_gradient(const Field& c, Mat x) {
  Mat g = zeros_like(x);
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double old = x[k];
    x[k] = old + c.h;
    const double plus = c.f(x);
    x[k] = old - c.h;
    const double minus = c.f(x);
    x[k] = old;
    g[k] = (plus - minus) / (2 * c.h);
  }
  return g;
}

Result check_gradient(const Info& info, Gradient student) {
  long calls = 0;
  double worst_truth = 0;
  try {
    for (const Field& c : field_cases()) {
      const Mat x0 = random_mat(c.rows, c.cols, c.seed);
      Mat x = x0;
      long evals = 0;
      const MatFn f = [&](const Mat& m) { ++evals; return c.f(m); };
      Mat yours = zeros_like(x0);
      ++calls;
      student(f, x, c.h, yours);
      const Mat ref = central_gradient(c, x0);
      const std::string where =
          "  case   f(x) = " + c.name + "  x: " + shape(x0) + " float64  seed " + std::to_string(c.seed) + ", h = " + num(c.h) + "\n";
      const std::size_t moved = x.size() == x0.size() ? first_mismatch(x, x0) : 0;
      if (moved != std::string::npos)
        return fail("restore", where + "  after your call x" + index(x0, moved) + " is " + num(x.size() > moved ? x[moved] : NAN) +
                                   ", it was " + num(x0[moved]) + "\n  pattern  x was not restored: save the entry, "
                                   "perturb it, and write the saved value back before the next one\n", calls);
      if (yours.rows != x0.rows || yours.cols != x0.cols || yours.size() != x0.size())
        return fail("shape", where + "  your grad has shape " + shape(yours) + "; it must keep x's shape " + shape(x0) +
                                 ": write into grad, do not resize it\n", calls);
      const std::size_t k = first_mismatch(yours, ref);
      if (k == std::string::npos) {
        const Mat truth = c.grad(x0);
        for (std::size_t i = 0; i < truth.size(); ++i) worst_truth = std::max(worst_truth, std::abs(yours[i] - truth[i]));
        continue;
      }
      const std::string first = where + "  first  grad" + index(x0, k) + ": " + versus(yours[k], "reference", ref[k]) + ", allowed |diff| <= " + num(allowed(ref[k])) + "\n  pattern  ";
      bool zero = true, sign = true, forward = true, all_same = true, factor2 = true;
      Mat p = x0;
      for (double& v : p.data) v += c.h;
      Mat m = x0;
      for (double& v : m.data) v -= c.h;
      const double together = (c.f(p) - c.f(m)) / (2 * c.h);
      const double fx = c.f(x0);
      for (std::size_t i = 0; i < ref.size(); ++i) {
        zero = zero && yours[i] == 0;
        sign = sign && close(-yours[i], ref[i]);
        Mat xp = x0;
        xp[i] += c.h;
        forward = forward && close(yours[i], (c.f(xp) - fx) / c.h);
        all_same = all_same && close(yours[i], together);
        factor2 = factor2 && (close(yours[i], 2 * ref[i]) || close(yours[i], ref[i] / 2));
      }
      if (zero) return fail("never-written", first + "your grad is 0 everywhere: it was never written\n", calls);
      if (evals == 0) return fail("never-called", first + "f was never called: the estimate must come from values of f\n", calls);
      if (all_same && ref.size() > 1)
        return fail("all-at-once", first + "every entry is the same number, the slope along all of x at once: perturb "
                                           "one entry at a time, the others left as they are\n", calls);
      if (forward)
        return fail("one-sided", first + "a one-sided difference (f(x + h e_k) - f(x)) / h: step to both sides\n", calls);
      if (sign) return fail("sign", first + "yours is exactly minus the reference\n", calls);
      if (factor2) return fail("factor", first + "yours is off by a factor 2: x+h and x-h are 2h apart\n", calls);
      return fail("unknown", first + "no known pattern: compare your loop with exercise.md\n", calls);
    }
  } catch (const NotStarted&) {
    return not_started(info, calls);
  }
  Result r;
  r.status = Status::passed;
  r.calls = calls;
  r.text = "  " + std::to_string(field_cases().size()) + " cases, your function ran " + std::to_string(calls) +
           " times; largest distance from the true gradient " + num(worst_truth) + " (the O(h^2) of the formula)\n";
  return r;
}

Derivative derivative_of(const std::any& fn) {
  const auto stub = [](const ScalarFn&, double, double) -> double { KLGRAD_TODO("stub"); };
  return function_of<Derivative>(fn, +stub);
}

Gradient gradient_of(const std::any& fn) {
  const auto stub = [](const MatFn&, Mat&, double, Mat&) { KLGRAD_TODO("stub"); };
  return function_of<Gradient>(fn, +stub);
}

template <class Case>
const Case& named(const std::vector<Case>& cases, const std::string& name) {
  for (const Case& c : cases)
    if (c.name == name) return c;
  throw std::invalid_argument("a case names the function '" + name + "'");
}

}  // namespace

Exercise derivative_exercise(const Info& info, Derivative student) {
  Exercise e{info, student, {}, {}, {}};
  e.check = [info](const std::any& fn) { return check_derivative(info, derivative_of(fn)); };
  // Fresh points: each case's x moved by up to 0.5 (|x| stays at its kink).
  e.make_inputs = [](unsigned seed) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> shift(-0.5, 0.5);
    Json cases = Json::array();
    for (const Scalar& c : scalar_cases()) {
      const double d = shift(gen);
      cases.push_back({{"f", c.name}, {"x", c.name == "|x|" ? c.x : c.x + d}, {"h", c.h}});
    }
    return Json{{"cases", cases}}.dump();
  };
  e.run = [](const std::any& fn, const std::string& text) {
    const Derivative f = derivative_of(fn);
    Json outputs = Json::array();
    const Json j = Json::parse(text);  // named: a range-for over a temporary's member would dangle
    for (const Json& c : j.at("cases")) {
      const Scalar& s = named(scalar_cases(), c.at("f").get<std::string>());
      outputs.push_back(f(s.f, c.at("x").get<double>(), c.at("h").get<double>()));
    }
    return outputs.dump();
  };
  return e;
}

Exercise gradient_exercise(const Info& info, Gradient student) {
  Exercise e{info, student, {}, {}, {}};
  e.check = [info](const std::any& fn) { return check_gradient(info, gradient_of(fn)); };
  e.make_inputs = [](unsigned seed) {
    Json cases = Json::array();
    for (const Field& c : field_cases())
      cases.push_back({{"f", c.name}, {"x", to_json(random_mat(c.rows, c.cols, c.seed + 7919u * seed))}, {"h", c.h}});
    return Json{{"cases", cases}}.dump();
  };
  e.run = [](const std::any& fn, const std::string& text) {
    const Gradient f = gradient_of(fn);
    Json outputs = Json::array();
    const Json j = Json::parse(text);  // named: a range-for over a temporary's member would dangle
    for (const Json& c : j.at("cases")) {
      const Field& field = named(field_cases(), c.at("f").get<std::string>());
      Mat x = mat_from(c.at("x"));
      Mat grad = zeros_like(x);
      f(field.f, x, c.at("h").get<double>(), grad);
      outputs.push_back(to_json(grad));
    }
    return outputs.dump();
  };
  return e;
}

}  // namespace course
