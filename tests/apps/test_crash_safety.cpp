// Crash safety: tiny_vae killed with SIGKILL at random moments, during training
// and while it writes its checkpoint, never loses what it had saved.
//
// Each round starts tiny_vae (resuming from the checkpoint when there is one),
// waits a random 0..1.2 s, and kills it with SIGKILL, which no program can catch.
// After every kill the checkpoint, if any, must load (VaeTrainer::load checks
// every entry), and the epochs it holds never go backwards. A temporary
// checkpoint.npz.tmp.<pid> left by the kill shows it landed mid-write; the next
// run removes it. At the end, `tiny_vae --resume` continues for one more epoch.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "klgrad/data/idx.hpp"
#include "klgrad/models/vae_trainer.hpp"
#include "support/programs.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

// Starts build/bin/tiny_vae with `args`, output to /dev/null; returns its pid.
pid_t spawn(const std::vector<std::string>& args) {
  const std::string exe = std::string(KLGRAD_BIN_DIR) + "/tiny_vae";
  std::vector<char*> argv{const_cast<char*>(exe.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen("/dev/null", "w", stderr)) ::_exit(127);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

int temporaries_in(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos) ++n;
  return n;
}

bool have_data() { return fs::exists(std::string(klgrad::default_fashion_mnist_dir()) + "/train-images-idx3-ubyte.gz"); }

}  // namespace

TEST_CASE("tiny_vae survives SIGKILL at random moments: the last checkpoint loads and resume continues" *
          doctest::skip(!have_data())) {
  TempDir dir("crash");
  const std::string ckpt = dir.file("checkpoint.npz");
  // The default 784-400-20 model: a 7.5 MB checkpoint after every 256-image epoch,
  // so a good share of the run is spent writing it.
  const std::vector<std::string> common = {"--out", dir.path.string(), "--train-limit", "256", "--test-limit", "32",
                                           "--batch-size", "64", "--threads", "1", "--epochs", "100000",
                                           "--no-progress"};
  std::mt19937 rng(20261130);
  std::uniform_int_distribution<int> delay_ms(0, 1200);
  int kills = 0, mid_write = 0, loads = 0;
  long last_epoch = 0;
  while (kills < 20 || (mid_write < 3 && kills < 60)) {
    std::vector<std::string> args = common;
    if (fs::exists(ckpt)) args.insert(args.end(), {"--resume", ckpt});
    const pid_t pid = spawn(args);
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
      // It ended before the kill: only acceptable as a clean exit (never a crash).
      REQUIRE_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), "tiny_vae ended with status " << status);
      continue;
    }
    ++kills;
    if (temporaries_in(dir.path) > 0) ++mid_write;
    if (!fs::exists(ckpt)) continue;  // killed before its first epoch ended
    klgrad::VaeTrainer trainer(klgrad::VaeConfig{}, 784);
    CHECK_NOTHROW(trainer.load(ckpt));
    ++loads;
    INFO("kill " << kills);
    CHECK(trainer.epochs_done() >= last_epoch);  // nothing saved is ever lost
    last_epoch = trainer.epochs_done();
  }
  MESSAGE("SIGKILLs: " << kills << ", of which mid-write: " << mid_write << "; checkpoints loaded: " << loads
                       << "; epochs saved: " << last_epoch);
  CHECK(kills >= 20);
  CHECK(mid_write >= 1);
  CHECK(last_epoch >= 1);

  // Resume continues: one more epoch, then a clean exit with no temporaries left.
  const programs::Run r = programs::run(
      "tiny_vae", {"--resume", ckpt, "--out", dir.path.string(), "--train-limit", "256", "--test-limit", "32",
                   "--batch-size", "64", "--threads", "1", "--epochs", std::to_string(last_epoch + 1), "--no-progress"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.err.find("after epoch " + std::to_string(last_epoch)) != std::string::npos);
  CHECK(r.out.find("epoch " + std::to_string(last_epoch + 1) + " ") == 0);
  CHECK(temporaries_in(dir.path) == 0);
}
