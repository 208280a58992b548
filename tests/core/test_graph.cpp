// Graph export: the DOT text of a KL step names its ops, leaves and gradients.
#include <doctest/doctest.h>

#include <algorithm>

#include "klgrad/graph.hpp"
#include "klgrad/klgrad.hpp"

using namespace klgrad;

TEST_CASE("to_dot: a KL step's graph, leaves and gradient norms; unrelated nodes left out") {
  Tape<double> tape;
  Parameter<double> logits(Array<double>{{0.0, 0.0}}, "logits");
  auto unrelated = tape.constant(Array<double>{1.0}) * 2.0;
  auto q = tape.constant(Array<double>{{0.75, 0.25}});
  auto loss = kl_div(log_softmax(tape.param(logits), 1), q, "batchmean");
  loss.backward();
  const std::string plain = to_dot(loss);
  for (const char* s : {"digraph klgrad", "kl_div\\n()", "log_softmax\\n(1, 2)", "parameter logits\\n(1, 2)", "constant\\n(1, 2)"})
    CHECK_MESSAGE(plain.find(s) != std::string::npos, s);
  CHECK(plain.find("mul_scalar") == std::string::npos);
  CHECK(std::count(plain.begin(), plain.end(), '>') == 3);  // param -> log_softmax -> kl_div <- q
  CHECK(plain.find("|g|") == std::string::npos);
  // d KL / d logits = softmax(logits) - q = (-0.25, 0.25): norm sqrt(1/8)
  const std::string with_grads = to_dot(loss, {true});
  CHECK(with_grads.find("grad (1, 2) |g| = 0.3536") != std::string::npos);
  (void)unrelated;
}
