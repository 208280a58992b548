// forward.cpp — the check of unit 4's forward: the KL loss itself, for every
// reduction and log_target, against the library's kl_div. The detectors know
// the mistakes of this one formula: 0 log 0, the direction of KL, the
// reductions confused, log_target ignored.
#include <cmath>

#include <algorithm>

#include "check.hpp"
#include "json.hpp"
#include "reference.hpp"

namespace course {

namespace {


// The same loss, computed here from the definition with one thing changed.
// reversed: KL(Q || P) = sum q (log q - log p) instead of KL(P || Q).
// as_probabilities: the target read as p even when it holds log p.
Mat variant(const std::string& op, const Mat& input, const Mat& target, bool reversed, bool as_probabilities) {
  const auto [reduction, log_target] = kl_options(op);
  Mat terms = zeros_like(input);
  for (std::size_t k = 0; k < input.size(); ++k) {
    const double log_p = log_target && !as_probabilities ? target[k] : std::log(target[k]);
    const double p = log_target && !as_probabilities ? std::exp(target[k]) : target[k];
    const double log_q = input[k], q = std::exp(input[k]);
    terms[k] = reversed ? q * (log_q - log_p) : (p == 0 ? 0.0 : p * (log_p - log_q));
  }
  if (reduction == "none") return terms;
  double s = 0;
  for (double v : terms.data) s += v;
  if (reduction == "mean") s /= static_cast<double>(input.size());
  if (reduction == "batchmean") s /= static_cast<double>(input.rows);
  return Mat{1, 1, {s}};
}

Result check_kl_forward(const Info& info, KlForward student) {
  long calls = 0;
  std::size_t cases = 0;
  try {
    for (const std::string& op : kl_ops()) {
      const auto [reduction, log_target] = kl_options(op);
      for (std::size_t c = 0; c < case_count(op); ++c) {
        const std::vector<Mat> in = case_inputs(op, c);
        const Mat R = reference_forward(op, in);
        Mat out = zeros_like(R);
        ++calls;
        student(in[0], in[1], reduction, log_target, out);
        ++cases;
        const std::string where = "  case   " + call_text(op) + "  input: " + shape(in[0]) + "  target: " + shape(in[1]) +
                                  "  float64  seed " + std::to_string(case_seed(c)) + "\n";
        if (out.rows != R.rows || out.cols != R.cols || out.size() != R.size())
          return fail("shape", where + "  your out has shape " + shape(out) + "; it must be " + shape(R) +
                                   " (input's shape for reduction \"none\", else one number)\n  pattern  write into out, "
                                   "do not resize it\n", calls);
        std::size_t k = first_mismatch(out, R);
        if (k == std::string::npos) continue;
        std::string pattern, why;
        bool zero = true, sign = true;
        std::size_t nan_at = std::string::npos;
        for (std::size_t i = 0; i < R.size(); ++i) {
          zero = zero && out[i] == 0;
          sign = sign && close(-out[i], R[i]);
          if (!std::isfinite(out[i]) && std::isfinite(R[i]) && nan_at == std::string::npos) nan_at = i;
        }
        bool zero_target = false;
        for (double t : in[1].data) zero_target = zero_target || (!log_target && t == 0);
        // The two formulas that are wrong everywhere come first: they can also give NaN or inf.
        if (all_of_close(out, variant(op, in[0], in[1], true, false))) {
          pattern = "direction";
          why = "yours is KL(Q || P) = sum q (log q - log p): kl_div(input = log Q, target = P) is KL(P || Q), "
                "weighted by the data p, not the model q";
        } else if (log_target && all_of_close(out, variant(op, in[0], in[1], false, true))) {
          pattern = "log-target";
          why = "yours reads the target as p: with log_target=true it holds log p, so p = exp(target)";
        } else if (nan_at != std::string::npos) {
          k = nan_at;
          pattern = "nan";
          why = zero_target ? "NaN where the target p is 0: p log p is 0 there by convention (0 log 0 = 0, PyTorch's xlogy); "
                              "skip the term when p == 0"
                            : "NaN or inf where the reference is finite: a log of 0, or an exp that overflows";
        } else if (zero && R[k] != 0) {
          pattern = "never-written";
          why = "out is still 0: write the loss into it";
        } else if (sign) {
          pattern = "sign";
          why = "yours is exactly minus the reference: KL(P || Q) = sum p (log p - log q), the data's log first";
        } else if (reduction != "none") {
          for (const char* other : {"sum", "mean", "batchmean"}) {
            if (reduction == other) continue;
            const std::string twin = "kl_div/" + std::string(other) + (log_target ? "/log_target" : "");
            if (!close(out[0], reference_forward(twin, in)[0])) continue;
            pattern = "reduction";
            why = std::string("yours is the \"") + other + "\" value: \"sum\" adds every term, \"mean\" divides the sum by " +
                  "every entry (N K = " + std::to_string(in[0].size()) + "), \"batchmean\" by the batch size (N = " +
                  std::to_string(in[0].rows) + " rows)";
            break;
          }
        }
        if (pattern.empty()) {
          pattern = "unknown";
          why = "no known pattern: compare your formula with exercise.md, term by term";
        }
        const std::string at = R.size() > 1 ? "out" + index(R, k) : "out";
        return fail(pattern, where + "  first  " + at + ": " + versus(out[k], "reference", R[k]) +
                                 ", allowed |diff| <= " + num(allowed(R[k])) + "\n  pattern  " + why + "\n", calls);
      }
    }
  } catch (const NotStarted&) {
    return not_started(info, calls);
  }
  Result r;
  r.status = Status::passed;
  r.calls = calls;
  r.text = "  " + std::to_string(cases) + " cases (" + std::to_string(kl_ops().size()) +
           " reductions x log_target), your function ran " + std::to_string(calls) + " times\n";
  return r;
}

KlForward kl_forward_of(const std::any& fn) {
  const auto stub = [](const Mat&, const Mat&, const std::string&, bool, Mat&) { KLGRAD_TODO("stub"); };
  return function_of<KlForward>(fn, +stub);
}

}  // namespace

Exercise kl_forward_exercise(const Info& info, KlForward student) {
  Exercise e{info, student, {}, {}, {}};
  e.check = [info](const std::any& fn) { return check_kl_forward(info, kl_forward_of(fn)); };
  e.make_inputs = [](unsigned seed) {
    Json cases = Json::array();
    for (const std::string& op : kl_ops())
      for (std::size_t c = 0; c < case_count(op); ++c) {
        const std::vector<Mat> in = case_inputs(op, c, seed);
        cases.push_back({{"op", op}, {"input", to_json(in[0])}, {"target", to_json(in[1])}});
      }
    return Json{{"cases", cases}}.dump();
  };
  e.run = [](const std::any& fn, const std::string& text) {
    const KlForward f = kl_forward_of(fn);
    Json outputs = Json::array();
    const Json j = Json::parse(text);  // named: a range-for over a temporary's member would dangle
    for (const Json& c : j.at("cases")) {
      const std::string op = c.at("op").get<std::string>();
      if (std::find(kl_ops().begin(), kl_ops().end(), op) == kl_ops().end())
        throw std::invalid_argument("a case names the op '" + op + "'");
      const auto [reduction, log_target] = kl_options(op);
      const Mat input = mat_from(c.at("input")), target = mat_from(c.at("target"));
      Mat out = reduction == "none" ? zeros_like(input) : Mat{1, 1, {0.0}};
      f(input, target, reduction, log_target, out);
      outputs.push_back(to_json(out));
    }
    return outputs.dump();
  };
  return e;
}

}  // namespace course
