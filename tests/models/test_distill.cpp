// Distillation (losses/distill.hpp, models/mlp.hpp, models/classifier.hpp):
// the loss and its gradient against PyTorch 1.13 (tests/golden/distill.txt),
// the T -> infinity logit-matching limit of Hinton et al. (closed form),
// dropout's statistics, and the classifier trainer's learning, checkpoints and
// exact resume. Small synthetic images keep it fast.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "klgrad/klgrad.hpp"
#include "klgrad/losses/distill.hpp"
#include "klgrad/models/classifier.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

std::vector<std::int64_t> labels_of(const Array<double>& a) {
  std::vector<std::int64_t> y;
  for (double v : a) y.push_back(static_cast<std::int64_t>(v));
  return y;
}

bool close(double a, double b, double rtol) { return std::abs(a - b) <= 1e-12 + rtol * std::abs(b); }

// n images of 8x8: class c (0..3) is a bright bar in row 2c or column 2c, with speckle.
struct Toy {
  Images images;
  Labels labels;
};
Toy toy(std::size_t n, std::uint32_t seed) {
  Toy t;
  t.images.count = n;
  t.images.rows = t.images.cols = 8;
  t.images.pixels.assign(n * 64, 0);
  std::uint32_t state = seed;
  for (std::size_t i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    const std::size_t c = (state >> 16) % 4;
    t.labels.values.push_back(static_cast<std::uint8_t>(c));
    for (std::size_t r = 0; r < 8; ++r)
      for (std::size_t col = 0; col < 8; ++col) {
        state = state * 1664525u + 1013904223u;
        const bool on = c < 2 ? r == 2 * c + 1 : col == 2 * (c - 2) + 1;
        t.images.pixels[i * 64 + r * 8 + col] = static_cast<std::uint8_t>(on ? 220 : (state >> 27));
      }
  }
  return t;
}

}  // namespace

TEST_CASE("distillation_loss and its gradient equal PyTorch 1.13 (every T, alpha and log_target)") {
  const golden::File& f = golden::file("distill.txt");
  const Array<double> s0 = f.get<double>("student_logits"), t0 = f.get<double>("teacher_logits");
  const std::vector<std::int64_t> y = labels_of(f.get<double>("labels"));
  int cases = 0;
  for (double T : {1.0, 4.0, 20.0})
    for (double alpha : {0.0, 0.5, 0.9, 1.0})
      for (bool log_target : {false, true}) {
        char key[64];
        std::snprintf(key, sizeof key, "T%g/alpha%g/%s/", T, alpha, log_target ? "logt" : "prob");
        INFO(key);
        Tape<double> tape;
        const Tensor<double> s = tape.variable(s0), t = tape.constant(t0);
        const Tensor<double> loss = distillation_loss(s, t, y, T, alpha, log_target);
        loss.backward();
        CHECK(close(loss.item(), f.scalar(std::string(key) + "loss"), 1e-10));
        const Array<double> want = f.get<double>(std::string(key) + "grad_student");
        for (std::size_t i = 0; i < want.size(); ++i) CHECK(close(s.grad().flat(i), want.flat(i), 1e-10));
        ++cases;
      }
  CHECK(cases == 24);
}

TEST_CASE("distillation: the gradient tends to (s - t) / (K N) as T grows, for zero-mean logits (logit matching)") {
  // d(T^2 KL)/ds = T (softmax(s / T) - softmax(t / T)) / N, and softmax(z / T) = (1 + z / T) / K + O(1/T^2)
  // for zero-mean z, so the gradient is (s - t) / (K N) + O(1 / T).
  Generator gen(3);
  const std::size_t n = 4, k = 6;
  Array<double> s0 = gen.normal<double>({n, k}), t0 = gen.normal<double>({n, k});
  for (Array<double>* z : {&s0, &t0})  // zero mean per row
    for (std::size_t i = 0; i < n; ++i) {
      double mean = 0;
      for (std::size_t j = 0; j < k; ++j) mean += (*z)(i, j) / static_cast<double>(k);
      for (std::size_t j = 0; j < k; ++j) (*z)(i, j) -= mean;
    }
  const Array<double> limit = (s0 - t0) / static_cast<double>(k * n);
  double previous = 1e300;
  for (double T : {10.0, 100.0, 1000.0}) {
    Tape<double> tape;
    const Tensor<double> s = tape.variable(s0);
    distillation_kl(s, tape.constant(t0), T).backward();
    const double err = xt::amax(xt::abs(s.grad() - limit))() / xt::amax(xt::abs(limit))();
    INFO("T " << T << ": relative distance to the limit " << err);
    CHECK(err < 2.0 / T);      // O(1/T)
    CHECK(err < previous / 5);  // and shrinking with T
    previous = err;
  }
}

TEST_CASE("distillation: errors name the parameter") {
  Tape<double> tape;
  const Tensor<double> s = tape.variable(Array<double>::from_shape({2, 3})), t = tape.constant(Array<double>::from_shape({2, 3}));
  CHECK_THROWS_WITH_AS(distillation_loss(s, t, {0, 1}, 0.0, 0.5), doctest::Contains("temperature"), Error);
  CHECK_THROWS_WITH_AS(distillation_loss(s, t, {0, 1}, 2.0, 1.5), doctest::Contains("alpha must be in [0, 1]"), Error);
  const Tensor<double> wrong = tape.constant(Array<double>::from_shape({2, 4}));
  CHECK_THROWS_WITH_AS(distillation_kl(s, wrong, 2.0), doctest::Contains("(N, K)"), Error);
}

TEST_CASE("dropout keeps a unit with probability 1 - p and scales it by 1 / (1 - p): the mean is unchanged") {
  Generator gen(5);
  Tape<double> tape;
  const std::size_t n = 100000;
  const double p = 0.3;
  Array<double> ones = Array<double>::from_shape({n});
  ones.fill(1.0);
  const Tensor<double> x = tape.variable(ones);
  const Tensor<double> y = dropout(x, p, gen);
  std::size_t zeros = 0;
  for (double v : y.value()) {
    zeros += v == 0;
    CHECK((v == 0 || std::abs(v - 1 / (1 - p)) < 1e-15));
  }
  const double kept = 1 - static_cast<double>(zeros) / static_cast<double>(n), se = std::sqrt(p * (1 - p) / static_cast<double>(n));
  CHECK(std::abs(kept - (1 - p)) < 5 * se);
  sum(y).backward();  // the gradient is the mask / (1 - p)
  for (std::size_t i = 0; i < 100; ++i) CHECK(x.grad()(i) == y.value()(i));
  CHECK_THROWS_WITH_AS(dropout(x, 1.0, gen), doctest::Contains("p must be in [0, 1)"), Error);
}

TEST_CASE("MLP: dropout only in training; evaluation is deterministic") {
  Generator init(1), drop(2);
  MLP<double> mlp({8, 16, 3}, 0.5, init);
  Tape<double> tape;
  const Tensor<double> x = tape.constant(init.normal<double>({4, 8}));
  const Array<double> a = mlp.forward(tape, x).value(), b = mlp.forward(tape, x).value();
  CHECK(a == b);
  const Array<double> c = mlp.forward(tape, x, &drop).value();
  CHECK(c != a);
  CHECK(mlp.parameters().size() == 4);
  CHECK(mlp.parameters()[2]->name == "fc2.weight");
  CHECK_THROWS_WITH_AS(mlp.forward(tape, tape.constant(Array<double>::from_shape({4, 7}))), doctest::Contains("(N, 8)"), Error);
}

TEST_CASE("ClassifierTrainer: learns a toy task from labels, and a student learns it from the teacher's logits alone") {
  const Toy train = toy(512, 1), test = toy(256, 2);
  ClassifierConfig c;
  c.hidden = {32};
  c.dropout = 0.1;
  c.batch_size = 32;
  c.lr = 3e-3;
  ClassifierTrainer teacher(c, 64, 4);
  for (int e = 0; e < 6; ++e) teacher.train_epoch(train.images, train.labels, no_teacher(), DistillConfig{});
  const ClassifierEval te = teacher.evaluate(test.images, test.labels, no_teacher(), DistillConfig{});
  CHECK(te.accuracy > 0.95);
  // Pure distillation (alpha = 1): the labels are never used, only the teacher's softened predictions.
  DistillConfig d;
  d.alpha = 1.0;
  d.temperature = 2.0;
  ClassifierConfig sc = c;
  sc.hidden = {8};
  sc.dropout = 0;
  sc.seed = 9;
  ClassifierTrainer student(sc, 64, 4);
  const Array<float> t_train = teacher.logits(train.images), t_test = teacher.logits(test.images);
  const double kl0 = student.evaluate(test.images, test.labels, t_test, d).kl;
  for (int e = 0; e < 6; ++e) student.train_epoch(train.images, train.labels, t_train, d);
  const ClassifierEval se = student.evaluate(test.images, test.labels, t_test, d);
  INFO("teacher acc " << te.accuracy << ", student acc " << se.accuracy << " agreement " << se.agreement << " kl " << kl0
                      << " -> " << se.kl);
  CHECK(se.agreement > 0.9);
  CHECK(se.accuracy > 0.9);
  CHECK(se.kl < kl0 / 5);
}

TEST_CASE("ClassifierTrainer: a checkpoint resumes exactly; from_checkpoint rebuilds the model; bad files are DataErrors") {
  const Toy train = toy(128, 3), test = toy(64, 4);
  ClassifierConfig c;
  c.hidden = {16, 8};
  c.batch_size = 16;
  c.seed = 4;
  const std::string path = (std::filesystem::temp_directory_path() / "klgrad_test_classifier.npz").string();
  ClassifierTrainer a(c, 64, 4);
  a.run_epoch(train.images, train.labels, test.images, test.labels, no_teacher(), no_teacher(), DistillConfig{});
  a.save(path);
  a.run_epoch(train.images, train.labels, test.images, test.labels, no_teacher(), no_teacher(), DistillConfig{});
  ClassifierTrainer b(c, 64, 4);
  b.load(path);
  CHECK(b.epochs_done() == 1);
  b.run_epoch(train.images, train.labels, test.images, test.labels, no_teacher(), no_teacher(), DistillConfig{});
  CHECK(b.history().back().train_loss == a.history().back().train_loss);  // bit for bit
  CHECK(b.logits(test.images) == a.logits(test.images));

  const auto rebuilt = ClassifierTrainer::from_checkpoint(path);
  CHECK(rebuilt->sizes() == std::vector<std::size_t>{64, 16, 8, 4});
  CHECK(rebuilt->config().seed == 4);

  ClassifierConfig other = c;
  other.hidden = {16};
  ClassifierTrainer d(other, 64, 4);
  CHECK_THROWS_WITH_AS(d.load(path), doctest::Contains("layer sizes (64, 16, 8, 4)"), CheckpointMismatch);
  // Another program's checkpoint, a damaged tensor: one line naming the file and the entry.
  {
    std::vector<std::pair<std::string, NpyArray>> e{{"format", text_entry("klgrad-vae-checkpoint-1")}};
    write_npz(path, e);
    CHECK_THROWS_WITH_AS(ClassifierTrainer::from_checkpoint(path), doctest::Contains("checkpoint format 'klgrad-vae-checkpoint-1'"), DataError);
    write_npz(path, {{"x", to_npy(Array<float>{1.0f})}});
    CHECK_THROWS_WITH_AS(ClassifierTrainer::from_checkpoint(path), doctest::Contains("not a klgrad classifier checkpoint"), DataError);
  }
  {
    a.save(path);
    auto f = read_npz(path);
    std::vector<std::pair<std::string, NpyArray>> e;
    for (auto& [k, v] : f) e.emplace_back(k, k == "fc2.weight" ? to_npy(Array<float>::from_shape({3, 3})) : v);
    write_npz(path, e);
    CHECK_THROWS_WITH_AS(ClassifierTrainer::from_checkpoint(path), doctest::Contains("'fc2.weight' has shape (3, 3)"), DataError);
  }
  std::filesystem::remove(path);
}
