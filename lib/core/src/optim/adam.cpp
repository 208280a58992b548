// Adam and AdamW (with amsgrad and maximize): PyTorch 1.13's _single_tensor_adam
// and _single_tensor_adamw, one element at a time. See klgrad/optim.hpp.
#include <cmath>

#include "klgrad/optim.hpp"

namespace klgrad {

namespace {

// PyTorch's argument checks, as errors that name the optimizer, the option, the value and the fix.
void validate(const char* name, const AdamOptions& o) {
  const std::string n = name;
  KLGRAD_CHECK(o.lr >= 0, n + ": lr = " + number_str(o.lr) + " is invalid: the learning rate must be >= 0 (default 0.001)");
  KLGRAD_CHECK(o.eps >= 0, n + ": eps = " + number_str(o.eps) + " is invalid: eps must be >= 0 (default 1e-08)");
  KLGRAD_CHECK(o.beta1 >= 0 && o.beta1 < 1,
        n + ": beta1 = " + number_str(o.beta1) + " is invalid: betas must lie in [0, 1) (defaults 0.9 and 0.999)");
  KLGRAD_CHECK(o.beta2 >= 0 && o.beta2 < 1,
        n + ": beta2 = " + number_str(o.beta2) + " is invalid: betas must lie in [0, 1) (defaults 0.9 and 0.999)");
  KLGRAD_CHECK(o.weight_decay >= 0,
        n + ": weight_decay = " + number_str(o.weight_decay) + " is invalid: weight_decay must be >= 0 (0 turns it off)");
}

template <class T>
std::vector<Array<T>> zeros_like(const std::vector<Parameter<T>*>& params) {
  std::vector<Array<T>> out;
  for (const Parameter<T>* p : params) {
    out.push_back(Array<T>::from_shape(p->value.shape()));
    out.back().fill(T(0));
  }
  return out;
}

// The scalars of one parameter's update, rounded to T where PyTorch rounds them.
template <class T>
struct AdamScalars {
  T sign, decay, wd, b1, one_minus_b1, b2, one_minus_b2, neg_step_size, bc2_sqrt, eps;
};

// One Adam/AdamW update of n elements: PyTorch's chain of tensor ops, fused into one pass.
// GCC vectorizes this loop only under -fno-math-errno (else std::sqrt may set errno):
// about 10x faster on large parameters, and bit-identical results either way.
template <class T, bool Amsgrad, bool L2>
void adam_update(std::size_t n, T* theta, const T* grad, T* m, T* v, T* vmax, const AdamScalars<T>& s) {
  for (std::size_t k = 0; k < n; ++k) {
    T g = s.sign * grad[k];                                       // g = -grad when maximizing, before the decay
    theta[k] *= s.decay;                                          // AdamW: theta *= 1 - lr wd first (Adam: 1)
    if constexpr (L2) g = std::fma(theta[k], s.wd, g);            // Adam: g += wd theta      (L2 penalty)
    m[k] = std::fma(g, s.one_minus_b1, m[k] * s.b1);              // m = b1 m + (1 - b1) g
    v[k] = std::fma(s.one_minus_b2 * g, g, v[k] * s.b2);          // v = b2 v + (1 - b2) g^2
    if constexpr (Amsgrad) vmax[k] = v[k] > vmax[k] || std::isnan(v[k]) ? v[k] : vmax[k];  // vmax = max(vmax, v), NaN wins
    const T denom = std::sqrt(Amsgrad ? vmax[k] : v[k]) / s.bc2_sqrt + s.eps;  // sqrt(v / (1 - b2^t)) + eps
    theta[k] += s.neg_step_size * m[k] / denom;                   // theta -= lr / (1 - b1^t) m / denom
  }
}

}  // namespace

template <class T>
Adam<T>::Adam(std::vector<Parameter<T>*> params, const AdamOptions& options)
    : Adam("Adam", std::move(params), options, false) {}

template <class T>
Adam<T>::Adam(const char* name, std::vector<Parameter<T>*> params, const AdamOptions& options, bool decoupled)
    : Optimizer<T>(name, std::move(params)), options_(options), decoupled_(decoupled) {
  validate(name, options_);
  exp_avg_ = zeros_like(this->params_);
  exp_avg_sq_ = zeros_like(this->params_);
  if (options_.amsgrad) max_exp_avg_sq_ = zeros_like(this->params_);
}

template <class T>
void Adam<T>::step() {
  const AdamOptions& o = options_;
  // PyTorch passes the Python floats to float32 kernels as float: round them once, here.
  AdamScalars<T> s;
  s.sign = o.maximize ? T(-1) : T(1);
  s.decay = decoupled_ ? T(1 - o.lr * o.weight_decay) : T(1);
  s.wd = T(o.weight_decay);
  s.b1 = T(o.beta1);
  s.one_minus_b1 = T(1 - o.beta1);
  s.b2 = T(o.beta2);
  s.one_minus_b2 = T(1 - o.beta2);
  s.eps = T(o.eps);
  const bool l2 = !decoupled_ && o.weight_decay != 0;
  std::int64_t t_done = 0;  // bias corrections below are for step t_done (parameters usually share t)
  double bc1 = 0, bc2 = 0;
  for (std::size_t i = 0; i < this->params_.size(); ++i) {
    Parameter<T>& p = *this->params_[i];
    if (!p.has_grad) continue;  // grad None: skipped, state and step count untouched
    if (o.amsgrad) this->prepare(i, {&exp_avg_[i], &exp_avg_sq_[i], &max_exp_avg_sq_[i]});
    else this->prepare(i, {&exp_avg_[i], &exp_avg_sq_[i]});
    const std::int64_t t = ++this->steps_[i];     // t: this parameter's step count
    if (t != t_done) {
      bc1 = 1 - std::pow(o.beta1, double(t));     // 1 - b1^t   (Python floats: double)
      bc2 = 1 - std::pow(o.beta2, double(t));     // 1 - b2^t
      t_done = t;
    }
    s.neg_step_size = T(-(o.lr / bc1));           // -lr / (1 - b1^t)
    s.bc2_sqrt = T(std::sqrt(bc2));               // sqrt(1 - b2^t)
    T* theta = p.value.data();
    const T* g = p.grad.data();
    T* m = exp_avg_[i].data();
    T* v = exp_avg_sq_[i].data();
    T* vmax = o.amsgrad ? max_exp_avg_sq_[i].data() : nullptr;
    const std::size_t n = p.value.size();
    if (o.amsgrad && l2) adam_update<T, true, true>(n, theta, g, m, v, vmax, s);
    else if (o.amsgrad) adam_update<T, true, false>(n, theta, g, m, v, vmax, s);
    else if (l2) adam_update<T, false, true>(n, theta, g, m, v, vmax, s);
    else adam_update<T, false, false>(n, theta, g, m, v, vmax, s);
  }
}

template <class T>
void Adam<T>::visit_state(const typename Optimizer<T>::StateVisitor& f) {
  for (std::size_t i = 0; i < this->params_.size(); ++i) {
    const std::string idx = std::to_string(i);
    f("exp_avg." + idx, exp_avg_[i]);
    f("exp_avg_sq." + idx, exp_avg_sq_[i]);
    if (options_.amsgrad) f("max_exp_avg_sq." + idx, max_exp_avg_sq_[i]);
  }
}

template class Adam<float>;
template class Adam<double>;

}  // namespace klgrad
