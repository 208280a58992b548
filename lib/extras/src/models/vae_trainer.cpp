#include "klgrad/models/vae_trainer.hpp"

#include <cmath>

#include <chrono>
#include <numeric>

#include "klgrad/io/checkpoint.hpp"

namespace klgrad {

namespace {

constexpr const char* kFormat = "klgrad-vae-checkpoint-1";

AdamOptions adam_options(const VaeConfig& c) {
  AdamOptions o;
  o.lr = c.lr;
  return o;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

VaeTrainer::VaeTrainer(const VaeConfig& c, std::size_t input)
    : config_(c), input_(input), gen_(c.seed), model_(input, c.hidden, c.latent, gen_),
      optimizer_(model_.parameters(), adam_options(c)) {
  KLGRAD_CHECK(c.batch_size >= 1, "VaeTrainer: batch_size must be >= 1, got " + std::to_string(c.batch_size));
}

double VaeTrainer::train_epoch(const Images& train, const std::function<void(std::size_t, std::size_t)>& progress) {
  KLGRAD_CHECK(train.rows * train.cols == input_, "VaeTrainer::train_epoch: training images are " + std::to_string(train.rows) +
                                                       "x" + std::to_string(train.cols) + ", the model expects " +
                                                       std::to_string(input_) + " pixels per image");
  const std::size_t n = train.count;
  // Fisher-Yates shuffle from the trainer's own stream.
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), std::size_t(0));
  for (std::size_t i = n; i > 1; --i) std::swap(order_[i - 1], order_[gen_.next_u64() % i]);
  double total = 0;
  for (std::size_t b = 0; b < n; b += config_.batch_size) {
    const std::size_t m = std::min(config_.batch_size, n - b);
    gather_batch(train, order_, b, m, x_);
    eps_.resize(Shape{m, config_.latent});
    gen_.normal_(eps_);
    auto out = model_.forward(tape_, tape_.constant_view(x_), eps_, static_cast<float>(config_.beta));
    total += static_cast<double>(out.loss.item());
    optimizer_.zero_grad();
    out.loss.backward();
    optimizer_.step();
    tape_.clear();
    if (progress) progress(b + m, n);
  }
  return n ? total / static_cast<double>(n) : 0.0;
}

VaeEval VaeTrainer::evaluate(const Images& images) {
  VaeEval e;
  const std::size_t n = images.count;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t(0));
  NoGrad no_grad;
  for (std::size_t b = 0; b < n; b += config_.batch_size) {
    const std::size_t m = std::min(config_.batch_size, n - b);
    gather_batch(images, order, b, m, x_);
    eps_.resize(Shape{m, config_.latent});
    gen_.normal_(eps_);
    auto out = model_.forward(tape_, tape_.constant_view(x_), eps_, static_cast<float>(config_.beta));
    e.loss += static_cast<double>(out.loss.item());
    e.recon += static_cast<double>(out.recon.item());
    e.kl += static_cast<double>(out.kl.item());
    tape_.clear();
  }
  if (n) {
    e.loss /= static_cast<double>(n);
    e.recon /= static_cast<double>(n);
    e.kl /= static_cast<double>(n);
  }
  return e;
}

EpochMetrics VaeTrainer::run_epoch(const Images& train, const Images& test,
                                   const std::function<void(std::size_t, std::size_t)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  EpochMetrics m;
  m.epoch = epochs_done() + 1;
  m.train_loss = train_epoch(train, progress);
  const double train_s = seconds_since(t0);
  const VaeEval e = evaluate(test);
  m.test_loss = e.loss;
  m.recon = e.recon;
  m.kl = e.kl;
  m.epoch_s = seconds_since(t0);
  m.samples_per_s = train_s > 0 ? static_cast<double>(train.count) / train_s : 0.0;
  history_.push_back(m);
  return m;
}

Array<float> VaeTrainer::reconstruct(const Array<float>& x) {
  NoGrad no_grad;
  Tape<float> tape;
  return model_.decode(model_.encode(tape, tape.constant_view(x)).first.value());
}

Array<float> VaeTrainer::sample(std::size_t n, std::uint64_t seed) {
  Generator g(seed);
  return model_.decode(g.normal<float>(Shape{n, config_.latent}));
}

void VaeTrainer::save(const std::string& path) const {
  std::vector<std::pair<std::string, NpyArray>> e;
  e.emplace_back("format", text_entry(kFormat));
  e.emplace_back("config", to_npy(Array<double>{static_cast<double>(input_), static_cast<double>(config_.hidden),
                                                static_cast<double>(config_.latent),
                                                static_cast<double>(config_.batch_size), config_.lr, config_.beta,
                                                static_cast<double>(config_.seed)}));
  Array<double> h = Array<double>::from_shape(Shape{history_.size(), 7});
  for (std::size_t i = 0; i < history_.size(); ++i) {
    const EpochMetrics& m = history_[i];
    const double row[7] = {static_cast<double>(m.epoch), m.train_loss, m.test_loss, m.recon, m.kl, m.epoch_s, m.samples_per_s};
    for (std::size_t j = 0; j < 7; ++j) h(i, j) = row[j];
  }
  auto& self = const_cast<VaeTrainer&>(*this);  // the visitors hand out mutable references
  write_training_state(e, self.model_.parameters(), self.optimizer_, h, gen_);
  write_npz(path, e);
}

void VaeTrainer::load(const std::string& path) {
  const auto f = read_npz(path);
  check_format(f, path, kFormat, "VAE", "VaeTrainer::save");
  const Array<double> c = read_entry<double>(f, "config", path);
  if (c.size() != 7) throw DataError(path + ": damaged checkpoint ('config' has " + std::to_string(c.size()) + " values, expected 7)");
  const auto expect = [&](std::size_t i, double mine, const char* what) {
    if (!whole_number(c(i))) throw DataError(path + ": damaged checkpoint ('config' holds " + std::string(what) + " = " +
                                      std::to_string(c(i)) + ", not a size)");
    const long long saved = static_cast<long long>(c(i)), current = static_cast<long long>(mine);
    if (saved != current)
      throw CheckpointMismatch(path + ": checkpoint has " + what + " " + std::to_string(saved) + " but this model has " +
                                   std::to_string(current) + "; load it into a model with " + what + " = " +
                                   std::to_string(saved),
                               what, saved, current);
  };
  expect(0, static_cast<double>(input_), "input");
  expect(1, static_cast<double>(config_.hidden), "hidden");
  expect(2, static_cast<double>(config_.latent), "latent");
  // Everything is read and checked before anything is changed: a bad file leaves the trainer as it was.
  const TrainingState state = TrainingState::read(f, path, model_.parameters(), optimizer_, 7);
  state.commit(model_.parameters(), optimizer_, gen_);
  const Array<double>& h = state.history;
  history_.clear();
  for (std::size_t r = 0; r < h.shape()[0]; ++r)
    history_.push_back({static_cast<long>(h(r, 0)), h(r, 1), h(r, 2), h(r, 3), h(r, 4), h(r, 5), h(r, 6)});
}

}  // namespace klgrad
