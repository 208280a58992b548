// tiny_vae — the VAE of pytorch/examples on Fashion-MNIST, trained with klgrad.
//
// After each epoch: one line
//   epoch <e> train_loss <x> test_loss <y> recon <r> kl <k> epoch_s <s> samples_per_s <n>
// and, in --out: metrics.csv, checkpoint.npz (resume with --resume), reconstructions.png
// (test images above their reconstructions) and samples.png (decoded z ~ N(0, I)).
// Every file is written atomically: a kill never leaves a half-written one.
// Errors: one line on stderr naming the problem and the fix, exit code 2.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "training.hpp"

#include "klgrad/io/png.hpp"
#include "klgrad/klgrad.hpp"
#include "klgrad/models/vae_trainer.hpp"

using namespace klgrad;

namespace {

struct Options {
  std::string data = default_fashion_mnist_dir(), out = "tiny_vae_out", resume;
  long epochs = 10, batch_size = 128, latent = 20, hidden = 400, seed = 1, train_limit = 0, test_limit = 0;
  long threads = std::max(1u, std::thread::hardware_concurrency());
  double lr = 1e-3, beta = 1.0;
  bool no_progress = false, detect_anomaly = false;
};

void write_grid(const std::string& path, const Array<float>& images, std::size_t n, std::size_t side, std::size_t cols) {
  const Grid g = tile_images(to_pixels(images), n, side, side, cols, 2);
  write_png_gray(path, g.width, g.height, g.pixels);
}

void write_metrics(const std::string& path, const std::vector<EpochMetrics>& history) {
  std::ostringstream s;
  s.precision(10);
  s << "epoch,train_loss,test_loss,recon,kl,epoch_s,samples_per_s\n";
  for (const EpochMetrics& m : history)
    s << m.epoch << ',' << m.train_loss << ',' << m.test_loss << ',' << m.recon << ',' << m.kl << ',' << m.epoch_s << ','
      << m.samples_per_s << '\n';
  const std::string text = s.str();
  write_file_atomic(path, std::vector<std::uint8_t>(text.begin(), text.end()), "metrics.csv");
}

// Resumes from --resume; a checkpoint of other sizes names the flag to change.
void resume(VaeTrainer& trainer, const Options& o) {
  try {
    trainer.load(o.resume);
  } catch (const CheckpointMismatch& e) {
    const std::string flag = e.field == "input" ? "--data" : "--" + e.field;
    const std::string fix = e.field == "input" ? "use images of the size it was trained on"
                                               : "pass " + flag + " " + std::to_string(e.saved);
    throw DataError("--resume " + o.resume + ": the checkpoint has " + e.field + " " + std::to_string(e.saved) +
                    " but this run has " + std::to_string(e.current) + " (" + flag + "); " + fix);
  } catch (const DataError& e) {
    throw DataError(std::string("--resume: ") + e.what());
  }
}

int run(const Options& o) {
  const auto positive = [](long v, const char* flag, long lo) {
    KLGRAD_CHECK(v >= lo, std::string(flag) + " must be >= " + std::to_string(lo) + ", got " + std::to_string(v));
  };
  positive(o.epochs, "--epochs", 0);
  positive(o.batch_size, "--batch-size", 1);
  positive(o.latent, "--latent", 1);
  positive(o.hidden, "--hidden", 1);
  positive(o.train_limit, "--train-limit", 0);
  positive(o.test_limit, "--test-limit", 0);
  positive(o.threads, "--threads", 1);
  positive(o.seed, "--seed", 0);
  KLGRAD_CHECK(std::isfinite(o.lr) && o.lr > 0, "--lr must be a finite number > 0, got " + number_str(o.lr));
  KLGRAD_CHECK(std::isfinite(o.beta) && o.beta >= 0, "--beta must be a finite number >= 0, got " + number_str(o.beta));
  set_num_threads(static_cast<int>(o.threads));

  const klgrad_cli::Splits data = klgrad_cli::load_splits(o.data, o.train_limit, o.test_limit);
  const MnistSplit &train = data.train, &test = data.test;
  const std::size_t side = train.images.rows;

  VaeConfig c;
  c.hidden = static_cast<std::size_t>(o.hidden);
  c.latent = static_cast<std::size_t>(o.latent);
  c.batch_size = static_cast<std::size_t>(o.batch_size);
  c.lr = o.lr;
  c.beta = o.beta;
  c.seed = static_cast<std::uint64_t>(o.seed);
  VaeTrainer trainer(c, train.images.rows * train.images.cols);
  if (!o.resume.empty()) {
    resume(trainer, o);
    std::fprintf(stderr, "resumed from %s after epoch %ld\n", o.resume.c_str(), trainer.epochs_done());
  }
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  KLGRAD_CHECK(!ec && std::filesystem::is_directory(o.out), "--out: cannot create folder '" + o.out + "': " + ec.message());
  DetectAnomaly anomaly(o.detect_anomaly);

  // The first test images, for the reconstruction picture.
  const std::size_t shown = std::min<std::size_t>(8, test.images.count);
  std::vector<std::size_t> first(shown);
  for (std::size_t i = 0; i < shown; ++i) first[i] = i;
  Array<float> originals;
  gather_batch(test.images, first, 0, shown, originals);

  for (long e = trainer.epochs_done() + 1; e <= o.epochs; ++e) {
    klgrad_cli::Progress progress(e, !o.no_progress);
    const EpochMetrics m = trainer.run_epoch(train.images, test.images, std::ref(progress));
    std::printf("epoch %ld train_loss %.4f test_loss %.4f recon %.4f kl %.4f epoch_s %.3f samples_per_s %.0f\n", m.epoch,
                m.train_loss, m.test_loss, m.recon, m.kl, m.epoch_s, m.samples_per_s);
    std::fflush(stdout);
    const std::string dir = o.out + "/";
    trainer.save(dir + "checkpoint.npz");
    write_metrics(dir + "metrics.csv", trainer.history());
    if (shown > 0) {
      Array<float> both = xt::concatenate(xt::xtuple(originals, trainer.reconstruct(originals)), 0);
      write_grid(dir + "reconstructions.png", both, 2 * shown, side, shown);
    }
    write_grid(dir + "samples.png", trainer.sample(64, 2024), 64, side, 8);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tiny_vae: train the pytorch/examples VAE (784-400-20) on Fashion-MNIST with klgrad.\n"
               "Losses are nats per image; test loss uses sampled z; recon and kl are the test split's terms\n"
               "(test_loss = recon + beta kl); samples_per_s counts training images per training second."};
  Options o;
  app.add_option("--data", o.data, "Folder with MNIST-format files ({train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz])")->capture_default_str();
  app.add_option("--epochs", o.epochs, "Train until this many epochs are done")->capture_default_str();
  app.add_option("--batch-size", o.batch_size, "Images per training step")->capture_default_str();
  app.add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
  app.add_option("--latent", o.latent, "Latent dimensions")->capture_default_str();
  app.add_option("--hidden", o.hidden, "Hidden units of encoder and decoder")->capture_default_str();
  app.add_option("--beta", o.beta, "Weight of the KL term (beta-VAE; 1 is the ELBO)")->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of initialization, data order and noise")->capture_default_str();
  app.add_option("--train-limit", o.train_limit, "Use only the first N training images (0: all)")->capture_default_str();
  app.add_option("--test-limit", o.test_limit, "Use only the first N test images (0: all)")->capture_default_str();
  app.add_option("--threads", o.threads, "BLAS threads")->capture_default_str();
  app.add_option("--out", o.out, "Output folder (created if missing)")->capture_default_str();
  app.add_option("--resume", o.resume, "Continue from this checkpoint.npz (same --hidden/--latent)");
  app.add_flag("--no-progress", o.no_progress, "No progress bar");
  app.add_flag("--detect-anomaly", o.detect_anomaly, "Stop at the first op that produces NaN or inf, naming it");
  if (const int code = klgrad_cli::parse(app, argc, argv, "tiny_vae"); code >= 0) return code;
  return klgrad_cli::run("tiny_vae", [&] { return run(o); });
}
