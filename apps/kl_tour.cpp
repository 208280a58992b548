// kl_tour — the tutorial "Understanding KL Divergence in PyTorch", in C++ with klgrad.
//
// Four stops: kl_div and its reductions, the KLDivLoss object, kl_divergence
// between distribution objects (and its asymmetry), and minimizing KL with an
// optimizer to move a learnable model Q toward fixed data P. Every number is
// computed by klgrad; tests/ check the same numbers against PyTorch 1.13.
//
// Vocabulary, as everywhere in klgrad (docs/PARITY.md): P = the data (target,
// fixed), Q = the model (learned); kl_div(input = log Q, target = P) = KL(P || Q),
// the forward KL. The tutorial's fourth section swaps the letters; stop 4 says so.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "klgrad/distributions.hpp"
#include "klgrad/klgrad.hpp"
#include "klgrad/optim.hpp"

using namespace klgrad;

namespace {

std::string row(const Array<float>& a) {
  std::string s = "[";
  char b[32];
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::snprintf(b, sizeof b, "%s%.4f", i ? ", " : "", static_cast<double>(a.flat(i)));
    s += b;
  }
  return s + "]";
}

void heading(const char* title) { std::printf("\n== %s\n", title); }

void reductions(Tape<float>& tape) {
  heading("1. kl_div: log-probabilities in, probabilities as target");
  // The model's distribution Q comes as log-probabilities (log_softmax of
  // logits); the data distribution P is the target. kl_div(log Q, P) = KL(P || Q).
  Tensor<float> input = log_softmax(tape.constant(Array<float>{{0.8f, 0.15f, 0.05f}}), 1);
  Tensor<float> target = tape.constant(Array<float>{{0.7f, 0.2f, 0.1f}});
  std::printf("input  = log Q = log_softmax([[0.8, 0.15, 0.05]], dim=1) = %s\n", row(input.value()).c_str());
  std::printf("target = P = %s\n", row(target.value()).c_str());
  std::printf("kl_div(input, target, reduction='batchmean') = %.4f   <- KL(P || Q) per sample\n",
              static_cast<double>(kl_div(input, target, "batchmean").item()));
  std::printf("  reduction='none' = %s   (per-element terms p (log p - log q))\n",
              row(kl_div(input, target, "none").value()).c_str());
  std::printf("  reduction='sum'  = %.4f   (one sample, so sum = batchmean)\n",
              static_cast<double>(kl_div(input, target, "sum").item()));
  std::fflush(stdout);
  const float mean = kl_div(input, target, "mean").item();  // warns, as PyTorch does
  std::printf("  reduction='mean' = %.4f   (sum / 3 elements: NOT the KL divergence; see the warning)\n",
              static_cast<double>(mean));

  heading("2. The KLDivLoss object");
  KLDivLoss loss_fn("batchmean");
  std::printf("KLDivLoss(reduction='batchmean')(input, target) = %.4f\n",
              static_cast<double>(loss_fn(input, target).item()));
}

void distributions(Tape<float>& tape) {
  heading("3. kl_divergence between distribution objects");
  Normal<float> p(tape.constant(0.0f), tape.constant(1.0f));
  Normal<float> q(tape.constant(1.0f), tape.constant(1.5f));
  std::printf("KL(N(0, 1) || N(1, 1.5)) = %.4f\n", static_cast<double>(kl_divergence(p, q).item()));
  std::printf("KL(N(1, 1.5) || N(0, 1)) = %.4f   <- not the same: KL is not symmetric\n",
              static_cast<double>(kl_divergence(q, p).item()));
}

void optimize(Tape<float>& tape) {
  heading("4. Minimizing KL: move a learnable Q toward a fixed P");
  std::printf("(the tutorial swaps the letters here: its learned P is klgrad's Q, its fixed Q is klgrad's P)\n");
  // Q = softmax(logits) stays a distribution whatever the logits are. The loss
  // kl_div(log Q, P, batchmean) = KL(P || Q) has gradient softmax(logits) - P.
  const Array<float> p{{0.7f, 0.2f, 0.1f}};
  Parameter<float> logits(Array<float>(xt::zeros<float>(Shape{1, 3})), "logits");
  AdamOptions options;
  options.lr = 0.02;
  Adam<float> optimizer({&logits}, options);
  std::printf("P = %s, Q starts uniform, Adam(lr=0.02)\n", row(p).c_str());
  for (int step = 0; step < 100; ++step) {
    Tensor<float> loss = kl_div(log_softmax(tape.param(logits), 1), tape.constant_view(p), "batchmean");
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    std::printf("KL Loss: %.6f\n", static_cast<double>(loss.item()));
    tape.clear();
  }
  Array<float> q = softmax(tape.constant(logits.value), 1).value();
  std::printf("Q after 100 steps = %s\nP                = %s\n", row(q).c_str(), row(p).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kl_tour: the tutorial 'Understanding KL Divergence in PyTorch' in C++, step by step.\n"
               "Takes no options; kl_fit is the program to experiment with."};
  if (const int code = klgrad_cli::parse(app, argc, argv, "kl_tour"); code >= 0) return code;
  return klgrad_cli::run("kl_tour", [&] {
    std::printf("klgrad tour: KL divergence, as in the tutorial 'Understanding KL Divergence in PyTorch'\n");
    Tape<float> tape;
    reductions(tape);
    distributions(tape);
    tape.clear();
    optimize(tape);
    return 0;
  });
}
