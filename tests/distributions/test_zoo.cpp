// The distribution zoo (issue 14), first: lgamma and digamma as primitives, against
// PyTorch (fixtures from tests/golden/gen_zoo.py), mpmath and closed forms, and gradcheck.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "klgrad/distributions/special.hpp"
#include "klgrad/gradcheck.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

const golden::File& fixtures() { return golden::file("zoo.txt"); }

void compare(const Array<double>& got, const std::string& key, double rtol, double atol) {
  INFO(key);
  const std::string diff = golden::compare(got, fixtures().get<double>(key), rtol, atol);
  CHECK_MESSAGE(diff.empty(), diff);
}

}  // namespace

TEST_CASE("lgamma, digamma and their derivatives match PyTorch and closed forms") {
  const auto& g = fixtures();
  const Array<double> x = g.get<double>("special/x");
  Array<double> lg = x, dg = x, tg = x;
  for (std::size_t i = 0; i < x.size(); ++i) {
    lg.flat(i) = special::lgamma(x.flat(i));
    dg.flat(i) = special::digamma(x.flat(i));
    tg.flat(i) = special::trigamma(x.flat(i));
  }
  compare(lg, "special/lgamma", 1e-12, 1e-14);
  compare(dg, "special/digamma", 1e-12, 1e-14);
  compare(tg, "special/trigamma_mpmath", 1e-14, 1e-16);
  compare(tg, "special/trigamma", 1e-9, 1e-14);  // PyTorch's own trigamma: ~5e-10 relative
  // closed forms: Gamma(5) = 24, psi(1) = -gamma_e, psi(1/2) = -gamma_e - 2 log 2, psi'(1) = pi^2 / 6
  const double euler = 0.57721566490153286060, pi = 3.14159265358979323846;
  CHECK(special::lgamma(5.0) == doctest::Approx(std::log(24.0)).epsilon(1e-15));
  CHECK(special::digamma(1.0) == doctest::Approx(-euler).epsilon(1e-15));
  CHECK(special::digamma(0.5) == doctest::Approx(-euler - 2 * std::log(2.0)).epsilon(1e-15));
  CHECK(special::trigamma(1.0) == doctest::Approx(pi * pi / 6).epsilon(1e-15));
  CHECK(special::lgamma(2.5f) == doctest::Approx(std::lgamma(2.5)).epsilon(1e-6));
  // poles, as PyTorch: lgamma +inf at 0, -1, ...; digamma -inf at 0, NaN at -1, -2, ...
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(special::lgamma(0.0) == inf);
  CHECK(special::lgamma(-3.0) == inf);
  CHECK(special::digamma(0.0) == -inf);
  CHECK(std::isnan(special::digamma(-2.0)));
  // the primitives' backward: gradcheck of lgamma (digamma) and digamma (trigamma)
  const Array<double> pts{0.3, 1.0, 2.5, 7.0, -0.5, -2.7};
  auto r = gradcheck([](std::vector<Tensor<double>>& v) { return lgamma(v[0]); }, {pts});
  CHECK_MESSAGE(r.ok, r.message);
  r = gradcheck([](std::vector<Tensor<double>>& v) { return digamma(v[0]); }, {pts});
  CHECK_MESSAGE(r.ok, r.message);
}
