// distill as a user runs it, on the first Fashion-MNIST images: the teacher's
// and the students' epoch lines, the result table, the files, metrics.csv
// keeping the teacher's rows after a student run, and exact --resume.
// (Its bad input is in the sweep, tests/apps/test_bad_input.cpp.)
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "klgrad/data/idx.hpp"
#include "support/programs.hpp"

namespace fs = std::filesystem;

namespace {

using programs::Run;

Run distill(const std::string& args) { return programs::run_line("distill", args); }

std::string temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("klgrad_distill_" + name);
  fs::remove_all(d);
  return d.string();
}

std::string without_timing(const std::string& out) {
  static const std::regex timing(" epoch_s \\S+ samples_per_s \\S+");
  return std::regex_replace(out, timing, "");
}

const std::string small = " --train-limit 512 --test-limit 256 --threads 1 --no-progress";

bool have_data() { return fs::exists(std::string(klgrad::default_fashion_mnist_dir()) + "/train-images-idx3-ubyte.gz"); }

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("distill: teacher, then student: epoch lines, the result table, the files" * doctest::skip(!programs::have_apps)) {
  if (!have_data()) {
    MESSAGE("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist): skipped");
    return;
  }
  const std::string out = temp_dir("run");
  const Run t = distill("teacher --epochs 1 --hidden 64 --out " + out + small);
  REQUIRE_MESSAGE(t.code == 0, t.err);
  CHECK_MESSAGE(std::regex_match(t.out, std::regex("epoch 1 model teacher train_loss [0-9.]+ test_acc [0-9.]+ test_nll [0-9.]+ "
                                                   "epoch_s [0-9.]+ samples_per_s [0-9]+\n")),
                t.out);
  const Run s = distill("student --teacher " + out + "/teacher.npz --epochs 1 --hidden 16 --out " + out + small);
  REQUIRE_MESSAGE(s.code == 0, s.err);
  const std::string num = "[0-9.]+";
  const std::regex lines("epoch 1 model baseline train_loss " + num + " test_acc " + num + " test_nll " + num + " agreement " +
                         num + " kl " + num + " epoch_s " + num + " samples_per_s [0-9]+\n"
                         "epoch 1 model distilled train_loss " + num + " test_acc " + num + " test_nll " + num +
                         " agreement " + num + " kl " + num + " epoch_s " + num + " samples_per_s [0-9]+\n"
                         "result teacher acc " + num + " nll " + num + "\n"
                         "result baseline acc " + num + " nll " + num + "\n"
                         "result distilled acc " + num + " nll " + num + "\n");
  CHECK_MESSAGE(std::regex_match(s.out, lines), s.out);
  // The teacher line of the table is the teacher's own last epoch, evaluated again.
  std::smatch m;
  REQUIRE(std::regex_search(t.out, m, std::regex("test_acc ([0-9.]+) test_nll ([0-9.]+)")));
  CHECK(s.out.find("result teacher acc " + m[1].str() + " nll " + m[2].str()) != std::string::npos);
  for (const char* f : {"teacher.npz", "baseline.npz", "student.npz", "metrics.csv"})
    CHECK_MESSAGE(fs::file_size(out + "/" + f) > 0, f);
  const std::string csv = read_text(out + "/metrics.csv");
  CHECK(csv.rfind("model,epoch,train_loss,test_acc,test_nll,agreement,kl,epoch_s,samples_per_s\nteacher,1,", 0) == 0);
  CHECK(csv.find("\nbaseline,1,") != std::string::npos);
  CHECK(csv.find("\ndistilled,1,") != std::string::npos);
  for (const auto& e : fs::directory_iterator(out))  // no temporary left behind
    CHECK_MESSAGE(e.path().string().find(".tmp") == std::string::npos, e.path().string());
  fs::remove_all(out);
}

TEST_CASE("distill: teacher --resume continues exactly where an uninterrupted run would be" * doctest::skip(!programs::have_apps)) {
  if (!have_data()) return;
  const std::string a = temp_dir("straight"), b = temp_dir("resumed");
  const std::string args = " --hidden 32 --dropout 0.3" + small;
  const Run straight = distill("teacher --epochs 2 --out " + a + args);
  REQUIRE_MESSAGE(straight.code == 0, straight.err);
  const Run first = distill("teacher --epochs 1 --out " + b + args);
  REQUIRE_MESSAGE(first.code == 0, first.err);
  const Run second = distill("teacher --epochs 2 --resume " + b + "/teacher.npz --out " + b + args);
  REQUIRE_MESSAGE(second.code == 0, second.err);
  CHECK(without_timing(first.out + second.out) == without_timing(straight.out));
  fs::remove_all(a);
  fs::remove_all(b);
}
