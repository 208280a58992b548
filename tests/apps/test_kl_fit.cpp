// apps/kl_fit and apps/kl_tour, run as programs (popen) from build/bin/.
//
// 1. Trajectory parity: for every configuration in tests/golden/kl_fit.txt
//    (written by tests/golden/gen_kl_fit.py, which runs the same loop in PyTorch
//    1.13 from the same flags), the printed 'step k loss v' lines, the final loss
//    and the final model Q agree with PyTorch's; --csv agrees too.
// 2. The command-line contract: '--flag value' == '--flag=value', --help lists
//    every flag, every bad input is one line on stderr naming the flag with exit
//    code 2, and a failing run leaves no --csv file behind.
// 3. A smoke test of kl_tour: the tutorial's numbers.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/golden.hpp"
#include "support/programs.hpp"

namespace {

using programs::have_apps;

const golden::File& fixture() { return golden::file("kl_fit.txt"); }

using programs::read_text;
using programs::Run;
using programs::run;
using programs::temp_path;

bool exists(const std::string& path) { return std::filesystem::exists(path); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream s(text);
  for (std::string line; std::getline(s, line);) out.push_back(line);
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

// What kl_fit printed: the 'step k loss v' lines (k must count 1, 2, ...), the
// summary's final loss and the first (at most 10) entries of its model Q (kept in `p`,
// the name of the fixture's records).
struct Output {
  std::vector<std::string> loss_text;  // v exactly as printed
  std::vector<double> loss;
  double final_loss = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> p;
};

Output parse_output(const std::string& out) {
  Output o;
  for (const std::string& line : lines_of(out)) {
    std::istringstream s(line);
    std::string word, word2, value;
    if (starts_with(line, "step ")) {
      long k = 0;
      s >> word >> k >> word2 >> value;
      REQUIRE_MESSAGE((word2 == "loss" && k == static_cast<long>(o.loss.size()) + 1), "unexpected line: " << line);
      o.loss_text.push_back(value);
      o.loss.push_back(std::stod(value));  // stod reads nan and inf too
    } else if (starts_with(line, "final loss ")) {
      s >> word >> word2 >> value;
      o.final_loss = std::stod(value);
    } else if (starts_with(line, "Q = [")) {
      // "Q = [a, b, c]" or "Q = [a, ..., j, ... (50 entries)]"
      for (const std::string& item : split(line.substr(5, line.find(']') - 5), ',')) {
        if (item.find("...") != std::string::npos) break;
        o.p.push_back(std::stod(item));
      }
    }
  }
  return o;
}

// One configuration of the fixture: key "cfg/<name>/<flag>/<flag>/...".
struct Config {
  std::string name;
  std::vector<std::string> flags;
  bool f64 = false;
  bool has(const std::string& prefix) const {
    return std::any_of(flags.begin(), flags.end(), [&](const std::string& f) { return starts_with(f, prefix); });
  }
};

std::vector<Config> configs() {
  std::vector<std::pair<double, Config>> indexed;
  for (const std::string& key : fixture().keys_with_prefix("cfg/")) {
    std::vector<std::string> parts = split(key, '/');
    REQUIRE(parts.size() >= 3);
    Config c;
    c.name = parts[1];
    c.flags.assign(parts.begin() + 2, parts.end());
    c.f64 = c.has("--dtype=float64");
    indexed.emplace_back(fixture().scalar(key), c);
  }
  std::sort(indexed.begin(), indexed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Config> out;
  for (auto& ic : indexed) out.push_back(ic.second);
  return out;
}

const Config& config_named(const std::vector<Config>& all, const std::string& name) {
  for (const Config& c : all)
    if (c.name == name) return c;
  FAIL("no configuration " << name << " in kl_fit.txt; regenerate the fixture");
  return all.front();
}

// Tolerances. Relative: 1e-9 in float64, 1e-4 in float32 (PyTorch and klgrad
// round differently inside log_softmax and the sums, so the runs are close but
// not bit-exact).
// Absolute floor for losses near 0: the loss is a sum of terms
// p_i (log p_i - log q_i) whose size is set by the data P (its entropy), not by the loss,
// so as Q -> P the sum cancels and its rounding error stays at a few ulps of
// those terms while the loss goes to 0: PyTorch's float32 losses here end at
// values like 7.45e-8 = 5 * 2^-26, pure rounding noise (relative differences
// > 1 between the two implementations; float64 reaches 3e-11 in 100 steps, 2.6e-9
// relative). The initial loss L0 (same Q, n and reduction) has the size of those
// terms, so the floor is 16 ulps of it: atol = 16 eps(dtype) L0, i.e.
// 1.9e-6 L0 in float32 and 3.6e-15 L0 in float64. The largest difference seen
// on a near-0 loss is about 6 ulps of L0 (a 1e-7 L0 floor, < 1 ulp of L0 in
// float32, would fail); the floor only matters once the loss has dropped below
// ~2e-2 L0 (float32) or ~4e-6 L0 (float64).
struct Tolerance {
  double rtol, atol;
};
Tolerance loss_tolerance(bool f64, double initial_loss) {
  const double eps = f64 ? std::numeric_limits<double>::epsilon() : std::numeric_limits<float>::epsilon();
  return {f64 ? 1e-9 : 1e-4, 16 * eps * std::abs(initial_loss)};
}
// Q's entries lie in [0, 1] and come from exp of log_softmax: relative error in
// log Q becomes absolute error in Q; tiny entries (Q -> one-hot under
// --maximize) get the same 16-ulp floor, on the scale 1.
Tolerance p_tolerance(bool f64) { return loss_tolerance(f64, 1.0); }

// Worst errors seen, per dtype, reported once at the end of the parity test.
struct Worst {
  double rel = 0;    // max |got - want| / |want| where the relative bound governs (|want| rtol >= atol)
  double ratio = 0;  // max |got - want| / (atol + rtol |want|): must stay <= 1
  std::string where;
};

void check_close(const std::string& what, double got, double want, const Tolerance& tol, Worst& worst, const std::string& ctx) {
  const double err = std::abs(got - want);
  const double bound = tol.atol + tol.rtol * std::abs(want);
  CHECK_MESSAGE(err <= bound, ctx << ": " << what << " got " << got << ", PyTorch " << want << " (|diff| " << err
                                  << " > " << bound << ")");
  if (std::abs(want) * tol.rtol >= tol.atol && want != 0) worst.rel = std::max(worst.rel, err / std::abs(want));
  if (bound > 0 && err / bound > worst.ratio) {
    worst.ratio = err / bound;
    worst.where = ctx + " " + what;
  }
}

// "--flag=value" -> "--flag", "value"; flags without a value stay as they are.
std::vector<std::string> split_form(const std::vector<std::string>& flags) {
  std::vector<std::string> out;
  for (const std::string& f : flags) {
    const auto eq = f.find('=');
    if (eq == std::string::npos) {
      out.push_back(f);
    } else {
      out.push_back(f.substr(0, eq));
      out.push_back(f.substr(eq + 1));
    }
  }
  return out;
}

// stdout without its last line ("<x> us per step ..."), which differs run to run.
std::string without_timing(const std::string& out) {
  std::vector<std::string> ls = lines_of(out);
  REQUIRE(!ls.empty());
  REQUIRE(ls.back().find("us per step") != std::string::npos);
  ls.pop_back();
  std::string s;
  for (const auto& l : ls) s += l + "\n";
  return s;
}

// The CSV kl_fit wrote: header "step,loss,q_1,...,q_n", then one row per step.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
};
Csv read_csv(const std::string& path) {
  Csv c;
  std::vector<std::string> ls = lines_of(read_text(path));
  REQUIRE(!ls.empty());
  c.header = split(ls[0], ',');
  for (std::size_t i = 1; i < ls.size(); ++i) {
    std::vector<double> row;
    for (const std::string& v : split(ls[i], ',')) row.push_back(std::stod(v));
    c.rows.push_back(row);
  }
  return c;
}

}  // namespace

TEST_CASE("kl_fit: loss trajectories, final loss and Q agree with PyTorch for every configuration" *
          doctest::skip(!have_apps)) {
  const std::vector<Config> all = configs();
  REQUIRE(all.size() >= 60);
  Worst worst[2];  // [float32, float64]
  int ran[2] = {0, 0};
  for (const Config& c : all) {
    INFO("configuration ", c.name);
    const std::string prefix = c.name + "/";
    const std::vector<double>& want = fixture().at(prefix + "loss").values;
    const std::vector<double>& want_p = fixture().at(prefix + "p").values;
    const Run r = run("kl_fit", c.flags);
    REQUIRE_MESSAGE(r.code == 0, c.name << ": exit code " << r.code << ", stderr: " << r.err);
    // kl_div's reduction='mean' warns (as PyTorch does); nothing else goes to stderr
    if (c.has("--reduction=mean"))
      CHECK(lines_of(r.err).size() == 1);
    else
      CHECK(r.err.empty());
    const Output o = parse_output(r.out);
    REQUIRE(o.loss.size() == want.size());
    Worst& w = worst[c.f64];
    const Tolerance tol = loss_tolerance(c.f64, want[0]);
    for (std::size_t k = 0; k < want.size(); ++k)
      check_close("loss", o.loss[k], want[k], tol, w, c.name + " step " + std::to_string(k + 1));
    check_close("final loss", o.final_loss, fixture().scalar(prefix + "final_loss"), tol, w, c.name);
    REQUIRE(o.p.size() == std::min<std::size_t>(want_p.size(), 10));
    for (std::size_t i = 0; i < o.p.size(); ++i)
      check_close("Q", o.p[i], want_p[i], p_tolerance(c.f64), w, c.name + " q_" + std::to_string(i + 1));
    ++ran[c.f64];
  }
  for (int f64 : {0, 1})
    MESSAGE((f64 ? "float64" : "float32") << ": " << ran[f64] << " configurations; worst relative error "
                                          << worst[f64].rel << "; worst |diff| / bound " << worst[f64].ratio
                                          << " at " << worst[f64].where);
}

TEST_CASE("kl_fit: --csv writes step, loss and Q before each update, as PyTorch" * doctest::skip(!have_apps)) {
  const std::vector<Config> all = configs();
  for (const std::string name : {"adam_default.forward.batchmean.float64", "adam_n50.forward.batchmean.float32"}) {
    INFO("configuration ", name);
    const Config& c = config_named(all, name);
    const std::string path = temp_path("trajectory.csv");
    std::vector<std::string> args = c.flags;
    args.push_back("--csv=" + path);
    const Run r = run("kl_fit", args);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const Csv csv = read_csv(path);
    std::remove(path.c_str());
    CHECK(!exists(path + ".tmp"));

    const golden::Record& p_steps = fixture().at(c.name + "/p_steps");  // (steps, n)
    const std::vector<double>& want_loss = fixture().at(c.name + "/loss").values;
    const std::size_t steps = p_steps.shape.at(0), n = p_steps.shape.at(1);
    REQUIRE(csv.header.size() == n + 2);
    CHECK(csv.header[0] == "step");
    CHECK(csv.header[1] == "loss");
    CHECK(csv.header[2] == "q_1");
    CHECK(csv.header.back() == "q_" + std::to_string(n));
    REQUIRE(csv.rows.size() == steps);
    const Output o = parse_output(r.out);
    Worst w;
    const Tolerance tol = loss_tolerance(c.f64, want_loss[0]);
    for (std::size_t k = 0; k < steps; ++k) {
      const std::vector<double>& row = csv.rows[k];
      REQUIRE(row.size() == n + 2);
      CHECK(row[0] == static_cast<double>(k + 1));
      CHECK(row[1] == o.loss[k]);  // the same value as the printed line
      check_close("loss", row[1], want_loss[k], tol, w, "csv row " + std::to_string(k + 1));
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) {
        check_close("Q", row[2 + i], p_steps.values[k * n + i], p_tolerance(c.f64), w,
                    "csv row " + std::to_string(k + 1) + " q_" + std::to_string(i + 1));
        sum += row[2 + i];
      }
      CHECK(sum == doctest::Approx(1.0).epsilon(c.f64 ? 1e-12 : 1e-5));
    }
  }
}

TEST_CASE("kl_fit: --target-file gives the same run as --target" * doctest::skip(!have_apps)) {
  const std::vector<Config> all = configs();
  const Config& c = config_named(all, "adam_n50.forward.batchmean.float64");
  const std::string path = temp_path("target.txt");
  std::vector<std::string> args;
  for (const std::string& f : c.flags) {
    if (starts_with(f, "--target=")) {
      std::string text = f.substr(9);  // one number per line, as files of numbers often come
      std::replace(text.begin(), text.end(), ',', '\n');
      std::ofstream(path) << text << '\n';
      args.push_back("--target-file=" + path);
    } else {
      args.push_back(f);
    }
  }
  const Run from_file = run("kl_fit", args);
  const Run from_flag = run("kl_fit", c.flags);
  std::remove(path.c_str());
  REQUIRE_MESSAGE(from_file.code == 0, from_file.err);
  REQUIRE(from_flag.code == 0);
  CHECK(without_timing(from_file.out) == without_timing(from_flag.out));
}

TEST_CASE("kl_fit: --target-file reads standard input (-), /dev/stdin and a pipe <(...) like --target" *
          doctest::skip(!have_apps)) {
  const Run from_flag = run("kl_fit", {"--target=0.7,0.2,0.1", "--steps=3", "--dtype=float64"});
  REQUIRE_MESSAGE(from_flag.code == 0, from_flag.err);
  const std::string flags = " --steps 3 --dtype float64";
  for (const std::string& line : std::vector<std::string>{
           "printf '0.7,0.2,0.1' | \"$BIN/kl_fit\" --target-file -" + flags,
           "\"$BIN/kl_fit\" --target-file - <<< '0.7 0.2 0.1'" + flags,
           "\"$BIN/kl_fit\" --target-file /dev/stdin <<< '0.7 0.2 0.1'" + flags,
           "printf '0.7\\n0.2\\n0.1\\n' | \"$BIN/kl_fit\" --target-file /dev/stdin" + flags,
           "\"$BIN/kl_fit\" --target-file <(printf '0.7,0.2,0.1')" + flags,
       }) {
    INFO(line);
    const Run r = programs::run_bash(line);
    CHECK_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.empty());
    CHECK(without_timing(r.out) == without_timing(from_flag.out));
  }
  // A bad list on standard input is named as such.
  const Run bad = programs::run_bash("printf '0.7,abc' | \"$BIN/kl_fit\" --target-file -");
  CHECK(bad.code == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err == "kl_fit: --target-file (standard input): 'abc' (entry 2) is not a number; write numbers like 0.7,0.2,0.1\n");
}

TEST_CASE("kl_fit: '--flag value' and '--flag=value' give the same run" * doctest::skip(!have_apps)) {
  const std::vector<Config> all = configs();
  for (const std::string name : {"sgd_momentum_dampening.reverse.batchmean.float64",  // --init=-1.5,2,0.3
                                 "adamw_options.forward.mean.float32", "adam_betas_eps.reverse.batchmean.float64"}) {
    INFO("configuration ", name);
    const Config& c = config_named(all, name);
    const Run joined = run("kl_fit", c.flags);
    const Run separate = run("kl_fit", split_form(c.flags));
    REQUIRE_MESSAGE(joined.code == 0, joined.err);
    REQUIRE_MESSAGE(separate.code == 0, separate.err);
    CHECK(without_timing(joined.out) == without_timing(separate.out));
  }
}

TEST_CASE("kl_fit: --init=-1.5,2,0.3 is read as three numbers" * doctest::skip(!have_apps)) {
  // With no steps the summary shows Q = softmax(init) and the loss KL(P || Q) at it.
  const double init[3] = {-1.5, 2, 0.3}, q[3] = {0.7, 0.2, 0.1};
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--init=-1.5,2,0.3"},
                                              std::vector<std::string>{"--init", "-1.5,2,0.3"}}) {
    INFO("form ", args.size() == 1 ? "--init=..." : "--init ...");
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--steps=0", "--dtype=float64"});
    const Run r = run("kl_fit", a);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const Output o = parse_output(r.out);
    REQUIRE(o.p.size() == 3);
    double z = 0, kl = 0;
    for (double x : init) z += std::exp(x);
    for (int i = 0; i < 3; ++i) {
      const double p = std::exp(init[i]) / z;
      CHECK(o.p[i] == doctest::Approx(p).epsilon(1e-12));
      kl += q[i] * std::log(q[i] / p);
    }
    CHECK(o.final_loss == doctest::Approx(kl).epsilon(1e-12));
  }
}

TEST_CASE("kl_fit: --help names every flag" * doctest::skip(!have_apps)) {
  const Run r = run("kl_fit", {"--help"});
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  for (const std::string flag : {"--target", "--target-file", "--init", "--direction", "--reduction", "--optimizer", "--lr",
                           "--momentum", "--dampening", "--nesterov", "--weight-decay", "--maximize", "--betas", "--eps",
                           "--amsgrad", "--steps", "--dtype", "--print-every", "--csv", "--detect-anomaly"}) {
    // the flag as a whole word: "--target" must not be satisfied by "--target-file" alone
    bool found = false;
    for (std::size_t at = r.out.find(flag); at != std::string::npos && !found; at = r.out.find(flag, at + 1)) {
      const std::size_t end = at + flag.size();
      found = end == r.out.size() || !(std::isalnum(static_cast<unsigned char>(r.out[end])) || r.out[end] == '-');
    }
    CHECK_MESSAGE(found, "--help does not mention " << flag);
  }
  for (const std::string word : {"forward", "reverse", "batchmean", "sum", "mean", "sgd", "adam", "adamw", "float32", "float64"})
    CHECK_MESSAGE(r.out.find(word) != std::string::npos, "--help does not mention " << word);
}

TEST_CASE("kl_fit: bad input is one line on stderr naming the flag, exit code 2" * doctest::skip(!have_apps)) {
  const std::string missing = temp_path("no_such_target.txt");
  const std::string empty_file = temp_path("empty_target.txt");
  const std::string unnormalized = temp_path("unnormalized_target.txt");
  std::ofstream(empty_file) << "\n";
  std::ofstream(unnormalized) << "0.5 0.2 0.1\n";
  struct Case {
    std::string what;
    std::vector<std::string> args;
    std::string flag;  // must appear in the message
  };
  const std::vector<Case> cases = {
      {"malformed number", {"--lr=abc"}, "--lr"},
      {"malformed number", {"--lr", "1e"}, "--lr"},
      {"malformed number", {"--eps=0.0.1"}, "--eps"},
      {"malformed number", {"--target=0.7,0.2x,0.1"}, "--target"},
      {"malformed number", {"--init=1,two,3"}, "--init"},
      {"malformed number", {"--betas=0.9,0.99.9"}, "--betas"},
      {"malformed number", {"--steps=1.5"}, "--steps"},
      {"length mismatch", {"--init=1,2"}, "--init"},
      {"length mismatch", {"--init=1,2,3,4", "--target=0.5,0.5"}, "--init"},
      {"negative target", {"--target=-0.1,0.6,0.5"}, "--target"},
      {"unnormalized target", {"--target=0.5,0.2,0.1"}, "--target"},
      {"unnormalized target file", {"--target-file=" + unnormalized}, "--target-file"},
      {"NaN entry", {"--target=nan,0.5,0.5"}, "--target"},
      {"inf entry", {"--target=0.5,inf,0.5"}, "--target"},
      {"NaN entry", {"--init=0,nan,0"}, "--init"},
      {"inf entry", {"--init=0,0,-inf"}, "--init"},
      {"NaN entry", {"--betas=nan,0.999"}, "--betas"},
      {"NaN number", {"--lr=nan"}, "--lr"},
      {"NaN number", {"--optimizer=sgd", "--lr=nan"}, "--lr"},
      {"NaN number", {"--weight-decay=nan"}, "--weight-decay"},
      {"NaN number", {"--optimizer=sgd", "--momentum=0.9", "--dampening=nan"}, "--dampening"},
      {"inf number", {"--lr=inf"}, "--lr"},
      {"empty list", {"--target="}, "--target"},
      {"empty list", {"--target", ""}, "--target"},
      {"empty list", {"--target=,"}, "--target"},
      {"empty list", {"--init", ""}, "--init"},
      {"empty list", {"--betas", ""}, "--betas"},
      {"empty list", {"--target-file=" + empty_file}, "--target-file"},
      {"unknown optimizer", {"--optimizer=rmsprop"}, "--optimizer"},
      {"unknown direction", {"--direction=both"}, "--direction"},
      {"unknown reduction", {"--reduction=none"}, "--reduction"},
      {"unknown dtype", {"--dtype=float16"}, "--dtype"},
      {"unknown flag", {"--learning-rate=0.1"}, "--learning-rate"},
      {"zero in P with reverse", {"--direction=reverse", "--target=0.5,0.5,0"}, "--direction"},
      {"nesterov without momentum", {"--optimizer=sgd", "--nesterov"}, "--nesterov"},
      {"nesterov with dampening", {"--optimizer=sgd", "--nesterov", "--momentum=0.9", "--dampening=0.1"}, "--nesterov"},
      {"negative lr", {"--optimizer=sgd", "--lr=-0.1"}, "--lr"},
      {"negative lr", {"--optimizer=adam", "--lr", "-0.1"}, "--lr"},
      {"negative lr", {"--optimizer=adamw", "--lr=-0.1"}, "--lr"},
      {"negative momentum", {"--optimizer=sgd", "--momentum=-0.5"}, "--momentum"},
      {"negative weight decay", {"--weight-decay=-0.1"}, "--weight-decay"},
      {"negative eps", {"--eps=-1e-8"}, "--eps"},
      {"betas out of [0, 1)", {"--betas=0.9,1"}, "--betas"},
      {"betas with one number", {"--betas=0.9"}, "--betas"},
      {"betas with three numbers", {"--betas=0.9,0.99,0.999"}, "--betas"},
      {"--target with --target-file", {"--target=0.5,0.5", "--target-file=" + empty_file}, "--target-file"},
      {"missing --target-file", {"--target-file=" + missing}, "--target-file"},
      {"steps -1", {"--steps", "-1"}, "--steps"},
      {"steps -1", {"--steps=-1"}, "--steps"},
      {"print-every -1", {"--print-every=-1"}, "--print-every"},
      {"csv in a missing folder", {"--csv=" + missing + "/out.csv"}, "--csv"},
  };
  for (const Case& c : cases) {
    std::string shown;
    for (const auto& a : c.args) shown += " '" + a + "'";
    INFO(c.what, ": kl_fit", shown);
    const Run r = run("kl_fit", c.args);
    CHECK(r.code == 2);
    CHECK_MESSAGE(r.out.empty(), "stdout: " << r.out.substr(0, 200));
    const std::vector<std::string> lines = lines_of(r.err);
    CHECK_MESSAGE(lines.size() == 1, "stderr: " << r.err);
    CHECK_MESSAGE((!r.err.empty() && r.err.back() == '\n'), "stderr: " << r.err);
    CHECK_MESSAGE(r.err.find(c.flag) != std::string::npos, "stderr does not name " << c.flag << ": " << r.err);
  }
  std::remove(empty_file.c_str());
  std::remove(unnormalized.c_str());
}

TEST_CASE("kl_fit: a failing run leaves no --csv file behind" * doctest::skip(!have_apps)) {
  struct Case {
    std::string what;
    std::vector<std::string> args;
  };
  const std::vector<Case> cases = {
      {"bad target", {"--target=0.5,0.2,0.1"}},
      {"bad optimizer option", {"--optimizer=sgd", "--lr=-1"}},
      // fails mid-run: the logits overflow to inf, log_softmax gives NaN, --detect-anomaly stops
      {"anomaly after some steps, float32", {"--optimizer=sgd", "--maximize", "--lr=1e38", "--detect-anomaly"}},
      {"anomaly after some steps, float64",
       {"--optimizer=sgd", "--maximize", "--lr=1e308", "--detect-anomaly", "--dtype=float64"}},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const std::string path = temp_path("failed.csv");
    std::vector<std::string> args = c.args;
    args.push_back("--csv=" + path);
    const Run r = run("kl_fit", args);
    CHECK(r.code == 2);
    CHECK(lines_of(r.err).size() == 1);
    CHECK_MESSAGE(!exists(path), path << " exists");
    CHECK_MESSAGE(!exists(path + ".tmp"), path << ".tmp exists");
    std::remove(path.c_str());
    std::remove((path + ".tmp").c_str());
  }
}

TEST_CASE("kl_fit --family gaussian recovers a Gaussian target's mu and sigma in both directions" *
          doctest::skip(!have_apps)) {
  // Closed form: when the data P is itself a member of the family, P_i ~ exp(-(i - 9.3)^2 / (2 * 2.6^2)),
  // both KL(P || Q) and KL(Q || P) are 0 exactly at Q = P, i.e. mu = 9.3, sigma = 2.6.
  const double mu = 9.3, sigma = 2.6;
  std::vector<double> q(24);
  double total = 0;
  for (std::size_t i = 0; i < q.size(); ++i) total += q[i] = std::exp(-std::pow(i - mu, 2) / (2 * sigma * sigma));
  std::string target;
  char buf[32];
  for (double v : q) {
    std::snprintf(buf, sizeof buf, "%.17g", v / total);
    target += (target.empty() ? "" : ",") + std::string(buf);
  }
  for (const char* direction : {"forward", "reverse"}) {
    INFO(direction);
    const Run r = run("kl_fit", {"--family=gaussian", "--target=" + target, "--direction=" + std::string(direction),
                                 "--init=12,0.5", "--lr=0.05", "--steps=1500", "--print-every=0", "--dtype=float64"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    double got_mu = 0, got_sigma = 0;
    for (const std::string& l : lines_of(r.out))
      if (starts_with(l, "family gaussian mu ")) std::sscanf(l.c_str(), "family gaussian mu %lf sigma %lf", &got_mu, &got_sigma);
    CHECK(got_mu == doctest::Approx(mu).epsilon(1e-4));
    CHECK(got_sigma == doctest::Approx(sigma).epsilon(1e-4));
    CHECK(parse_output(r.out).final_loss < 1e-9);
  }
  const Run bad = run("kl_fit", {"--family=gaussian", "--init=1,2,3"});
  CHECK(bad.code == 2);
  CHECK(bad.err.find("mu,log_sigma") != std::string::npos);
}

TEST_CASE("kl_tour: prints the tutorial's numbers and a decreasing KL loss" * doctest::skip(!have_apps)) {
  const Run r = run("kl_tour", {});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::vector<std::string> ls = lines_of(r.out);
  auto line_with = [&](const std::string& a, const std::string& b) {
    return std::any_of(ls.begin(), ls.end(), [&](const std::string& l) {
      return l.find(a) != std::string::npos && l.find(b) != std::string::npos;
    });
  };
  // kl_div(log_softmax([0.8, 0.15, 0.05]), [0.7, 0.2, 0.1], batchmean) and KLDivLoss: 0.0935
  CHECK(line_with("reduction='batchmean') =", "= 0.0935"));
  CHECK(line_with("KLDivLoss(reduction='batchmean')", "= 0.0935"));
  CHECK(line_with("KL(N(0, 1) || N(1, 1.5))", "= 0.3499"));
  std::vector<double> losses;
  for (const std::string& l : ls)
    if (starts_with(l, "KL Loss: ")) losses.push_back(std::stod(l.substr(9)));
  REQUIRE(losses.size() == 100);
  CHECK(losses.back() < losses.front());
  CHECK(losses.back() >= 0);
}
