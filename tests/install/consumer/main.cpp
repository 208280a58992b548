// Computes the tutorial's KL value through an installed klgrad.
#include <cmath>
#include <cstdio>

#include <klgrad/klgrad.hpp>

int main() {
  klgrad::Tape<double> tape;
  auto input = klgrad::log_softmax(tape.constant(klgrad::Array<double>{{0.8, 0.15, 0.05}}), 1);
  auto target = tape.constant(klgrad::Array<double>{{0.7, 0.2, 0.1}});
  const double kl = klgrad::kl_div(input, target, "batchmean").item();
  std::printf("kl_div = %.4f\n", kl);
  return std::abs(kl - 0.0935) < 5e-5 ? 0 : 1;
}
