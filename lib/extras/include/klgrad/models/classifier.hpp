// klgrad/models/classifier.hpp — training, evaluation and checkpoints of an MLP
// classifier on images, with labels (cross-entropy) or distilled from a
// teacher's logits (losses/distill.hpp). Everything apps/distill does except
// the command line, so that tests run, save and load exactly as the program.
//
// One step (a batch of n images, pixels in [0, 1], their labels, and when
// distilling the teacher's logits for them, precomputed once):
//   logits = mlp(x) with dropout;  loss = distillation_loss(logits, teacher, y, T, alpha)
//   (no teacher: loss = cross_entropy(logits, y));  zero_grad; backward; Adam step
// Determinism: the data order and the dropout masks come from one Generator
// whose state is in the checkpoint, so a resumed run repeats an uninterrupted
// one exactly (with the same number of BLAS threads).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "klgrad/data/idx.hpp"
#include "klgrad/models/mlp.hpp"
#include "klgrad/io/checkpoint.hpp"
#include "klgrad/optim.hpp"

namespace klgrad {

struct ClassifierConfig {
  std::vector<std::size_t> hidden = {512, 512};
  double dropout = 0.2;
  std::size_t batch_size = 128;
  double lr = 1e-3;
  std::uint64_t seed = 1;
};

// How a student learns from the teacher: temperature T, weight alpha of the
// distillation term, and log_target (the teacher's log-probabilities as target).
struct DistillConfig {
  double temperature = 4, alpha = 0.9;
  bool log_target = false;
};

struct ClassifierEval {
  double accuracy = 0, nll = 0;       // against the labels; nll in nats per image
  double agreement = 0, kl = 0;       // against the teacher (0 without one): same top class; KL(P || Q) at T, per image
};

struct ClassifierEpoch {
  long epoch = 0;
  double train_loss = 0;               // mean training loss per image
  ClassifierEval test;
  double epoch_s = 0, samples_per_s = 0;
};

// "No teacher": an empty array (size 0), to learn from the labels alone.
inline Array<float> no_teacher() { return Array<float>::from_shape({0}); }

class ClassifierTrainer {
 public:
  ClassifierTrainer(const ClassifierConfig& config, std::size_t input, std::size_t classes);
  // The trainer a checkpoint was saved from (its sizes and config), loaded.
  static std::unique_ptr<ClassifierTrainer> from_checkpoint(const std::string& path);
  ClassifierTrainer(const ClassifierTrainer&) = delete;  // the optimizer points at the model's parameters
  ClassifierTrainer& operator=(const ClassifierTrainer&) = delete;

  // One pass over `train` in a fresh random order; the mean loss per image.
  // teacher: the teacher's logits for every training image (count, classes),
  // or no_teacher() to learn from the labels alone.
  double train_epoch(const Images& train, const Labels& labels, const Array<float>& teacher, const DistillConfig& d,
                     const std::function<void(std::size_t, std::size_t)>& progress = {});
  ClassifierEval evaluate(const Images& images, const Labels& labels, const Array<float>& teacher, const DistillConfig& d);
  ClassifierEpoch run_epoch(const Images& train, const Labels& train_labels, const Images& test, const Labels& test_labels,
                            const Array<float>& teacher_train, const Array<float>& teacher_test, const DistillConfig& d,
                            const std::function<void(std::size_t, std::size_t)>& progress = {});
  // The logits of every image (count, classes), dropout off.
  Array<float> logits(const Images& images);

  // Checkpoint: sizes, config, model, optimizer state, epoch, history and RNG
  // state in one .npz (NumPy loads it), written atomically. load() checks the
  // file is a klgrad classifier checkpoint of this trainer's sizes; any problem
  // is a DataError naming the file and the entry, a size mismatch a CheckpointMismatch.
  void save(const std::string& path) const;
  void load(const std::string& path);

  const ClassifierConfig& config() const { return config_; }
  const std::vector<std::size_t>& sizes() const { return model_.sizes; }
  long epochs_done() const { return static_cast<long>(history_.size()); }
  const std::vector<ClassifierEpoch>& history() const { return history_; }
  MLP<float>& model() { return model_; }

 private:
  ClassifierConfig config_;
  Generator gen_;
  MLP<float> model_;
  Adam<float> optimizer_;
  Tape<float> tape_;
  Array<float> x_, t_;  // reused batch buffers: images, teacher logits
  std::vector<std::size_t> order_;
  std::vector<std::int64_t> y_;
  std::vector<ClassifierEpoch> history_;
};

}  // namespace klgrad
