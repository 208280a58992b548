// klgrad/losses/registry.hpp — the divergence losses an app can pick by name.
//
//   const klgrad::LossInfo& loss = klgrad::find_loss("js");        // what `kl_fit --loss js` does
//   auto y = loss(klgrad::log_softmax(logits, 1), p, klgrad::Reduction::batchmean);
//
// The calling convention (kl_div's)
//   D(input, target, reduction) -> Tensor
//   input  = log Q, log-probabilities of the model distribution, (N, K)
//   target = P, probabilities of the data distribution, same shape
//   The result is a divergence D(P, Q) >= 0 with D(P, P) = 0, reduced like
//   kl_div: none (N, K) terms | sum | mean (every term) | batchmean (sum / N).
//
// Adding a loss is one line in lib/losses/src/losses/registry.cpp (docs/EXTENDING.md):
//   {"js", "Jensen-Shannon ...", {R::none, R::sum, R::batchmean}, [](const auto& x, const auto& t, R r) { return
//   js_div(x, t, r); }},
// The generic lambda gives both the float and the double entry point. From that
// line on, tests/losses/test_registry.cpp gradchecks the loss and checks the
// invariants of a divergence, and every app that takes --loss offers it.
//
// Why a central table and not a static initializer in each loss's .cpp: klgrad
// is a static archive, and the linker only pulls an object file out of it when
// something references one of its symbols. A self-registering js_div.cpp that no
// app calls directly would be dropped, and its registration with it. The table
// below references every loss, so all of them are linked into any program that
// looks one up; it is built on first use (thread-safe function-local static).
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "klgrad/losses/reduction.hpp"
#include "klgrad/tape.hpp"

namespace klgrad {

template <class T>
using DivergenceFn = Tensor<T> (*)(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction);

struct LossInfo {
  const char* name;                   // "kl": the name apps take (--loss kl)
  const char* summary;                // one line: the formula and when to use it
  std::vector<Reduction> reductions;  // those the loss accepts; any other is an Error
  DivergenceFn<float> f32;
  DivergenceFn<double> f64;

  // fn: a captureless generic lambda (const auto& input, const auto& target, Reduction).
  template <class F>
  LossInfo(const char* name_, const char* summary_, std::vector<Reduction> reductions_, F fn)
      : name(name_), summary(summary_), reductions(std::move(reductions_)), f32(fn), f64(fn) {}

  bool supports(Reduction r) const;
  std::string reduction_names() const;  // "none, sum, batchmean"

  template <class T>
  Tensor<T> operator()(const Tensor<T>& input, const Tensor<T>& target, Reduction reduction) const {
    static_assert(std::is_same<T, float>::value || std::is_same<T, double>::value,
                  "LossInfo: registered losses exist for float and double");
    if constexpr (std::is_same<T, float>::value)
      return f32(input, target, reduction);
    else
      return f64(input, target, reduction);
  }
};

// Every registered loss, in registration order ("kl" first).
const std::vector<LossInfo>& loss_registry();
// The loss called `name`, or an Error listing the registered names.
const LossInfo& find_loss(const std::string& name);
// "kl, js, alpha": for --help texts and error messages.
std::string loss_names();

}  // namespace klgrad
