// kl_divergence: the registry keyed by (typeid(p), typeid(q)), and the built-in
// pairs. Formulas: klgrad/distributions.hpp.
//
// The built-in pairs are registered by the registry's constructor, which runs on
// the first kl_divergence or register_kl call. A static initializer in a .cpp
// that nothing references would be dropped by the linker when klgrad is a static
// archive, and the built-ins would silently vanish.
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <utility>

#include <xtensor/xbroadcast.hpp>

#include "klgrad/distributions.hpp"

namespace klgrad {

namespace {

template <class T> const char* type_name();
template <> const char* type_name<float>() { return "float"; }
template <> const char* type_name<double>() { return "double"; }

// 1 where pred(a) holds, else 0, with a broadcast to `shape`.
template <class T, class Pred>
Array<T> mask(const Tensor<T>& a, const Shape& shape, Pred pred) {
  const Array<T> b = xt::broadcast(a.value(), shape);
  Array<T> m = Array<T>::from_shape(shape);
  for (std::size_t i = 0; i < b.size(); ++i) m.flat(i) = pred(b.flat(i)) ? T(1) : T(0);
  return m;
}

template <class T>
Tensor<T> sum_rightmost(const Tensor<T>& x, std::size_t n) {
  if (n == 0) return x;
  std::vector<int> dims;
  for (std::size_t k = 1; k <= n; ++k) dims.push_back(-static_cast<int>(k));
  return sum(x, dims);
}

// r = (sp / sq)^2, t = ((mp - mq) / sq)^2, KL = 1/2 (r + t - 1 - log r)
template <class T>
Tensor<T> kl_normal_normal(const Normal<T>& p, const Normal<T>& q) {
  const Tensor<T> var_ratio = pow(p.scale() / q.scale(), T(2));
  const Tensor<T> t1 = pow((p.loc() - q.loc()) / q.scale(), T(2));
  return T(0.5) * (var_ratio + t1 - T(1) - log(var_ratio));
}

// sum_k p_k (logp_k - logq_k); +inf where q_k = 0 (< p_k), 0 where p_k = 0.
template <class T>
Tensor<T> kl_categorical_categorical(const Categorical<T>& p, const Categorical<T>& q) {
  KLGRAD_CHECK(p.num_categories() == q.num_categories(),
        "kl_divergence(Categorical, Categorical): p has " + std::to_string(p.num_categories()) +
            " categories and q has " + std::to_string(q.num_categories()) + "; both need the same support");
  Tensor<T> t = p.probs() * (p.logits() - q.logits());
  const T inf = std::numeric_limits<T>::infinity();
  t = detail::masked_fill(t, mask(q.probs(), t.shape(), [](T v) { return v == T(0); }), inf);
  t = detail::masked_fill(t, mask(p.probs(), t.shape(), [](T v) { return v == T(0); }), T(0));
  return sum(t, {-1});
}

// p (softplus(-lq) - softplus(-lp)) + (1 - p) (softplus(lq) - softplus(lp)), with
// the first term inf where q = 0 (0 where p = 0), the second inf where q = 1 (0 where p = 1).
template <class T>
Tensor<T> kl_bernoulli_bernoulli(const Bernoulli<T>& p, const Bernoulli<T>& q) {
  const T inf = std::numeric_limits<T>::infinity();
  Tensor<T> t1 = p.probs() * (softplus(-q.logits()) - softplus(-p.logits()));
  t1 = detail::masked_fill(t1, mask(q.probs(), t1.shape(), [](T v) { return v == T(0); }), inf);
  t1 = detail::masked_fill(t1, mask(p.probs(), t1.shape(), [](T v) { return v == T(0); }), T(0));
  Tensor<T> t2 = (T(1) - p.probs()) * (softplus(q.logits()) - softplus(p.logits()));
  t2 = detail::masked_fill(t2, mask(q.probs(), t2.shape(), [](T v) { return v == T(1); }), inf);
  t2 = detail::masked_fill(t2, mask(p.probs(), t2.shape(), [](T v) { return v == T(1); }), T(0));
  return t1 + t2;
}

// KL of the bases, summed over the reinterpreted dims.
template <class T>
Tensor<T> kl_independent_independent(const Independent<T>& p, const Independent<T>& q) {
  KLGRAD_CHECK(p.reinterpreted_batch_ndims() == q.reinterpreted_batch_ndims(),
        "kl_divergence(Independent, Independent): p reinterprets " + std::to_string(p.reinterpreted_batch_ndims()) +
            " batch dims and q " + std::to_string(q.reinterpreted_batch_ndims()) +
            "; they must reinterpret the same number of dims (their event shapes must match)");
  return sum_rightmost(kl_divergence(p.base(), q.base()), p.reinterpreted_batch_ndims());
}

template <class T>
struct Registry {
  std::mutex mutex;
  std::map<std::pair<std::type_index, std::type_index>, KlFn<T>> fns;

  template <class P, class Q>
  void add(Tensor<T> (*fn)(const P&, const Q&)) {
    fns[{typeid(P), typeid(Q)}] = [fn](const Distribution<T>& p, const Distribution<T>& q) {
      return fn(static_cast<const P&>(p), static_cast<const Q&>(q));
    };
  }

  Registry() {
    add(&kl_normal_normal<T>);
    add(&kl_categorical_categorical<T>);
    add(&kl_bernoulli_bernoulli<T>);
    add(&kl_independent_independent<T>);
  }
};

template <class T>
Registry<T>& registry() {
  static Registry<T> r;  // constructed (with the built-ins) on first use, thread-safe
  return r;
}

}  // namespace

template <class T>
void register_kl_fn(std::type_index p, std::type_index q, KlFn<T> fn) {
  KLGRAD_CHECK(static_cast<bool>(fn), "register_kl: the KL function is empty");
  Registry<T>& r = registry<T>();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.fns[{p, q}] = std::move(fn);
}

template <class T>
Tensor<T> kl_divergence(const Distribution<T>& p, const Distribution<T>& q) {
  KlFn<T> fn;
  {
    Registry<T>& r = registry<T>();
    std::lock_guard<std::mutex> lock(r.mutex);  // released before fn runs: fn may recurse (Independent)
    auto it = r.fns.find({typeid(p), typeid(q)});
    if (it != r.fns.end()) fn = it->second;
  }
  const std::string pair = "(" + p.name() + ", " + q.name() + ")";
  const std::string t = type_name<T>();
  KLGRAD_CHECK(static_cast<bool>(fn), "kl_divergence: no KL registered for " + pair + "; register one with register_kl<" +
                                   p.name() + "<" + t + ">, " + q.name() + "<" + t + ">>(fn)");
  try {
    broadcast_shapes(p.batch_shape(), q.batch_shape(), "kl_divergence");
  } catch (const Error&) {
    throw Error("kl_divergence" + pair + ": batch shapes " + shape_str(p.batch_shape()) + " and " +
                shape_str(q.batch_shape()) + " do not broadcast; give p and q matching parameter shapes");
  }
  return fn(p, q);
}

#define KLGRAD_KL(T)                                                                         \
  template void register_kl_fn<T>(std::type_index, std::type_index, KlFn<T>);                \
  template Tensor<T> kl_divergence<T>(const Distribution<T>&, const Distribution<T>&);
KLGRAD_KL(float)
KLGRAD_KL(double)

}  // namespace klgrad
