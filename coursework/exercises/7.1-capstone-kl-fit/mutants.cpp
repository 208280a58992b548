// Teacher-only (an export drops this file): the capstone on the reference
// bodies, and on them with one mutant swapped in, each of which must bend the
// loss curve. `klgrad-course selftest 7.1` proves all of them.
#include "course.hpp"

namespace {

using course::CapstoneParts;

KLGRAD_TEACHER(course::Teacher{"7.1", CapstoneParts{"reference"}, {
    {"log_softmax_diagonal_only", "curve", CapstoneParts{"2.3:diagonal_only"}},
    {"kl_forward_reversed", "curve", CapstoneParts{"4.1:reversed"}},
    {"kl_backward_minus", "curve", CapstoneParts{"4.2:minus"}},
    {"adam_no_bias_correction", "curve", CapstoneParts{"5.2:no_bias_correction"}},
    {"sgd_ascend", "curve", CapstoneParts{"5.1:ascend"}}}});

}  // namespace
