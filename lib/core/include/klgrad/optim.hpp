// klgrad/optim.hpp — SGD, Adam and AdamW, with PyTorch 1.13's exact update rules.
//
// An optimizer is flat and graph-agnostic: it sees only Parameters (value, grad,
// has_grad) and updates each value in place from its grad. A training step:
//
//   klgrad::Adam<float> opt(model.parameters());          // AdamOptions{}: lr 1e-3
//   for (...) {
//     opt.zero_grad();                                     // grads = 0, in place
//     auto loss = model.loss(tape, batch);
//     loss.backward();                                     // grads += dL/dtheta
//     opt.step();                                          // theta -= update(grad)
//     tape.clear();
//   }
//
// PyTorch parity:
//  * a parameter with has_grad == false (PyTorch's `grad is None`) is skipped:
//    no update, no state change, its step count does not advance; a zero
//    gradient is a gradient and still updates (momentum, weight decay, Adam's m);
//  * state is per parameter: at a parameter's first update SGD's momentum
//    buffer becomes a copy of g and Adam's m and v start from 0; Adam's bias
//    corrections use that parameter's own step count;
//  * in float32 the elementwise math runs in float32 while the scalars (lr,
//    bias corrections, 1 - beta) are computed in double and rounded to float
//    where PyTorch rounds them, with PyTorch's operation order and fused
//    multiply-adds (as its AVX2 kernels); the trajectories replayed by
//    tests/optim/test_optim.cpp agree with PyTorch's bit for bit, in both precisions.
//
// Checkpointing: visit_state() shows every state array by a stable name
// ("momentum_buffer.0", "exp_avg.3", "exp_avg_sq.3", "max_exp_avg_sq.3"; the
// number is the parameter's position in params()), visit_steps() every step
// count ("step.3"). Save what they show; to restore, build the same optimizer
// over the same parameters and assign the saved values through the same
// visitors. State arrays exist from construction (zeros shaped like the
// parameter), so the set of names never changes.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "klgrad/tape.hpp"
#include "klgrad/xt.hpp"

namespace klgrad {

template <class T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient.
  virtual void step() = 0;
  // PyTorch 1.13's default zeroes the gradients in place; set_to_none drops them
  // (has_grad = false), so the next step skips those parameters.
  void zero_grad(bool set_to_none = false);
  const std::vector<Parameter<T>*>& params() const { return params_; }
  const char* name() const { return name_; }

  using StateVisitor = std::function<void(const std::string& name, Array<T>& a)>;
  using StepVisitor = std::function<void(const std::string& name, std::int64_t& steps)>;
  // Every state array, by a stable name (see the top of this file).
  virtual void visit_state(const StateVisitor& f) = 0;
  // Every parameter's step count ("step.i"): updates applied to params()[i].
  void visit_steps(const StepVisitor& f);

 protected:
  // Throws an Error naming the optimizer for an empty list, a null or a repeated parameter.
  Optimizer(const char* name, std::vector<Parameter<T>*> params);
  // Checks grad and state shapes of params()[i] before an update; state arrays of a
  // parameter not yet updated follow its value's shape (zeros).
  void prepare(std::size_t i, std::initializer_list<Array<T>*> state);

  const char* name_;
  std::vector<Parameter<T>*> params_;
  std::vector<std::int64_t> steps_;  // PyTorch's state['step'], per parameter
};

// PyTorch: torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0,
//                          nesterov=False, maximize=False)
struct SGDOptions {
  double lr = std::numeric_limits<double>::quiet_NaN();  // required, as in PyTorch
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;  // L2 penalty: g += weight_decay * theta
  bool nesterov = false;    // needs momentum > 0 and dampening == 0
  bool maximize = false;    // ascend instead of descend
};

template <class T>
class SGD : public Optimizer<T> {
 public:
  SGD(std::vector<Parameter<T>*> params, const SGDOptions& options);
  void step() override;
  void visit_state(const typename Optimizer<T>::StateVisitor& f) override;
  const SGDOptions& options() const { return options_; }

 private:
  SGDOptions options_;
  std::vector<Array<T>> momentum_buffer_;  // empty when momentum == 0
};

// PyTorch: torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
//                           weight_decay=0, amsgrad=False, maximize=False)
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;   // decay of the running mean of g
  double beta2 = 0.999; // decay of the running mean of g^2
  double eps = 1e-8;    // added to sqrt(v_hat), outside the square root
  double weight_decay = 0;  // Adam: L2 penalty g += wd theta; AdamW: theta *= 1 - lr wd
  bool amsgrad = false;     // normalise by the running max of v instead of v
  bool maximize = false;    // ascend instead of descend
};

// AdamW's options: Adam's, but weight_decay defaults to 1e-2 as in PyTorch.
struct AdamWOptions : AdamOptions {
  AdamWOptions() { weight_decay = 1e-2; }
};

template <class T>
class Adam : public Optimizer<T> {
 public:
  Adam(std::vector<Parameter<T>*> params, const AdamOptions& options = AdamOptions());
  void step() override;
  void visit_state(const typename Optimizer<T>::StateVisitor& f) override;
  const AdamOptions& options() const { return options_; }

 protected:
  // decoupled = AdamW: weight decay shrinks theta directly instead of adding to g.
  Adam(const char* name, std::vector<Parameter<T>*> params, const AdamOptions& options, bool decoupled);

 private:
  AdamOptions options_;
  bool decoupled_;
  std::vector<Array<T>> exp_avg_, exp_avg_sq_, max_exp_avg_sq_;  // m, v, max v (amsgrad only)
};

// PyTorch: torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
//                            weight_decay=1e-2, amsgrad=False, maximize=False)
template <class T>
class AdamW : public Adam<T> {
 public:
  AdamW(std::vector<Parameter<T>*> params, const AdamWOptions& options = AdamWOptions())
      : Adam<T>("AdamW", std::move(params), options, true) {}
};

// ---- Optimizer: the shared bookkeeping ----

template <class T>
Optimizer<T>::Optimizer(const char* name, std::vector<Parameter<T>*> params)
    : name_(name), params_(std::move(params)), steps_(params_.size(), 0) {
  KLGRAD_CHECK(!params_.empty(), std::string(name_) + ": got an empty parameter list: pass the model's parameters");
  for (std::size_t i = 0; i < params_.size(); ++i) {
    KLGRAD_CHECK(params_[i] != nullptr, std::string(name_) + ": parameter " + std::to_string(i) + " is a null pointer");
    for (std::size_t j = 0; j < i; ++j)
      KLGRAD_CHECK(params_[j] != params_[i], std::string(name_) + ": parameter " + std::to_string(i) + " ('" +
                                          params_[i]->name + "') is the same as parameter " + std::to_string(j) +
                                          ": pass each parameter once");
  }
}

template <class T>
void Optimizer<T>::zero_grad(bool set_to_none) {
  for (Parameter<T>* p : params_) p->zero_grad(set_to_none);
}

template <class T>
void Optimizer<T>::visit_steps(const StepVisitor& f) {
  for (std::size_t i = 0; i < steps_.size(); ++i) f("step." + std::to_string(i), steps_[i]);
}

template <class T>
void Optimizer<T>::prepare(std::size_t i, std::initializer_list<Array<T>*> state) {
  // Runs every step: the messages are built only on failure.
  const Parameter<T>& p = *params_[i];
  const Shape& shape = p.value.shape();
  if (p.grad.shape() != shape)
    throw Error(std::string(name_) + ": parameter " + std::to_string(i) + " ('" + p.name + "') has value " +
                shape_str(shape) + " but grad " + shape_str(p.grad.shape()) +
                ": a gradient must have its parameter's shape");
  for (Array<T>* s : state) {
    if (s->shape() == shape) continue;
    if (steps_[i] != 0)
      throw Error(std::string(name_) + ": parameter " + std::to_string(i) + " ('" + p.name + "') has shape " +
                  shape_str(shape) + " but its optimizer state " + shape_str(s->shape()) +
                  ": restore state saved for the same parameters");
    *s = Array<T>::from_shape(shape);
    s->fill(T(0));
  }
}

extern template class SGD<float>;
extern template class SGD<double>;
extern template class Adam<float>;
extern template class Adam<double>;

}  // namespace klgrad
