// klgrad/random.hpp — a seedable random stream whose whole state is checkpointable.
//
//   klgrad::Generator gen(42);
//   auto x = gen.normal<float>({128, 20});          // N(0, 1), shape (128, 20)
//   klgrad::Array<float> eps = x;                   // a hot loop refills one buffer:
//   gen.normal_(eps);                               //   no allocation per step
//   std::string s = gen.state();                    // checkpoint ...
//   gen.set_state(s);                               // ... and resume the exact stream
//
// What is in the state, and what is not
//   The state is the std::mt19937_64 engine and nothing else. Every draw below is
//   built directly from raw 64-bit engine outputs, so there is no cached value
//   anywhere (std::normal_distribution keeps a spare Box-Muller value that is not
//   part of the engine's state: a checkpoint taken after an odd number of draws
//   would resume a different stream). The same seed gives the same numbers on
//   every run and every platform with a conforming std::mt19937_64.
//
// The transforms (u64 = one raw engine output)
//   uniform double in [0, 1):  (u64 >> 11) * 2^-53      (53 random bits, never 1)
//   uniform float  in [0, 1):  (u64 >> 40) * 2^-24      (24 random bits, never 1)
//   normal: Box-Muller on pairs, u1 in (0, 1] (so log u1 is finite), u2 in [0, 1):
//     z0 = sqrt(-2 ln u1) cos(2 pi u2),  z1 = sqrt(-2 ln u1) sin(2 pi u2)
//     An array of n values uses ceil(n / 2) pairs; with n odd the last z1 is
//     dropped (not cached), so each call consumes 2 ceil(n / 2) engine outputs.
//   bernoulli(p): 1 if u < p else 0, one output per element (u double in [0, 1)).
//   categorical(w): one output per draw: u * sum(w) located in the running sum
//     of the row's weights (inverse CDF); weights need not be normalised.
//
// These are not PyTorch's streams: PyTorch draws different numbers from the same
// seed. Tests compare statistics of draws, never the draws themselves.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "klgrad/xt.hpp"

namespace klgrad {

class Generator {
 public:
  static constexpr std::uint64_t default_seed = 5489u;  // std::mt19937_64's own default

  explicit Generator(std::uint64_t seed = default_seed) : engine_(seed) {}

  // Restarts the stream from `seed`.
  void seed(std::uint64_t seed) { engine_.seed(seed); }

  // One raw engine output, and the two uniform transforms above.
  std::uint64_t next_u64() { return engine_(); }
  double next_double() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)

  // Standard normal N(0, 1) draws: a new array of `shape`, or fill `out` in place.
  template <class T> Array<T> normal(const Shape& shape);
  template <class T> void normal_(Array<T>& out);

  // Uniform draws in [0, 1).
  template <class T> Array<T> uniform(const Shape& shape);
  template <class T> void uniform_(Array<T>& out);

  // 0/1 draws, P(1) = probs elementwise; shape sample_shape + probs.shape.
  // probs must lie in [0, 1] (an Error names the first bad element).
  template <class T> Array<T> bernoulli(const Array<T>& probs, const Shape& sample_shape = {});

  // Class indices (stored as T) drawn along the last axis of `weights` (..., K):
  // P(k) = w_k / sum_j w_j. Shape sample_shape + weights.shape[:-1]. Weights must
  // be finite and >= 0 with a positive sum in every row.
  template <class T> Array<T> categorical(const Array<T>& weights, const Shape& sample_shape = {});

  // The complete state as text ("klgrad.Generator.v1 mt19937_64 <engine words>"),
  // and its inverse. set_state throws Error on anything state() could not have
  // produced, and then leaves the generator unchanged.
  std::string state() const;
  void set_state(const std::string& state);

  friend bool operator==(const Generator& a, const Generator& b) { return a.engine_ == b.engine_; }
  friend bool operator!=(const Generator& a, const Generator& b) { return !(a == b); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace klgrad
