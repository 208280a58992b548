// SGD, Adam and AdamW: PyTorch 1.13's _single_tensor_sgd, _single_tensor_adam and
// _single_tensor_adamw, one element at a time. See klgrad/optim.hpp.
#include <cmath>
#include <type_traits>

#include "klgrad/optim.hpp"

namespace klgrad {

namespace {

// An Error "<optimizer>: <option> = <value> is invalid: <rule>" unless ok.
void check_option(bool ok, const std::string& optimizer, const char* option, double value, const char* rule) {
  KLGRAD_CHECK(ok, optimizer + ": " + option + " = " + number_str(value) + " is invalid: " + rule);
}

// One array of zeros shaped like each parameter: the optimizer state before the first step.
template <class T>
std::vector<Array<T>> zeros_like(const std::vector<Parameter<T>*>& params) {
  std::vector<Array<T>> out;
  for (const Parameter<T>* p : params) out.push_back(xt::zeros<T>(p->value.shape()));
  return out;
}

}  // namespace

// ---- SGD ----

namespace {

// PyTorch's argument checks, as errors that name the option, the value and the fix.
void validate(const SGDOptions& o) {
  KLGRAD_CHECK(!std::isnan(o.lr), "SGD: lr is required (PyTorch's SGD has no default either): set SGDOptions::lr, e.g. 0.01");
  check_option(o.lr >= 0, "SGD", "lr", o.lr, "the learning rate must be >= 0");
  check_option(o.momentum >= 0, "SGD", "momentum", o.momentum, "momentum must be >= 0 (0 turns it off)");
  check_option(o.weight_decay >= 0, "SGD", "weight_decay", o.weight_decay, "weight_decay must be >= 0 (0 turns it off)");
  KLGRAD_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0),
        "SGD: nesterov = true requires momentum > 0 and dampening = 0, got momentum = " + number_str(o.momentum) +
            " and dampening = " + number_str(o.dampening) + ": set momentum (e.g. 0.9) and dampening = 0, or nesterov = false");
}

}  // namespace

template <class T>
SGD<T>::SGD(std::vector<Parameter<T>*> params, const SGDOptions& options)
    : Optimizer<T>("SGD", std::move(params)), options_(options) {
  validate(options_);
  if (options_.momentum != 0) momentum_buffer_ = zeros_like(this->params_);
}

template <class T>
void SGD<T>::step() {
  const SGDOptions& o = options_;
  // PyTorch passes the Python floats to float32 kernels as float: round them once here.
  const T wd = T(o.weight_decay), mu = T(o.momentum), one_minus_damp = T(1 - o.dampening), neg_lr = T(-o.lr);
  const bool use_momentum = o.momentum != 0, use_wd = o.weight_decay != 0, nesterov = o.nesterov, maximize = o.maximize;
  for (std::size_t i = 0; i < this->params_.size(); ++i) {
    Parameter<T>& p = *this->params_[i];
    if (!p.has_grad) continue;  // grad None: skipped, state untouched
    if (use_momentum) this->prepare(i, {&momentum_buffer_[i]});
    else this->prepare(i, {});
    const bool first = this->steps_[i] == 0;
    const std::size_t n = p.value.size();
    T* theta = p.value.data();
    const T* grad = p.grad.data();
    T* buf = use_momentum ? momentum_buffer_[i].data() : nullptr;
    for (std::size_t k = 0; k < n; ++k) {
      T g = maximize ? -grad[k] : grad[k];             // g = -grad when maximizing, before the decay
      if (use_wd) g = std::fma(theta[k], wd, g);         // g += wd theta             (L2 penalty)
      if (use_momentum) {
        buf[k] = first ? g : std::fma(g, one_minus_damp, buf[k] * mu);  // b = mu b + (1 - dampening) g; b_1 = g
        g = nesterov ? std::fma(buf[k], mu, g) : buf[k];              // g = g + mu b (Nesterov), else g = b
      }
      theta[k] = std::fma(g, neg_lr, theta[k]);          // theta -= lr g
    }
    ++this->steps_[i];
  }
}

template <class T>
void SGD<T>::visit_state(const typename Optimizer<T>::StateVisitor& f) {
  for (std::size_t i = 0; i < momentum_buffer_.size(); ++i) f("momentum_buffer." + std::to_string(i), momentum_buffer_[i]);
}

template class SGD<float>;
template class SGD<double>;

// ---- Adam and AdamW ----

namespace {

// PyTorch's argument checks, as errors that name the optimizer, the option, the value and the fix.
void validate(const std::string& n, const AdamOptions& o) {
  check_option(o.lr >= 0, n, "lr", o.lr, "the learning rate must be >= 0 (default 0.001)");
  check_option(o.eps >= 0, n, "eps", o.eps, "eps must be >= 0 (default 1e-08)");
  const char* betas = "betas must lie in [0, 1) (defaults 0.9 and 0.999)";
  check_option(o.beta1 >= 0 && o.beta1 < 1, n, "beta1", o.beta1, betas);
  check_option(o.beta2 >= 0 && o.beta2 < 1, n, "beta2", o.beta2, betas);
  check_option(o.weight_decay >= 0, n, "weight_decay", o.weight_decay, "weight_decay must be >= 0 (0 turns it off)");
}

// f(std::true_type{}) or f(std::false_type{}): a run-time flag made a compile-time one.
template <class F>
void with_flag(bool flag, F f) {
  if (flag) f(std::true_type{});
  else f(std::false_type{});
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
    with_flag(o.amsgrad, [&](auto amsgrad) {
      with_flag(l2, [&](auto l2_) { adam_update<T, decltype(amsgrad)::value, decltype(l2_)::value>(n, theta, g, m, v, vmax, s); });
    });
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
