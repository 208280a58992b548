// Teacher-only (an export drops this file): the reference body of exercise 6.2
// and wrong versions of it, each tagged with the pattern its check must report.
// `klgrad-course selftest 6.2` proves all of them.
#include "pairs.hpp"

namespace {

using Laplace = klgrad::Laplace<double>;
using Tensor = klgrad::Tensor<double>;

// log(b_q / b_p) + delta / b_q + (b_p / b_q) e^(-delta / b_p) - 1, delta = |mu_p - mu_q|
Tensor reference(const Laplace& p, const Laplace& q) {
  const Tensor ratio = p.scale() / q.scale();           // b_p / b_q
  const Tensor delta = klgrad::abs(p.loc() - q.loc());  // |mu_p - mu_q|
  return -klgrad::log(ratio) + delta / q.scale() + ratio * klgrad::exp(-delta / p.scale()) - 1.0;
}

Tensor reversed(const Laplace& p, const Laplace& q) { return reference(q, p); }

Tensor signed_delta(const Laplace& p, const Laplace& q) {
  const Tensor ratio = p.scale() / q.scale();
  const Tensor delta = p.loc() - q.loc();
  return -klgrad::log(ratio) + delta / q.scale() + ratio * klgrad::exp(-delta / p.scale()) - 1.0;
}

Tensor decay_with_q(const Laplace& p, const Laplace& q) {
  const Tensor ratio = p.scale() / q.scale();
  const Tensor delta = klgrad::abs(p.loc() - q.loc());
  return -klgrad::log(ratio) + delta / q.scale() + ratio * klgrad::exp(-delta / q.scale()) - 1.0;
}

Tensor no_minus_one(const Laplace& p, const Laplace& q) { return reference(p, q) + 1.0; }

// The scale ratio from plain values: right number, no gradient for the scales through it.
Tensor detached(const Laplace& p, const Laplace& q) {
  const Tensor ratio = p.tape().constant(p.scale().value() / q.scale().value());
  const Tensor delta = klgrad::abs(p.loc() - q.loc());
  return -klgrad::log(ratio) + delta / q.scale() + ratio * klgrad::exp(-delta / p.scale()) - 1.0;
}

KLGRAD_TEACHER(course::Teacher{"6.2", &reference, {
    {"reversed", "direction", &reversed},
    {"signed_delta", "abs", &signed_delta},
    {"decay_with_q", "decay", &decay_with_q},
    {"no_minus_one", "offset", &no_minus_one},
    {"detached", "detached", &detached}}});

}  // namespace
