// distill — knowledge distillation on Fashion-MNIST (Hinton, Vinyals & Dean 2015):
// a small student learns from a large teacher's softened predictions with
// kl_div, the most common use of KLDivLoss in practice.
//
//   distill teacher                      trains the teacher MLP (784-512-512-10, ReLU, dropout)
//                                        on the labels; writes DIR/teacher.npz
//   distill student --teacher T.npz      trains the student (784-64-10) twice from the same
//                                        seed: on the labels alone (the baseline) and with
//                                        alpha T^2 KL(P_teacher || Q_student) + (1 - alpha) CE
//                                        (losses/distill.hpp); writes DIR/baseline.npz, DIR/student.npz
// After each epoch one line
//   epoch <e> model <m> train_loss <x> test_acc <a> test_nll <n> agreement <g> kl <k> epoch_s <s> samples_per_s <r>
// (test_acc in percent; for the students, agreement: same top class as the teacher, percent,
// and kl: KL(P_teacher || Q_student) at temperature T per image), the same rows in DIR/metrics.csv, and at the end of `student`
//   result teacher|baseline|distilled acc <percent> nll <nats per image>
// Every file is written atomically: a kill never leaves a half-written one.
// Errors: one line on stderr naming the problem and the fix, exit code 2.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "training.hpp"

#include "klgrad/klgrad.hpp"
#include "klgrad/models/classifier.hpp"

using namespace klgrad;

namespace {

struct Options {
  std::string data = default_fashion_mnist_dir(), out = "distill_out", resume, teacher, hidden;
  long epochs = 5, batch_size = 128, seed = 1, train_limit = 0, test_limit = 0;
  long threads = std::max(1u, std::thread::hardware_concurrency());
  double lr = 1e-3, dropout = 0, temperature = 4, alpha = 0.9;
  bool log_target = false, no_baseline = false, no_progress = false, detect_anomaly = false;
};

// "512,512" -> {512, 512}; each a whole number >= 1.
std::vector<std::size_t> parse_hidden(const std::string& text) {
  std::vector<std::size_t> sizes;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    long long v = 0;
    const std::string problem = read_integer(item, v);
    KLGRAD_CHECK(problem.empty(), "--hidden: '" + item + "' " + problem + " (sizes separated by commas, e.g. 512,512)");
    KLGRAD_CHECK(v >= 1 && v <= 65536, "--hidden: each size must be in [1, 65536], got " + item);
    sizes.push_back(static_cast<std::size_t>(v));
  }
  KLGRAD_CHECK(!text.empty() && text.back() != ',' && !sizes.empty(),
               "--hidden: '" + text + "' is not a list of sizes; give them separated by commas, e.g. 512,512");
  return sizes;
}

void check_common(const Options& o) {
  const auto at_least = [](long v, const char* flag, long lo) {
    KLGRAD_CHECK(v >= lo, std::string(flag) + " must be >= " + std::to_string(lo) + ", got " + std::to_string(v));
  };
  at_least(o.epochs, "--epochs", 0);
  at_least(o.batch_size, "--batch-size", 1);
  at_least(o.train_limit, "--train-limit", 0);
  at_least(o.test_limit, "--test-limit", 0);
  at_least(o.threads, "--threads", 1);
  at_least(o.seed, "--seed", 0);
  KLGRAD_CHECK(std::isfinite(o.lr) && o.lr > 0, "--lr must be a finite number > 0, got " + number_str(o.lr));
  KLGRAD_CHECK(o.dropout >= 0 && o.dropout < 1, "--dropout must be in [0, 1), got " + number_str(o.dropout));
}

ClassifierConfig config_of(const Options& o) {
  ClassifierConfig c;
  c.hidden = parse_hidden(o.hidden);
  c.dropout = o.dropout;
  c.batch_size = static_cast<std::size_t>(o.batch_size);
  c.lr = o.lr;
  c.seed = static_cast<std::uint64_t>(o.seed);
  return c;
}

void make_out(const std::string& out) {
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  KLGRAD_CHECK(!ec && std::filesystem::is_directory(out), "--out: cannot create folder '" + out + "': " + ec.message());
}

// metrics.csv keeps the rows of the models this run does not train (a teacher's
// rows survive a student run) and replaces those it does.
void write_metrics(const std::string& out, const std::vector<std::pair<std::string, const ClassifierTrainer*>>& models) {
  const std::string path = out + "/metrics.csv", header = "model,epoch,train_loss,test_acc,test_nll,agreement,kl,epoch_s,samples_per_s";
  std::ostringstream s;
  s.precision(10);
  s << header << '\n';
  std::ifstream old(path);
  for (std::string line; std::getline(old, line);) {
    const std::string model = line.substr(0, line.find(','));
    bool mine = line == header;
    for (const auto& m : models) mine = mine || model == m.first;
    if (!mine && !line.empty()) s << line << '\n';
  }
  for (const auto& [name, t] : models)
    for (const ClassifierEpoch& m : t->history()) {
      s << name << ',' << m.epoch << ',' << m.train_loss << ',' << 100 * m.test.accuracy << ',' << m.test.nll << ',';
      if (name != "teacher") s << 100 * m.test.agreement << ',' << m.test.kl;
      else s << ',';  // no teacher to agree with
      s << ',' << m.epoch_s << ',' << m.samples_per_s << '\n';
    }
  const std::string text = s.str();
  write_file_atomic(path, std::vector<std::uint8_t>(text.begin(), text.end()), "metrics.csv");
}

// Agreement and kl only where there is a teacher to compare with (not for the teacher itself).
void print_epoch(const std::string& model, const ClassifierEpoch& m) {
  std::printf("epoch %ld model %s train_loss %.4f test_acc %.2f test_nll %.4f", m.epoch, model.c_str(), m.train_loss,
              100 * m.test.accuracy, m.test.nll);
  if (model != "teacher") std::printf(" agreement %.2f kl %.4f", 100 * m.test.agreement, m.test.kl);
  std::printf(" epoch_s %.3f samples_per_s %.0f\n", m.epoch_s, m.samples_per_s);
  std::fflush(stdout);
}

// Trains `t` to o.epochs, saving it to `file` and the metrics after every epoch.
void train(ClassifierTrainer& t, const std::string& model, const std::string& file, const Options& o,
           const klgrad_cli::Splits& data, const Array<float>& teacher_train, const Array<float>& teacher_test,
           const DistillConfig& d, std::vector<std::pair<std::string, const ClassifierTrainer*>>& done) {
  done.emplace_back(model, &t);
  for (long e = t.epochs_done() + 1; e <= o.epochs; ++e) {
    klgrad_cli::Progress progress(e, !o.no_progress, model);
    const ClassifierEpoch m = t.run_epoch(data.train.images, data.train.labels, data.test.images, data.test.labels,
                                          teacher_train, teacher_test, d, std::ref(progress));
    print_epoch(model, m);
    t.save(o.out + "/" + file);
    write_metrics(o.out, done);
  }
}

int run_teacher(const Options& o) {
  check_common(o);
  const ClassifierConfig c = config_of(o);
  set_num_threads(static_cast<int>(o.threads));
  const klgrad_cli::Splits data = klgrad_cli::load_splits(o.data, o.train_limit, o.test_limit);
  ClassifierTrainer t(c, data.train.images.image_size(), 10);
  if (!o.resume.empty()) {
    try {
      t.load(o.resume);
    } catch (const CheckpointMismatch& e) {
      throw DataError("--resume " + std::string(e.what()) + "; pass the --hidden it was trained with");
    } catch (const DataError& e) {
      throw DataError(std::string("--resume: ") + e.what());
    }
    std::fprintf(stderr, "resumed from %s after epoch %ld\n", o.resume.c_str(), t.epochs_done());
  }
  make_out(o.out);
  DetectAnomaly anomaly(o.detect_anomaly);
  std::vector<std::pair<std::string, const ClassifierTrainer*>> done;
  train(t, "teacher", "teacher.npz", o, data, no_teacher(), no_teacher(), DistillConfig{}, done);
  return 0;
}

int run_student(const Options& o) {
  check_common(o);
  KLGRAD_CHECK(std::isfinite(o.temperature) && o.temperature > 0,
               "--temperature must be a finite number > 0, got " + number_str(o.temperature));
  KLGRAD_CHECK(o.alpha >= 0 && o.alpha <= 1, "--alpha must be in [0, 1], got " + number_str(o.alpha));
  const ClassifierConfig c = config_of(o);
  set_num_threads(static_cast<int>(o.threads));
  const klgrad_cli::Splits data = klgrad_cli::load_splits(o.data, o.train_limit, o.test_limit);
  std::unique_ptr<ClassifierTrainer> teacher;
  try {
    teacher = ClassifierTrainer::from_checkpoint(o.teacher);
  } catch (const DataError& e) {
    throw DataError(std::string("--teacher: ") + e.what());
  }
  const std::size_t input = data.train.images.image_size(), classes = teacher->sizes().back();
  KLGRAD_CHECK(teacher->sizes().front() == input, "--teacher " + o.teacher + ": the teacher takes " +
                                                      std::to_string(teacher->sizes().front()) + " pixels per image, --data has " +
                                                      std::to_string(input) + "; use a teacher trained on this data");
  KLGRAD_CHECK(classes == 10, "--teacher " + o.teacher + ": the teacher has " + std::to_string(classes) +
                                  " classes, Fashion-MNIST 10; use a teacher written by `distill teacher`");
  make_out(o.out);
  DetectAnomaly anomaly(o.detect_anomaly);
  DistillConfig d;
  d.temperature = o.temperature;
  d.alpha = o.alpha;
  d.log_target = o.log_target;
  const Array<float> teacher_train = teacher->logits(data.train.images), teacher_test = teacher->logits(data.test.images);
  const ClassifierEval te = teacher->evaluate(data.test.images, data.test.labels, teacher_test, d);

  std::vector<std::pair<std::string, const ClassifierTrainer*>> done;
  std::unique_ptr<ClassifierTrainer> baseline;
  if (!o.no_baseline && o.alpha > 0) {  // alpha 0 is the baseline itself
    baseline = std::make_unique<ClassifierTrainer>(c, input, classes);
    train(*baseline, "baseline", "baseline.npz", o, data, no_teacher(), teacher_test, d, done);
  }
  ClassifierTrainer student(c, input, classes);
  const std::string name = o.alpha > 0 ? "distilled" : "baseline";
  train(student, name, "student.npz", o, data, o.alpha > 0 ? teacher_train : no_teacher(), teacher_test, d, done);

  const auto result = [](const char* model, const ClassifierEval& e) {
    std::printf("result %s acc %.2f nll %.4f\n", model, 100 * e.accuracy, e.nll);
  };
  result("teacher", te);
  if (baseline) result("baseline", baseline->evaluate(data.test.images, data.test.labels, teacher_test, d));
  result(name.c_str(), student.evaluate(data.test.images, data.test.labels, teacher_test, d));
  return 0;
}

// The options both subcommands take, with their own defaults.
void add_common(CLI::App& app, Options& o) {
  app.add_option("--data", o.data, "Folder with MNIST-format files ({train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz])")->capture_default_str();
  app.add_option("--epochs", o.epochs, "Train until this many epochs are done")->capture_default_str();
  app.add_option("--batch-size", o.batch_size, "Images per training step")->capture_default_str();
  app.add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
  app.add_option("--hidden", o.hidden, "Hidden layer sizes, separated by commas")->capture_default_str();
  app.add_option("--dropout", o.dropout, "Dropout probability after each hidden layer, in training")->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of initialization, data order and dropout")->capture_default_str();
  app.add_option("--train-limit", o.train_limit, "Use only the first N training images (0: all)")->capture_default_str();
  app.add_option("--test-limit", o.test_limit, "Use only the first N test images (0: all)")->capture_default_str();
  app.add_option("--threads", o.threads, "BLAS threads")->capture_default_str();
  app.add_option("--out", o.out, "Output folder (created if missing)")->capture_default_str();
  app.add_flag("--no-progress", o.no_progress, "No progress bar");
  app.add_flag("--detect-anomaly", o.detect_anomaly, "Stop at the first op that produces NaN or inf, naming it");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"distill: knowledge distillation on Fashion-MNIST with klgrad (Hinton et al. 2015).\n"
               "First `distill teacher`, then `distill student --teacher DIR/teacher.npz`."};
  app.require_subcommand(1);
  Options teacher_o, student_o;
  teacher_o.hidden = "512,512";
  teacher_o.dropout = 0.2;
  student_o.hidden = "64";
  CLI::App* teacher = app.add_subcommand("teacher", "Train the teacher on the labels (cross-entropy); writes DIR/teacher.npz");
  add_common(*teacher, teacher_o);
  teacher->add_option("--resume", teacher_o.resume, "Continue from this teacher.npz (same --hidden)");
  CLI::App* student = app.add_subcommand(
      "student", "Train the student on the labels alone (baseline) and distilled from the teacher; writes DIR/student.npz");
  add_common(*student, student_o);
  student->add_option("--teacher", student_o.teacher, "The teacher.npz written by `distill teacher`")->required();
  student->add_option("--temperature", student_o.temperature, "Softening temperature T of both softmaxes")->capture_default_str();
  student->add_option("--alpha", student_o.alpha, "Weight of the distillation term (0: labels only)")->capture_default_str();
  student->add_flag("--log-target", student_o.log_target, "Pass the teacher's log-probabilities to kl_div with log_target=true");
  student->add_flag("--no-baseline", student_o.no_baseline, "Do not train the labels-only baseline");
  // The command first: CLI11 alone would answer "A subcommand is required" to `distill --lr 1` or `distill coach`.
  const std::string first = argc > 1 ? argv[1] : "";
  if (first != "teacher" && first != "student" && first != "--help" && first != "-h") {
    std::fprintf(stderr, "distill: %s; the first word is the command, teacher or student (see distill --help)\n",
                 first.empty() ? "no command given" : ("unknown command '" + first + "'").c_str());
    return 2;
  }
  if (const int code = klgrad_cli::parse(app, argc, argv, "distill"); code >= 0) return code;
  return klgrad_cli::run("distill", [&] { return teacher->parsed() ? run_teacher(teacher_o) : run_student(student_o); });
}
