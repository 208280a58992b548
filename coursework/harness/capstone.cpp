// capstone.cpp — unit 7: kl_fit's loop (apps/kl_fit.cpp) run on your own
// functions. Q = softmax(z) is fitted to a fixed target P by minimizing
// KL(P || Q): log_softmax forward (given), your kl_div forward (4.1) for the
// loss, your kl_div backward (4.2) and log_softmax backward (2.3) for dL/dz,
// your SGD (5.1) or Adam (5.2) step for the update. The reference run is the
// same loop on the library (klgrad's tape, kl_div and optimizers, which agree
// with PyTorch: tests/apps/test_kl_fit.cpp); the two loss curves must agree
// at every step.
#include <cmath>
#include <sstream>

#include "check.hpp"
#include "json.hpp"
#include "klgrad/core.hpp"
#include "reference.hpp"

namespace course {

// The function of exercise `id` that a capstone run uses (check.hpp).
std::any capstone_part(const std::string& spec, const std::string& id) {
  if (spec.empty()) return {};  // a stub
  if (spec == "student") return exercise_by_id(id) ? exercise_by_id(id)->student : std::any{};
  const Teacher* t = teacher_by_id(id);
  if (!t) throw std::invalid_argument("the capstone needs exercise " + id + "'s teacher files for '" + spec + "'");
  const std::size_t colon = spec.find(':');
  if (colon != std::string::npos && spec.substr(0, colon) == id)
    for (const Mutant& m : t->mutants)
      if (m.name == spec.substr(colon + 1)) return m.fn;
  return t->solution;
}

namespace {

const std::vector<std::string> kNeeds = {"2.3", "4.1", "4.2", "5.1", "5.2"};

struct Run {
  std::string name;
  std::vector<double> target;  // P
  std::string optimizer;       // "sgd" or "adam"
  double lr;
  std::string reduction;
  int steps;
};

const std::vector<Run>& runs() {
  static const std::vector<Run> list = {
      {"kl_fit's defaults: Adam lr 0.01, batchmean", {0.7, 0.2, 0.1}, "adam", 0.01, "batchmean", 100},
      {"SGD lr 0.5, batchmean", {0.7, 0.2, 0.1}, "sgd", 0.5, "batchmean", 100},
      {"Adam lr 0.05, sum, 6 classes", {0.05, 0.4, 0.1, 0.3, 0.0, 0.15}, "adam", 0.05, "sum", 60},
  };
  return list;
}

// The functions of the needed exercises, as the spec says.
struct Parts {
  Backward log_softmax_backward;
  KlForward kl_forward;
  KlBackward kl_backward;
  SgdStep sgd;
  AdamStep adam;
};

Parts parts_of(const std::any& fn) {
  const std::string spec = fn.has_value() ? std::any_cast<CapstoneParts>(fn).spec : "";
  const auto b = [](const Mat&, const Mat&, const Mat&, Mat&) { KLGRAD_TODO("stub"); };
  const auto kf = [](const Mat&, const Mat&, const std::string&, bool, Mat&) { KLGRAD_TODO("stub"); };
  const auto kb = [](const Mat&, const Mat&, const std::string&, bool, const Mat&, const Mat&, Mat&) { KLGRAD_TODO("stub"); };
  const auto s = [](Mat&, const Mat&, Mat&, long, const SgdOptions&) { KLGRAD_TODO("stub"); };
  const auto a = [](Mat&, const Mat&, Mat&, Mat&, Mat&, long, const AdamOptions&) { KLGRAD_TODO("stub"); };
  return {function_of<Backward>(capstone_part(spec, "2.3"), +b), function_of<KlForward>(capstone_part(spec, "4.1"), +kf),
          function_of<KlBackward>(capstone_part(spec, "4.2"), +kb), function_of<SgdStep>(capstone_part(spec, "5.1"), +s),
          function_of<AdamStep>(capstone_part(spec, "5.2"), +a)};
}

Mat log_softmax_rows(const Mat& z) {
  Mat y = z;
  for (std::size_t i = 0; i < z.rows; ++i) {
    double top = z(i, 0), s = 0;
    for (std::size_t j = 0; j < z.cols; ++j) top = std::max(top, z(i, j));
    for (std::size_t j = 0; j < z.cols; ++j) s += std::exp(z(i, j) - top);
    for (std::size_t j = 0; j < z.cols; ++j) y(i, j) = z(i, j) - top - std::log(s);
  }
  return y;
}

// The loss before each update, on your functions.
std::vector<double> your_curve(const Run& r, const Parts& p, long& calls) {
  const std::size_t n = r.target.size();
  const Mat P{1, n, r.target};
  Mat z{1, n, std::vector<double>(n, 0.0)};  // kl_fit starts from uniform Q
  Mat buf = zeros_like(z), m = zeros_like(z), v = zeros_like(z), vmax = zeros_like(z);
  std::vector<double> losses;
  for (int step = 1; step <= r.steps; ++step) {
    const Mat log_q = log_softmax_rows(z);
    Mat loss{1, 1, {0.0}};
    p.kl_forward(log_q, P, r.reduction, false, loss);
    losses.push_back(loss[0]);
    Mat d_log_q = zeros_like(z), dz = zeros_like(z);
    p.kl_backward(log_q, P, r.reduction, false, loss, Mat{1, 1, {1.0}}, d_log_q);
    p.log_softmax_backward(z, log_q, d_log_q, dz);
    if (r.optimizer == "sgd") {
      SgdOptions o;
      o.lr = r.lr;
      p.sgd(z, dz, buf, step, o);
    } else {
      AdamOptions o;
      o.lr = r.lr;
      p.adam(z, dz, m, v, vmax, step, o);
    }
    calls += 4;
  }
  return losses;
}

// The same loop on the library.
std::vector<double> library_curve(const Run& r) {
  const std::size_t n = r.target.size();
  klgrad::Array<double> target = klgrad::Array<double>::from_shape({1, n});
  std::copy(r.target.begin(), r.target.end(), target.begin());
  klgrad::Parameter<double> z(klgrad::Array<double>::from_shape({1, n}), "logits");
  z.value.fill(0.0);
  std::unique_ptr<klgrad::Optimizer<double>> opt;
  if (r.optimizer == "sgd") {
    klgrad::SGDOptions o;
    o.lr = r.lr;
    opt = std::make_unique<klgrad::SGD<double>>(std::vector<klgrad::Parameter<double>*>{&z}, o);
  } else {
    klgrad::AdamOptions o;
    o.lr = r.lr;
    opt = std::make_unique<klgrad::Adam<double>>(std::vector<klgrad::Parameter<double>*>{&z}, o);
  }
  std::vector<double> losses;
  for (int step = 1; step <= r.steps; ++step) {
    klgrad::Tape<double> tape;
    const klgrad::Tensor<double> loss =
        klgrad::kl_div(klgrad::log_softmax(tape.param(z), 1), tape.constant_view(target), r.reduction);
    losses.push_back(loss.value()());
    opt->zero_grad();
    loss.backward();
    opt->step();
  }
  return losses;
}

Result check_capstone(const Info& info, const std::any& fn) {
  long calls = 0;
  Result res;
  try {
    const Parts p = parts_of(fn);
    for (const Run& r : runs()) {
      const std::vector<double> yours = your_curve(r, p, calls), ref = library_curve(r);
      for (std::size_t k = 0; k < ref.size(); ++k) {
        if (close(yours[k], ref[k])) continue;
        res.calls = calls;
        res.pattern = "curve";
        res.text = "  case   " + r.name + ", target P = (" + [&] {
          std::ostringstream s;
          for (std::size_t i = 0; i < r.target.size(); ++i) s << (i ? ", " : "") << r.target[i];
          return s.str();
        }() + "), " + std::to_string(r.steps) + " steps\n  first  the loss before update " + std::to_string(k + 1) + ": " +
                   versus(yours[k], "the library's", ref[k]) + "\n  pattern  your loss curve leaves the library's " +
                   (k == 0 ? "at the start: your kl_div forward (4.1)" : "after " + std::to_string(k) + (k == 1 ? " update" : " updates") +
                                                                            ": a gradient or an update rule (4.2, 2.3, 5.1, 5.2)") +
                   "; `klgrad-course check 2.3 4.1 4.2 5.1 5.2` says which\n";
        return res;
      }
    }
  } catch (const NotStarted&) {
    res.status = Status::not_started;
    res.calls = calls;
    res.text = "  the capstone runs your 2.3, 4.1, 4.2, 5.1 and 5.2, and one of them still holds its KLGRAD_TODO line "
               "(klgrad-course status shows which)\n";
    return res;
  }
  res.status = Status::passed;
  res.calls = calls;
  res.text = "  " + std::to_string(runs().size()) + " runs of kl_fit's loop on your functions (" + std::to_string(calls) +
             " calls): every loss equals the library run's to 1e-10 (relative)\n";
  (void)info;
  return res;
}

}  // namespace

Exercise capstone_exercise(const Info& info) {
  Info i = info;
  i.needs = kNeeds;
  Exercise e{i, CapstoneParts{"student"}, {}, {}, {}};
  e.check = [i](const std::any& fn) { return check_capstone(i, fn); };
  // Grading: a fresh 5-class target and Adam run from the seed; the output is the loss curve.
  e.make_inputs = [](unsigned seed) {
    const Mat t = random_mat(1, 5, seed * 7919u + 5);
    std::vector<double> p(t.data);
    double s = 0;
    for (double& v : p) s += (v = std::exp(v));
    for (double& v : p) v /= s;
    return Json{{"target", p}, {"lr", 0.03}, {"steps", 40}}.dump();
  };
  e.run = [](const std::any& fn, const std::string& text) {
    const Json j = Json::parse(text);
    const Run r{"graded", j.at("target").get<std::vector<double>>(), "adam", j.at("lr").get<double>(), "batchmean",
                j.at("steps").get<int>()};
    long calls = 0;
    return Json(your_curve(r, parts_of(fn), calls)).dump();
  };
  return e;
}

}  // namespace course
