// Memory: a training loop keeps no graph alive between steps and its resident
// memory stays flat (100,000 KL steps; a full Fashion-MNIST VAE epoch); anomaly
// detection names the op that made a NaN or inf.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "klgrad/data/idx.hpp"
#include "klgrad/klgrad.hpp"
#include "klgrad/models/vae_trainer.hpp"

using namespace klgrad;

namespace {

// Resident set size in KiB, from /proc/self/statm (pages).
long rss_kib() {
  std::ifstream f("/proc/self/statm");
  long size = 0, resident = 0;
  f >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

}  // namespace

TEST_CASE("100,000 KL steps: live nodes return to zero after every step and RSS stays flat") {
  const std::size_t n = 1000;
  Array<float> q = Array<float>::from_shape(Shape{1, n});
  for (std::size_t i = 0; i < n; ++i) q.flat(i) = 1.0f / static_cast<float>(n);
  Parameter<float> logits(Array<float>(xt::zeros<float>(Shape{1, n})));
  for (std::size_t i = 0; i < n; ++i) logits.value.flat(i) = std::sin(static_cast<float>(i));
  Adam<float> opt({&logits});
  Tape<float> tape;
  const long base = live_nodes<float>();
  long rss_warm = 0;
  bool always_zero = true;
  for (int step = 1; step <= 100000; ++step) {
    auto loss = kl_div(log_softmax(tape.param(logits), 1), tape.constant_view(q), Reduction::batchmean);
    opt.zero_grad();
    loss.backward();
    opt.step();
    tape.clear();
    always_zero = always_zero && live_nodes<float>() == base;
    if (step == 1000) rss_warm = rss_kib();
  }
  CHECK(always_zero);
#if defined(__SANITIZE_ADDRESS__)
  MESSAGE("RSS check skipped under AddressSanitizer (its quarantine holds freed memory)");
  (void)rss_warm;
  return;
#endif
  const long growth = rss_kib() - rss_warm;
  MESSAGE("RSS after warm-up " << rss_warm << " KiB, growth over 99,000 steps " << growth << " KiB");
  CHECK(growth < 256);  // a leak of even 3 bytes per step would show as ~290 KiB
}

TEST_CASE("a full VAE epoch on Fashion-MNIST: live nodes zero after every step, flat RSS" *
          doctest::skip(!std::filesystem::exists(std::string(default_fashion_mnist_dir()) + "/train-images-idx3-ubyte.gz"))) {
  const MnistSplit train = load_mnist(default_fashion_mnist_dir(), "train");
  VaeTrainer trainer(VaeConfig{}, 784);
  const long base = live_nodes<float>();
  long rss_warm = 0, rss_peak = 0;
  std::size_t steps = 0, bad_steps = 0;
  trainer.train_epoch(train.images, [&](std::size_t done, std::size_t) {
    ++steps;
    if (live_nodes<float>() != base) ++bad_steps;
    if (steps == 50) rss_warm = rss_kib();
    if (steps > 50) rss_peak = std::max(rss_peak, rss_kib());
    (void)done;
  });
  CHECK(steps == (train.images.count + 127) / 128);
  CHECK(bad_steps == 0);
#if defined(__SANITIZE_ADDRESS__)
  MESSAGE("RSS check skipped under AddressSanitizer (its quarantine holds freed memory)");
  return;
#endif
  const long growth = rss_peak - rss_warm;
  MESSAGE("VAE epoch: " << steps << " steps, RSS after 50 steps " << rss_warm << " KiB, peak growth after that "
                        << growth << " KiB");
  CHECK(growth < 1024);  // one leaked batch buffer (128 x 784 floats) would be 392 KiB per step
}

TEST_CASE("anomaly detection: log of a zero probability is reported at the op 'log'") {
  Tape<double> tape;
  auto p = tape.variable(Array<double>{0.5, 0.0, 0.5});
  {
    auto ok = log(p);  // without the guard: -inf, silently
    CHECK(std::isinf(ok.value()(1)));
  }
  DetectAnomaly guard;
  CHECK_THROWS_WITH_AS(log(p), doctest::Contains("op 'log'"), Error);
}

TEST_CASE("anomaly detection: exp(logvar) overflow, as in a diverging VAE, is reported at the op 'exp'") {
  Tape<float> tape;
  auto logvar = tape.variable(Array<float>{{1.0f, 120.0f}});  // e^120 > float max
  DetectAnomaly guard;
  CHECK_THROWS_WITH_AS(exp(logvar), doctest::Contains("op 'exp'"), Error);
}

TEST_CASE("anomaly detection says where the op was created: the expression and the scope, in a VAE") {
  Generator gen(3);
  VAE<float> vae(16, 8, 2, gen);
  vae.fc22.bias.value.fill(400.0f);  // logvar = 400: exp(logvar / 2) = e^200 overflows float
  Tape<float> tape;
  Array<float> x = xt::zeros<float>(Shape{2, 16}), eps = xt::ones<float>(Shape{2, 2});
  CHECK_NOTHROW(vae.forward(tape, tape.constant_view(x), eps));  // without the guard: inf, silently
  tape.clear();
  DetectAnomaly guard;
  std::string message;
  try {
    vae.forward(tape, tape.constant_view(x), eps);
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK(message.find("op 'exp'") != std::string::npos);
  CHECK(message.find("exp(mul_scalar(linear(") != std::string::npos);  // the expression that built it
  CHECK(message.find("scope 'VAE reparameterize") != std::string::npos);
  CHECK(message.find("vae.cpp:") != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);  // one line
}

TEST_CASE("scopes nest and end with their C++ scope") {
  Tape<double> tape;
  auto x = tape.variable(Array<double>{1.0, 0.0});
  {
    KLGRAD_SCOPE("outer");
    auto a = exp(x);
    {
      KLGRAD_SCOPE("inner");
      CHECK(std::string(log(a).node().site->name) == "inner");
    }
    CHECK(std::string(sqrt(a).node().site->name) == "outer");
  }
  CHECK(current_site() == nullptr);
  CHECK(neg(x).node().site == nullptr);
  DetectAnomaly guard;
  KLGRAD_SCOPE("probabilities");
  CHECK_THROWS_WITH_AS(log(x * 1.0), doctest::Contains("log(mul_scalar(variable)); created in scope 'probabilities' at test_memory.cpp:"), Error);
}

TEST_CASE("anomaly detection also checks gradients: sqrt at 0 has an infinite derivative") {
  Tape<double> tape;
  auto x = tape.variable(Array<double>{0.0, 4.0});
  DetectAnomaly guard;
  auto y = sum(sqrt(x));  // forward is finite: sqrt(0) = 0
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("backward of op 'sqrt'"), Error);
}
