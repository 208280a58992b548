// apps/kl_grad run as a program: its backward gradient of KL(P || softmax z)
// must equal the closed form softmax(z) - p (computed here independently), and
// its gradcheck table must list every op as passing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "support/programs.hpp"

namespace {

using programs::have_apps;

// The table rows of kl_grad's output: lines that are neither comments nor the header.
std::vector<std::vector<std::string>> rows(const std::string& out) {
  std::vector<std::vector<std::string>> table;
  std::istringstream in(out);
  bool header = true;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string w; words >> w;) row.push_back(w);
    table.push_back(row);
  }
  return table;
}

}  // namespace

TEST_CASE("kl_grad: backward of KL(P || softmax z) equals softmax(z) - p" * doctest::skip(!have_apps)) {
  const std::vector<double> z = {0.3, -1.2, 2.5, 0.0}, p = {0.1, 0.2, 0.3, 0.4};
  const programs::Run r = programs::run("kl_grad", {"--logits=0.3,-1.2,2.5,0", "--target=0.1,0.2,0.3,0.4"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  double total = 0;
  for (double v : z) total += std::exp(v);
  const auto table = rows(r.out);
  REQUIRE(table.size() == z.size());
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double closed_form = std::exp(z[i]) / total - p[i];
    CHECK(std::stod(table[i][4]) == doctest::Approx(closed_form).epsilon(1e-12));  // grad_backward column
  }
}

TEST_CASE("kl_grad --gradcheck: every op passes" * doctest::skip(!have_apps)) {
  const programs::Run r = programs::run("kl_grad", {"--gradcheck"});
  CHECK_MESSAGE(r.code == 0, r.err);
  const auto table = rows(r.out);
  CHECK(table.size() >= 25);
  for (const auto& row : table) {
    REQUIRE(row.size() == 5);
    CHECK_MESSAGE(row[4] == "pass", row[0]);
    CHECK(std::stod(row[3]) < 1e-5);
  }
}

TEST_CASE("kl_grad: bad input is one line on stderr, exit code 2" * doctest::skip(!have_apps)) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--logits=1,2", "--target=0.5,0.3,0.2"}, {"--target=0.5,0.6"}, {"--logits=1,x,2"}, {"--nope"}}) {
    const programs::Run r = programs::run("kl_grad", args);
    INFO(args[0]);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}
