// kl_fit — minimize KL between a learnable model Q = softmax(logits) and fixed data P.
//
// P is the data (the target, fixed), Q the model (learned), as everywhere in klgrad:
//   forward (default): KL(P || Q) = kl_div(log_softmax(logits), P)      mass-covering
//   reverse:           KL(Q || P) = kl_div(log P, log_softmax(logits), log_target)   mode-seeking
//   --loss NAME: any divergence of the loss registry (losses/registry.hpp), e.g. js,
//   called as loss(log_softmax(logits), P, reduction) like kl_div.
//
// The logits parameterization keeps Q a distribution at every step. For one
// row and batchmean, d KL(P || Q) / d logits = softmax(logits) - P.
// --family gaussian restricts Q to a discretized Gaussian over the grid
// i = 0..n-1: logits_i = -(i - mu)^2 / (2 sigma^2), learnable mu and s = log sigma.
// A unimodal Q cannot match a bimodal P, so the two directions must compromise
// differently: forward KL spreads Q over both modes, reverse KL sits on one.
//
// In the code below, `q` / `log_q` hold the target P and `p` / `log_p` the model Q.
// `kl_fit --help` documents every flag. Errors: one line on stderr, exit code 2.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli.hpp"

#include "klgrad/graph.hpp"
#include "klgrad/io/atomic_file.hpp"
#include "klgrad/klgrad.hpp"
#include "klgrad/util/parse.hpp"

using namespace klgrad;

namespace {

struct Config {
  std::string target = "0.7,0.2,0.1", target_file, init, direction = "forward", reduction = "batchmean", loss = "kl";
  std::string optimizer = "adam", betas = "0.9,0.999", dtype = "float32", csv, dot, family = "free";
  double lr = 0.01, momentum = 0, dampening = 0, weight_decay = 0, eps = 1e-8;
  bool weight_decay_given = false, init_given = false, target_given = false;
  bool nesterov = false, maximize = false, amsgrad = false, detect_anomaly = false;
  long steps = 100, print_every = 1;
  std::vector<double> q, logits0;
  double beta1 = 0.9, beta2 = 0.999;
};

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const Config& c, const std::vector<Parameter<T>*>& p) {
  if (c.optimizer == "sgd") {
    SGDOptions o;
    o.lr = c.lr;
    o.momentum = c.momentum;
    o.dampening = c.dampening;
    o.weight_decay = c.weight_decay;
    o.nesterov = c.nesterov;
    o.maximize = c.maximize;
    return std::make_unique<SGD<T>>(p, o);
  }
  // AdamW is Adam with decoupled weight decay and a default decay of 1e-2.
  AdamWOptions o;
  o.lr = c.lr;
  o.beta1 = c.beta1;
  o.beta2 = c.beta2;
  o.eps = c.eps;
  o.amsgrad = c.amsgrad;
  o.maximize = c.maximize;
  if (c.weight_decay_given) o.weight_decay = c.weight_decay;
  if (c.optimizer == "adamw") return std::make_unique<AdamW<T>>(p, o);
  if (!c.weight_decay_given) o.weight_decay = 0.0;
  return std::make_unique<Adam<T>>(p, o);
}

std::string fmt(double v, bool f64) {
  char b[64];
  std::snprintf(b, sizeof b, f64 ? "%.17g" : "%.9g", v);
  return b;
}

template <class T>
std::string list(const Array<T>& a, bool f64, std::size_t most = 10) {
  std::string s = "[";
  for (std::size_t i = 0; i < a.size() && i < most; ++i) s += (i ? ", " : "") + fmt(a.flat(i), f64);
  if (a.size() > most) s += ", ... (" + std::to_string(a.size()) + " entries)";
  return s + "]";
}

template <class T>
int run(const Config& c) {
  constexpr bool f64 = std::is_same<T, double>::value;
  const std::size_t n = c.q.size();
  Array<T> q = Array<T>::from_shape(Shape{1, n});
  Array<T> log_q = Array<T>::from_shape(Shape{1, n});
  for (std::size_t i = 0; i < n; ++i) {
    q.flat(i) = static_cast<T>(c.q[i]);
    log_q.flat(i) = std::log(q.flat(i));
  }
  // free: the logits themselves are learned. gaussian: mu and s = log sigma are.
  const bool gaussian = c.family == "gaussian";
  Parameter<T> logits(Array<T>(xt::zeros<T>(Shape{1, n})), "logits");
  Parameter<T> mu(Array<T>(xt::zeros<T>(Shape{1, 1})), "mu"), log_sigma(Array<T>(xt::zeros<T>(Shape{1, 1})), "log_sigma");
  Array<T> grid = Array<T>::from_shape(Shape{1, n});
  for (std::size_t i = 0; i < n; ++i) grid.flat(i) = static_cast<T>(i);
  if (gaussian) {
    mu.value.flat(0) = static_cast<T>(c.logits0.empty() ? (static_cast<double>(n) - 1) / 2 : c.logits0[0]);
    log_sigma.value.flat(0) = static_cast<T>(c.logits0.empty() ? std::log(static_cast<double>(n) / 4) : c.logits0[1]);
  } else {
    for (std::size_t i = 0; i < c.logits0.size(); ++i) logits.value.flat(i) = static_cast<T>(c.logits0[i]);
  }
  const Reduction red = parse_reduction(c.reduction, "--reduction", true);
  const bool forward = c.direction == "forward";
  const LossInfo& divergence = find_loss(c.loss);
  auto opt = make_optimizer<T>(c, gaussian ? std::vector<Parameter<T>*>{&mu, &log_sigma}
                                           : std::vector<Parameter<T>*>{&logits});
  DetectAnomaly anomaly(c.detect_anomaly);

  // The CSV goes to a temporary file that becomes FILE only when the run
  // succeeds: an error or a kill never leaves a partial FILE (io/atomic_file.hpp).
  std::unique_ptr<AtomicFile> csv;
  std::string line;
  if (!c.csv.empty()) {
    csv = std::make_unique<AtomicFile>(c.csv, "--csv");
    line = "step,loss";
    for (std::size_t i = 0; i < n; ++i) line += ",q_" + std::to_string(i + 1);
    line += '\n';
    csv->write(line.data(), line.size());
  }

  Tape<T> tape;
  // log Q (the model) = log_softmax of the logits: learned directly, or -(i - mu)^2 / (2 e^(2 s)).
  auto log_p_of = [&]() {
    if (!gaussian) return log_softmax(tape.param(logits), 1);
    Tensor<T> d = tape.constant_view(grid) - tape.param(mu);
    return log_softmax(d * d * exp(tape.param(log_sigma) * T(-2)) * T(-0.5), 1);
  };
  // One step: the loss at the current logits, its gradient, one update.
  auto loss_of = [&](const Tensor<T>& log_p) {
    return forward ? divergence(log_p, tape.constant_view(q), red) : kl_div(tape.constant_view(log_q), log_p, red, true);
  };
  double seconds = 0;
  std::string dot;  // written with the CSV, when the run succeeds
  for (long k = 1; k <= c.steps; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    KLGRAD_SCOPE("kl_fit step");
    Tensor<T> log_p = log_p_of();
    Tensor<T> loss = loss_of(log_p);
    const T value = loss.item();
    opt->zero_grad();
    loss.backward();
    if (k == 1 && !c.dot.empty()) dot = to_dot(loss, {true});  // the first step's graph, with its gradients
    if (csv) {  // the model Q before this step's update, like the loss
      line = std::to_string(k) + ',' + fmt(value, f64);
      for (std::size_t i = 0; i < n; ++i) line += ',' + fmt(std::exp(log_p.value().flat(i)), f64);
      line += '\n';
      csv->write(line.data(), line.size());
    }
    opt->step();
    tape.clear();
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (c.print_every > 0 && (k % c.print_every == 0 || k == 1))
      std::printf("step %ld loss %s\n", k, fmt(value, f64).c_str());
  }
  Array<T> p, final_loss;
  {
    NoGrad ng;
    Tensor<T> log_p = log_p_of();
    final_loss = loss_of(log_p).value();
    p = xt::exp(log_p.value());
  }
  if (csv) csv->commit();
  if (!c.dot.empty()) write_file_atomic(c.dot, std::vector<std::uint8_t>(dot.begin(), dot.end()), "--dot");
  std::printf("final loss %s (%s, %s, %s)\n", fmt(final_loss(), f64).c_str(),
              c.loss != "kl" ? c.loss.c_str() : forward ? "KL(P || Q)" : "KL(Q || P)", c.reduction.c_str(),
              c.optimizer.c_str());
  if (gaussian)
    std::printf("family gaussian mu %s sigma %s\n", fmt(mu.value.flat(0), f64).c_str(),
                fmt(std::exp(log_sigma.value.flat(0)), f64).c_str());
  // The model Q (held in p), then the data P (held in q).
  std::printf("Q = %s\nP = %s\n", list(p, f64).c_str(), list(q, f64).c_str());
  std::printf("%.3f us per step (%ld steps, %s, n = %zu)\n", c.steps ? 1e6 * seconds / static_cast<double>(c.steps) : 0.0,
              c.steps, c.dtype.c_str(), n);
  return 0;
}

// Every number option must be finite; PyTorch's ranges are checked here with
// the flag's name, before the optimizer checks them again.
void validate(Config& c) {
  KLGRAD_CHECK(!(c.target_given && !c.target_file.empty()), "--target and --target-file: give one of them, not both");
  const std::string source = c.target_file.empty() ? "--target"
                             : c.target_file == "-" ? "--target-file (standard input)"
                                                    : "--target-file " + c.target_file;
  c.q = c.target_file.empty() ? parse_number_list(c.target, "--target") : read_number_file(c.target_file, "--target-file");
  check_distribution(c.q, source);
  const LossInfo& divergence = find_loss(c.loss);
  KLGRAD_CHECK(divergence.supports(parse_reduction(c.reduction, "--reduction", true)),
               "--reduction " + c.reduction + ": --loss " + c.loss + " supports " + divergence.reduction_names());
  KLGRAD_CHECK(c.direction == "forward" || c.loss == "kl",
               "--direction reverse: only --loss kl has a direction (" + c.loss + " is symmetric); drop --direction");
  if (c.direction == "reverse")
    for (double v : c.q)
      KLGRAD_CHECK(v > 0, "--direction reverse: KL(Q || P) is infinite where P has a zero entry (Q = softmax is > 0 "
                          "everywhere); use --direction forward or a target without zeros");
  if (c.init_given && c.family == "gaussian") {
    c.logits0 = parse_number_list(c.init, "--init");
    KLGRAD_CHECK(c.logits0.size() == 2, "--init: --family gaussian takes two numbers mu,log_sigma (e.g. 10,1.5), got " +
                                            std::to_string(c.logits0.size()));
  } else if (c.init_given) {
    c.logits0 = parse_number_list(c.init, "--init");
    KLGRAD_CHECK(c.logits0.size() == c.q.size(), "--init: " + std::to_string(c.logits0.size()) + " logits for a target of " +
                                                     std::to_string(c.q.size()) + " entries; give one logit per target entry");
  }
  const auto b = parse_number_list(c.betas, "--betas");
  KLGRAD_CHECK(b.size() == 2, "--betas: expected two numbers b1,b2 (e.g. 0.9,0.999), got " + std::to_string(b.size()));
  c.beta1 = b[0];
  c.beta2 = b[1];
  const auto in_range = [](double v, const char* flag, double lo, bool lo_open, double hi, const char* meaning) {
    const bool ok = std::isfinite(v) && (lo_open ? v > lo : v >= lo) && v < hi;
    KLGRAD_CHECK(ok, std::string(flag) + " = " + fmt(v, true) + " is invalid: " + meaning);
  };
  const double inf = HUGE_VAL;
  in_range(c.lr, "--lr", 0, false, inf, "the learning rate must be a finite number >= 0");
  in_range(c.momentum, "--momentum", 0, false, inf, "momentum must be a finite number >= 0");
  in_range(c.dampening, "--dampening", -inf, false, inf, "dampening must be a finite number");
  in_range(c.weight_decay, "--weight-decay", 0, false, inf, "weight decay must be a finite number >= 0");
  in_range(c.eps, "--eps", 0, false, inf, "eps must be a finite number >= 0");
  in_range(c.beta1, "--betas b1", 0, false, 1, "each beta must be in [0, 1)");
  in_range(c.beta2, "--betas b2", 0, false, 1, "each beta must be in [0, 1)");
  KLGRAD_CHECK(!c.nesterov || (c.momentum > 0 && c.dampening == 0),
               "--nesterov needs --momentum > 0 and --dampening 0 (got momentum " + fmt(c.momentum, true) +
                   ", dampening " + fmt(c.dampening, true) + ")");
  KLGRAD_CHECK(c.steps >= 0, "--steps: must be >= 0, got " + std::to_string(c.steps));
  KLGRAD_CHECK(c.dot.empty() || c.steps >= 1, "--dot writes the first step's graph: it needs --steps >= 1");
  KLGRAD_CHECK(c.print_every >= 0, "--print-every: must be >= 0 (0 prints only the summary), got " + std::to_string(c.print_every));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kl_fit: move a learnable model Q = softmax(logits) toward fixed data P (the target) by minimizing KL\n"
               "divergence. Prints 'step <k> loss <value>' (the loss before the k-th update), then a summary."};
  Config c;
  CLI::Option* target = app.add_option("--target", c.target, "Target (data) distribution P, comma-separated; finite, >= 0, summing to 1")
                     ->capture_default_str();
  app.add_option("--target-file", c.target_file,
                 "Read P from a file of numbers (comma or white-space separated); - reads standard input "
                 "(a file named - is ./-); pipes, /dev/stdin and <(...) work too");
  CLI::Option* init = app.add_option("--init", c.init,
                                     "Initial logits, one per entry of P (default: zeros); with --family gaussian: "
                                     "mu,log_sigma (default: (n-1)/2, log(n/4))");
  app.add_option("--family", c.family,
                 "free: Q = softmax(logits), any distribution; gaussian: Q_i ~ exp(-(i - mu)^2 / (2 sigma^2)) on the "
                 "grid i = 0..n-1, unimodal, learnable mu and log sigma")
      ->check(CLI::IsMember({"free", "gaussian"}))->capture_default_str();
  app.add_option("--direction", c.direction,
                 "forward = KL(P || Q), mass-covering; reverse = KL(Q || P), mode-seeking")
      ->check(CLI::IsMember({"forward", "reverse"}))->capture_default_str();
  app.add_option("--reduction", c.reduction, "kl_div reduction over the [1, n] tensors")
      ->check(CLI::IsMember({"batchmean", "sum", "mean"}))->capture_default_str();
  std::vector<std::string> losses;
  for (const LossInfo& l : loss_registry()) losses.push_back(l.name);
  app.add_option("--loss", c.loss, "Divergence to minimize: " + loss_names() + " (docs/EXTENDING.md adds more)")
      ->check(CLI::IsMember(losses))->capture_default_str();
  app.add_option("--optimizer", c.optimizer, "sgd, adam or adamw")->check(CLI::IsMember({"sgd", "adam", "adamw"}))->capture_default_str();
  app.add_option("--lr", c.lr, "Learning rate")->capture_default_str();
  app.add_option("--momentum", c.momentum, "SGD momentum")->capture_default_str();
  app.add_option("--dampening", c.dampening, "SGD dampening")->capture_default_str();
  app.add_flag("--nesterov", c.nesterov, "SGD Nesterov momentum (needs momentum > 0, dampening 0)");
  CLI::Option* weight_decay =
      app.add_option("--weight-decay", c.weight_decay, "L2 penalty (default: 0 for sgd and adam, 0.01 for adamw)");
  app.add_flag("--maximize", c.maximize, "Maximize the loss instead of minimizing it");
  app.add_option("--betas", c.betas, "Adam/AdamW coefficients b1,b2")->capture_default_str();
  app.add_option("--eps", c.eps, "Adam/AdamW term added to the denominator")->capture_default_str();
  app.add_flag("--amsgrad", c.amsgrad, "Adam/AdamW AMSGrad variant");
  app.add_option("--steps", c.steps, "Number of optimizer steps")->capture_default_str();
  app.add_option("--dtype", c.dtype, "float32 or float64")->check(CLI::IsMember({"float32", "float64"}))->capture_default_str();
  app.add_option("--print-every", c.print_every, "Print every K-th step (0: only the summary)")->capture_default_str();
  app.add_option("--csv", c.csv, "Write step, loss, q_1..q_n (the model Q before the step) per step to this CSV file");
  app.add_option("--dot", c.dot, "Write the graph of the first step, with gradient norms, as Graphviz DOT");
  app.add_flag("--detect-anomaly", c.detect_anomaly, "Stop at the first op that produces NaN or inf, naming it");
  if (const int code = klgrad_cli::parse(app, argc, argv, "kl_fit"); code >= 0) return code;
  return klgrad_cli::run("kl_fit", [&] {
    c.target_given = target->count() > 0;
    c.init_given = init->count() > 0;
    c.weight_decay_given = weight_decay->count() > 0;
    validate(c);
    return c.dtype == "float64" ? run<double>(c) : run<float>(c);
  });
}
