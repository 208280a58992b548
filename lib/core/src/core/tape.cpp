// The tape: recording, backward, handles. See klgrad/tape.hpp for the model.
#include "klgrad/tape.hpp"

#include "klgrad/debug.hpp"

#include <atomic>

#include <xtensor/xreducer.hpp>

namespace klgrad {

namespace {
thread_local bool grad_mode = true;
std::atomic<long> live_float{0}, live_double{0};
template <class T> std::atomic<long>& live_counter();
template <> std::atomic<long>& live_counter<float>() { return live_float; }
template <> std::atomic<long>& live_counter<double>() { return live_double; }
}  // namespace

bool grad_enabled() { return grad_mode; }
NoGrad::NoGrad() : previous_(grad_mode) { grad_mode = false; }
NoGrad::~NoGrad() { grad_mode = previous_; }

template <class T>
long live_nodes() { return live_counter<T>().load(); }

// ---- Backward: the reverse loop and the accumulate rule ------------------

template <class T>
void Tape<T>::run_backward(std::uint32_t root, const Array<T>* seed) {
  Node<T>& r = nodes_[root];
  KLGRAD_CHECK(r.requires_grad, std::string("backward: this '") + r.name() +
                             "' result does not require grad: it was computed from constants only or "
                             "under NoGrad. Use tape.variable/param for what you differentiate");
  // Gradients of op outputs are per backward call; leaves keep accumulating.
  for (std::size_t i = 0; i <= root; ++i)
    if (nodes_[i].op) nodes_[i].has_grad = false;
  if (seed) {
    r.grad = *seed;
  } else {
    r.grad.resize(r.val().shape());
    r.grad.fill(T(1));
  }
  r.has_grad = true;
  // Reverse creation order is a topological order: every consumer of node i
  // was created after i, so its gradient is complete when we reach i.
  for (std::size_t i = root + 1; i-- > 0;) {
    Node<T>& n = nodes_[i];
    if (!n.op || !n.requires_grad || !n.has_grad) continue;
    Ctx<T> c(*this, static_cast<std::uint32_t>(i));
    n.op->backward(c);
    debug::after_backward(*this, static_cast<std::uint32_t>(i));
  }
}

// The accumulate rule: an input's gradient starts as zeros of its shape the
// first time any backward touches it; every backward then adds (+=) into it.
template <class T>
Array<T>& Ctx<T>::grad_in(int i) {
  Node<T>& x = input(i);
  Array<T>& g = x.grad_ref();
  bool& has = x.has_grad_ref();
  if (!has) {
    g.resize(x.val().shape());
    g.fill(T(0));
    has = true;
  }
  return g;
}

// ---- Tensor ---------------------------------------------------------------

template <class T>
Tape<T>& Tensor<T>::tape() const {
  KLGRAD_CHECK(tape_ != nullptr, "tensor: this handle is empty; create tensors with tape.constant/variable/param or an op");
  return *tape_;
}

template <class T>
Node<T>& Tensor<T>::node() const {
  Tape<T>& t = tape();
  KLGRAD_CHECK(gen_ == t.generation() && id_ < t.size(),
        "tensor: this handle belongs to a step whose tape was cleared; "
        "keep results you need past tape.clear() as Arrays (tensor.value()), not Tensors");
  return t.node(id_);
}

template <class T>
T Tensor<T>::item() const {
  const Array<T>& v = value();
  KLGRAD_CHECK(v.size() == 1, "item: tensor of shape " + shape_str(v.shape()) + " has " + std::to_string(v.size()) +
                           " elements; item() needs exactly one (reduce it with sum or mean first)");
  return *v.begin();
}

template <class T>
bool Tensor<T>::has_grad() const {
  const Node<T>& n = node();
  return n.has_grad_ref();
}

template <class T>
const Array<T>& Tensor<T>::grad() const {
  const Node<T>& n = node();
  KLGRAD_CHECK(has_grad(), std::string("grad: no gradient reached this '") + n.name() +
                        "' tensor; call backward() on a result that depends on it, and make it a "
                        "variable or param (constants get no gradient)");
  return n.grad_ref();
}

template <class T>
void Tensor<T>::backward() const {
  KLGRAD_CHECK(numel() == 1, "backward: the output has shape " + shape_str(shape()) +
                          "; a gradient can be implicitly created only for a one-element output. "
                          "Reduce it (sum/mean) or pass a seed: backward(seed) with that shape");
  tape().run_backward(id_, nullptr);
}

template <class T>
void Tensor<T>::backward(const Array<T>& seed) const {
  KLGRAD_CHECK(seed.shape() == shape(), "backward: seed of shape " + shape_str(seed.shape()) +
                                     " must have the output's shape " + shape_str(shape()));
  tape().run_backward(id_, &seed);
}

template <class T>
Tensor<T> Tensor<T>::detach() const {
  return tape().constant(value());
}

// ---- Tape -----------------------------------------------------------------

template <class T>
Tape<T>::~Tape() {
  live_counter<T>() -= static_cast<long>(size_);
}

template <class T>
Node<T>& Tape<T>::push() {
  if (size_ == nodes_.size()) nodes_.emplace_back();
  Node<T>& n = nodes_[size_++];
  ++live_counter<T>();
  n.param = nullptr;
  n.view = nullptr;
  n.op = nullptr;
  n.site = current_site();
  n.n_in = 0;
  n.requires_grad = false;
  n.has_grad = false;
  return n;
}

template <class T>
Tensor<T> Tape<T>::constant(const Array<T>& value) {
  Node<T>& n = push();
  if (&n.value != &value) n.value = value;
  return handle(static_cast<std::uint32_t>(size_ - 1));
}

template <class T>
Tensor<T> Tape<T>::constant_view(const Array<T>& value) {
  Node<T>& n = push();
  n.view = &value;
  return handle(static_cast<std::uint32_t>(size_ - 1));
}

template <class T>
Tensor<T> Tape<T>::variable(const Array<T>& value) {
  Tensor<T> t = constant(value);
  nodes_[size_ - 1].requires_grad = true;
  return t;
}

template <class T>
Tensor<T> Tape<T>::param(Parameter<T>& p) {
  Node<T>& n = push();
  n.param = &p;
  n.requires_grad = true;
  return handle(static_cast<std::uint32_t>(size_ - 1));
}

template <class T>
void Tape<T>::clear() {
  live_counter<T>() -= static_cast<long>(size_);
  size_ = 0;
  ++generation_;
}

template <class T>
void Tape<T>::release() {
  clear();
  nodes_.clear();
  nodes_.shrink_to_fit();
}

template <class T>
std::uint32_t Tape<T>::record(std::initializer_list<Tensor<T>> inputs, const OpInfo<T>* op) {
  KLGRAD_CHECK(inputs.size() <= 3, std::string(op->name) + ": an op takes at most 3 inputs");
  bool any_grad = false;
  for (const Tensor<T>& x : inputs) {
    KLGRAD_CHECK(&x.tape() == this, std::string(op->name) + ": inputs live on different tapes; build one step's graph on one tape");
    any_grad = any_grad || x.node().requires_grad;  // node() also checks the handle is alive
  }
  Node<T>& n = push();
  n.op = op;
  for (const Tensor<T>& x : inputs) n.in[n.n_in++] = x.id();
  n.requires_grad = any_grad && grad_mode;
  return static_cast<std::uint32_t>(size_ - 1);
}

template <class T>
void Tape<T>::discard_last() {
  --size_;
  --live_counter<T>();
}

// ---- Broadcasting -----------------------------------------------------------

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t k = 0; k < n; ++k) {
    // align from the right
    const std::size_t da = k < n - a.size() ? 1 : a[k - (n - a.size())];
    const std::size_t db = k < n - b.size() ? 1 : b[k - (n - b.size())];
    KLGRAD_CHECK(da == db || da == 1 || db == 1,
          std::string(op) + ": shapes " + shape_str(a) + " and " + shape_str(b) +
              " cannot broadcast: aligned from the right, each pair of dimensions must be equal or 1 "
              "(reshape or unsqueeze one of them)");
    out[k] = std::max(da, db);
  }
  return out;
}

template <class T>
void accumulate_reduced(Array<T>& gin, const Array<T>& gout) {
  const Shape& s = gin.shape();
  const Shape& g = gout.shape();
  if (s == g) {
    xt::noalias(gin) += gout;
    return;
  }
  const std::size_t inner = gin.size();
  // Fast path: gin's shape is a (possibly 1-padded) suffix of gout's, so gout is
  // (outer, inner) rows and gin is their sum (the bias gradient; a scalar).
  bool suffix = true;
  const std::size_t lead = g.size() - s.size();
  for (std::size_t k = 0; k < s.size(); ++k) suffix = suffix && s[k] == g[lead + k];
  bool ones_then_suffix = true;  // e.g. gin (1, M) against gout (N, M)
  std::size_t first = 0;
  while (first < s.size() && s[first] == 1) ++first;
  for (std::size_t k = first; k < s.size(); ++k) ones_then_suffix = ones_then_suffix && s[k] == g[lead + k];
  if (suffix || ones_then_suffix || inner == 1) {
    const T* src = gout.data();
    T* dst = gin.data();
    const std::size_t outer = gout.size() / inner;
    for (std::size_t o = 0; o < outer; ++o, src += inner)
      for (std::size_t k = 0; k < inner; ++k) dst[k] += src[k];
    return;
  }
  // General case: sum the leading axes and every axis where gin has size 1.
  std::vector<std::size_t> axes;
  for (std::size_t k = 0; k < g.size(); ++k)
    if (k < lead || (s[k - lead] == 1 && g[k] != 1)) axes.push_back(k);
  Array<T> summed = xt::sum(gout, axes, xt::evaluation_strategy::immediate);
  summed.reshape(s);
  xt::noalias(gin) += summed;
}

#define KLGRAD_INSTANTIATE(T)                                          \
  template class Tensor<T>;                                            \
  template class Tape<T>;                                              \
  template class Ctx<T>;                                               \
  template long live_nodes<T>();                                       \
  template void accumulate_reduced<T>(Array<T>&, const Array<T>&);
KLGRAD_INSTANTIATE(float)
KLGRAD_INSTANTIATE(double)

}  // namespace klgrad
