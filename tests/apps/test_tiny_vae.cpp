// tiny_vae as a user runs it: the epoch line, the files it writes, exact
// resume through --resume, and one-line errors with exit code 2.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "klgrad/data/idx.hpp"
#include "support/programs.hpp"

namespace fs = std::filesystem;

namespace {

using programs::Run;

// Runs build/bin/tiny_vae with `args` (split at spaces); stdout and stderr captured separately.
Run tiny_vae(const std::string& args) { return programs::run_line("tiny_vae", args); }

// The epoch lines without their timing fields.
std::string losses_only(const std::string& out) {
  static const std::regex timing(" epoch_s \\S+ samples_per_s \\S+");
  return std::regex_replace(out, timing, "");
}

std::string temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("klgrad_tiny_vae_" + name);
  fs::remove_all(d);
  return d.string();
}

const std::string small = " --train-limit 384 --test-limit 128 --hidden 32 --latent 4 --threads 1 --no-progress";

bool have_data() { return fs::exists(std::string(klgrad::default_fashion_mnist_dir()) + "/train-images-idx3-ubyte.gz"); }

}  // namespace

TEST_CASE("tiny_vae: one epoch prints the epoch line and writes metrics, checkpoint and two images") {
  if (!have_data()) {
    MESSAGE("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist): skipped");
    return;
  }
  const std::string out = temp_dir("one");
  const Run r = tiny_vae("--epochs 1 --out " + out + small);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::regex line(
      "epoch 1 train_loss [0-9.]+ test_loss [0-9.]+ recon [0-9.]+ kl [0-9.]+ epoch_s [0-9.]+ samples_per_s [0-9]+\n");
  CHECK_MESSAGE(std::regex_match(r.out, line), r.out);
  for (const char* f : {"metrics.csv", "checkpoint.npz", "reconstructions.png", "samples.png"})
    CHECK_MESSAGE(fs::file_size(out + "/" + f) > 0, f);
  for (const auto& e : fs::directory_iterator(out))  // no temporary left behind
    CHECK_MESSAGE(e.path().string().find(".tmp") == std::string::npos, e.path().string());
  fs::remove_all(out);
}

TEST_CASE("tiny_vae: --resume continues exactly where an uninterrupted run would be") {
  if (!have_data()) return;
  const std::string a = temp_dir("straight"), b = temp_dir("resumed");
  const Run straight = tiny_vae("--epochs 2 --out " + a + small);
  REQUIRE_MESSAGE(straight.code == 0, straight.err);
  const Run first = tiny_vae("--epochs 1 --out " + b + small);
  REQUIRE_MESSAGE(first.code == 0, first.err);
  const Run second = tiny_vae("--epochs 2 --resume " + b + "/checkpoint.npz --out " + b + small);
  REQUIRE_MESSAGE(second.code == 0, second.err);
  CHECK(losses_only(first.out + second.out) == losses_only(straight.out));
  std::ifstream ma(a + "/metrics.csv"), mb(b + "/metrics.csv");
  std::string la, lb;
  int rows = 0;
  while (std::getline(ma, la) && std::getline(mb, lb)) {
    CHECK(la.substr(0, la.find(",", la.find(",", la.find(",") + 1) + 1)) ==
          lb.substr(0, lb.find(",", lb.find(",", lb.find(",") + 1) + 1)));  // epoch, train_loss, test_loss
    ++rows;
  }
  CHECK(rows == 3);
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST_CASE("tiny_vae: bad input is one line on stderr naming the problem, exit code 2") {
  const std::string out = temp_dir("bad");
  struct Case {
    std::string args, expect;
  };
  const Case cases[] = {
      {"--batch-size 0", "--batch-size must be >= 1"},
      {"--latent 0", "--latent must be >= 1"},
      {"--epochs -1", "--epochs must be >= 0"},
      {"--lr -0.1", "--lr must be a finite number > 0"},
      {"--lr abc", "--lr"},
      {"--threads 0", "--threads must be >= 1"},
      {"--data /nonexistent/folder", "/nonexistent/folder"},
      {"--unknown-flag 3", "unknown-flag"},
  };
  for (const Case& c : cases) {
    const Run r = tiny_vae(c.args + " --out " + out + " --no-progress");
    INFO(c.args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find(c.expect) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  if (have_data()) {
    fs::create_directories(out);
    std::ofstream(out + "/junk.npz") << "this is not a checkpoint";
    const Run r = tiny_vae("--resume " + out + "/junk.npz --out " + out + small);
    CHECK(r.code == 2);
    CHECK(r.err.find("junk.npz") != std::string::npos);
    CHECK_FALSE(fs::exists(out + "/checkpoint.npz"));
  }
  fs::remove_all(out);
}
