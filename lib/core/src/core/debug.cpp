// Scopes, anomaly detection and the messages that name an op (klgrad/debug.hpp).
#include "klgrad/debug.hpp"

#include <cmath>
#include <sstream>

namespace klgrad {

namespace {
thread_local bool anomaly_mode = false;
thread_local const Site* site_now = nullptr;

template <class T>
bool all_finite(const Array<T>& a) {
  for (const T& v : a)
    if (!std::isfinite(v)) return false;
  return true;
}
}  // namespace

Scope::Scope(const Site& site) : previous_(site_now) { site_now = &site; }
Scope::~Scope() { site_now = previous_; }
const Site* current_site() { return site_now; }

bool anomaly_detection_enabled() { return anomaly_mode; }
DetectAnomaly::DetectAnomaly(bool on) : previous_(anomaly_mode) { anomaly_mode = on; }
DetectAnomaly::~DetectAnomaly() { anomaly_mode = previous_; }

namespace debug {

template <class T>
std::string expression(Tape<T>& tape, std::uint32_t id, int depth) {
  const Node<T>& n = tape.node(id);
  if (!n.op) return n.param && !n.param->name.empty() ? "parameter '" + n.param->name + "'" : n.name();
  if (depth == 0) return std::string(n.name()) + "(...)";
  std::string s = std::string(n.name()) + "(";
  for (int i = 0; i < n.n_in; ++i) s += (i ? ", " : "") + expression(tape, n.in[static_cast<std::size_t>(i)], depth - 1);
  return s + ")";
}

template <class T>
std::string describe(Tape<T>& tape, std::uint32_t id) {
  const Node<T>& n = tape.node(id);
  std::ostringstream o;
  o << "op '" << n.name() << "' (node #" << id << " on the tape, inputs";
  for (int i = 0; i < n.n_in; ++i) o << ' ' << shape_str(tape.node(n.in[static_cast<std::size_t>(i)]).val().shape());
  o << "; " << expression(tape, id, 3);
  if (n.site) {
    const std::string file = n.site->file;
    o << "; created in scope '" << n.site->name << "' at " << file.substr(file.find_last_of('/') + 1) << ':'
      << n.site->line;
  }
  o << ')';
  return o.str();
}

template <class T>
void after_forward(Tape<T>& tape, std::uint32_t id) {
  if (!anomaly_mode) return;
  KLGRAD_CHECK(all_finite(tape.node(id).value),
               "anomaly: " + describe(tape, id) + " produced NaN or inf in its forward output; "
               "check its inputs (log of 0, exp overflow, 0/0) or clamp them");
}

template <class T>
void after_backward(Tape<T>& tape, std::uint32_t id) {
  const Node<T>& n = tape.node(id);
  for (int k = 0; k < n.n_in; ++k) {
    const Node<T>& x = tape.node(n.in[static_cast<std::size_t>(k)]);
    if (!x.requires_grad || !x.has_grad_ref()) continue;
    const Array<T>& g = x.grad_ref();
    // A backward that assigns a broadcast expression silently resizes the
    // gradient; catch it here (a few integer compares) rather than as corrupted memory later.
    KLGRAD_CHECK(g.shape() == x.val().shape(),
                 "backward of " + describe(tape, id) + ": the gradient of input " + std::to_string(k) + " has shape " +
                     shape_str(g.shape()) + " but the input has shape " + shape_str(x.val().shape()) +
                     "; sum the gradient over the broadcast axes (accumulate_reduced)");
    KLGRAD_CHECK(!anomaly_mode || all_finite(g),
                 "anomaly: the backward of " + describe(tape, id) + " produced NaN or inf in the gradient of its input " +
                     std::to_string(k) + "; look for log/sqrt/div at 0 or overflow in its forward");
  }
}

#define KLGRAD_INSTANTIATE(T)                                              \
  template std::string expression<T>(Tape<T>&, std::uint32_t, int);        \
  template std::string describe<T>(Tape<T>&, std::uint32_t);               \
  template void after_forward<T>(Tape<T>&, std::uint32_t);                 \
  template void after_backward<T>(Tape<T>&, std::uint32_t);
KLGRAD_INSTANTIATE(float)
KLGRAD_INSTANTIATE(double)

}  // namespace debug
}  // namespace klgrad
