// Teacher-only (an export drops this file): the reference body of exercise 5.2
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 5.2` proves all of them.
#include <algorithm>
#include <cmath>

#include "course.hpp"

namespace {

using course::AdamOptions;
using course::Mat;

// What each wrong version leaves out.
struct Slip {
  bool no_bias_correction = false, eps_inside_sqrt = false, no_amsgrad = false, decoupled = false;
};

void update(Mat& p, const Mat& g, Mat& m, Mat& v, Mat& vmax, long step, const AdamOptions& o, const Slip& slip) {
  const double t = static_cast<double>(step);
  const double bc1 = slip.no_bias_correction ? 1 : 1 - std::pow(o.beta1, t);
  const double bc2 = slip.no_bias_correction ? 1 : 1 - std::pow(o.beta2, t);
  for (std::size_t k = 0; k < p.size(); ++k) {
    double d = o.maximize ? -g[k] : g[k];
    if (slip.decoupled) p[k] *= 1 - o.lr * o.weight_decay;  // AdamW: shrink the parameter
    else d += o.weight_decay * p[k];                        // Adam: L2 on the gradient
    m[k] = o.beta1 * m[k] + (1 - o.beta1) * d;
    v[k] = o.beta2 * v[k] + (1 - o.beta2) * d * d;
    double second = v[k];
    if (o.amsgrad && !slip.no_amsgrad) second = vmax[k] = std::max(vmax[k], v[k]);
    const double denom = slip.eps_inside_sqrt ? std::sqrt(second / bc2 + o.eps) : std::sqrt(second) / std::sqrt(bc2) + o.eps;
    p[k] -= o.lr / bc1 * m[k] / denom;
  }
}

void reference(Mat& p, const Mat& g, Mat& m, Mat& v, Mat& vmax, long step, const AdamOptions& o) {
  update(p, g, m, v, vmax, step, o, {});
}
void no_bias_correction(Mat& p, const Mat& g, Mat& m, Mat& v, Mat& vmax, long step, const AdamOptions& o) {
  Slip s;
  s.no_bias_correction = true;
  update(p, g, m, v, vmax, step, o, s);
}
void eps_inside_sqrt(Mat& p, const Mat& g, Mat& m, Mat& v, Mat& vmax, long step, const AdamOptions& o) {
  Slip s;
  s.eps_inside_sqrt = true;
  update(p, g, m, v, vmax, step, o, s);
}
void no_amsgrad(Mat& p, const Mat& g, Mat& m, Mat& v, Mat& vmax, long step, const AdamOptions& o) {
  Slip s;
  s.no_amsgrad = true;
  update(p, g, m, v, vmax, step, o, s);
}

KLGRAD_TEACHER(course::Teacher{"5.2", &reference, {
    {"no_bias_correction", "bias-correction", &no_bias_correction},
    {"eps_inside_sqrt", "eps", &eps_inside_sqrt},
    {"no_amsgrad", "amsgrad", &no_amsgrad}}});

}  // namespace
