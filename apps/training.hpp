// apps/training.hpp — what the training programs (tiny_vae, distill) share: a
// progress bar, and loading Fashion-MNIST from --data with errors that name
// the flag.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>

#include "klgrad/data/idx.hpp"
#include "klgrad/error.hpp"

namespace klgrad_cli {

// A progress bar on a terminal; plain lines at each quarter otherwise.
class Progress {
 public:
  // model: "" or a name shown before the epoch ("teacher epoch 2 ...").
  Progress(long epoch, bool enabled, std::string model = "")
      : epoch_(epoch), enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0), model_(model.empty() ? model : model + " ") {}
  void operator()(std::size_t done, std::size_t total) {
    if (!enabled_ || total == 0) return;
    const int pct = static_cast<int>(100 * done / total);
    if (tty_) {
      const int w = 30, filled = static_cast<int>(w * done / total);
      std::fprintf(stderr, "\r%sepoch %ld [%s%s] %3d%% %zu/%zu", model_.c_str(), epoch_, std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(w - filled), '.').c_str(), pct, done, total);
      if (done == total) std::fprintf(stderr, "\r%*s\r", 60 + 2 * 10, "");
    } else if (pct / 25 > last_quarter_) {
      last_quarter_ = pct / 25;
      std::fprintf(stderr, "%sepoch %ld: %d%% (%zu/%zu images)\n", model_.c_str(), epoch_, pct, done, total);
    }
  }

 private:
  long epoch_;
  bool enabled_, tty_;
  int last_quarter_ = 0;
  std::string model_;
};

// Fashion-MNIST from --data; a library error gains the flag it came from.
inline klgrad::MnistSplit load_split(const std::string& dir, const char* split, long limit) {
  try {
    return klgrad::load_mnist(dir, split, static_cast<std::size_t>(limit));
  } catch (const klgrad::DataError& e) {
    throw klgrad::DataError(std::string("--data: ") + e.what());
  }
}

// Both splits of --data, checked to be usable together.
struct Splits {
  klgrad::MnistSplit train, test;
};
inline Splits load_splits(const std::string& dir, long train_limit, long test_limit) {
  Splits s{load_split(dir, "train", train_limit), load_split(dir, "t10k", test_limit)};
  const klgrad::Images &train = s.train.images, &test = s.test.images;
  KLGRAD_CHECK(train.count > 0 && test.count > 0, "--data " + dir + ": the " + std::string(train.count ? "test (t10k)" : "training") +
                                                       " split has no images; use a folder with images in both splits");
  KLGRAD_CHECK(test.rows == train.rows && test.cols == train.cols,
               "--data " + dir + ": t10k images are " + std::to_string(test.rows) + "x" + std::to_string(test.cols) +
                   " but training images are " + std::to_string(train.rows) + "x" + std::to_string(train.cols) +
                   "; both splits must come from the same dataset");
  return s;
}

}  // namespace klgrad_cli
