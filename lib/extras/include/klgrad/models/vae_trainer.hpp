// klgrad/models/vae_trainer.hpp — training, evaluation and checkpoints of the VAE.
//
// Everything tiny_vae does except the command line and the pictures, so that the
// tests can run a few steps, save, load and resume exactly as the program does.
// One step (a batch x of n images, pixels in [0, 1]):
//   eps ~ N(0, I) (n, latent);  loss = recon + beta kl  (models/vae.hpp)
//   zero_grad; loss.backward(); Adam step; tape.clear()
// Determinism: the data order and every eps come from one Generator whose state
// is in the checkpoint, so a resumed run repeats an uninterrupted one exactly
// (with the same number of BLAS threads).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "klgrad/data/idx.hpp"
#include "klgrad/io/checkpoint.hpp"
#include "klgrad/models/vae.hpp"
#include "klgrad/optim.hpp"

namespace klgrad {

struct VaeConfig {
  std::size_t hidden = 400, latent = 20, batch_size = 128;
  double lr = 1e-3, beta = 1.0;
  std::uint64_t seed = 1;
};

struct VaeEval {
  double loss = 0, recon = 0, kl = 0;  // nats per image
};

struct EpochMetrics {
  long epoch = 0;
  double train_loss = 0, test_loss = 0, recon = 0, kl = 0;  // nats per image; recon and kl of the test split
  double epoch_s = 0, samples_per_s = 0;                    // whole epoch; training images per training second
};

class VaeTrainer {
 public:
  // `input` is the number of pixels per image (rows * cols).
  VaeTrainer(const VaeConfig& config, std::size_t input);

  // One pass over `train` in a fresh random order; returns the mean loss per image.
  // progress(done, total) is called after each batch.
  double train_epoch(const Images& train, const std::function<void(std::size_t, std::size_t)>& progress = {});
  // Loss per image over `images`, with sampled z (as the reference), no graph kept.
  VaeEval evaluate(const Images& images);
  // train_epoch + evaluate + timings, appended to history().
  EpochMetrics run_epoch(const Images& train, const Images& test,
                         const std::function<void(std::size_t, std::size_t)>& progress = {});

  // Reconstructions (z = mu, no noise) and decoded samples z ~ N(0, I), as pixels in [0, 1].
  Array<float> reconstruct(const Array<float>& x);
  Array<float> sample(std::size_t n, std::uint64_t seed);

  // Checkpoint: model, optimizer state, epoch, history, RNG state and config in one
  // .npz (NumPy loads it), written atomically. load() checks that the file is a
  // klgrad VAE checkpoint with this trainer's sizes; any problem is a DataError,
  // a size mismatch a CheckpointMismatch.
  void save(const std::string& path) const;
  void load(const std::string& path);

  const VaeConfig& config() const { return config_; }
  long epochs_done() const { return static_cast<long>(history_.size()); }
  const std::vector<EpochMetrics>& history() const { return history_; }
  VAE<float>& model() { return model_; }
  Generator& generator() { return gen_; }

 private:
  VaeConfig config_;
  std::size_t input_;
  Generator gen_;
  VAE<float> model_;
  Adam<float> optimizer_;
  Tape<float> tape_;
  Array<float> x_, eps_;  // reused batch buffers
  std::vector<std::size_t> order_;
  std::vector<EpochMetrics> history_;
};

}  // namespace klgrad
