// The VAE: its closed-form KL against the distributions library, training,
// checkpoints and exact resume. Small synthetic images keep it fast.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "klgrad/klgrad.hpp"
#include "klgrad/models/vae_trainer.hpp"

using namespace klgrad;

namespace {

// n images of 8x8 pixels: a bright square at a position that depends on i,
// plus deterministic speckle, so there is something to learn.
Images synthetic_images(std::size_t n) {
  Images im;
  im.count = n;
  im.rows = im.cols = 8;
  im.pixels.assign(n * 64, 0);
  std::uint32_t state = 12345;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t r0 = i % 5, c0 = (i / 5) % 5;
    for (std::size_t r = 0; r < 8; ++r)
      for (std::size_t c = 0; c < 8; ++c) {
        state = state * 1664525u + 1013904223u;
        const bool on = r >= r0 && r < r0 + 3 && c >= c0 && c < c0 + 3;
        im.pixels[i * 64 + r * 8 + c] = static_cast<std::uint8_t>(on ? 230 : (state >> 28));
      }
  }
  return im;
}

VaeConfig small_config() {
  VaeConfig c;
  c.hidden = 32;
  c.latent = 4;
  c.batch_size = 16;
  c.lr = 1e-2;
  c.seed = 7;
  return c;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("klgrad_test_vae_" + name)).string();
}

}  // namespace

TEST_CASE("VAE KL in closed form equals the sum of kl_divergence(Normal(mu, sigma), Normal(0, 1))") {
  const Array<double> mu{{0.3, -1.2, 0.0}, {2.0, 0.5, -0.7}};
  const Array<double> logvar{{0.1, -0.5, 1.3}, {-2.0, 0.0, 0.4}};
  Tape<double> tape;
  auto m = tape.variable(mu), lv = tape.variable(logvar);
  const double closed = gaussian_kl_to_standard(m, lv).item();
  Normal<double> q(m, exp(lv * 0.5));
  Normal<double> prior(tape.constant(0.0), tape.constant(1.0));
  const double via_registry = sum(kl_divergence(q, prior)).item();
  CHECK(closed == doctest::Approx(via_registry).epsilon(1e-12));
  auto r = gradcheck([](std::vector<Tensor<double>>& v) { return gaussian_kl_to_standard(v[0], v[1]); }, {mu, logvar});
  CHECK_MESSAGE(r.ok, r.message);
}

TEST_CASE("VAE training lowers the loss within a few epochs") {
  const Images train = synthetic_images(160), test = synthetic_images(48);
  VaeTrainer t(small_config(), 64);
  const double before = t.evaluate(test).loss;
  for (int e = 0; e < 4; ++e) t.run_epoch(train, test);
  const auto& h = t.history();
  CHECK(h.size() == 4);
  CHECK(h.back().test_loss < 0.9 * before);
  CHECK(h.back().train_loss < h.front().train_loss);
  CHECK(h.back().test_loss == doctest::Approx(h.back().recon + h.back().kl).epsilon(1e-6));
  CHECK(h.back().kl > 0);
}

TEST_CASE("VAE checkpoint: save then load restores everything, and resume repeats an uninterrupted run exactly") {
  const Images train = synthetic_images(96), test = synthetic_images(32);
  const std::string path = temp_path("resume.npz");

  VaeTrainer straight(small_config(), 64);
  straight.run_epoch(train, test);
  straight.run_epoch(train, test);

  VaeTrainer first(small_config(), 64);
  first.run_epoch(train, test);
  first.save(path);
  VaeTrainer resumed(small_config(), 64);
  resumed.load(path);
  CHECK(resumed.epochs_done() == 1);
  CHECK(resumed.generator() == first.generator());
  resumed.run_epoch(train, test);

  CHECK(resumed.history()[1].train_loss == straight.history()[1].train_loss);
  CHECK(resumed.history()[1].test_loss == straight.history()[1].test_loss);
  auto a = straight.model().parameters(), b = resumed.model().parameters();
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i]->value == b[i]->value);
  std::remove(path.c_str());
}

TEST_CASE("VAE checkpoint: a foreign file, other sizes or a damaged file are one clear DataError") {
  const std::string path = temp_path("bad.npz");
  write_npz(path, {{"weights", to_npy(Array<float>{1.0f, 2.0f})}});
  VaeTrainer t(small_config(), 64);
  CHECK_THROWS_WITH_AS(t.load(path), doctest::Contains("not a klgrad VAE checkpoint"), DataError);

  VaeTrainer other([] { auto c = small_config(); c.latent = 6; return c; }(), 64);
  other.save(path);
  CHECK_THROWS_WITH_AS(t.load(path), doctest::Contains("latent 6 but this model has 4"), DataError);

  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fputs("not a zip file at all", f);
  std::fclose(f);
  CHECK_THROWS_AS(t.load(path), DataError);
  CHECK(t.epochs_done() == 0);  // a failed load changes nothing
  std::remove(path.c_str());
}

TEST_CASE("VAE checkpoint: the fuzzers' findings stay fixed (tests/fuzz/corpus/checkpoint/regression_*.npz)") {
  // Each is the tiny seed checkpoint (input 4, hidden 3, latent 2) with one entry made hostile:
  // config NaN or 1e300, a history epoch of 1e300, an empty epoch array. Each once reached
  // undefined behaviour in load(); now each must be one DataError, leaving the trainer as it was.
  VaeConfig c;
  c.hidden = 3;
  c.latent = 2;
  const std::filesystem::path dir = std::filesystem::path(KLGRAD_SOURCE_DIR) / "tests/fuzz/corpus/checkpoint";
  int regressions = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    VaeTrainer t(c, 4);
    INFO(name);
    if (name.rfind("regression_", 0) == 0) {
      ++regressions;
      CHECK_THROWS_AS(t.load(e.path().string()), DataError);
      CHECK(t.epochs_done() == 0);
    } else {
      CHECK_NOTHROW(t.load(e.path().string()));  // the valid seeds
    }
  }
  CHECK(regressions == 4);
}
