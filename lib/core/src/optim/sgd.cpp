// SGD with momentum, dampening, Nesterov, weight decay and maximize: PyTorch
// 1.13's _single_tensor_sgd, one element at a time. See klgrad/optim.hpp.
#include <cmath>

#include "klgrad/optim.hpp"

namespace klgrad {

namespace {

// PyTorch's argument checks, as errors that name the option, the value and the fix.
void validate(const SGDOptions& o) {
  KLGRAD_CHECK(!std::isnan(o.lr), "SGD: lr is required (PyTorch's SGD has no default either): set SGDOptions::lr, e.g. 0.01");
  KLGRAD_CHECK(o.lr >= 0, "SGD: lr = " + number_str(o.lr) + " is invalid: the learning rate must be >= 0");
  KLGRAD_CHECK(o.momentum >= 0, "SGD: momentum = " + number_str(o.momentum) + " is invalid: momentum must be >= 0 (0 turns it off)");
  KLGRAD_CHECK(o.weight_decay >= 0,
        "SGD: weight_decay = " + number_str(o.weight_decay) + " is invalid: weight_decay must be >= 0 (0 turns it off)");
  KLGRAD_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0),
        "SGD: nesterov = true requires momentum > 0 and dampening = 0, got momentum = " + number_str(o.momentum) +
            " and dampening = " + number_str(o.dampening) + ": set momentum (e.g. 0.9) and dampening = 0, or nesterov = false");
}

}  // namespace

template <class T>
SGD<T>::SGD(std::vector<Parameter<T>*> params, const SGDOptions& options)
    : Optimizer<T>("SGD", std::move(params)), options_(options) {
  validate(options_);
  if (options_.momentum != 0)
    for (Parameter<T>* p : this->params_) {
      momentum_buffer_.push_back(Array<T>::from_shape(p->value.shape()));
      momentum_buffer_.back().fill(T(0));
    }
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

}  // namespace klgrad
