// Teacher-only (an export drops this file): the tiny_vae capstone on the
// reference bodies, and on them with one mutant swapped in, each of which must
// bend the loss curve. `klgrad-course selftest 7.2` proves all of them.
#include "course.hpp"

namespace {

using course::CapstoneParts;

KLGRAD_TEACHER(course::Teacher{"7.2", CapstoneParts{"reference"}, {
    {"exp_minus", "curve", CapstoneParts{"1.1:minus"}},
    {"linear_no_dW", "curve", CapstoneParts{"3.2:no_dW"}},
    {"linear_bias_first_row", "curve", CapstoneParts{"3.2:bias_first_row"}},
    {"adam_no_bias_correction", "curve", CapstoneParts{"5.2:no_bias_correction"}},
    {"kl_no_half", "curve", CapstoneParts{"6.1:no_half"}},
    {"kl_detached", "curve", CapstoneParts{"6.1:detached"}}}});

}  // namespace
