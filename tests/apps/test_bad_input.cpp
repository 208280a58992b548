// The bad-input sweep: every program, fed the mistakes students make. Each must
// answer with exactly one line on stderr, "<program>: <the problem and the fix>",
// exit code 2, no signal, nothing on stdout, no output file left behind, and a
// checkpoint already saved in the output folder untouched.
//
// Covered, for every program in apps/ (distill: both subcommands): unknown flags, malformed numbers, numbers
// a double cannot hold (1e-400 would be read as 0, 1e999 as inf) and integers that
// overflow, in flags, lists and files; NaN/inf, empty lists and values, wrong lengths,
// negative or unnormalized targets, unknown names, out-of-range values; missing,
// folder, unreadable and endless --target-file, an empty standard input; missing,
// empty, truncated, corrupt and inconsistent dataset files (plain and gzip);
// missing, empty, truncated, corrupt and foreign checkpoints.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

#include "support/idx_files.hpp"
#include "support/programs.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

using programs::have_apps;

using files::Bytes;
using files::read;
using files::write;
using idx_files::images;
using idx_files::labels;

// A valid small dataset: 64 training and 16 test images of 28x28, uncompressed.
void write_dataset(const fs::path& dir) {
  fs::create_directories(dir);
  write(dir / "train-images-idx3-ubyte", images(64, 28, 28));
  write(dir / "train-labels-idx1-ubyte", labels(64));
  write(dir / "t10k-images-idx3-ubyte", images(16, 28, 28));
  write(dir / "t10k-labels-idx1-ubyte", labels(16));
}

struct Case {
  std::string program;
  std::vector<std::string> args;
  std::string expect;  // part of the message: names the problem
};

// Every file in `dir` with its bytes.
std::vector<std::pair<std::string, Bytes>> snapshot(const fs::path& dir) {
  std::vector<std::pair<std::string, Bytes>> files;
  for (const auto& e : fs::directory_iterator(dir)) files.emplace_back(e.path().filename().string(), read(e.path()));
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("bad-input sweep: every program, every kind of mistake: one line, exit 2, nothing written" *
          doctest::skip(!have_apps)) {
  TempDir tmp("bad_input");
  const fs::path good = tmp.path / "data";
  write_dataset(good);
  const std::string vae_small = "--hidden=8 --latent=2 --batch-size=16 --threads=1 --no-progress --data=" + good.string();

  // A real checkpoint to resume from, and a saved output folder that must survive every failed run.
  const fs::path saved = tmp.path / "saved";
  {
    const programs::Run r = programs::run_line("tiny_vae", vae_small + " --epochs=1 --out=" + saved.string());
    REQUIRE_MESSAGE(r.code == 0, r.err);
  }
  const fs::path ckpt = saved / "checkpoint.npz";
  const auto saved_files = snapshot(saved);
  // distill's saved run: a teacher (every distill case writes into this folder).
  const std::string distill_small = "--hidden=8 --batch-size=16 --threads=1 --no-progress --data=" + good.string();
  const fs::path saved_d = tmp.path / "saved_distill";
  {
    const programs::Run r = programs::run_line("distill", "teacher " + distill_small + " --epochs=1 --out=" + saved_d.string());
    REQUIRE_MESSAGE(r.code == 0, r.err);
  }
  const std::string teacher_ckpt = (saved_d / "teacher.npz").string();
  const auto saved_d_files = snapshot(saved_d);

  // Damaged datasets: each folder is the good one with one thing wrong.
  auto dataset = [&](const std::string& name, const std::function<void(const fs::path&)>& damage) {
    const fs::path d = tmp.path / name;
    write_dataset(d);
    damage(d);
    return d.string();
  };
  const Bytes train_images = images(64, 28, 28);
  const std::string d_missing_file = dataset("no_train_images", [](auto d) { fs::remove(d / "train-images-idx3-ubyte"); });
  const std::string d_empty_file = dataset("empty_file", [](auto d) { write(d / "train-images-idx3-ubyte", {}); });
  const std::string d_truncated = dataset("truncated", [&](auto d) {
    write(d / "train-images-idx3-ubyte", Bytes(train_images.begin(), train_images.begin() + 5000));
  });
  const std::string d_short_header = dataset("short_header", [&](auto d) {
    write(d / "train-images-idx3-ubyte", Bytes(train_images.begin(), train_images.begin() + 7));
  });
  const std::string d_magic = dataset("bad_magic", [&](auto d) {
    Bytes b = train_images;
    b[3] = 0x01;  // 2049: a label file's magic in the images file
    write(d / "train-images-idx3-ubyte", b);
  });
  const std::string d_huge = dataset("huge_count", [&](auto d) {
    Bytes b = train_images;
    b[4] = 0x7f;  // the header claims ~2 billion images
    write(d / "train-images-idx3-ubyte", b);
  });
  const std::string d_count = dataset("label_count", [](auto d) { write(d / "train-labels-idx1-ubyte", labels(63)); });
  const std::string d_shape = dataset("test_shape", [](auto d) { write(d / "t10k-images-idx3-ubyte", images(16, 20, 20)); });
  const std::string d_zero = dataset("zero_images", [](auto d) {
    write(d / "train-images-idx3-ubyte", images(0, 28, 28));
    write(d / "train-labels-idx1-ubyte", labels(0));
  });
  const std::string d_gz_corrupt = dataset("gz_corrupt", [&](auto d) {
    fs::remove(d / "train-images-idx3-ubyte");
    idx_files::write_gz(d / "train-images-idx3-ubyte.gz", train_images);
    Bytes z = read(d / "train-images-idx3-ubyte.gz");
    for (std::size_t i = z.size() / 3; i < z.size() / 3 + 64; ++i) z[i] ^= 0x5a;
    write(d / "train-images-idx3-ubyte.gz", z);
  });
  const std::string d_gz_truncated = dataset("gz_truncated", [&](auto d) {
    fs::remove(d / "train-images-idx3-ubyte");
    idx_files::write_gz(d / "train-images-idx3-ubyte.gz", train_images);
    const Bytes z = read(d / "train-images-idx3-ubyte.gz");
    write(d / "train-images-idx3-ubyte.gz", Bytes(z.begin(), z.begin() + static_cast<long>(z.size() / 2)));
  });
  const std::string d_not_gz = dataset("not_gz", [&](auto d) {
    fs::remove(d / "train-images-idx3-ubyte");
    write(d / "train-images-idx3-ubyte.gz", Bytes{'h', 'e', 'l', 'l', 'o'});
  });
  const std::string d_dir = dataset("dir_not_file", [](auto d) {
    fs::remove(d / "train-images-idx3-ubyte");
    fs::create_directory(d / "train-images-idx3-ubyte");
  });

  // Damaged checkpoints.
  const Bytes ck = read(ckpt);
  const fs::path ck_empty = tmp.path / "empty.npz", ck_trunc = tmp.path / "truncated.npz", ck_flip = tmp.path / "flipped.npz";
  write(ck_empty, {});
  write(ck_trunc, Bytes(ck.begin(), ck.begin() + static_cast<long>(ck.size() / 2)));
  Bytes flipped = ck;
  for (std::size_t i = ck.size() / 2; i < ck.size() / 2 + 16; ++i) flipped[i] ^= 0xff;
  write(ck_flip, flipped);
  const std::string foreign = std::string(KLGRAD_SOURCE_DIR) + "/tests/io/numpy_savez.npz";  // numpy.savez, not klgrad

  const fs::path target_empty = tmp.path / "empty.txt", target_nan = tmp.path / "nan.txt";
  write(target_empty, {});
  auto text_file = [&](const std::string& name, const std::string& text) {
    write(tmp.path / name, Bytes(text.begin(), text.end()));
    return (tmp.path / name).string();
  };
  text_file("nan.txt", "0.5\nnan\n0.5\n");
  const std::string target_tiny = text_file("tiny.txt", "0.5\n0.5\n1e-400\n");
  const std::string target_huge = text_file("huge.txt", "1e999 0 0\n");
  const std::string a_file = text_file("plain.txt", "0.5,0.5\n");

  std::vector<Case> cases = {
      // kl_fit: numbers and lists
      {"kl_fit", {"--target=0.7,abc,0.1"}, "'abc'"},
      {"kl_fit", {"--target=0.7;0.2;0.1"}, "--target"},
      {"kl_fit", {"--target=nan,0.5,0.5"}, "not a finite number"},
      {"kl_fit", {"--target=inf,0,0"}, "not a finite number"},
      {"kl_fit", {"--target=1e999,0,0"}, "--target"},
      {"kl_fit", {"--target="}, "--target"},
      {"kl_fit", {"--target=,"}, "--target"},
      {"kl_fit", {"--target=-0.1,0.6,0.5"}, ">= 0"},
      {"kl_fit", {"--target=0.5,0.5,0.5"}, "normalize"},
      {"kl_fit", {"--target-file=" + target_empty.string()}, "no numbers"},
      {"kl_fit", {"--target-file=" + target_nan.string()}, "not a finite number"},
      {"kl_fit", {"--target-file=/nonexistent/q.txt"}, "/nonexistent/q.txt: file not found"},
      {"kl_fit", {"--target-file=" + tmp.path.string()}, "is a directory, expected a file"},
      {"kl_fit", {"--target-file=" + a_file + "/q.txt"}, "cannot open: Not a directory"},
      {"kl_fit", {"--target-file=/proc/self/mem"}, "cannot read: Input/output error"},
      {"kl_fit", {"--target-file=/dev/zero"}, "larger than"},
      {"kl_fit", {"--target-file=-"}, "--target-file (standard input): no numbers"},  // stdin is /dev/null
      {"kl_fit", {"--target-file=" + target_tiny}, "'1e-400' (entry 3) is too small for a double"},
      {"kl_fit", {"--target-file=" + target_huge}, "'1e999' (entry 1) is too large for a double"},
      {"kl_fit", {"--target=0.5,0.5,1e-400"}, "--target: '1e-400' (entry 3) is too small"},
      {"kl_fit", {"--init=1e999,0,0"}, "--init: '1e999' (entry 1) is too large"},
      {"kl_fit", {"--betas=1e-400,0.9"}, "--betas: '1e-400'"},
      {"kl_fit", {"--init=1,2"}, "one logit per target entry"},
      {"kl_fit", {"--init=1,nan,2"}, "--init"},
      {"kl_fit", {"--family=gaussian", "--init=1"}, "mu,log_sigma"},
      {"kl_fit", {"--betas=0.9"}, "--betas"},
      {"kl_fit", {"--betas=1.5,0.9"}, "--betas"},
      // kl_fit: names
      {"kl_fit", {"--optimizer=adamax"}, "--optimizer"},
      {"kl_fit", {"--loss=hellinger"}, "--loss"},
      {"kl_fit", {"--direction=sideways"}, "--direction"},
      {"kl_fit", {"--reduction=none"}, "--reduction"},
      {"kl_fit", {"--dtype=float16"}, "--dtype"},
      {"kl_fit", {"--family=laplace"}, "--family"},
      {"kl_fit", {"--no-such-flag"}, "no-such-flag"},
      // kl_fit: ranges
      {"kl_fit", {"--lr=-1"}, "--lr"},
      {"kl_fit", {"--lr=nan"}, "--lr"},
      {"kl_fit", {"--lr=inf"}, "--lr"},
      {"kl_fit", {"--lr="}, "--lr"},
      {"kl_fit", {"--lr", ""}, "empty value"},
      {"kl_fit", {"--steps=-1"}, "--steps"},
      {"kl_fit", {"--steps=1e3"}, "--steps"},
      {"kl_fit", {"--lr=abc"}, "--lr: 'abc' is not a number"},
      {"kl_fit", {"--lr=1e-400"}, "--lr: '1e-400' is too small for a double"},
      {"kl_fit", {"--lr", "1e999"}, "--lr: '1e999' is too large for a double"},
      {"kl_fit", {"--eps=-1e-400"}, "--eps: '-1e-400' is too small"},
      {"kl_fit", {"--momentum=1e400", "--optimizer=sgd"}, "--momentum: '1e400' is too large"},
      {"kl_fit", {"--steps=1e30"}, "--steps: '1e30' is not a whole number"},
      {"kl_fit", {"--steps=2.5"}, "--steps: '2.5' is not a whole number"},
      {"kl_fit", {"--steps=99999999999999999999"}, "--steps: '99999999999999999999' is out of range"},
      {"kl_fit", {"--print-every=-99999999999999999999"}, "--print-every: '-99999999999999999999' is out of range"},
      {"kl_fit", {"--steps", ""}, "empty value"},
      {"kl_fit", {"--eps=-1"}, "--eps"},
      {"kl_fit", {"--momentum=-0.5", "--optimizer=sgd"}, "--momentum"},
      {"kl_fit", {"--weight-decay=-1"}, "--weight-decay"},
      {"kl_fit", {"--print-every=-2"}, "--print-every"},
      {"kl_fit", {"--nesterov", "--optimizer=sgd"}, "--nesterov"},
      {"kl_fit", {"--direction=reverse", "--target=0.5,0.5,0"}, "zero"},
      {"kl_fit", {"--loss=js", "--direction=reverse"}, "symmetric"},
      {"kl_fit", {"--dot=x.dot", "--steps=0"}, "--dot"},
      {"kl_fit", {"--csv=/nonexistent/dir/out.csv"}, "/nonexistent/dir/out.csv"},
      // kl_grad
      {"kl_grad", {"--logits=1,,2"}, "--logits"},
      {"kl_grad", {"--logits=nan,1,2"}, "--logits"},
      {"kl_grad", {"--logits=1,2"}, "one logit per target entry"},
      {"kl_grad", {"--target=0.5,0.6,-0.1"}, "negative"},
      {"kl_grad", {"--target=0.2,0.2,0.2"}, "normalize"},
      {"kl_grad", {"--seed=-1"}, "--seed"},
      {"kl_grad", {"--logits", ""}, "empty value"},
      {"kl_grad", {"--no-such-flag"}, "no-such-flag"},
      {"kl_grad", {"--seed=abc"}, "--seed: 'abc' is not a whole number"},
      {"kl_grad", {"--seed=1e30"}, "--seed: '1e30' is not a whole number"},
      {"kl_grad", {"--seed=99999999999999999999"}, "--seed: '99999999999999999999' is out of range"},
      {"kl_grad", {"--logits=1e999,1,2"}, "--logits: '1e999' (entry 1) is too large"},
      {"kl_grad", {"--logits=1,2,1e-400"}, "--logits: '1e-400' (entry 3) is too small"},
      {"kl_grad", {"--target=0.5,0.5,1e-400"}, "--target: '1e-400' (entry 3) is too small"},
      // kl_tour takes no arguments: any flag or value is unexpected
      {"kl_tour", {"--steps=5"}, "--steps"},
      {"kl_tour", {"extra"}, "extra"},
      {"kl_tour", {"--no-such-flag"}, "no-such-flag"},
      {"kl_tour", {"--seed=abc"}, "--seed"},
      {"kl_tour", {"--steps=1e30"}, "--steps"},
      {"kl_tour", {"--seed", "99999999999999999999"}, "99999999999999999999"},
  };
  // tiny_vae: flags
  for (const auto& [flags, expect] : std::vector<std::pair<std::string, std::string>>{
           {"--batch-size=0", "--batch-size"},  {"--latent=0", "--latent"},      {"--hidden=0", "--hidden"},
           {"--epochs=-1", "--epochs"},         {"--lr=-0.001", "--lr"},         {"--lr=nan", "--lr"},
           {"--lr=inf", "--lr"},                {"--lr=abc", "--lr"},            {"--beta=-1", "--beta"},
           {"--beta=nan", "--beta"},            {"--threads=0", "--threads"},    {"--seed=-3", "--seed"},
           {"--train-limit=-5", "--train-limit"}, {"--epochs=2.5", "--epochs"}, {"--latent=", "--latent"},
           {"--optimizer=sgd", "optimizer"},
           {"--no-such-flag", "no-such-flag"},
           {"--hidden=abc", "--hidden: 'abc' is not a whole number"},
           {"--lr=1e-400", "--lr: '1e-400' is too small for a double"},
           {"--lr=1e999", "--lr: '1e999' is too large for a double"},
           {"--beta=1e-400", "--beta: '1e-400' is too small"},
           {"--seed=1e30", "--seed: '1e30' is not a whole number"},
           {"--seed=99999999999999999999", "--seed: '99999999999999999999' is out of range"},
           {"--epochs=99999999999999999999", "--epochs: '99999999999999999999' is out of range"},
           {"--batch-size=1e30", "--batch-size: '1e30' is not a whole number"},
           {"--threads=-99999999999999999999", "--threads: '-99999999999999999999' is out of range"}}) {
    cases.push_back({"tiny_vae", {flags}, expect});
  }
  // tiny_vae: datasets
  for (const auto& [dir, expect] : std::vector<std::pair<std::string, std::string>>{
           {"/nonexistent/data", "/nonexistent/data"},
           {d_missing_file, "train-images-idx3-ubyte"},
           {d_empty_file, "truncated"},
           {d_truncated, "truncated"},
           {d_short_header, "truncated"},
           {d_magic, "magic"},
           {d_huge, "train-images-idx3-ubyte"},
           {d_count, "labels"},
           {d_shape, "t10k"},
           {d_zero, "no images"},
           {d_gz_corrupt, "train-images-idx3-ubyte.gz"},
           {d_gz_truncated, "train-images-idx3-ubyte.gz"},
           {d_not_gz, "train-images-idx3-ubyte.gz"},
           {d_dir, "directory"}}) {
    cases.push_back({"tiny_vae", {"--data=" + dir}, expect});
  }
  // tiny_vae: checkpoints
  for (const auto& [path, expect] : std::vector<std::pair<std::string, std::string>>{
           {(tmp.path / "missing.npz").string(), "missing.npz"},
           {ck_empty.string(), "empty.npz"},
           {ck_trunc.string(), "truncated.npz"},
           {ck_flip.string(), "flipped.npz"},
           {foreign, "numpy_savez.npz"},
           {(saved / "samples.png").string(), "samples.png"},
           {saved.string(), "directory"}}) {
    cases.push_back({"tiny_vae", {"--resume=" + path}, expect});
  }
  cases.push_back({"tiny_vae", {"--resume=" + ckpt.string(), "--hidden=16"}, "pass --hidden 8"});  // another model's checkpoint

  // distill: both subcommands' flags, datasets, teacher checkpoints
  cases.push_back({"distill", {"--no-such-flag"}, "no-such-flag"});
  cases.push_back({"distill", {"coach"}, "coach"});
  for (const auto& [flags, expect] : std::vector<std::pair<std::string, std::string>>{
           {"--epochs=-1", "--epochs"},       {"--batch-size=0", "--batch-size"}, {"--lr=nan", "--lr"},
           {"--lr=-1", "--lr"},               {"--dropout=1", "--dropout must be in [0, 1)"},
           {"--dropout=-0.5", "--dropout"},   {"--hidden=abc", "--hidden: 'abc'"}, {"--hidden=64,", "--hidden"},
           {"--hidden=0", "--hidden: each size"}, {"--hidden=", "--hidden"}, {"--threads=0", "--threads"},
           {"--seed=-3", "--seed"},           {"--lr=1e-400", "--lr: '1e-400' is too small"},
           {"--epochs=2.5", "--epochs"},      {"--epochs=99999999999999999999", "out of range"},
           {"--no-such-flag", "no-such-flag"}, {"--temperature=2", "temperature"}}) {
    cases.push_back({"distill", {"teacher", flags}, expect});
  }
  for (const auto& [flags, expect] : std::vector<std::pair<std::string, std::string>>{
           {"--temperature=0", "--temperature must be a finite number > 0"},
           {"--temperature=inf", "--temperature"},
           {"--alpha=1.5", "--alpha must be in [0, 1]"},
           {"--alpha=nan", "--alpha"},
           {"--hidden=16,x", "--hidden: 'x'"},
           {"--teacher=", "--teacher"},
           {"--teacher=" + (tmp.path / "missing.npz").string(), "missing.npz"},
           {"--teacher=" + ck_empty.string(), "empty.npz"},
           {"--teacher=" + ck_trunc.string(), "truncated.npz"},
           {"--teacher=" + ckpt.string(), "checkpoint format 'klgrad-vae-checkpoint-1'"},
           {"--teacher=" + foreign, "not a klgrad classifier checkpoint"},
           {"--teacher=" + saved_d.string(), "directory"}}) {
    cases.push_back({"distill", {"student", flags}, expect});
  }
  for (const auto& [dir, expect] : std::vector<std::pair<std::string, std::string>>{
           {"/nonexistent/data", "/nonexistent/data"}, {d_truncated, "truncated"}, {d_count, "labels"},
           {d_shape, "t10k"}, {d_zero, "no images"}, {d_gz_corrupt, "train-images-idx3-ubyte.gz"}}) {
    cases.push_back({"distill", {"teacher", "--data=" + dir}, expect});
    cases.push_back({"distill", {"student", "--data=" + dir}, expect});
  }
  for (const auto& [path, expect] : std::vector<std::pair<std::string, std::string>>{
           {ck_flip.string(), "flipped.npz"}, {ckpt.string(), "klgrad-vae-checkpoint-1"}, {saved.string(), "directory"}}) {
    cases.push_back({"distill", {"teacher", "--resume=" + path}, expect});
  }
  cases.push_back({"distill", {"teacher", "--resume=" + teacher_ckpt, "--hidden=16"}, "--hidden"});  // another model's checkpoint

  if (::geteuid() != 0) {  // root reads any file, whatever its permission bits
    const std::string locked = text_file("locked.txt", "0.5,0.5\n");
    fs::permissions(locked, fs::perms::none);
    cases.push_back({"kl_fit", {"--target-file=" + locked}, "cannot open: Permission denied"});
  }
  // Every program in apps/ is in the sweep, with at least an unknown flag.
  for (const auto& e : fs::directory_iterator(std::string(KLGRAD_SOURCE_DIR) + "/apps")) {
    if (e.path().extension() != ".cpp") continue;
    const std::string program = e.path().stem().string();
    CHECK_MESSAGE(std::any_of(cases.begin(), cases.end(),
                              [&](const Case& c) { return c.program == program && c.args.front() == "--no-such-flag"; }),
                  program << " (apps/" << program << ".cpp) has no rows in the bad-input sweep");
  }

  int tried = 0;
  for (Case c : cases) {
    const fs::path out = tmp.path / ("out_" + std::to_string(tried));
    if (c.program == "kl_fit") {
      if (c.args.front().rfind("--csv", 0) != 0) c.args.push_back("--csv=" + (out.string() + ".csv"));
      if (c.args.front().rfind("--dot", 0) != 0) c.args.push_back("--dot=" + (out.string() + ".dot"));
    }
    if (c.program == "tiny_vae") {
      // The small-run defaults, less every flag the case sets itself: given twice, a
      // flag would fail in the parser ("At Most 1 required") before the check under test.
      const auto flag_of = [](const std::string& w) { return w.substr(0, w.find('=')); };
      std::vector<std::string> extra;
      for (const auto& w : programs::split_words(vae_small)) {
        bool given = false;
        for (const auto& a : c.args) given = given || flag_of(a) == flag_of(w);
        if (!given) extra.push_back(w);
      }
      c.args.insert(c.args.end(), extra.begin(), extra.end());
      c.args.push_back("--epochs=1");
      c.args.push_back("--out=" + saved.string());  // a folder with a saved run in it
    }
    if (c.program == "distill" && (c.args.front() == "teacher" || c.args.front() == "student")) {
      const auto flag_of = [](const std::string& w) { return w.substr(0, w.find('=')); };
      std::vector<std::string> defaults = programs::split_words(distill_small);
      defaults.push_back("--epochs=1");
      if (c.args.front() == "student") defaults.push_back("--teacher=" + teacher_ckpt);
      for (const auto& w : defaults) {
        bool given = false;
        for (const auto& a : c.args) given = given || flag_of(a) == flag_of(w);
        if (!given) c.args.push_back(w);
      }
      c.args.push_back("--out=" + saved_d.string());  // a folder with a saved run in it
    }
    std::string shown = c.program;
    for (const auto& a : c.args) shown += " " + a;
    INFO(shown);
    const programs::Run r = programs::run(c.program, c.args);
    ++tried;
    CHECK(r.signal == 0);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.rfind(c.program + ": ", 0) == 0);
    CHECK_MESSAGE(r.err.find(c.expect) != std::string::npos, "stderr: " << r.err);
    CHECK_FALSE(fs::exists(out.string() + ".csv"));
    CHECK_FALSE(fs::exists(out.string() + ".dot"));
    CHECK_FALSE(fs::exists("x.dot"));
  }
  CHECK(snapshot(saved) == saved_files);  // every failed run left the saved run exactly as it was
  CHECK(snapshot(saved_d) == saved_d_files);
  MESSAGE("bad inputs tried: " << tried << " (kl_fit, kl_grad, kl_tour, tiny_vae, distill)");
}
