// libtorch (PyTorch C++ frontend) reference for klgrad's kl_fit benchmark:
// the same loop as bench/torch_kl_fit.py, without the Python interpreter.
//
//   Q = softmax(logits), logits = zeros(1, n) (the only parameter), P fixed;
//   each step: loss = kl_div(log_softmax(logits, 1), P, batchmean)  // KL(P || Q)
//              opt.zero_grad(); loss.backward(); opt.step();          // Adam(lr=0.01)
//
// Timing: W warm-up steps, then R repetitions of S steps, each from fresh
// logits and optimizer; us_per_step is the median over repetitions.
//
// Not part of klgrad's CMake build: bench/build_libtorch.sh compiles it with
// g++ against Debian's libtorch-dev and defines KLGRAD_LIBTORCH_BUILD. Without
// that macro (e.g. when a CMake glob over bench/*.cpp picks this file up) it
// compiles to a stub that only says how to build the real program.
#ifdef KLGRAD_LIBTORCH_BUILD

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace F = torch::nn::functional;

// Q, shape (1, n): the tutorial's [0.7, 0.2, 0.1] for n = 3, else softmax of
// a seeded N(0, 1) vector (seed 0: the same Q as torch_kl_fit.py).
static torch::Tensor make_target(int64_t n) {
  if (n == 3) return torch::tensor({0.7f, 0.2f, 0.1f}).reshape({1, 3});
  torch::manual_seed(0);
  return torch::softmax(torch::randn({1, n}), 1);
}

// S optimizer steps from logits = 0; returns (seconds, loss of the last step).
static std::pair<double, double> run(const torch::Tensor& q, int steps) {
  torch::Tensor logits = torch::zeros_like(q).requires_grad_(true);
  torch::optim::Adam opt({logits}, torch::optim::AdamOptions(0.01));
  const auto batchmean = F::KLDivFuncOptions().reduction(torch::kBatchMean);
  torch::Tensor loss;
  const auto t0 = std::chrono::steady_clock::now();
  for (int s = 0; s < steps; ++s) {
    loss = F::kl_div(torch::log_softmax(logits, 1), q, batchmean);
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
  return {dt.count(), steps > 0 ? loss.item<double>() : 0.0};
}

int main(int argc, char** argv) {
  int64_t n = 3;
  int steps = 1000, threads = 1, warmup = 200, reps = 5;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> long {
      if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); std::exit(2); }
      return std::atol(argv[++i]);
    };
    if (a == "--n") n = value();
    else if (a == "--steps") steps = static_cast<int>(value());
    else if (a == "--threads") threads = static_cast<int>(value());
    else if (a == "--warmup") warmup = static_cast<int>(value());
    else if (a == "--reps") reps = static_cast<int>(value());
    else if (a == "--json") json = true;
    else {
      std::fprintf(stderr, "usage: %s [--n N] [--steps S] [--threads T] [--warmup W] [--reps R] [--json]\n", argv[0]);
      return 2;
    }
  }
  if (n < 1 || steps < 1 || threads < 1 || reps < 1) {
    std::fprintf(stderr, "libtorch_kl_fit: --n, --steps, --threads and --reps must be >= 1\n");
    return 2;
  }

  torch::set_num_threads(threads);
  const torch::Tensor q = make_target(n);
  if (warmup > 0) run(q, warmup);
  std::vector<double> seconds;
  double final_loss = 0.0;
  for (int r = 0; r < reps; ++r) {
    const auto [sec, loss] = run(q, steps);
    seconds.push_back(sec);
    final_loss = loss;
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = reps % 2 ? seconds[reps / 2] : 0.5 * (seconds[reps / 2 - 1] + seconds[reps / 2]);
  const double us_per_step = median / steps * 1e6;

  if (json)
    std::printf("{\"impl\": \"libtorch\", \"n\": %ld, \"threads\": %d, \"steps\": %d, "
                "\"us_per_step\": %.3f, \"final_loss\": %.17g}\n",
                static_cast<long>(n), threads, steps, us_per_step, final_loss);
  else
    std::printf("libtorch n=%ld threads=%d: %.2f us/step, final loss %.6g\n",
                static_cast<long>(n), threads, us_per_step, final_loss);
  return 0;
}

#else  // compiled without libtorch: a stub that points to the right build

#include <cstdio>

int main() {
  std::fprintf(stderr, "libtorch_kl_fit: this build has no libtorch; run bash bench/build_libtorch.sh "
                       "and use build/bench-libtorch/libtorch_kl_fit\n");
  return 1;
}

#endif
