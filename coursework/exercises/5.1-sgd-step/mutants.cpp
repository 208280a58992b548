// Teacher-only (an export drops this file): the reference body of exercise 5.1
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 5.1` proves all of them.
#include "course.hpp"

namespace {

using course::Mat;
using course::SgdOptions;

// What each wrong version leaves out.
struct Slip {
  bool buffer_from_zero = false, no_nesterov = false, no_maximize = false, ascend = false;
};

void update(Mat& param, const Mat& grad, Mat& buf, long step, const SgdOptions& o, const Slip& slip) {
  for (std::size_t k = 0; k < param.size(); ++k) {
    double d = o.maximize && !slip.no_maximize ? -grad[k] : grad[k];
    if (o.weight_decay != 0) d += o.weight_decay * param[k];
    if (o.momentum != 0) {
      buf[k] = step == 1 && !slip.buffer_from_zero ? d : o.momentum * buf[k] + (1 - o.dampening) * d;
      d = o.nesterov && !slip.no_nesterov ? d + o.momentum * buf[k] : buf[k];
    }
    param[k] += slip.ascend ? o.lr * d : -o.lr * d;
  }
}

void reference(Mat& p, const Mat& g, Mat& b, long step, const SgdOptions& o) { update(p, g, b, step, o, {}); }
void buffer_from_zero(Mat& p, const Mat& g, Mat& b, long step, const SgdOptions& o) {
  update(p, g, b, step, o, {true, false, false, false});
}
void no_nesterov(Mat& p, const Mat& g, Mat& b, long step, const SgdOptions& o) {
  update(p, g, b, step, o, {false, true, false, false});
}
void no_maximize(Mat& p, const Mat& g, Mat& b, long step, const SgdOptions& o) {
  update(p, g, b, step, o, {false, false, true, false});
}
void ascend(Mat& p, const Mat& g, Mat& b, long step, const SgdOptions& o) { update(p, g, b, step, o, {false, false, false, true}); }

KLGRAD_TEACHER(course::Teacher{"5.1", &reference, {
    {"ascend", "sign", &ascend},
    {"buffer_from_zero", "momentum-init", &buffer_from_zero},
    {"no_nesterov", "nesterov", &no_nesterov},
    {"no_maximize", "maximize", &no_maximize}}});

}  // namespace
