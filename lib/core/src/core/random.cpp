// Generator: raw mt19937_64 output turned into uniform, normal, Bernoulli and
// categorical draws, with no state beyond the engine. Transforms: klgrad/random.hpp.
#include "klgrad/random.hpp"

#include <cmath>
#include <sstream>

#include "klgrad/error.hpp"

namespace klgrad {

namespace {

constexpr const char* state_tag = "klgrad.Generator.v1 mt19937_64";
constexpr double two_pi = 6.283185307179586476925286766559;

template <class T> T uniform_from(std::uint64_t u);
// 53 (double) and 24 (float) random bits: exactly representable, always < 1.
template <> double uniform_from<double>(std::uint64_t u) { return static_cast<double>(u >> 11) * 0x1.0p-53; }
template <> float uniform_from<float>(std::uint64_t u) { return static_cast<float>(u >> 40) * 0x1.0p-24f; }

Shape concat(const Shape& a, const Shape& b) {
  Shape s(a.size() + b.size());
  for (std::size_t i = 0; i < a.size(); ++i) s[i] = a[i];
  for (std::size_t i = 0; i < b.size(); ++i) s[a.size() + i] = b[i];
  return s;
}

}  // namespace

template <class T>
void Generator::normal_(Array<T>& out) {
  T* p = out.data();
  const std::size_t n = out.size();
  for (std::size_t i = 0; i < n; i += 2) {
    // Box-Muller in double, u1 in (0, 1] so that log(u1) is finite.
    const double u1 = 1.0 - next_double();
    const double u2 = next_double();
    const double r = std::sqrt(-2.0 * std::log(u1));
    p[i] = static_cast<T>(r * std::cos(two_pi * u2));
    if (i + 1 < n) p[i + 1] = static_cast<T>(r * std::sin(two_pi * u2));  // else dropped, never cached
  }
}

template <class T>
Array<T> Generator::normal(const Shape& shape) {
  Array<T> out = Array<T>::from_shape(shape);
  normal_(out);
  return out;
}

template <class T>
void Generator::uniform_(Array<T>& out) {
  for (T& v : out) v = uniform_from<T>(engine_());
}

template <class T>
Array<T> Generator::uniform(const Shape& shape) {
  Array<T> out = Array<T>::from_shape(shape);
  uniform_(out);
  return out;
}

template <class T>
Array<T> Generator::bernoulli(const Array<T>& probs, const Shape& sample_shape) {
  const std::size_t n = probs.size();
  const T* p = probs.data();
  for (std::size_t i = 0; i < n; ++i)
    KLGRAD_CHECK(p[i] >= T(0) && p[i] <= T(1), "Generator::bernoulli: probs must lie in [0, 1], found " +
                                            std::to_string(p[i]) + " at element " + std::to_string(i) +
                                            " of probs " + shape_str(probs.shape()) +
                                            "; squash raw scores with sigmoid first");
  Array<T> out = Array<T>::from_shape(concat(sample_shape, probs.shape()));
  T* o = out.data();
  for (std::size_t s = 0; s < numel(sample_shape); ++s, o += n)
    for (std::size_t i = 0; i < n; ++i) o[i] = next_double() < static_cast<double>(p[i]) ? T(1) : T(0);
  return out;
}

template <class T>
Array<T> Generator::categorical(const Array<T>& weights, const Shape& sample_shape) {
  const Shape& ws = weights.shape();
  KLGRAD_CHECK(!ws.empty() && ws.back() > 0, "Generator::categorical: weights " + shape_str(ws) +
                                          " need a last axis of at least one category, e.g. shape (K,) or (N, K)");
  const std::size_t k = ws.back(), rows = weights.size() / k;
  const T* w = weights.data();
  std::vector<double> total(rows, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t j = 0; j < k; ++j) {
      const T v = w[r * k + j];
      KLGRAD_CHECK(std::isfinite(v) && v >= T(0), "Generator::categorical: weights must be finite and >= 0, found " +
                                               std::to_string(v) + " in row " + std::to_string(r) +
                                               "; pass probabilities (softmax of logits), not logits");
      total[r] += static_cast<double>(v);
    }
    KLGRAD_CHECK(total[r] > 0, "Generator::categorical: row " + std::to_string(r) + " of weights " + shape_str(ws) +
                            " sums to 0; every row needs a category with positive weight");
  }
  Shape batch(ws.begin(), ws.end() - 1);
  Array<T> out = Array<T>::from_shape(concat(sample_shape, batch));
  T* o = out.data();
  for (std::size_t s = 0; s < numel(sample_shape); ++s, o += rows) {
    for (std::size_t r = 0; r < rows; ++r) {
      // Inverse CDF: the first j whose running sum exceeds u * total, skipping
      // zero-weight categories (they can never be drawn).
      const double u = next_double() * total[r];
      double acc = 0;
      std::size_t pick = k;
      for (std::size_t j = 0; j < k; ++j) {
        const double v = static_cast<double>(w[r * k + j]);
        acc += v;
        if (v > 0) pick = j;  // rounding fallback: the last positive category
        if (v > 0 && u < acc) break;
      }
      o[r] = static_cast<T>(pick);
    }
  }
  return out;
}

std::string Generator::state() const {
  std::ostringstream s;
  s << state_tag << ' ' << engine_;
  return s.str();
}

void Generator::set_state(const std::string& state) {
  const std::string fix = "; pass a string returned by Generator::state()";
  const std::string tag(state_tag);
  KLGRAD_CHECK(state.compare(0, tag.size(), tag) == 0,
        "Generator::set_state: the state does not start with '" + tag + "'" + fix);
  std::istringstream in(state.substr(tag.size()));
  std::mt19937_64 e;
  in >> e;
  KLGRAD_CHECK(!in.fail(), "Generator::set_state: the engine words after '" + tag + "' are missing or malformed (expected " +
                        std::to_string(std::mt19937_64::state_size) + " words and a position)" + fix);
  std::ostringstream again;  // canonical form: rejects trailing text and non-canonical numbers
  again << tag << ' ' << e;
  KLGRAD_CHECK(again.str() == state, "Generator::set_state: the state is not in the canonical form state() writes "
                              "(extra text, or a malformed engine word)" + fix);
  engine_ = e;
}

#define KLGRAD_RANDOM(T)                                                   \
  template Array<T> Generator::normal<T>(const Shape&);                    \
  template void Generator::normal_<T>(Array<T>&);                          \
  template Array<T> Generator::uniform<T>(const Shape&);                   \
  template void Generator::uniform_<T>(Array<T>&);                         \
  template Array<T> Generator::bernoulli<T>(const Array<T>&, const Shape&); \
  template Array<T> Generator::categorical<T>(const Array<T>&, const Shape&);
KLGRAD_RANDOM(float)
KLGRAD_RANDOM(double)

}  // namespace klgrad
