// klgrad/tape.hpp — the reverse-mode engine: parameters, the tape, tensor handles,
// and the protocol every primitive op follows.
//
// The model in one paragraph
// --------------------------
// A Tape records one step's computation as a list of Nodes in creation order.
// Creation order is already a topological order (an op's inputs exist before
// it), so backward is a single reverse loop: no recursion, no visited sets, and
// a 100,000-op chain costs 100,000 iterations, not 100,000 stack frames.
// The Tape owns every Node; a Tensor is only a cheap handle (tape, index,
// generation). Parameters live in the model, outside the tape; a leaf bound to a
// Parameter sends its gradient straight into Parameter::grad. `tape.clear()`
// ends the step: all handles die at once (using one afterwards is an Error, not
// undefined behaviour), and the Nodes' buffers are kept so the next step, which
// usually records the same graph, allocates nothing.
//
// Writing a primitive
// -------------------
// A primitive is one struct with forward and backward side by side:
//
//   // y = exp(x)      dy/dx = exp(x) = y
//   template <class T> struct ExpOp {
//     static constexpr const char* name = "exp";
//     static void forward(Ctx<T>& c) { xt::noalias(c.out()) = xt::exp(c.in(0)); }
//     static void backward(Ctx<T>& c) {
//       if (c.needs_grad(0)) xt::noalias(c.grad_in(0)) += c.grad_out() * c.out();
//     }
//   };
//   template <class T> Tensor<T> exp(const Tensor<T>& x) { return apply<ExpOp<T>>({x}); }
//
// An op with arguments declares them as a small struct and receives them in
// both halves; apply stores a copy in the Node for the backward:
//
//   template <class T> struct PowOp {
//     struct Args { T exponent; };
//     static void forward(Ctx<T>& c, const Args& a) { ... }
//     static void backward(Ctx<T>& c, const Args& a) { ... }
//   };
//   ... apply<PowOp<T>>({x}, typename PowOp<T>::Args{p});
//
// Gradients only ever accumulate (`+=`): a tensor used twice receives both
// contributions. grad_in(i) is zero-filled with input i's shape on first touch.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <new>
#include <string>
#include <type_traits>

#include "klgrad/error.hpp"
#include "klgrad/xt.hpp"

namespace klgrad {

template <class T> class Tape;
template <class T> class Tensor;
template <class T> class Ctx;

// A learnable array owned by a model, outside any graph.
template <class T>
struct Parameter {
  Array<T> value;
  Array<T> grad;          // dL/d value, same shape as value, valid when has_grad
  bool has_grad = false;  // false is PyTorch's `grad is None`: optimizers skip it
  std::string name;

  Parameter() = default;
  explicit Parameter(Array<T> v, std::string n = "") : value(std::move(v)), name(std::move(n)) {}

  // PyTorch 1.13's zero_grad: zero in place by default; set_to_none drops the
  // gradient so the next optimizer step skips this parameter.
  void zero_grad(bool set_to_none = false) {
    if (set_to_none) has_grad = false;
    else if (has_grad) grad.fill(T(0));
  }
};

// An op's Args are copied into its Node: a fixed buffer, so recording an op
// never allocates. Args must be trivially copyable and fit in kArgBytes.
constexpr std::size_t kArgBytes = 48;

struct Site;  // where a node was created (klgrad/debug.hpp)

// backward is a trampoline that hands the Node's stored Args to Op::backward.
template <class T>
struct OpInfo {
  const char* name;
  void (*backward)(Ctx<T>&);
};

// One value in the graph: a leaf (constant, variable, parameter) or an op's output.
template <class T>
struct Node {
  Array<T> value;                 // forward result (parameter leaves read param->value)
  Array<T> grad;                  // dL/d value, valid when has_grad
  Array<T> saved;                 // scratch an op may keep for its backward
  Parameter<T>* param = nullptr;  // set for leaves bound to a Parameter
  const Array<T>* view = nullptr; // set for constant leaves that read an outside array
  const OpInfo<T>* op = nullptr;  // null for leaves
  const Site* site = nullptr;     // the innermost KLGRAD_SCOPE it was created in, if any
  std::array<std::uint32_t, 3> in{};
  std::uint8_t n_in = 0;
  bool requires_grad = false;
  bool has_grad = false;
  alignas(8) unsigned char args[kArgBytes];  // the op's Args (see apply)

  const Array<T>& val() const { return param ? param->value : (view ? *view : value); }
  // dL/d value and whether it is set: a parameter leaf's live in its Parameter.
  Array<T>& grad_ref() { return param ? param->grad : grad; }
  const Array<T>& grad_ref() const { return param ? param->grad : grad; }
  bool& has_grad_ref() { return param ? param->has_grad : has_grad; }
  bool has_grad_ref() const { return param ? param->has_grad : has_grad; }
  const char* name() const { return op ? op->name : (param ? "parameter" : (requires_grad ? "variable" : "constant")); }
};

// A handle to a value on a Tape. Cheap to copy; dies when the tape is cleared.
template <class T>
class Tensor {
 public:
  Tensor() = default;

  const Array<T>& value() const { return node().val(); }
  const Shape& shape() const { return value().shape(); }
  std::size_t dim() const { return value().dimension(); }
  std::size_t numel() const { return value().size(); }
  T item() const;                   // the value of a one-element tensor
  bool requires_grad() const { return node().requires_grad; }
  bool has_grad() const;            // after backward: did a gradient reach it?
  const Array<T>& grad() const;     // dL/d this (a parameter leaf: its Parameter::grad)
  void backward() const;            // seed dL/dL = 1; this must hold one element
  void backward(const Array<T>& seed) const;
  Tensor detach() const;            // same value, cut from the graph
  const char* op_name() const { return node().name(); }

  bool defined() const { return tape_ != nullptr; }
  Tape<T>& tape() const;
  std::uint32_t id() const { return id_; }
  Node<T>& node() const;            // checks that the handle is still alive

 private:
  friend class Tape<T>;
  Tensor(Tape<T>* tape, std::uint32_t id, std::uint32_t gen) : tape_(tape), id_(id), gen_(gen) {}
  Tape<T>* tape_ = nullptr;
  std::uint32_t id_ = 0, gen_ = 0;
};

template <class T>
class Tape {
 public:
  Tape() = default;
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;
  ~Tape();

  // Leaves. constant: never gets a gradient. variable: its gradient is kept on
  // the tape (gradcheck, tests). param: backward accumulates into p.grad.
  Tensor<T> constant(const Array<T>& value);
  Tensor<T> constant(T value) { return constant(Array<T>(value)); }
  Tensor<T> variable(const Array<T>& value);
  // A constant that reads `value` in place, without a copy: `value` must stay
  // alive and unchanged until tape.clear() (data batches, fixed targets).
  Tensor<T> constant_view(const Array<T>& value);
  Tensor<T> param(Parameter<T>& p);

  void backward(const Tensor<T>& root) { root.backward(); }
  // Ends the step: every handle on this tape dies; buffers are kept for reuse.
  void clear();
  // Frees the kept buffers too.
  void release();

  std::size_t size() const { return size_; }  // nodes alive in this step
  std::uint32_t generation() const { return generation_; }
  Node<T>& node(std::uint32_t id) { return nodes_[id]; }
  Tensor<T> handle(std::uint32_t id) { return Tensor<T>(this, id, generation_); }

  // Used by apply(): appends an op node over `inputs`; returns its index.
  std::uint32_t record(std::initializer_list<Tensor<T>> inputs, const OpInfo<T>* op);
  void discard_last();
  void run_backward(std::uint32_t root, const Array<T>* seed);

 private:
  Node<T>& push();
  std::deque<Node<T>> nodes_;  // a deque: references stay valid as the tape grows
  std::size_t size_ = 0;
  std::uint32_t generation_ = 1;
};

// What an op's forward and backward see.
template <class T>
class Ctx {
 public:
  Ctx(Tape<T>& tape, std::uint32_t id) : tape_(tape), node_(tape.node(id)) {}

  const Array<T>& in(int i) const { return input(i).val(); }
  Array<T>& out() { return node_.value; }
  const Array<T>& out() const { return node_.value; }
  const Array<T>& grad_out() const { return node_.grad; }
  bool needs_grad(int i) const { return input(i).requires_grad; }
  Array<T>& grad_in(int i);  // dL/d input i; zero-filled on first touch
  Array<T>& saved() { return node_.saved; }
  // The Args that apply stored in this node (A is the op's Args type).
  template <class A> const A& args_as() const { return *std::launder(reinterpret_cast<const A*>(node_.args)); }
  const char* name() const { return node_.name(); }

 private:
  Node<T>& input(int i) const { return tape_.node(node_.in[static_cast<std::size_t>(i)]); }
  Tape<T>& tape_;
  Node<T>& node_;
};

// Records op `Op` over `inputs` and runs its forward: apply<Op>(inputs) for an
// op without arguments, apply<Op>(inputs, typename Op::Args{...}) otherwise.
// The result requires grad when any input does and grad mode is on (see NoGrad).
struct NoArgs {};
template <class Op, class T, class A = NoArgs>
Tensor<T> apply(std::initializer_list<Tensor<T>> inputs, const A& args = {});

// Grad mode (thread-local). Inside a NoGrad scope, results never require grad.
bool grad_enabled();
class NoGrad {
 public:
  NoGrad();
  ~NoGrad();
  NoGrad(const NoGrad&) = delete;
  NoGrad& operator=(const NoGrad&) = delete;

 private:
  bool previous_;
};

// The engine's two debug hooks (klgrad/debug.hpp): anomaly checks of an op's
// output and of the gradients its backward produced.
namespace debug {
template <class T> void after_forward(Tape<T>& tape, std::uint32_t id);
template <class T> void after_backward(Tape<T>& tape, std::uint32_t id);
}  // namespace debug

namespace detail {
// Ops declared without Args take only the Ctx.
template <class A> constexpr bool passes_args = !std::is_same<A, NoArgs>::value;

template <class Op, class T, class A>
void forward_with_args(Ctx<T>& c) {
  if constexpr (passes_args<A>) Op::forward(c, c.template args_as<A>());
  else Op::forward(c);
}
template <class Op, class T, class A>
void backward_with_args(Ctx<T>& c) {
  if constexpr (passes_args<A>) Op::backward(c, c.template args_as<A>());
  else Op::backward(c);
}
}  // namespace detail

template <class Op, class T, class A>
Tensor<T> apply(std::initializer_list<Tensor<T>> inputs, const A& args) {
  static_assert(std::is_trivially_copyable<A>::value, "an op's Args must be trivially copyable");
  static_assert(sizeof(A) <= kArgBytes && alignof(A) <= 8, "an op's Args must fit in Node::args (kArgBytes)");
  static const OpInfo<T> info{Op::name, &detail::backward_with_args<Op, T, A>};
  KLGRAD_CHECK(inputs.size() > 0, std::string(Op::name) + ": an op needs at least one input tensor");
  Tape<T>& tape = inputs.begin()->tape();
  const std::uint32_t id = tape.record(inputs, &info);
  new (tape.node(id).args) A(args);
  try {
    Ctx<T> c(tape, id);
    detail::forward_with_args<Op, T, A>(c);
  } catch (...) {
    tape.discard_last();
    throw;
  }
  debug::after_forward(tape, id);
  return tape.handle(id);
}

// Broadcasting (NumPy/PyTorch rules): the shape of a op b, or an Error naming `op`.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// grad_in += grad_out summed down to grad_in's shape: the backward of broadcasting.
template <class T>
void accumulate_reduced(Array<T>& grad_in, const Array<T>& grad_out);

}  // namespace klgrad
