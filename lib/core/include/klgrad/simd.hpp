// klgrad/simd.hpp — write an elementwise kernel once, run it 16 floats at a time.
//
// A kernel is a generic lambda f(i, V) over a position i and a lane type V:
// V = xsimd::batch<T> for the body (16 floats per AVX-512 register, 8 per AVX2),
// V = T for the scalar tail. Inside, load with load_as(p + i, V{}), store with
// store_to(p + i, v), and use xsimd::exp / xsimd::log / xsimd::max, which
// accept both lane types. Example, y = exp(x):
//
//   simd_for<T>(n, [&](std::size_t i, auto v) {
//     using V = decltype(v);
//     store_to(y + i, xsimd::exp(load_as(x + i, V{})));
//   });
//
// Why: std::exp in a plain loop is one scalar libm call per element;
// xsimd evaluates 16 at once. This is the SIMD layer xtensor itself uses.
#pragma once

#include <cstddef>

#include <xsimd/xsimd.hpp>

namespace klgrad {

template <class T> T load_as(const T* p, T) { return *p; }
template <class T, class A> xsimd::batch<T, A> load_as(const T* p, xsimd::batch<T, A>) {
  return xsimd::load_unaligned(p);
}
template <class T> void store_to(T* p, T v) { *p = v; }
template <class T, class A> void store_to(T* p, xsimd::batch<T, A> v) { v.store_unaligned(p); }

// Calls f(i, V{}) for i = 0, B, 2B, ... with SIMD lanes, then f(i, T{}) for the tail.
template <class T, class F> void simd_for(std::size_t n, F f) {
  using B = xsimd::batch<T>;
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) f(i, B{});
  for (; i < n; ++i) f(i, T{});
}

// sum_i f(i, V) accumulated in double: lanes add up to 16 batches in T, then
// the horizontal sum joins a double total (float sums of 1e5 terms would drift).
template <class T, class F> double simd_sum(std::size_t n, F f) {
  using B = xsimd::batch<T>;
  double s = 0;
  std::size_t i = 0;
  while (i + B::size <= n) {
    B lanes(T(0));
    for (int k = 0; k < 16 && i + B::size <= n; ++k, i += B::size) lanes += f(i, B{});
    s += static_cast<double>(xsimd::hadd(lanes));
  }
  for (; i < n; ++i) s += static_cast<double>(f(i, T{}));
  return s;
}

// max_i f(i, V), e.g. the row maximum of a softmax.
template <class T, class F> T simd_max(std::size_t n, T init, F f) {
  using B = xsimd::batch<T>;
  std::size_t i = 0;
  T m = init;
  if (n >= B::size) {
    B lanes(init);
    for (; i + B::size <= n; i += B::size) lanes = xsimd::max(lanes, f(i, B{}));
    alignas(64) T buf[B::size];
    lanes.store_aligned(buf);
    for (std::size_t k = 0; k < B::size; ++k) m = buf[k] > m ? buf[k] : m;
  }
  for (; i < n; ++i) {
    const T v = f(i, T{});
    m = v > m ? v : m;
  }
  return m;
}

}  // namespace klgrad
