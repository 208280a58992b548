// Teacher-only (an export drops this file): the reference body of exercise 6.1
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 6.1` proves all of them.
#include "pairs.hpp"

namespace {

using Normal = klgrad::Normal<double>;
using Tensor = klgrad::Tensor<double>;

Tensor reference(const Normal& p, const Normal& q) {
  const Tensor r = klgrad::pow(p.scale() / q.scale(), 2.0);             // (sigma_p / sigma_q)^2
  const Tensor t = klgrad::pow((p.loc() - q.loc()) / q.scale(), 2.0);   // ((mu_p - mu_q) / sigma_q)^2
  return 0.5 * (r + t - 1.0 - klgrad::log(r));
}

Tensor reversed(const Normal& p, const Normal& q) { return reference(q, p); }

Tensor no_half(const Normal& p, const Normal& q) { return 2.0 * reference(p, q); }

Tensor scale_as_variance(const Normal& p, const Normal& q) {
  const Tensor r = p.scale() / q.scale();
  const Tensor t = klgrad::pow(p.loc() - q.loc(), 2.0) / q.scale();
  return 0.5 * (r + t - 1.0 - klgrad::log(r));
}

// The mean term from plain values: right number, no gradient for the locs.
Tensor detached(const Normal& p, const Normal& q) {
  const Tensor r = klgrad::pow(p.scale() / q.scale(), 2.0);
  const Tensor d = p.tape().constant(p.loc().value() - q.loc().value());
  const Tensor t = klgrad::pow(d / q.scale(), 2.0);
  return 0.5 * (r + t - 1.0 - klgrad::log(r));
}

KLGRAD_TEACHER(course::Teacher{"6.1", &reference, {
    {"reversed", "direction", &reversed},
    {"no_half", "factor", &no_half},
    {"scale_as_variance", "variance", &scale_as_variance},
    {"detached", "detached", &detached}}});

}  // namespace
