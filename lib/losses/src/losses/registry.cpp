// The loss registry: one line per divergence loss. See klgrad/losses/registry.hpp
// for the calling convention and docs/EXTENDING.md for how to add a line.
#include "klgrad/losses/registry.hpp"

#include "klgrad/error.hpp"
#include "klgrad/losses/alpha_div.hpp"
#include "klgrad/losses/js_div.hpp"
#include "klgrad/losses/kl_div.hpp"

namespace klgrad {

const std::vector<LossInfo>& loss_registry() {
  using R = Reduction;
  // Built on first use: every loss named here is linked into any program that looks one up.
  static const std::vector<LossInfo> losses = {
      // clang-format off
      // name    one-line summary                                                                 reductions                                call
      {"kl",    "KL(P || Q) = sum p log(p / q): kl_div, mass-covering; batchmean is the KL per sample", {R::none, R::sum, R::mean, R::batchmean}, [](const auto& x, const auto& t, R r) { return kl_div(x, t, r); }},
      {"js",    "Jensen-Shannon: 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2; symmetric, <= log 2", {R::none, R::sum, R::batchmean},          [](const auto& x, const auto& t, R r) { return js_div(x, t, r); }},
      {"alpha", "Amari alpha-divergence at alpha = 1/2: 4 (1 - sum sqrt(p q)), symmetric, <= 4",      {R::none, R::sum, R::batchmean},          [](const auto& x, const auto& t, R r) { return alpha_div(x, t, 0.5, r); }},
      // clang-format on
  };
  return losses;
}

bool LossInfo::supports(Reduction r) const {
  for (Reduction s : reductions)
    if (s == r) return true;
  return false;
}

std::string LossInfo::reduction_names() const {
  std::string s;
  for (Reduction r : reductions) s += (s.empty() ? "" : ", ") + std::string(to_string(r));
  return s;
}

std::string loss_names() {
  std::string s;
  for (const LossInfo& l : loss_registry()) s += (s.empty() ? "" : ", ") + std::string(l.name);
  return s;
}

const LossInfo& find_loss(const std::string& name) {
  for (const LossInfo& l : loss_registry())
    if (name == l.name) return l;
  throw Error("loss registry: no loss named '" + name + "'; the registered losses are " + loss_names() +
              " (add one in lib/losses/src/losses/registry.cpp, see docs/EXTENDING.md)");
}

}  // namespace klgrad
